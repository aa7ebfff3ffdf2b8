"""Trading A shares (A股) as the exchanges and brokers actually let you.

What a backtest on mainland Chinese stocks must model, beyond a flat "cost in bp":

- **costs** (交易费用) per order of notional V (CNY), by date (`FEES`): broker commission
  (佣金) max(rate * V, minimum), typically 0.025% with a 5 CNY minimum, both sides; stamp duty
  (印花税): 0.3% both sides from 2007-05-30, 0.1% both sides from 2008-04-24, 0.1% on sells
  only from 2008-09-19, 0.05% on sells only from 2023-08-28; transfer fee (过户费), both
  sides: before 2015-08-01 Shanghai only, 0.06% of face value (0.0006 CNY a share, at least
  1 CNY), then 0.002% of V on both exchanges from 2015-08-01 and 0.001% from 2022-04-29.
  Exchange handling and regulatory fees (经手费, 证管费) are usually inside the commission.
- **lots**: main board and ChiNext buy in multiples of 100 shares (一手); STAR (科创板) buys at
  least 200 shares, then any number of shares; Beijing (北交所) at least 100, then any number.
  Sells may be odd lots.
- **T+1**: shares bought on date d can be sold from the next trading date on. With one trade a
  day at the close this never binds (everything held at a close was bought on an earlier
  date); it binds when a day has two sessions, e.g. buy at the open and sell at the close:
  `execute` takes targets per session and refuses the close's sells of the morning's buys.
- **price limits** (涨跌停) by board, date, ST flag and days since listing (`limit_band`): a
  price may not leave prev_close * (1 + p_up, 1 - p_down), rounded to 0.01 CNY.
  Main board 10% (ST 5%, 10% from `ST_MAIN_10PCT_FROM`); ChiNext (300/301) 10%, 20% from
  2020-08-24 (ST too); STAR (688/689) 20% since its opening on 2019-07-22; Beijing (4xxxxx,
  8xxxxx, 920xxx) 30% since 2021-11-15. New listings: no limit for the first 5 trading days
  on STAR, on ChiNext from 2020-08-24 and on the main board from 2023-04-10 (before: the
  first day +44% / -36% of the issue price); Beijing: no limit on the first day only.
  A stock locked at its upper limit has no sellers: a buy is refused; locked at the lower
  limit, a sell is refused.
- **suspensions** (停牌): no trade at all that day.
- **cash**: a cash account cannot go negative and cannot short (融券 needs a margin account);
  targets are fractions of equity, rounded down to lots, and buys are cut to the cash there is.

    >>> round(order_cost(100_000, "sell", "2024-01-02")["total"], 2)   # 25 + 50 + 1 CNY
    76.0
    >>> round(round_trip_bp(100_000, "2024-01-02"), 1)                 # buy, then sell: bp of V
    10.2
    >>> limit_prices(10.0, "600000")                                   # main board, +-10%
    (11.0, 9.0)
    >>> limit_band("830799", "2024-01-02"), limit_band("688001", "2024-01-02", day_of_listing=3)
    ((0.3, 0.3), (inf, inf))
"""
import numpy as np

from bricks import errors

__all__ = ["STAMP_DUTY", "TRANSFER_FEE", "ST_MAIN_10PCT_FROM", "stamp_duty_rate", "transfer_fee",
           "order_cost", "order_costs", "round_trip_bp", "board_of", "limit_band", "limit_bands", "limit_pct",
           "limit_prices",
           "fill_status", "min_order", "round_shares", "synthetic_panel", "execute", "execute_daily",
           "benchmark_report", "synthetic_index", "broker_export"]

# (first day, rate on buys, rate on sells) of the stamp duty, each in force from that day on.
STAMP_DUTY = (("2007-05-30", 0.003, 0.003), ("2008-04-24", 0.001, 0.001), ("2008-09-19", 0.0, 0.001),
              ("2023-08-28", 0.0, 0.0005))
# (first day, rate of the value) of the transfer fee on both exchanges, both sides.
TRANSFER_FEE = (("2015-08-01", 0.00002), ("2022-04-29", 0.00001))
# Main-board ST/*ST limit 5% -> 10%. Date from a secondary news report of the three exchanges'
# 2026 trading-rule revision ("starting July 6"); the exchanges' own notice was not consulted,
# so it is a parameter: pass st_main_10pct_from=... (None keeps 5% on every date).
ST_MAIN_10PCT_FROM = "2026-07-06"
BOARD_OPEN = {"star": "2019-07-22", "bj": "2021-11-15"}
CHINEXT_20PCT_FROM = "2020-08-24"
MAIN_REGISTRATION_FROM = "2023-04-10"  # main-board IPOs: 5 days without a limit from this date


