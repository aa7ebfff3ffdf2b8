"""Trading A shares (A股) as the exchanges and brokers actually let you.

What a backtest on mainland Chinese stocks must model, beyond a flat "cost in bp":

- **costs** (交易费用) per order of notional V (CNY): broker commission (佣金)
  max(rate * V, minimum), typically 0.025% with a 5 CNY minimum, on both sides; stamp duty
  (印花税) on sells only: 0.1% from 2008-09-19 to 2023-08-27, 0.05% from 2023-08-28;
  transfer fee (过户费) 0.001% of V on both sides (since 2022-04-29). Exchange handling and
  regulatory fees (经手费, 证管费) are usually inside the broker's commission.
- **lots** (一手 = 100 shares): buys in multiples of 100 shares; sells may be odd lots.
- **T+1**: shares bought on day t can be sold from day t+1 on.
- **price limits** (涨跌停): a day's price may not leave prev_close * (1 +- p), rounded to
  0.01 CNY, with p = 10% on the main board, 20% on ChiNext (创业板, 300xxx, since
  2020-08-24) and STAR (科创板, 688xxx), 5% for main-board ST stocks. A stock that closes
  locked at its upper limit (涨停) has no sellers: a buy is refused; locked at the lower
  limit (跌停), a sell is refused.
- **suspensions** (停牌): no trade at all that day.

    >>> round(order_cost(100_000, "sell", "2024-01-02")["total"], 2)   # 25 + 50 + 1 CNY
    76.0
    >>> round(round_trip_bp(100_000, "2024-01-02"), 1)                 # buy, then sell: bp of V
    10.2
    >>> limit_prices(10.0, "600000")                                   # main board, +-10%
    (11.0, 9.0)
"""
import numpy as np

from bricks import errors

__all__ = ["STAMP_DUTY", "stamp_duty_rate", "order_cost", "round_trip_bp", "board_of", "limit_pct",
           "limit_prices", "fill_status", "synthetic_panel", "execute_daily", "synthetic_index",
           "broker_export"]

# (first day, rate on sells) in force from that day on; before 2008-09-19 both sides paid.
STAMP_DUTY = (("2008-09-19", 0.001), ("2023-08-28", 0.0005))


def stamp_duty_rate(date):
    """The stamp duty on a sell executed on `date` (str or datetime64): 0.001 or 0.0005."""
    d = np.datetime64(str(date)[:10], "D")
    if d < np.datetime64(STAMP_DUTY[0][0]):
        errors.fail("stamp_duty_rate", f"a date from {STAMP_DUTY[0][0]} on (sells-only duty)", date=str(d))
    rate = STAMP_DUTY[0][1]
    for first, r in STAMP_DUTY:
        if d >= np.datetime64(first):
            rate = r
    return rate


def order_cost(value, side, date, commission=0.00025, min_commission=5.0, transfer=0.00001):
    """Cost in CNY of one order of notional `value`: commission, stamp duty, transfer fee.

    commission = max(commission * value, min_commission); stamp = rate(date) * value on
    sells; transfer = transfer * value. Returns a dict with each part and the 'total'.
    """
    if side not in ("buy", "sell"):
        errors.fail("order_cost", "side 'buy' or 'sell'", side=side)
    if value <= 0:
        errors.fail("order_cost", "a positive notional value (CNY)", value=value)
    out = {"commission": max(commission * value, min_commission),
           "stamp": stamp_duty_rate(date) * value if side == "sell" else 0.0,
           "transfer": transfer * value}
    out["total"] = sum(out.values())
    return out


def round_trip_bp(value, date, **kw):
    """Cost of buying and later selling `value` CNY, in basis points of `value`."""
    return 1e4 * (order_cost(value, "buy", date, **kw)["total"] + order_cost(value, "sell", date, **kw)["total"]) / value


def board_of(code):
    """'star' (688/689), 'chinext' (300/301), else 'main', from a six-digit stock code."""
    c = str(code)[:6]
    if c[:3] in ("688", "689"):
        return "star"
    if c[:3] in ("300", "301"):
        return "chinext"
    return "main"


