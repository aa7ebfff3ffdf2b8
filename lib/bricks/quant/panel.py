"""A generated A-share daily panel (not real data): the market's rules, and its main statistics.

`generate()` draws, from one seed and in about a second, a daily panel of `n_stocks` stocks
over `years` years with what a real panel of Chinese stocks has and a balanced toy panel
lacks:
- a trading calendar without the Spring Festival week, National Day week and New Year's day;
- listings during the sample (IPO first days without a limit, or the +44% cap and a streak
  of limit-ups before the registration reform), delistings after ST episodes;
- suspensions (停牌) of 1-3 days mostly, some of weeks, a few of 60-250 trading days;
  the move during a suspension arrives when trading resumes;
- ST episodes (limit 5% on the main board), boards by code (main, ChiNext, STAR from
  2019-07-22, Beijing from 2021-11-15) with their limits and their dates;
- closes clipped to the day's limit prices, rounded to the fen; a move beyond the limit
  carries to the next day (limit-locked streaks, continuation after a limit hit);
- industries, shares outstanding, market caps, turnover, volume and amount;
- cash dividends and bonus shares: raw prices drop on ex-dates, `adj_factor` (back-adjusted,
  qlib's convention: adjusted price = raw price * factor) is kept apart from raw prices;
- a market factor with GARCH(1,1) volatility and Student-t (4 df) shocks, industry factors,
  idiosyncratic volatility that rises with the market's: fat tails and volatility clustering;
- a CSI 300-like cap-weighted price index of the largest `index_size` stocks, reviewed
  twice a year (June and December) with the CSI buffer rule (new entrants in the top 80%,
  members kept down to 120%) and at most 10% of the members changed per review;
- planted effects of known size on the next day's expected return: short-term reversal,
  abnormal turnover (negative), size (small caps earn more), so that a model has a truth
  to find (`meta['planted']`; set `planted=0` for a panel without any).

Every (date, stock) cell before listing or after delisting is NaN in the price arrays and
False in `listed`. Everything is generated; `stylised_facts` prints its statistics beside
published A-share figures, with their sources, in chapter 16a.

    >>> p = generate(n_stocks=60, years=2, index_size=20, seed=0)
    >>> p["close"].shape, p["codes"][:3].tolist()                 # 496 trading days, 60 stocks
    ((496, 60), ['600000', '000000', '300000'])
"""
import numpy as np

from bricks import backend, errors
from bricks.quant.ashare import board_of, limit_bands

__all__ = ["generate", "trading_calendar", "adjusted_returns", "monthly", "stylised_facts", "PUBLISHED",
           "INDUSTRIES"]

INDUSTRIES = ["Banks 银行", "Non-bank finance 非银金融", "Real estate 房地产", "Food & beverage 食品饮料",
              "Pharma 医药生物", "Electronics 电子", "Computers 计算机", "Power equipment 电力设备",
              "Machinery 机械设备", "Chemicals 基础化工", "Autos 汽车", "Non-ferrous metals 有色金属"]

# Spring Festival (春节) dates; the exchanges close for about a week around each.
SPRING_FESTIVAL = {2014: "01-31", 2015: "02-19", 2016: "02-08", 2017: "01-28", 2018: "02-16", 2019: "02-05",
                   2020: "01-25", 2021: "02-12", 2022: "02-01", 2023: "01-22", 2024: "02-10", 2025: "01-29",
                   2026: "02-17", 2027: "02-06", 2028: "01-26"}

# Published A-share figures the generator imitates (chapter 16a prints them beside its own).
PUBLISHED = {
    "index_daily_std": (0.0147, "CSI 300 daily returns, std 1.47% (2,292 days), Technological Forecasting & "
                                "Social Change 167 (2021) 120710, Table 1"),
    "index_excess_kurtosis": (3.89, "CSI 300 daily returns, excess kurtosis 3.89, skewness -0.53, "
                                    "PMC7391063, Table 1"),
    "index_skew": (-0.53, "same table"),
    "limit_continuation": (None, "after a limit hit, continuation is much more likely than reversal the next "
                                 "day (Wan et al., PLoS ONE 10(4) e0120312, 2015, all A shares 2000-2011)"),
    "index_review_cap": (0.10, "CSI 300 methodology: reviewed each June and December, changes normally at "
                               "most 10% of the constituents, buffer 240/360 ranks"),
}