def _day(date):
    return np.datetime64(str(date)[:10], "D")


def _in_force(table, date, owner):
    d = _day(date)
    if d < _day(table[0][0]):
        errors.fail(owner, f"a date from {table[0][0]} on (the schedule starts there)", date=str(d))
    row = table[0]
    for r in table:
        if d >= _day(r[0]):
            row = r
    return row


def stamp_duty_rate(date, side="sell"):
    """The stamp duty on an order of `side` executed on `date`: e.g. 0.001 or 0.0005 on sells."""
    first, buy, sell = _in_force(STAMP_DUTY, date, "stamp_duty_rate")
    return sell if side == "sell" else buy


def transfer_fee(value, shares, date, code="600000"):
    """过户费 in CNY: 0.002% of value from 2015-08-01, 0.001% from 2022-04-29; before, Shanghai
    only, 0.0006 CNY a share (0.06% of the 1 CNY face value) and at least 1 CNY."""
    if _day(date) >= _day(TRANSFER_FEE[0][0]):
        return _in_force(TRANSFER_FEE, date, "transfer_fee")[1] * value
    return max(0.0006 * shares, 1.0) if str(code)[:1] == "6" else 0.0


def order_cost(value, side, date, commission=0.00025, min_commission=5.0, transfer=None, shares=None,
               code="600000"):
    """Cost in CNY of one order of notional `value`: commission, stamp duty, transfer fee.

    commission = max(commission * value, min_commission); stamp = rate(date, side) * value;
    transfer = `transfer_fee` of the date (or `transfer` * value if a rate is given). Returns
    a dict with each part and the 'total'.
    """
    if side not in ("buy", "sell"):
        errors.fail("order_cost", "side 'buy' or 'sell'", side=side)
    if value <= 0:
        errors.fail("order_cost", "a positive notional value (CNY)", value=value)
    fee = transfer * value if transfer is not None else transfer_fee(value, shares or 0, date, code)
    out = {"commission": max(commission * value, min_commission),
           "stamp": stamp_duty_rate(date, side) * value, "transfer": fee}
    out["total"] = sum(out.values())
    return out


def round_trip_bp(value, date, **kw):
    """Cost of buying and later selling `value` CNY, in basis points of `value`."""
    buy, sell = order_cost(value, "buy", date, **kw)["total"], order_cost(value, "sell", date, **kw)["total"]
    return 1e4 * (buy + sell) / value


def board_of(code):
    """'star' (688/689), 'chinext' (300/301), 'bj' (4xxxxx, 8xxxxx, 920xxx), else 'main'.

    Accepts '600000', 'sh600000', 'SH600000', '600000.SH'.
    """
    c = "".join(ch for ch in str(code) if ch.isdigit())[:6]
    if c[:3] in ("688", "689"):
        return "star"
    if c[:3] in ("300", "301"):
        return "chinext"
    if c[:1] in ("4", "8") or c[:3] == "920":
        return "bj"
    return "main"


def limit_band(code, date, st=False, day_of_listing=None, st_main_10pct_from=ST_MAIN_10PCT_FROM):
    """(p_up, p_down): the day's limits as fractions of the previous close (inf: no limit).

    `day_of_listing` counts trading days from 1 on the first day (None: long listed). On a
    listing's first day the previous close is the issue price.
    """
    board, d = board_of(code), _day(date)
    n = day_of_listing
    if board == "bj":
        return (np.inf, np.inf) if n == 1 else (0.30, 0.30)
    if board == "star" or (board == "chinext" and d >= _day(CHINEXT_20PCT_FROM)):
        return (np.inf, np.inf) if n is not None and n <= 5 else (0.20, 0.20)
    if n is not None and n <= 5 and board == "main" and d >= _day(MAIN_REGISTRATION_FROM):
        return (np.inf, np.inf)
    if n == 1:
        return (0.44, 0.36)
    if st and not (st_main_10pct_from and d >= _day(st_main_10pct_from)):
        return (0.05, 0.05)
    return (0.10, 0.10)