def limit_pct(code, st=False, date="2024-01-02"):
    """The daily price limit as a fraction: 0.10 main, 0.20 ChiNext (from 2020-08-24) / STAR, 0.05 ST."""
    board = board_of(code)
    if board == "star" or (board == "chinext" and np.datetime64(str(date)[:10]) >= np.datetime64("2020-08-24")):
        return 0.20
    return 0.05 if st else 0.10


def limit_prices(prev_close, code, st=False, date="2024-01-02"):
    """(upper, lower) limit prices: prev_close * (1 +- p), rounded to the fen (0.01 CNY)."""
    p = limit_pct(code, st, date)
    up = np.round(np.asarray(prev_close) * (1 + p) + 1e-9, 2)
    down = np.round(np.asarray(prev_close) * (1 - p) + 1e-9, 2)
    return (float(up), float(down)) if np.ndim(up) == 0 else (up, down)


def fill_status(side, close, prev_close, upper, lower, suspended):
    """Why an order at the close would not fill: 'suspended', 'limit' or '' (it fills).

    Vectorised: arrays of the same shape. Buys fail at close >= upper (涨停: no sellers),
    sells at close <= lower (跌停: no buyers).
    """
    close, upper, lower = np.asarray(close), np.asarray(upper), np.asarray(lower)
    locked = close >= upper - 1e-9 if side == "buy" else close <= lower + 1e-9
    return np.where(np.asarray(suspended), "suspended", np.where(locked, "limit", ""))


def synthetic_panel(n_days=250, n_stocks=60, start="2023-03-01", vol=0.025, p_suspend=0.004, seed=None):
    """An A-share-like daily panel with boards, ST stocks, price limits and suspensions.

    Latent return = market + fat-tailed (Student t, 3 df) idiosyncratic move; the close is
    clipped to the day's limit prices and rounded to the fen; suspensions start with
    probability `p_suspend` a day and last 1-10 days (close unchanged, volume 0).
    Returns a dict of (D, A) arrays close, prev_close, upper, lower, suspended, and
    dates (D,), codes (A,), st (A,) bool.
    """
    import pandas as pd
    from bricks import backend
    rng = backend.make_rng(seed)
    kinds = rng.choice(["600", "000", "300", "688"], size=n_stocks, p=[0.4, 0.3, 0.2, 0.1])
    codes = np.array([f"{k}{i:03d}" for i, k in enumerate(kinds)])
    st = (np.char.startswith(codes, "6") | np.char.startswith(codes, "0")) & (rng.random(n_stocks) < 0.1)
    st &= ~np.char.startswith(codes, "688")
    dates = pd.bdate_range(start, periods=n_days)
    r = 0.012 * rng.standard_normal((n_days, 1)) + vol * rng.standard_t(3, (n_days, n_stocks)) / np.sqrt(3)
    susp = np.zeros((n_days, n_stocks), dtype=bool)
    for d, a in zip(*np.nonzero(rng.random((n_days, n_stocks)) < p_suspend)):
        susp[d:d + rng.integers(1, 11), a] = True
    close = np.empty((n_days, n_stocks))
    prev = np.round(rng.uniform(4, 60, n_stocks), 2)  # (A,) the close before day 0
    pct = np.array([limit_pct(c, s, dates[-1]) for c, s in zip(codes, st)])  # (A,)
    upper, lower, prevs = np.empty_like(close), np.empty_like(close), np.empty_like(close)
    for d in range(n_days):  # sequential: each limit depends on yesterday's close
        prevs[d] = prev
        upper[d], lower[d] = np.round(prev * (1 + pct) + 1e-9, 2), np.round(prev * (1 - pct) + 1e-9, 2)
        c = np.clip(np.round(prev * (1 + r[d]), 2), lower[d], upper[d])
        close[d] = prev = np.where(susp[d], prev, c)
    return {"close": close, "prev_close": prevs, "upper": upper, "lower": lower, "suspended": susp,
            "dates": np.asarray(dates), "codes": codes, "st": st}


