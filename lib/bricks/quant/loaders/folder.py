"""Per-stock terminal exports in a folder, and one long code,date,... table.

A folder of exports (通达信 "SH#600000.txt", 东方财富 or tushare CSVs named by code, ...) is
read file by file with `bricks.quant.csv_reader.load_csv`, which already names the file,
row and value of anything it refuses; the stock code is the six-digit number in each file's
name. A title line saying 前复权 or 后复权 (forward/back-adjusted prices) is recorded in
meta['adjusted_files']: the limits of such a file's stock are computed on adjusted prices and
are wrong on every date before its last ex-date; export unadjusted (不复权) prices if you can.
"""
import glob
import os
import re
import warnings

import numpy as np

from bricks import errors
from bricks.quant.csv_reader import (ALIASES, AdjustedPricesWarning, check_dates, check_values, decode, load_csv,
                                     parse_dates, parse_numbers, st_flags)

__all__ = ["load_csv_folder", "load_long", "CODE_ALIASES"]

CODE_ALIASES = {"code", "symbol", "ts_code", "instrument", "代码", "证券代码", "股票代码"}
CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


def load_csv_folder(folder, patterns=("*.csv", "*.txt"), max_gap_days=None, **csv_kw):
    """Every export in `folder` into one panel (see the module docstring).

    max_gap_days: None by default, so a long suspension is a gap, not an error.
    volume='总手' (a 同花顺 export, once its unit is checked) reads that column as the volume.
    An ST column (st, is_st, 是否ST: see `csv_reader.st_flags`) gives the panel's ST flags.
    """
    from bricks.quant.loaders.assemble import assemble
    files = sorted({f for pat in patterns for f in glob.glob(os.path.join(folder, pat))})
    if not files:
        errors.fail(f"load_csv_folder({folder})", f"files matching {list(patterns)}", files=0)
    frames, rows, adjusted = {}, 0, []
    for f in files:
        m = CODE.search(os.path.basename(f))
        if not m:
            errors.fail(f"load_csv_folder({folder})", "a six-digit stock code in every file name",
                        file=os.path.basename(f))
        df = load_csv(f, max_gap_days=max_gap_days, **csv_kw)
        if csv_kw.get("volume", "volume") not in (None, "volume"):
            df = df.rename(columns={csv_kw["volume"]: "volume"})
        if "st" in df.columns:
            df["st"] = st_flags(df["st"], f"load_csv_folder({os.path.basename(f)})")
        if df.attrs.get("adjusted"):  # a title line says 前复权 or 后复权
            adjusted.append(os.path.basename(f))
        if m.group(1) in frames:
            errors.fail(f"load_csv_folder({folder})", "one file per stock code", code=m.group(1),
                        file=os.path.basename(f))
        frames[m.group(1)] = df
        rows += len(df)
    if adjusted:
        warnings.warn(f"load_csv_folder({folder}): {len(adjusted)} of {len(files)} files say their prices are "
                      f"adjusted (前复权 / 后复权), e.g. {adjusted[0]}: their price limits are wrong before each "
                      "stock's last ex-date; export 不复权 prices if you can (meta['adjusted_files'])",
                      AdjustedPricesWarning, stacklevel=2)
    return assemble(frames, "csv_folder", meta={"files": len(files), "rows": rows, "adjusted_files": adjusted})


def load_long(path, sep=None, encoding=None):
    """One long table (a row per stock and date) into one panel.

    Columns (any order; Chinese and tushare names accepted through `ALIASES` and
    `CODE_ALIASES`): code, date, open, high, low, close, volume; optional amount and
    adj_factor (or 'factor') and an ST flag (st, is_st, 是否ST: `csv_reader.st_flags`). Each
    stock's rows are checked as `load_csv` checks a file (row numbers are the file's data rows, from 1).
    """
    import io

    import pandas as pd
    from bricks.quant.loaders.assemble import assemble
    owner = f"load_long({os.path.basename(str(path))})"
    text, _ = decode(open(path, "rb").read(), owner, encoding)
    df = pd.read_csv(io.StringIO(text), sep=sep, engine="python", dtype=str)
    names = []
    for c in df.columns:
        c2 = str(c).strip()
        names.append("code" if c2.lower() in CODE_ALIASES or c2 in CODE_ALIASES else
                     "adj_factor" if c2.lower() in ("factor", "adj_factor", "复权因子") else
                     ALIASES.get(c2.lower(), ALIASES.get(c2, c2.lower())))
    df.columns = names
    need = ["code", "date", "open", "high", "low", "close", "volume"]
    missing = [c for c in need if c not in df.columns]
    if missing:
        errors.fail(owner, f"columns {need}", missing=missing, columns=list(df.columns))
    dates = parse_dates(df["date"], owner, "date")
    shown = pd.DatetimeIndex(dates).strftime("%Y-%m-%d").to_numpy()
    nums = [c for c in ("open", "high", "low", "close", "volume", "amount", "adj_factor") if c in df.columns]
    vals = pd.DataFrame({c: parse_numbers(df[c], owner, c, shown) for c in nums},
                        index=pd.DatetimeIndex(dates, name="date"))
    if "st" in df.columns:
        vals["st"] = st_flags(df["st"], owner)
    codes = df["code"].astype(str).str.extract(CODE.pattern, expand=False)
    if codes.isna().any():
        i = int(np.flatnonzero(codes.isna().to_numpy())[0])
        errors.fail(owner, "a six-digit stock code in every row", column="code", row=i + 1, value=df["code"].iloc[i])
    frames = {}
    rows = np.arange(1, len(df) + 1)
    for code in sorted(codes.unique()):
        sel = (codes == code).to_numpy()
        part = vals[sel]
        check_values(part, ("open", "high", "low", "close"), "volume", shown[sel], rows[sel], f"{owner} code {code}")
        part, _, _ = check_dates(part, shown[sel], rows[sel], f"{owner} code {code}", True, None)
        frames[code] = part
    return assemble(frames, "long", meta={"files": 1, "rows": len(df), "stocks": len(frames)})