def limit_bands(boards, date, st, day_of_listing, st_main_10pct_from=ST_MAIN_10PCT_FROM):
    """`limit_band` for many stocks and dates at once: (p_up, p_down), broadcast shapes.

    boards: (A,) from `board_of`; date: a date or (D, 1) dates; st: (A,) or (D, A) bool;
    day_of_listing: int array (1 on the first day; any value > 5 for a stock listed long ago).
    """
    b = np.asarray(boards)
    d = np.asarray(date, dtype="datetime64[D]") if not isinstance(date, str) else _day(date)
    st, n = np.asarray(st, dtype=bool), np.asarray(day_of_listing)
    shape = np.broadcast_shapes(b.shape, d.shape, st.shape, n.shape)
    up, down = np.full(shape, 0.10), np.full(shape, 0.10)
    st_10 = (d >= _day(st_main_10pct_from)) if st_main_10pct_from else np.zeros(d.shape, bool)
    old_chinext = (b == "chinext") & (d < _day(CHINEXT_20PCT_FROM))
    st_5 = np.broadcast_to(st & ((b == "main") | old_chinext) & ~st_10, shape)
    up[st_5], down[st_5] = 0.05, 0.05
    first = np.broadcast_to((n == 1) & ((b == "main") | old_chinext), shape)
    up[first], down[first] = 0.44, 0.36
    twenty = np.broadcast_to((b == "star") | ((b == "chinext") & (d >= _day(CHINEXT_20PCT_FROM))), shape)
    up[twenty], down[twenty] = 0.20, 0.20
    bj = np.broadcast_to(b == "bj", shape)
    up[bj], down[bj] = 0.30, 0.30
    free = np.broadcast_to((twenty & (n <= 5)) | ((b == "main") & (n <= 5) & (d >= _day(MAIN_REGISTRATION_FROM)))
                           | ((b == "bj") & (n == 1)), shape)
    up[free], down[free] = np.inf, np.inf
    return up, down


def limit_pct(code, st=False, date="2024-01-02", **kw):
    """The symmetric daily limit of a listed stock as a fraction (see `limit_band`)."""
    return limit_band(code, date, st, **kw)[0]


def limit_prices(prev_close, code, st=False, date="2024-01-02", **kw):
    """(upper, lower) limit prices: prev_close * (1 + p_up, 1 - p_down), rounded to the fen."""
    p_up, p_down = limit_band(code, date, st, **kw)
    pc = np.asarray(prev_close, dtype=float)
    up = np.round(pc * (1 + p_up) + 1e-9, 2) if np.isfinite(p_up) else np.full(pc.shape, np.inf)
    down = np.round(pc * (1 - p_down) + 1e-9, 2) if np.isfinite(p_down) else np.zeros(pc.shape)
    return (float(up), float(down)) if np.ndim(up) == 0 else (up, down)


def fill_status(side, price, prev_close, upper, lower, suspended):
    """Why an order at `price` would not fill: 'suspended', 'limit' or '' (it fills).

    Vectorised: arrays of the same shape. Buys fail at price >= upper (涨停: no sellers),
    sells at price <= lower (跌停: no buyers).
    """
    price, upper, lower = np.asarray(price), np.asarray(upper), np.asarray(lower)
    locked = price >= upper - 1e-9 if side == "buy" else price <= lower + 1e-9
    return np.where(np.asarray(suspended), "suspended", np.where(locked, "limit", ""))


def min_order(code):
    """(minimum buy, step) in shares: (100, 100) main/ChiNext, (200, 1) STAR, (100, 1) Beijing."""
    return {"star": (200, 1), "bj": (100, 1)}.get(board_of(code), (100, 100))


def round_shares(want, minimum, step):
    """Buy quantities rounded down to what the board accepts (0 below the minimum). Vectorised."""
    want = np.floor(np.maximum(np.asarray(want, dtype=float), 0.0))
    q = minimum + np.floor((want - minimum) / step) * step
    return np.where(want >= minimum, q, 0.0)


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


def order_costs(values, shares, side, date, sh, commission=0.00025, min_commission=5.0):
    """`order_cost(...)["total"]` of many orders of one date and side at once (0 where value is 0).

    values, shares: (A,) CNY and shares of each order; sh: (A,) bool, Shanghai-listed (the
    transfer fee before 2015-08-01 is Shanghai's only).
    """
    v, q = np.asarray(values, dtype=float), np.asarray(shares, dtype=float)
    if _day(date) >= _day(TRANSFER_FEE[0][0]):
        fee = _in_force(TRANSFER_FEE, date, "order_costs")[1] * v
    else:
        fee = np.where(sh, np.maximum(0.0006 * q, 1.0), 0.0)
    c = np.maximum(commission * v, min_commission) + stamp_duty_rate(date, side) * v + fee
    return np.where(v > 0, c, 0.0)


