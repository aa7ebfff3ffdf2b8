"""qlib's binary data directory (microsoft/qlib, scripts/dump_bin.py writes it).

    <qlib_dir>/calendars/day.txt             one trading date a line (2020-01-02 or 20200102)
    <qlib_dir>/instruments/<market>.txt      SH600000<TAB>2008-01-02<TAB>2020-12-31, one line per
                                             membership spell (csi300.txt is point in time:
                                             a stock that left and re-entered has two lines)
    <qlib_dir>/features/<code>/<field>.day.bin
                                             little-endian float32: the first value is the index
                                             of the first date in the calendar, then one value
                                             per calendar date from there (NaN: no trade)

In qlib's China data the prices are adjusted and `factor` = adjusted / raw, so the raw price
is price / factor and the raw volume volume * factor (the amount is the same either way);
this loader returns raw prices and keeps `factor` as `adj_factor`.

    >>> import io
    >>> b = np.array([2, 10.0, 10.5], dtype="<f4").tobytes()     # starts at calendar date 2
    >>> read_bin(io.BytesIO(b), 5, "close.day.bin")
    array([ nan,  nan, 10. , 10.5,  nan])
"""
import os

import numpy as np

from bricks import errors

__all__ = ["read_calendar", "read_instruments", "read_bin", "load_qlib", "write_qlib"]


def read_calendar(path):
    """(D,) datetime64[D] from calendars/day.txt; refuses an unreadable or unsorted line."""
    from bricks.quant.csv_reader import parse_dates
    lines = [s.strip() for s in open(path, encoding="utf-8").read().splitlines() if s.strip()]
    owner = f"read_calendar({os.path.basename(path)})"
    dates = parse_dates(lines, owner, "date").astype("datetime64[D]")
    if len(dates) > 1 and not (np.diff(dates).astype(int) > 0).all():
        i = int(np.flatnonzero(np.diff(dates).astype(int) <= 0)[0]) + 1
        errors.fail(owner, "dates increasing", line=i + 1, value=lines[i], previous=lines[i - 1])
    return dates