def execute_daily(target_value, panel, cash=1_000_000.0, **cost_kw):
    """Trade towards `target_value` (D, A) CNY per stock at each day's close, A-share rules.

    Buys are rounded down to lots of 100 shares and refused at the upper limit or in a
    suspension; sells are refused at the lower limit or in a suspension, and T+1 caps them
    at the shares held before the day (nothing bought today is sold today). Each order pays
    `order_cost` on its date. Returns wealth (D,), costs (D,) in CNY, and order counts
    {'filled', 'limit', 'suspended'} per side.
    """
    close, D, A = panel["close"], *panel["close"].shape
    held = np.zeros(A)  # shares
    wealth, costs = np.empty(D), np.zeros(D)
    counts = {side: {"filled": 0, "limit": 0, "suspended": 0} for side in ("buy", "sell")}
    for d in range(D):
        px = close[d]
        want = np.floor(np.asarray(target_value[d]) / px / 100) * 100  # (A,) whole lots
        for side, trade in (("sell", np.minimum(held - want, held)), ("buy", want - held)):
            ask = trade > 0  # stocks with an order on this side (sells first: T+1 caps at `held`)
            why = fill_status(side, px, panel["prev_close"][d], panel["upper"][d], panel["lower"][d],
                              panel["suspended"][d])
            for reason in ("limit", "suspended"):
                counts[side][reason] += int((ask & (why == reason)).sum())
            go = ask & (why == "")
            counts[side]["filled"] += int(go.sum())
            for a in np.flatnonzero(go):
                value = trade[a] * px[a]
                costs[d] += order_cost(value, side, panel["dates"][d], **cost_kw)["total"]
                cash += value if side == "sell" else -value
                held[a] += -trade[a] if side == "sell" else trade[a]
        cash -= costs[d]
        wealth[d] = cash + held @ px
    return {"wealth": wealth, "costs": costs, "counts": counts}


def synthetic_index(n_days=243, start="2018-01-02", level=4000.0, drift=-0.0011, vol=0.013,
                    seed=None):
    """A CSI 300-like daily OHLCV year (generated, not the real index), as a DataFrame.

    Close-to-close log returns N(drift, vol^2) (the defaults fall about 25% in a year, as
    the CSI 300 did in 2018); the open gaps from the previous close by N(0, (vol/4)^2); high
    and low extend the open-close range by |N(0, (vol/2)^2)|. Index: business days.
    """
    import pandas as pd
    from bricks import backend
    rng = backend.make_rng(seed)
    close = level * np.exp(np.cumsum(drift + vol * rng.standard_normal(n_days)))  # (n,)
    prev = np.r_[level, close[:-1]]
    open_ = prev * np.exp(vol / 4 * rng.standard_normal(n_days))
    top, bot = np.maximum(open_, close), np.minimum(open_, close)
    high = top * np.exp(np.abs(vol / 2 * rng.standard_normal(n_days)))
    low = bot * np.exp(-np.abs(vol / 2 * rng.standard_normal(n_days)))
    volume = np.round(1e8 * np.exp(0.3 * rng.standard_normal(n_days)))
    idx = pd.bdate_range(start, periods=n_days, name="date")
    return pd.DataFrame({"open": open_, "high": high, "low": low, "close": close, "volume": volume},
                        index=idx).round(2)


def broker_export(df, path, name="沪深300", code="000300", encoding="gbk"):
    """Write `df` (open, high, low, close, volume) as a 通达信-style daily export.

    A title line, a tab-separated table with Chinese headers (日期 开盘 最高 最低 收盘 成交量)
    and dates as 2018/01/02, a footer line "数据来源:通达信"; GBK-encoded by default.
    """
    lines = [f"{code} {name} 日线 前复权", "\t".join(["日期", "开盘", "最高", "最低", "收盘", "成交量"])]
    for d, r in df.iterrows():
        lines.append("\t".join([d.strftime("%Y/%m/%d")] + [f"{r[c]:.2f}" for c in ("open", "high", "low", "close")]
                               + [f"{r['volume']:.0f}"]))
    lines.append("数据来源:通达信")
    with open(path, "w", encoding=encoding, newline="\r\n") as fh:
        fh.write("\n".join(lines) + "\n")