def execute(weights, panel, cash=1_000_000.0, prices=("close",), commission=0.00025, min_commission=5.0):
    """Trade a cash account towards target weights, A-share rules, one or more sessions a day.

    Args:
        weights: (D, A) or (D, S, A) target fractions of equity per stock (>= 0, row sums <= 1;
            NaN: no order for that stock in that session). Session s trades at
            panel[prices[s]] (e.g. prices=("open", "close")).
        panel: dict of (D, A) arrays: the price arrays named in `prices`, prev_close, upper,
            lower, suspended; dates (D,), codes (A,). Optional amount (D, A) in CNY.
    For each session, in order:
        equity = cash + shares @ price (a suspended stock valued at its last price);
        target shares = weight * equity / price, sells rounded to whole shares, buys to the
        board's lot (`min_order`); sells first: refused in a suspension or at the lower
        limit, capped at the shares bought before today (T+1); then buys: refused in a
        suspension or at the upper limit, and cut (largest first, one lot at a time) until
        value plus fees fits the cash. Each order pays `order_cost` on its date.
    Returns a dict: wealth (D,) at the last session's prices, cash (D,), exposure (D,) =
    stock value / wealth, costs (D,) CNY, traded (D,) CNY, shares (D, A) at the day's end,
    refused counts {'buy': {'limit', 'suspended', 'cash'}, 'sell': {'limit', 'suspended',
    't+1'}}, filled counts, and order_value (D, A) CNY traded per stock (for capacity).
    """
    w = np.asarray(weights, dtype=float)
    w = w[:, None, :] if w.ndim == 2 else w  # (D, S, A)
    D, S, A = w.shape
    if S != len(prices):
        errors.fail("execute", f"one price name per session ({S} sessions)", prices=prices)
    if np.nanmin(w) < 0 or np.nanmax(np.nansum(w, axis=-1)) > 1 + 1e-9:
        errors.fail("execute", "long-only weights >= 0 summing to at most 1 (a cash account)",
                    min_weight=float(np.nanmin(w)), max_sum=float(np.nanmax(np.nansum(w, axis=-1))))
    dates, codes = panel["dates"], panel.get("codes", np.array(["600000"] * A))  # default: main board
    mins = np.array([min_order(c) for c in codes], dtype=float)  # (A, 2) minimum, step
    sh_code = np.array([board_of(c) == "main" and "".join(ch for ch in str(c) if ch.isdigit())[:1] == "6"
                        for c in codes])
    held = np.zeros(A)  # shares
    last_px = np.full(A, np.nan)
    out = {k: np.zeros(D) for k in ("wealth", "cash", "exposure", "costs", "traded")}
    out["shares"], out["order_value"] = np.zeros((D, A)), np.zeros((D, A))
    refused = {"buy": {"limit": 0, "suspended": 0, "cash": 0}, "sell": {"limit": 0, "suspended": 0, "t+1": 0}}
    filled = {"buy": 0, "sell": 0}
    for d in range(D):
        date = dates[d]
        bought_today = np.zeros(A)  # T+1: these shares cannot be sold before the next date
        for s in range(S):
            px = np.asarray(panel[prices[s]][d], dtype=float)
            last_px = np.where(np.isfinite(px), px, last_px)
            susp = np.asarray(panel["suspended"][d]) | ~np.isfinite(px)
            equity = cash + np.nansum(held * last_px)
            pxs = np.where(np.isfinite(last_px), last_px, 1.0)
            target = np.where(np.isnan(w[d, s]), held, np.nan_to_num(w[d, s]) * equity / pxs)  # (A,) shares
            # sells: whole lots, or everything (an odd remainder goes in one order: 余股一次性卖出)
            keep_all = target < mins[:, 0]  # (A,) the target is under one lot: sell out
            lots = np.floor(np.maximum(held - target, 0.0) / mins[:, 1]) * mins[:, 1]
            want = np.where(target < held, np.where(keep_all, held, np.minimum(lots, held)), 0.0)  # (A,)
            why = fill_status("sell", pxs, None, panel["upper"][d], panel["lower"][d], susp)
            ask = want > 0
            for reason in ("limit", "suspended"):
                refused["sell"][reason] += int((ask & (why == reason)).sum())
            sell = np.where(ask & (why == ""), want, 0.0)
            free = held - bought_today  # shares bought before today
            capped = sell > free
            refused["sell"]["t+1"] += int(capped.sum())
            sell = np.minimum(sell, free)
            v = sell * pxs  # (A,) CNY
            c = order_costs(v, sell, "sell", date, sh_code, commission, min_commission)  # (A,)
            cash += v.sum() - c.sum()
            held -= sell
            out["costs"][d] += c.sum()
            out["traded"][d] += v.sum()
            out["order_value"][d] += v
            filled["sell"] += int((sell > 0).sum())
            # buys
            want = round_shares(target - held, mins[:, 0], mins[:, 1])  # (A,) shares to buy
            why = fill_status("buy", pxs, None, panel["upper"][d], panel["lower"][d], susp)
            ask = want > 0
            for reason in ("limit", "suspended"):
                refused["buy"][reason] += int((ask & (why == reason)).sum())
            buy = np.where(ask & (why == ""), want, 0.0)
            need = lambda q: (q * pxs + order_costs(q * pxs, q, "buy", date, sh_code, commission,  # noqa: E731
                                                    min_commission)).sum()
            cut = False
            while buy.any() and need(buy) > cash:  # cut the largest order until value + fees fit
                a = int(np.argmax(buy * pxs))
                drop = max(mins[a, 1], np.ceil((need(buy) - cash) / pxs[a] / mins[a, 1]) * mins[a, 1])
                buy[a] = round_shares(buy[a] - drop, mins[a, 0], mins[a, 1])
                cut = True
            refused["buy"]["cash"] += int(cut)
            v = buy * pxs
            c = order_costs(v, buy, "buy", date, sh_code, commission, min_commission)
            cash -= v.sum() + c.sum()
            held += buy
            bought_today += buy
            out["costs"][d] += c.sum()
            out["traded"][d] += v.sum()
            out["order_value"][d] += v
            filled["buy"] += int((buy > 0).sum())
            assert cash >= -1e-6, "execute: cash went negative"
        stock = np.nansum(held * last_px)
        out["wealth"][d], out["cash"][d] = cash + stock, cash
        out["exposure"][d] = stock / (cash + stock)
        out["shares"][d] = held
    out["refused"], out["filled"] = refused, filled
    return out