def trading_calendar(start, end):
    """Business days from `start` to `end` without the exchanges' main closures (approximate).

    Removed: 1 January, the Spring Festival from its eve to 6 days after, 1-7 October and
    1-3 May. (The real calendar moves a few more days; a loader gives the real one.)
    """
    import pandas as pd
    days = pd.bdate_range(start, end)
    drop = (days.month == 1) & (days.day == 1)
    drop |= (days.month == 10) & (days.day <= 7)
    drop |= (days.month == 5) & (days.day <= 3)
    for year, md in SPRING_FESTIVAL.items():
        sf = np.datetime64(f"{year}-{md}")
        drop |= (days.values >= sf - np.timedelta64(1, "D")) & (days.values <= sf + np.timedelta64(6, "D"))
    return days[~drop].values.astype("datetime64[D]")


def _codes(rng, list_dates):
    """Six-digit codes whose board fits the listing date (STAR from 2019-07-22, Beijing from 2021-11-15)."""
    count, codes = {}, []
    for i, ld in enumerate(list_dates):
        u = rng.random()
        if ld >= np.datetime64("2021-11-15") and u < 0.05:
            prefix = "83"
        elif ld >= np.datetime64("2019-07-22") and u < 0.25:
            prefix = "688"
        elif u < 0.45:
            prefix = "300"
        else:
            prefix = ("600", "000", "601", "002", "603")[i % 5]
        k = count[prefix] = count.get(prefix, -1) + 1
        codes.append(f"{prefix}{k:0{6 - len(prefix)}d}")
    return np.array(codes)


def _spells(rng, shape, p_start, lengths):
    """(D, A) bool: spells that start with probability p_start a cell, of lengths drawn by `lengths`."""
    D, A = shape
    out = np.zeros(shape, dtype=bool)
    starts = np.argwhere(rng.random(shape) < p_start)
    for (d, a), n in zip(starts, lengths(len(starts))):
        out[d:d + n, a] = True
    return out


