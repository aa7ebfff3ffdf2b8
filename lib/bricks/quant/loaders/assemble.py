"""Per-stock daily tables into one (dates x stocks) panel with the exchange's reference prices and limits."""
import numpy as np

from bricks.quant.ashare import board_of, limit_bands

__all__ = ["assemble"]


def assemble(frames, source, calendar=None, members=None, st=None, meta=None):
    """One panel dict from {code: DataFrame indexed by date with open, high, low, close, volume,
    optionally amount, adj_factor and st (bool)}.

    dates: `calendar` if given, else the union of every table's dates. A stock is listed from
    its first row to its last; a listed date without a row, or with volume 0, is suspended
    (its prices carried from the last close, so a position is valued, never traded).
    prev_close is the exchange's reference: the last close, times adj_factor(before) /
    adj_factor(today) on an ex-date. upper/lower follow `bricks.quant.ashare.limit_bands` by
    board and date (ST from `st` (D, A) if given, else from the tables' st columns (a gap keeps
    the last flag), else no ST; a listing's first days are
    known only when the first row is the listing day, so they are not assumed).
    members: (D, A) bool index membership, or None.
    """
    import pandas as pd
    codes = np.array(sorted(frames))
    if calendar is None:
        calendar = np.unique(np.concatenate([f.index.values.astype("datetime64[D]") for f in frames.values()]))
    dates = np.asarray(calendar, dtype="datetime64[D]")
    D, A = len(dates), len(codes)
    cols = ("open", "high", "low", "close", "volume", "amount", "adj_factor")
    out = {k: np.full((D, A), np.nan) for k in cols}
    has_factor = False
    st_rows = np.full((D, A), np.nan) if st is None and any("st" in f.columns for f in frames.values()) else None
    for a, code in enumerate(codes):
        f = frames[code]
        pos = np.searchsorted(dates, f.index.values.astype("datetime64[D]"))
        for k in cols:
            if k in f.columns:
                out[k][pos, a] = f[k].to_numpy(dtype=float)
        has_factor |= "adj_factor" in f.columns
        if st_rows is not None and "st" in f.columns:
            st_rows[pos, a] = f["st"].to_numpy(dtype=float)
    t = np.arange(D)[:, None]
    row = np.isfinite(out["close"])
    first = np.where(row.any(axis=0), row.argmax(axis=0), D)
    last = np.where(row.any(axis=0), D - 1 - row[::-1].argmax(axis=0), -1)
    listed = (t >= first) & (t <= last)
    suspended = listed & (~row | (np.nan_to_num(out["volume"], nan=0.0) <= 0))
    close = np.array(pd.DataFrame(np.where(listed, out["close"], np.nan)).ffill())  # carried through gaps
    factor = np.array(pd.DataFrame(out["adj_factor"]).ffill().bfill()) if has_factor else np.ones((D, A))
    for k in ("open", "high", "low"):
        out[k] = np.where(row, out[k], close)
    out["close"] = close
    out["volume"] = np.where(row, np.nan_to_num(out["volume"]), 0.0)
    out["amount"] = np.where(row, out["amount"], 0.0)
    prev = np.vstack([np.full((1, A), np.nan), close[:-1]])
    fprev = np.vstack([factor[:1], factor[:-1]])
    out["prev_close"] = np.round(prev * fprev / factor, 2)
    out["prev_close"][first[first < D], np.flatnonzero(first < D)] = close[first[first < D], np.flatnonzero(first < D)]
    out["adj_factor"] = factor
    board = np.array([board_of(c) for c in codes])
    if st_rows is not None:  # the files' own flags, carried through suspensions
        st = np.array(pd.DataFrame(np.where(listed, st_rows, np.nan)).ffill().fillna(0.0)) > 0
    st = np.zeros((D, A), bool) if st is None else np.asarray(st, bool)
    p_up, p_down = limit_bands(board, dates[:, None], st, np.full((D, A), 99))
    out["upper"] = np.where(np.isfinite(p_up), np.round(out["prev_close"] * (1 + p_up) + 1e-9, 2), np.inf)
    out["lower"] = np.where(np.isfinite(p_down), np.round(out["prev_close"] * (1 - p_down) + 1e-9, 2), 0.01)
    for k in ("open", "high", "low", "close", "prev_close", "upper", "lower", "volume", "amount", "adj_factor"):
        out[k][~listed] = np.nan
    out["mcap"] = np.full((D, A), np.nan)  # shares outstanding are not in a price file
    p = {"dates": dates, "codes": codes, "board": board, "industry": np.zeros(A, int), "industry_names": ["unknown"],
         "listed": listed, "suspended": suspended, "st": st & listed, **out,
         "list_date": np.full(A, np.datetime64("NaT"), "datetime64[D]"),
         "delist_date": np.full(A, np.datetime64("NaT"), "datetime64[D]"),
         "index_members": np.zeros((D, A), bool) if members is None else members & listed,
         "meta": {"source": source, "generated": False, "adjusted": has_factor, **(meta or {})}}
    p["index"] = _index_level(p) if members is not None else None
    return p


def _index_level(p, level=1000.0):
    """An equal-weighted price index of the members (no caps in a price file): a benchmark stand-in."""
    ret = p["close"][1:] / p["prev_close"][1:] - 1
    m = p["index_members"][:-1] & np.isfinite(ret)
    r = np.where(m, ret, 0.0).sum(axis=1) / np.maximum(m.sum(axis=1), 1)
    return level * np.r_[1.0, np.cumprod(1 + r)]