def execute_daily(target_value, panel, cash=1_000_000.0, **cost_kw):
    """`execute` at the close with targets in CNY per stock: target_value / starting cash as
    weights, scaled down on a day whose targets sum to more than the capital (a cash account
    cannot borrow). Returns what `execute` returns."""
    w = np.asarray(target_value, dtype=float) / cash
    total = w.sum(axis=1, keepdims=True)
    return execute(w / np.maximum(total, 1.0), panel, cash=cash, **cost_kw)


def benchmark_report(wealth, benchmark, traded=None, order_value=None, amount=None, periods_per_year=242,
                     participation=0.10):
    """A long-only book judged against its benchmark, as an A-share fund reports it.

    Args:
        wealth: (D,) the portfolio's value; benchmark: (D,) the index level (same dates).
        traded: (D,) CNY traded each day (turnover); order_value, amount: (D, A) CNY of each
            order and of each stock's day volume, for capacity.
    Returns a dict: annual return of each, excess = annualised mean of the daily return
    difference, tracking error = its annualised std, IR = excess / TE, one-way turnover a
    year (traded / 2 / mean wealth), and capacity: the capital at which the 95th percentile
    order would be `participation` of its stock's daily amount (orders scale with capital).
    """
    wv, bv = np.asarray(wealth, dtype=float), np.asarray(benchmark, dtype=float)
    rp, rb = wv[1:] / wv[:-1] - 1, bv[1:] / bv[:-1] - 1  # (D-1,)
    ex = rp - rb
    years = len(rp) / periods_per_year
    out = {"return": (wv[-1] / wv[0]) ** (1 / years) - 1, "benchmark": (bv[-1] / bv[0]) ** (1 / years) - 1,
           "excess": ex.mean() * periods_per_year, "tracking_error": ex.std(ddof=1) * np.sqrt(periods_per_year)}
    out["ir"] = out["excess"] / out["tracking_error"]
    if traded is not None:
        out["turnover"] = np.sum(traded) / 2 / np.mean(wv) / years
    if order_value is not None and amount is not None:
        ov, am = np.asarray(order_value, dtype=float), np.asarray(amount, dtype=float)
        share = (ov / np.asarray(wv)[:, None])[(ov > 0) & (am > 0)] / am[(ov > 0) & (am > 0)]  # per CNY of capital
        out["capacity"] = participation / np.quantile(share, 0.95) if share.size else np.inf
    return {k: float(v) for k, v in out.items()}


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