def generate(n_stocks=500, years=9, start="2016-01-04", index_size=150, planted=1.0, seed=0):
    """A generated A-share daily panel: a dict of arrays (see the module docstring).

    Args:
        n_stocks: stocks ever listed in the sample; years: its length; start: first date.
        index_size: members of the CSI 300-like index (scaled with the universe: the real
            index holds 300 of about 5,000 stocks).
        planted: multiplier of the planted effects (0: none).
        seed: everything random comes from this seed.
    Returns a dict:
        dates (D,), codes, board, industry (A,) int, industry_names, list_date, delist_date (A,);
        (D, A) arrays open, high, low, close (raw, CNY), prev_close (the exchange's reference,
        ex-dividend and ex-bonus), upper, lower (limit prices), volume (shares), amount (CNY),
        turnover, shares, mcap (CNY), adj_factor, suspended, st, listed (bool);
        index (D,) level, index_members (D, A) bool; meta: the parameters and planted sizes.
    """
    import pandas as pd
    if n_stocks < 10 or years < 1 or not 1 <= index_size < n_stocks:
        errors.fail("generate", "n_stocks >= 10, years >= 1, 1 <= index_size < n_stocks",
                    n_stocks=n_stocks, years=years, index_size=index_size)
    rng = backend.make_rng(seed)
    dates = trading_calendar(start, str(pd.Timestamp(start) + pd.DateOffset(years=years) - pd.Timedelta(days=1))[:10])
    D, A = len(dates), n_stocks

    # who is listed when
    new = rng.random(A) < 0.35  # listed during the sample
    list_idx = np.where(new, rng.integers(20, D - 20, A), 0)
    list_dates = np.where(new, dates[list_idx], dates[0] - np.timedelta64(1000, "D"))
    codes = _codes(rng, list_dates)
    board = np.array([board_of(c) for c in codes])
    industry = rng.integers(0, len(INDUSTRIES), A)
    t = np.arange(D)[:, None]
    listed = t >= list_idx[None, :]  # (D, A)

    # ST episodes, some ending in delisting
    has_st = rng.random(A) < 0.10
    st_start = rng.integers(0, D, A)
    st_len = rng.integers(120, 500, A)
    st = has_st[None, :] & (t >= st_start) & (t < st_start + st_len) & listed
    delist_idx = np.where(has_st & (rng.random(A) < 0.35) & (st_start + st_len < D), st_start + st_len, D)
    listed &= t < delist_idx[None, :]
    st &= listed

    # suspensions: short mostly, some weeks, a few of 60-250 days
    def lengths(n):
        u = rng.random(n)
        return np.where(u < 0.75, rng.integers(1, 4, n), np.where(u < 0.97, rng.integers(4, 21, n),
                                                                  rng.integers(60, 251, n)))
    suspended = _spells(rng, (D, A), 0.0015, lengths) & listed
    suspended[list_idx, np.arange(A)] = False  # the first day trades

    # return components (log returns)
    nu = 4.0
    tstd = lambda size: rng.standard_t(nu, size) / np.sqrt(nu / (nu - 2))  # noqa: E731  unit variance
    z_m, z_ind, z_e = tstd(D), tstd((D, len(INDUSTRIES))), tstd((D, A))
    z_m = np.where(z_m < 0, 1.3 * z_m, 0.8 * z_m)  # falls larger than rises: negative skew
    z_m = (z_m - z_m.mean()) / z_m.std()
    beta = np.clip(rng.normal(1.0, 0.25, A), 0.3, 1.8)
    idio_vol = np.exp(rng.normal(np.log(0.019), 0.3, A))  # (A,) daily
    idio_vol = np.where(board == "main", idio_vol, idio_vol * 1.3)
    shares = np.clip(np.exp(rng.normal(np.log(8e8), 1.0, A)), 5e7, 3e10)  # (A,) shares outstanding
    price0 = np.exp(rng.normal(np.log(12.0), 0.7, A))
    base_turn = np.exp(rng.normal(np.log(0.015), 0.6, A)) * (shares / 8e8) ** -0.3  # big caps turn over less
    z_turn = rng.standard_normal((D, A))
    div_day = rng.integers(110, 150, A)  # day of the year of the ex-date (June-July)
    div_yield = np.where(rng.random(A) < 0.7, rng.uniform(0.0, 0.03, A), 0.0)
    bonus = np.where(rng.random((years + 1, A)) < 0.06, rng.choice([1.3, 1.5, 2.0], (years + 1, A)), 1.0)
    ipo_pop = np.log1p(rng.uniform(0.3, 2.5, A))  # first-day excess demand (log)
    day_of_year = (dates - dates.astype("datetime64[Y]")).astype(int)  # (D,)
    year_no = (dates.astype("datetime64[Y]").astype(int) - dates[0].astype("datetime64[Y]").astype(int))

    # planted daily expected returns (known truth): reversal, abnormal turnover, size
    k_rev, k_turn, k_size = 0.0005 * planted, 0.0004 * planted, 0.00015 * planted

    # limit fractions per day: board, date, ST, listing day (vectorised per board class)
    a_w, g_w, b_w = 0.03, 0.10, 0.90  # GJR-GARCH(1,1): falls raise the volatility more than rises
    sig2 = 0.015 ** 2
    omega = sig2 * (1 - a_w - g_w / 2 - b_w)
    out = {k: np.full((D, A), np.nan) for k in ("open", "high", "low", "close", "prev_close", "upper", "lower",
                                                "volume", "amount", "turnover", "mcap", "adj_factor")}
    out["shares"] = np.full((D, A), np.nan)
    m_ret = np.zeros(D)
    carry = np.zeros(A)  # (A,) move owed by the limit or a suspension
    close = price0.copy()  # (A,) last close (raw)
    factor = np.ones(A)
    ew_r, ew_turn = np.zeros(A), np.log(base_turn)  # 20-day EWMAs for the planted effects
    alpha20 = 2 / 21
    day_listed = np.zeros(A, dtype=int)
    n_listed = np.maximum(t - list_idx[None, :] + 1, 0)  # (D, A) trading day of the listing, 1 first
    band_up, band_down = limit_bands(board, dates[:, None], st, np.where(new, n_listed, 99))  # (D, A)
    for d in range(D):  # sequential: limits, carries and GARCH depend on yesterday
        on = listed[d]
        day_listed = np.where(on, day_listed + 1, day_listed)
        # corporate actions on the ex-date: dividend then bonus shares
        ex = on & (day_of_year[d] == div_day) & (day_listed > 1)
        ratio = np.where(ex, bonus[year_no[d]], 1.0)
        div = np.where(ex, div_yield * close, 0.0)
        prev = np.where(on, np.round((close - div) / ratio, 2), np.nan)  # the exchange's reference price
        factor = np.where(ex, factor * close / prev, factor)
        shares = shares * ratio
        # first day: the issue price is the reference
        first = on & (day_listed == 1)
        prev = np.where(first, close, prev)
        carry = np.where(first, ipo_pop, carry)
        # returns
        sig = np.sqrt(sig2)
        m_ret[d] = -0.0003 + sig * z_m[d]  # log drift: with the volatility, prices about flat
        sig2 = omega + (a_w + g_w * (m_ret[d] < 0)) * m_ret[d] ** 2 + b_w * sig2
        vol_scale = np.sqrt(sig / 0.015)
        size_z = (np.log(close * shares) - np.log(close * shares).mean()) / np.log(close * shares).std()
        turn_z = (ew_turn - ew_turn.mean()) / (ew_turn.std() + 1e-12)
        rev_z = (ew_r - ew_r.mean()) / (ew_r.std() + 1e-12)
        mu = -k_rev * rev_z - k_turn * turn_z - k_size * size_z - 0.0008 * st[d]
        owed = carry  # (A,) known before the open: it sets the open
        latent = mu + beta * m_ret[d] + 0.008 * z_ind[d, industry] + idio_vol * vol_scale * z_e[d] + carry
        # limits of the day
        p_up, p_down = band_up[d], band_down[d]  # (A,), (A,)
        up = np.where(np.isfinite(p_up), np.round(prev * (1 + p_up) + 1e-9, 2), np.inf)
        lo = np.where(np.isfinite(p_down), np.round(prev * (1 - p_down) + 1e-9, 2), 0.01)
        want = np.round(prev * np.exp(latent), 2)
        c = np.clip(np.maximum(want, 0.01), lo, up)
        susp = suspended[d]
        c = np.where(susp, prev, c)
        realised = np.log(c / prev)
        carry = np.where(susp, latent, (latent - realised) * 0.8 * (np.abs(latent - realised) > 1e-4))
        locked = (c >= up - 1e-9) | (c <= lo + 1e-9)
        # turnover, volume, amount
        turn = base_turn * np.exp(0.5 * z_turn[d] + 8 * np.abs(realised)) * np.where(locked, 0.15, 1.0)
        turn = np.where(first, 0.15, np.where(susp, 0.0, np.minimum(turn, 0.5)))
        turn = np.minimum(turn, 2e9 / shares)  # of all shares (only part of them trade: 流通股)
        vol_sh = np.round(turn * shares / 100) * 100
        # the open: most of the owed move, a little of today's news; a one-price day (一字板) when
        # the owed move alone passes the limit
        gap = np.clip(np.round(prev * np.exp(0.8 * owed + 0.2 * (latent - owed) + 0.004 * z_turn[(d + 1) % D]), 2),
                      lo, up)
        gap = np.where(locked & (np.abs(owed) >= np.abs(realised)), c, gap)
        hi = np.minimum(np.maximum(gap, c) * np.exp(np.abs(0.01 * vol_scale * z_e[(d + 7) % D])), up)
        lw = np.maximum(np.minimum(gap, c) * np.exp(-np.abs(0.01 * vol_scale * z_e[(d + 13) % D])), lo)
        hi, lw = np.round(np.maximum(hi, np.maximum(gap, c)), 2), np.round(np.minimum(lw, np.minimum(gap, c)), 2)
        gap, hi, lw = np.where(susp, prev, gap), np.where(susp, prev, hi), np.where(susp, prev, lw)
        for k, v in (("open", gap), ("high", hi), ("low", lw), ("close", c), ("prev_close", prev), ("upper", up),
                     ("lower", lo), ("volume", vol_sh), ("amount", vol_sh * (gap + c) / 2), ("turnover", turn),
                     ("mcap", c * shares), ("adj_factor", factor), ("shares", shares)):
            out[k][d] = v  # masked to the listed cells below
        close = np.where(on, c, close)
        ew_r = np.where(on & ~susp, (1 - alpha20) * ew_r + alpha20 * realised, ew_r)
        ew_turn = np.where(on & ~susp, (1 - alpha20) * ew_turn + alpha20 * np.log(np.maximum(turn, 1e-5)), ew_turn)

    for v in out.values():
        v[~listed] = np.nan
    p = {"dates": dates, "codes": codes, "board": board, "industry": industry, "industry_names": INDUSTRIES,
         "list_date": np.where(new, dates[list_idx], np.datetime64("NaT")).astype("datetime64[D]"),
         "delist_date": np.where(delist_idx < D, dates[np.minimum(delist_idx, D - 1)],
                                 np.datetime64("NaT")).astype("datetime64[D]"),
         "suspended": suspended & listed, "st": st, "listed": listed, **out}
    p["index"], p["index_members"] = _index(p, index_size)
    p["meta"] = {"seed": seed, "n_stocks": A, "years": years, "index_size": index_size, "generated": True,
                 "planted": {"reversal_20d": -k_rev, "abnormal_turnover_20d": -k_turn, "size": -k_size,
                             "units": "daily expected log return per cross-sectional z-score"}}
    return p


