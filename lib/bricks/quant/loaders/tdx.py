"""通达信 (TDX) daily files: vipdoc/{sh,sz,bj}/lday/<market><code>.day.

Format (as read by the open-source readers of these files, e.g. pytdx's and mootdx's
daily-bar readers): a headerless sequence of 32-byte little-endian records, struct
'<IIIIIfII' = date as the integer yyyymmdd; open, high, low, close in 0.01 CNY as integers
(stocks; funds use 0.001); amount in CNY as float32; volume in shares as an integer; one
reserved integer. Prices are raw (除权 prices, not adjusted): the adjustment data lives in
another file (gbbq), so a panel from .day files has adj_factor = 1 and says so.

    >>> import io
    >>> rec = np.array([(20240102, 1000, 1100, 990, 1050, 1.05e6, 100_000, 0)], dtype=RECORD)
    >>> read_day_file(io.BytesIO(rec.tobytes()), "sh600000.day")[["close", "volume"]].to_dict("records")
    [{'close': 10.5, 'volume': 100000.0}]
"""
import glob
import os

import numpy as np

from bricks import errors

__all__ = ["RECORD", "read_day_file", "write_day_file", "load_tdx", "is_stock"]

RECORD = np.dtype([("date", "<u4"), ("open", "<u4"), ("high", "<u4"), ("low", "<u4"), ("close", "<u4"),
                   ("amount", "<f4"), ("volume", "<u4"), ("reserved", "<u4")])  # 32 bytes


def is_stock(market, code):
    """Is <market><code> an A share (not an index, fund or bond)? sh 60/68, sz 00/30, bj 4/8/92."""
    c = str(code)
    return ((market == "sh" and c[:2] in ("60", "68")) or (market == "sz" and c[:2] in ("00", "30"))
            or (market == "bj" and (c[:1] in ("4", "8") or c[:2] == "92")))


def read_day_file(path, name=None, price_scale=0.01):
    """One .day file as a DataFrame indexed by date: open, high, low, close (CNY), amount, volume.

    Refused (ValueError naming the file, the record (from 1) and the value): a size that is
    not a multiple of 32 bytes, an impossible date, dates not increasing, a price <= 0,
    low above open/close or high below them, a negative or non-finite amount.
    """
    import pandas as pd
    name = name or str(path)
    raw = path.read() if hasattr(path, "read") else open(path, "rb").read()
    owner = f"read_day_file({os.path.basename(name)})"
    if len(raw) % RECORD.itemsize:
        errors.fail(owner, "a size that is a multiple of 32 bytes (one record each)", size=len(raw),
                    trailing_bytes=len(raw) % RECORD.itemsize)
    r = np.frombuffer(raw, dtype=RECORD)
    y, m, d = r["date"] // 10000, r["date"] // 100 % 100, r["date"] % 100
    ok = (y >= 1990) & (y <= 2100) & (m >= 1) & (m <= 12) & (d >= 1) & (d <= 31)
    if not ok.all():
        i = int(np.flatnonzero(~ok)[0])
        errors.fail(owner, "dates written as yyyymmdd", record=i + 1, value=int(r["date"][i]))
    dates = pd.to_datetime(r["date"].astype(str), format="%Y%m%d", errors="coerce")
    if dates.isna().any():
        i = int(np.flatnonzero(dates.isna())[0])
        errors.fail(owner, "a calendar date", record=i + 1, value=int(r["date"][i]))
    if len(r) > 1 and not (np.diff(r["date"].astype(np.int64)) > 0).all():
        i = int(np.flatnonzero(np.diff(r["date"].astype(np.int64)) <= 0)[0]) + 1
        errors.fail(owner, "dates increasing", record=i + 1, value=int(r["date"][i]), previous=int(r["date"][i - 1]))
    px = {k: r[k].astype(float) * price_scale for k in ("open", "high", "low", "close")}
    checks = [("a price > 0", np.minimum.reduce([px[k] for k in px]) > 0, "close"),
              ("low <= open and close", px["low"] <= np.minimum(px["open"], px["close"]), "low"),
              ("high >= open and close", px["high"] >= np.maximum(px["open"], px["close"]), "high"),
              ("a finite amount >= 0", np.isfinite(r["amount"]) & (r["amount"] >= 0), "amount")]
    for expected, good, field in checks:
        if not good.all():
            i = int(np.flatnonzero(~good)[0])
            value = float(px[field][i] if field in px else r[field][i])
            errors.fail(owner, expected, record=i + 1, date=int(r["date"][i]), field=field, value=value)
    df = pd.DataFrame({**px, "amount": r["amount"].astype(float), "volume": r["volume"].astype(float)},
                      index=pd.DatetimeIndex(dates, name="date"))
    return df


def write_day_file(path, df, price_scale=0.01):
    """Write a DataFrame (date index; open, high, low, close, amount, volume) as a .day file."""
    rec = np.zeros(len(df), dtype=RECORD)
    rec["date"] = df.index.strftime("%Y%m%d").astype(int)
    for k in ("open", "high", "low", "close"):
        rec[k] = np.round(df[k].to_numpy() / price_scale).astype(np.uint32)
    rec["amount"] = df["amount"].to_numpy()
    vol = np.round(df["volume"].to_numpy())
    if not (np.isfinite(vol) & (vol >= 0) & (vol < 2**32)).all():
        i = int(np.flatnonzero(~(np.isfinite(vol) & (vol >= 0) & (vol < 2**32)))[0])
        errors.fail(f"write_day_file({os.path.basename(str(path))})", "volumes in [0, 2**32) shares (a uint32)",
                    record=i + 1, value=float(vol[i]))
    rec["volume"] = vol.astype(np.uint32)
    with open(path, "wb") as fh:
        fh.write(rec.tobytes())


def load_tdx(vipdoc, markets=("sh", "sz", "bj"), codes=None, index_code="sh000300", start=None, end=None):
    """Every A-share .day file under `vipdoc` (or vipdoc/..) into one panel.

    Args:
        vipdoc: the vipdoc folder (or its parent, the 通达信 install folder).
        markets: sub-folders to read; codes: only these six-digit codes (default: every stock).
        index_code: a .day file read as the benchmark level p['index'] (e.g. sh000300, the
            CSI 300, which 通达信 keeps under sh/lday); None to skip.
        start, end: 'YYYY-MM-DD' bounds on the dates kept.
    Returns: the `assemble` panel; meta: files read, rows, files skipped as not stocks.
    """
    from bricks.quant.loaders.assemble import assemble
    root = vipdoc if any(os.path.isdir(os.path.join(vipdoc, m)) for m in markets) else os.path.join(vipdoc, "vipdoc")
    frames, skipped, rows, index = {}, 0, 0, None
    for m in markets:
        for f in sorted(glob.glob(os.path.join(root, m, "lday", f"{m}*.day"))):
            code = os.path.basename(f)[len(m):-4]
            if f"{m}{code}" == index_code:
                index = read_day_file(f)
            if not is_stock(m, code) or (codes is not None and code not in codes):
                skipped += 1
                continue
            df = read_day_file(f).loc[start:end]
            if len(df):
                frames[code] = df
                rows += len(df)
    if not frames:
        errors.fail(f"load_tdx({vipdoc})", "at least one stock file <market>/lday/<market><code>.day",
                    markets=list(markets), root=root)
    p = assemble(frames, "tdx", meta={"files": len(frames), "rows": rows, "skipped_not_stock": skipped})
    if index is not None:
        lvl = index["close"].reindex(np.asarray(p["dates"], "datetime64[ns]")).ffill().to_numpy()
        p["index"] = lvl
    return p