def read_instruments(path):
    """{CODE: [(start, end), ...]} from an instruments file; a malformed line is refused."""
    from bricks.quant.csv_reader import parse_dates
    owner = f"read_instruments({os.path.basename(path)})"
    spells = {}
    for n, line in enumerate(open(path, encoding="utf-8").read().splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.strip().split("\t")
        if len(parts) != 3:
            errors.fail(owner, "three tab-separated fields: code, start date, end date", line=n, value=line)
        start, end = parse_dates(parts[1:], f"{owner} line {n}", "date").astype("datetime64[D]")
        if end < start:
            errors.fail(owner, "start <= end", line=n, value=line)
        spells.setdefault(parts[0].upper(), []).append((start, end))
    return spells


def read_bin(path, n_dates, name=None):
    """(n_dates,) float64 from one .day.bin file aligned to the calendar (NaN outside its span)."""
    raw = path.read() if hasattr(path, "read") else open(path, "rb").read()
    owner = f"read_bin({name or path})"
    if len(raw) % 4 or len(raw) < 4:
        errors.fail(owner, "a whole number of float32 values (4 bytes each), at least one", size=len(raw))
    v = np.frombuffer(raw, dtype="<f4").astype(float)
    start = v[0]
    if not (np.isfinite(start) and start == int(start) and 0 <= start < n_dates):
        errors.fail(owner, f"a first value that is a calendar index in [0, {n_dates})", record=0, value=float(start))
    start = int(start)
    if start + len(v) - 1 > n_dates:
        errors.fail(owner, f"at most {n_dates - start} values after the start index {start} (the calendar's end)",
                    values=len(v) - 1)
    bad = np.flatnonzero(np.isinf(v[1:]))
    if bad.size:
        errors.fail(owner, "finite values or NaN", record=int(bad[0]) + 1, value=float(v[1 + bad[0]]))
    out = np.full(n_dates, np.nan)
    out[start:start + len(v) - 1] = v[1:]
    return out


def load_qlib(qlib_dir, market="csi300", start=None, end=None):
    """A qlib directory into one panel: the stocks of instruments/<market>.txt with their
    point-in-time membership as p['index_members'] ('all': every instrument, no index).

    Prices raw (price / factor), `adj_factor` = factor (1 where a stock has no factor file).
    Refused with the file and the value named: a malformed calendar, instruments line or
    .bin file, a stock without a close file.
    """
    import pandas as pd
    from bricks.quant.loaders.assemble import assemble
    cal = read_calendar(os.path.join(qlib_dir, "calendars", "day.txt"))
    spells = read_instruments(os.path.join(qlib_dir, "instruments", f"{market}.txt"))
    frames, rows = {}, 0
    keep = np.ones(len(cal), bool)
    if start:
        keep &= cal >= np.datetime64(start)
    if end:
        keep &= cal <= np.datetime64(end)
    for code in sorted(spells):
        folder = os.path.join(qlib_dir, "features", code.lower())
        path = os.path.join(folder, "close.day.bin")
        if not os.path.exists(path):
            errors.fail(f"load_qlib({qlib_dir})", f"a close file for every instrument of {market}.txt",
                        instrument=code, missing=path)
        cols = {}
        for field in ("open", "high", "low", "close", "volume", "amount", "factor"):
            f = os.path.join(folder, f"{field}.day.bin")
            if os.path.exists(f):
                cols[field] = read_bin(f, len(cal), f"{code.lower()}/{field}.day.bin")
        factor = cols.pop("factor", np.ones(len(cal)))
        for k in ("open", "high", "low", "close"):
            if k in cols:
                cols[k] = np.round(cols[k] / factor, 2)  # raw price, to the fen
        if "volume" in cols:
            cols["volume"] = cols["volume"] * factor
        df = pd.DataFrame(cols, index=pd.DatetimeIndex(cal, name="date"))
        df["adj_factor"] = factor
        df = df[keep & np.isfinite(df["close"].to_numpy())]
        if len(df):
            frames[code[-6:]] = df
            rows += len(df)
    dates = cal[keep]
    members = None
    if market != "all":
        members = np.zeros((len(dates), len(frames)), bool)
        for a, code in enumerate(sorted(frames)):
            for s, e in spells[[c for c in spells if c[-6:] == code][0]]:
                members[:, a] |= (dates >= s) & (dates <= e)
    return assemble(frames, "qlib", calendar=dates, members=members,
                    meta={"files": len(frames), "rows": rows, "market": market})


def write_qlib(p, qlib_dir, market="csi300"):
    """Write a panel (raw prices, adj_factor) as a qlib directory: what `load_qlib` reads back.

    Prices are written adjusted (raw * factor) with the factor beside them, as qlib's China
    data holds them; suspended days as NaN; membership spells from p['index_members'].
    """
    import pandas as pd
    for sub in ("calendars", "instruments", "features"):
        os.makedirs(os.path.join(qlib_dir, sub), exist_ok=True)
    dates = pd.DatetimeIndex(p["dates"]).strftime("%Y-%m-%d")
    with open(os.path.join(qlib_dir, "calendars", "day.txt"), "w", encoding="utf-8") as fh:
        fh.write("\n".join(dates) + "\n")
    prefix = lambda c: ("SH" if c[:1] in "6" else "BJ" if c[:1] in "48" or c[:2] == "92" else "SZ") + c  # noqa: E731
    lines_all, lines_mkt = [], []
    for a, code in enumerate(p["codes"]):
        on = np.flatnonzero(p["listed"][:, a])
        if not on.size:
            continue
        sym = prefix(str(code))
        lines_all.append(f"{sym}\t{dates[on[0]]}\t{dates[on[-1]]}")
        m = p["index_members"][:, a].astype(int)
        for s, e in zip(np.flatnonzero(np.diff(np.r_[0, m]) == 1), np.flatnonzero(np.diff(np.r_[m, 0]) == -1)):
            lines_mkt.append(f"{sym}\t{dates[s]}\t{dates[e]}")
        folder = os.path.join(qlib_dir, "features", sym.lower())
        os.makedirs(folder, exist_ok=True)
        span = slice(on[0], on[-1] + 1)
        trade = ~p["suspended"][span, a]
        f = p["adj_factor"][span, a]
        fields = {k: np.where(trade, p[k][span, a] * f, np.nan) for k in ("open", "high", "low", "close")}
        fields["volume"] = np.where(trade, p["volume"][span, a] / f, np.nan)
        fields["amount"] = np.where(trade, p["amount"][span, a], np.nan)
        fields["factor"] = np.where(trade, f, np.nan)
        for k, v in fields.items():
            np.r_[on[0], v].astype("<f4").tofile(os.path.join(folder, f"{k}.day.bin"))
    for name, lines in (("all", lines_all), (market, lines_mkt)):
        with open(os.path.join(qlib_dir, "instruments", f"{name}.txt"), "w", encoding="utf-8") as fh:
            fh.write("\n".join(lines) + "\n")