def _index(p, size, level=3000.0):
    """Cap-weighted price index with semi-annual reviews (June, December), CSI-style buffers."""
    dates, mcap = p["dates"], p["mcap"]
    D, A = mcap.shape
    month = dates.astype("datetime64[M]").astype(int) % 12 + 1
    review = np.zeros(D, dtype=bool)
    for d in range(1, D):  # first trading day of June and December: the new list takes effect
        review[d] = month[d] in (6, 12) and month[d - 1] != month[d]
    members = np.zeros((D, A), dtype=bool)
    current = np.zeros(A, dtype=bool)
    n_listed = p["listed"].cumsum(axis=0)  # days listed so far
    for d in range(D):
        if d == 0 or review[d]:
            lo = max(0, d - 120)
            seen = p["listed"][lo:d + 1]
            avg = np.where(seen.any(axis=0), np.where(seen, mcap[lo:d + 1], 0.0).sum(axis=0)
                           / np.maximum(seen.sum(axis=0), 1), np.nan)  # (A,) mean cap while listed
            ok = p["listed"][d] & ~p["st"][d] & (n_listed[d] > 60) & ~p["suspended"][d] & np.isfinite(avg)
            if d == 0:
                ok = p["listed"][d] & np.isfinite(avg)
            rank = np.full(A, A)
            order = np.argsort(-np.where(ok, avg, -np.inf))
            rank[order] = np.arange(A)
            rank[~ok] = A
            if d == 0:
                current = rank < size
            else:
                stay = current & (rank < int(1.2 * size))
                enter = ~current & (rank < int(0.8 * size))
                new = stay | enter
                # fill or trim to `size` by rank, at most 10% changed
                cand = np.argsort(np.where(new, rank, A + rank))
                nxt = np.zeros(A, dtype=bool)
                nxt[cand[:size]] = True
                out_, in_ = np.flatnonzero(current & ~nxt), np.flatnonzero(nxt & ~current)
                cap = max(1, size // 10)
                if len(in_) > cap:  # keep the best-ranked entrants, the best-ranked leavers stay
                    keep_in = in_[np.argsort(rank[in_])[:cap]]
                    back = out_[np.argsort(rank[out_])[:len(in_) - cap]]
                    nxt[:] = current
                    nxt[out_] = False
                    nxt[back] = True
                    nxt[keep_in] = True
                current = nxt
        current &= p["listed"][d]  # a delisted member leaves at once
        members[d] = current
    ret = np.where(members[:-1] & p["listed"][1:], p["close"][1:] / (p["prev_close"][1:]) - 1, 0.0)  # (D-1, A)
    w = np.where(members[:-1], np.nan_to_num(mcap[:-1]), 0.0)
    r_index = (w * np.nan_to_num(ret)).sum(axis=1) / w.sum(axis=1)
    return level * np.r_[1.0, np.cumprod(1 + r_index)], members


def adjusted_returns(p):
    """(D, A) daily total returns from back-adjusted closes: close*factor / (prev close*factor) - 1.

    NaN where the stock is not listed, on its first day, and on suspended days (no trade: the
    move arrives on the resumption day, whose return is measured from the last traded close).
    """
    adj = p["close"] * p["adj_factor"]  # (D, A)
    last = np.full(adj.shape[1], np.nan)
    out = np.full(adj.shape, np.nan)
    for d in range(len(adj)):  # last traded adjusted close before each date
        trade = p["listed"][d] & ~p["suspended"][d]
        out[d] = np.where(trade, adj[d] / last - 1, np.nan)
        last = np.where(trade, adj[d], last)
    return out


def monthly(p, daily_returns=None):
    """Month-end sampling: (months (M,), returns (M, A)) compounded over each month's trading days.

    A month with no trading day for a stock is NaN (not listed, or suspended all month).
    """
    r = adjusted_returns(p) if daily_returns is None else daily_returns
    m = p["dates"].astype("datetime64[M]")
    months, idx = np.unique(m, return_inverse=True)
    lr = np.log1p(r)
    tot = np.zeros((len(months), r.shape[1]))
    n = np.zeros((len(months), r.shape[1]))
    np.add.at(tot, idx, np.nan_to_num(lr))
    np.add.at(n, idx, np.isfinite(lr))
    return months, np.where(n > 0, np.expm1(tot), np.nan)


def stylised_facts(p):
    """The panel's statistics that published A-share figures describe: a dict of floats."""
    idx = p["index"]
    ri = idx[1:] / idx[:-1] - 1
    z = (ri - ri.mean()) / ri.std()
    r = adjusted_returns(p)
    raw = p["close"] / p["prev_close"] - 1
    trade = p["listed"] & ~p["suspended"]
    up_hit = trade & (p["close"] >= p["upper"] - 1e-9)
    down_hit = trade & (p["close"] <= p["lower"] + 1e-9)
    nxt = np.vstack([raw[1:], np.full((1, raw.shape[1]), np.nan)])
    cont_up = np.nanmean(nxt[up_hit[:]] > 0)
    cont_down = np.nanmean(nxt[down_hit[:]] < 0)
    a = np.abs(ri - ri.mean())
    lengths = []
    for col in range(p["suspended"].shape[1]):
        s = p["suspended"][:, col].astype(int)
        starts, ends = np.flatnonzero(np.diff(np.r_[0, s]) == 1), np.flatnonzero(np.diff(np.r_[s, 0]) == -1)
        lengths += list(ends - starts + 1)
    lengths = np.array(lengths)
    members = p["index_members"]
    changes = [(members[d] != members[d - 1]).sum() / 2 / members[d].sum()
               for d in range(1, len(members)) if (members[d] != members[d - 1]).sum() > 2]
    rr = r[np.isfinite(r)]
    return {
        "days": len(p["dates"]), "stocks": p["close"].shape[1],
        "stocks_listed_first": int(p["listed"][0].sum()), "stocks_listed_last": int(p["listed"][-1].sum()),
        "listings": int((~np.isnat(p["list_date"])).sum()), "delistings": int((~np.isnat(p["delist_date"])).sum()),
        "index_daily_std": float(ri.std()), "index_annual_vol": float(ri.std() * np.sqrt(242)),
        "index_skew": float((z ** 3).mean()), "index_excess_kurtosis": float((z ** 4).mean() - 3),
        "index_absret_autocorr_1": float(np.corrcoef(a[1:], a[:-1])[0, 1]),
        "index_ret_autocorr_1": float(np.corrcoef(ri[1:], ri[:-1])[0, 1]),
        "stock_daily_std_median": float(np.median([np.std(c[np.isfinite(c)]) for c in r.T
                                                    if np.isfinite(c).sum() > 20])),
        "stock_excess_kurtosis": float(((rr - rr.mean()) ** 4).mean() / rr.var() ** 2 - 3),
        "limit_up_share": float(up_hit.sum() / trade.sum()), "limit_down_share": float(down_hit.sum() / trade.sum()),
        "continuation_after_limit_up": float(cont_up), "continuation_after_limit_down": float(cont_down),
        "suspended_share": float(p["suspended"].sum() / p["listed"].sum()),
        "suspension_spells": int(len(lengths)), "suspensions_over_60_days": int((lengths > 60).sum()),
        "st_share": float(p["st"].sum() / p["listed"].sum()),
        "median_turnover": float(np.nanmedian(np.where(trade, p["turnover"], np.nan))),
        "index_reviews": len(changes), "index_change_share_max": float(max(changes)) if changes else 0.0,
    }
