"""How a forecast is judged in quant practice: hit rates, ICs, quantile portfolios, costs, risk.

Two kinds of forecast appear in Part IV. A time-series forecast of one index is judged by
its direction accuracy, its MSE against the zero forecast and the strategy it drives
(long when the forecast is up). A cross-sectional forecast (one score per asset per
date) is judged date by date: the information coefficient (IC, 信息系数) is the
correlation across assets between score and next return, the rank IC uses ranks
(Spearman); their mean, t-stat and ICIR = mean / std summarise a backtest. Quantile
portfolios sort assets by score; long the top, short the bottom is the long-short spread.

Conventions: returns are simple, per period, as decimals. Weights sum to 1 on each side
of a long-short book. Turnover_t = sum_i |w_{t,i} - w_{t-1,i}| (notional traded, as a
fraction of capital; the first period trades in from cash), and a cost of c basis points
removes c * 1e-4 * turnover_t from that period's return.

    >>> rng = np.random.default_rng(0)
    >>> scores = rng.normal(size=(60, 20))                          # 60 dates (D), 20 assets
    >>> next_returns = 0.1 * scores + rng.normal(size=(60, 20))     # a weak true signal
    >>> ics = ic_by_date(scores, next_returns)                      # (D,)
    >>> s = ic_summary(ics)
    >>> round(s["mean"], 3), round(s["t"], 2), round(s["icir"], 2)
    (0.073, 2.53, 0.33)
"""
import numpy as np

from bricks import errors

__all__ = ["rankdata", "direction_accuracy", "mse_vs_zero", "mean_t", "binomial_z", "ic_by_date",
           "rank_ic_by_date", "ic_summary", "quantile_returns", "long_short_weights", "turnover",
           "apply_costs", "sign_strategy", "sharpe", "max_drawdown", "equity_curve"]


def _pair(name, a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        errors.fail(name, "two arrays of the same shape", **{"a.shape": a.shape, "b.shape": b.shape})
    return a, b


def rankdata(x, axis=-1):
    """Ranks 1..n along `axis`, ties get their average rank, NaN stays NaN (like scipy's)."""
    x = np.moveaxis(np.asarray(x, dtype=float), axis, -1)  # (..., n)
    order = np.argsort(x, axis=-1, kind="stable")
    s = np.take_along_axis(x, order, axis=-1)  # sorted, NaN last
    n = x.shape[-1]
    pos = np.broadcast_to(np.arange(1, n + 1, dtype=float), s.shape)
    new = np.ones(s.shape, dtype=bool)
    new[..., 1:] = s[..., 1:] != s[..., :-1]  # start of each run of ties
    run = np.cumsum(new, axis=-1)  # (..., n) run id
    flat_run = run + (np.arange(int(np.prod(s.shape[:-1]))).reshape(s.shape[:-1] + (1,)) * (n + 1))
    sums = np.bincount(flat_run.ravel(), weights=pos.ravel())
    counts = np.bincount(flat_run.ravel())
    avg = (sums / np.maximum(counts, 1))[flat_run]  # average position within each tie run
    avg[np.isnan(s)] = np.nan
    out = np.empty_like(avg)
    np.put_along_axis(out, order, avg, axis=-1)
    return np.moveaxis(out, -1, axis)


def direction_accuracy(y_true, y_pred):
    """Share of periods where sign(y_pred) == sign(y_true); periods with y_true == 0 are skipped."""
    t, p = _pair("direction_accuracy", y_true, y_pred)
    keep = t != 0
    return float(np.mean(np.sign(p[keep]) == np.sign(t[keep])))


def mse_vs_zero(y_true, y_pred):
    """MSE of the forecast, MSE of always forecasting 0, and R2_oos = 1 - mse / mse_zero.

    For daily returns the zero forecast is hard to beat: R2_oos > 0 is already rare.
    """
    t, p = _pair("mse_vs_zero", y_true, y_pred)
    if t.size == 0 or not np.any(t):
        errors.fail("mse_vs_zero", "non-empty targets not all zero (R2_oos divides by the MSE of the zero forecast)",
                    **{"y_true.size": t.size})
    mse, mse0 = float(np.mean((t - p) ** 2)), float(np.mean(t**2))
    return {"mse": mse, "mse_zero": mse0, "r2_oos": 1.0 - mse / mse0}


def mean_t(x):
    """Mean of a series, its standard error std/sqrt(n) (ddof=1), and t = mean / se."""
    x = np.asarray(x, dtype=float)
    x = x[~np.isnan(x)]
    se = float(x.std(ddof=1) / np.sqrt(len(x)))
    m = float(x.mean())
    return {"mean": m, "se": se, "t": m / se if se > 0 else float("nan"), "n": len(x)}


def binomial_z(hits, n, p0=0.5):
    """z-score of `hits` successes in `n` trials against rate p0: (hits/n - p0) / sqrt(p0(1-p0)/n)."""
    return float((hits / n - p0) / np.sqrt(p0 * (1 - p0) / n))


def _corr_rows(a, b):
    """Pearson correlation of each row of a and b (D, A), ignoring NaN pairs."""
    ok = ~(np.isnan(a) | np.isnan(b))  # (D, A)
    n = ok.sum(axis=1)  # (D,)
    a, b = np.where(ok, a, 0.0), np.where(ok, b, 0.0)
    nn = np.maximum(n, 1)[:, None]
    da = np.where(ok, a - a.sum(axis=1, keepdims=True) / nn, 0.0)  # (D, A) demeaned
    db = np.where(ok, b - b.sum(axis=1, keepdims=True) / nn, 0.0)
    den = np.sqrt((da**2).sum(axis=1) * (db**2).sum(axis=1))  # (D,)
    out = np.full(len(a), np.nan)
    good = (n >= 3) & (den > 0)
    out[good] = (da * db).sum(axis=1)[good] / den[good]
    return out


def ic_by_date(scores, returns):
    """IC_t = Pearson correlation across assets of scores[t] and returns[t] (its next return).

    Input shapes: (D, A) each, aligned so returns[t] is realised after scores[t] is known.
    Output shape: (D,); NaN for dates with fewer than 3 assets or no dispersion.
    """
    s, r = _pair("ic_by_date", scores, returns)
    return _corr_rows(s, r)


def rank_ic_by_date(scores, returns):
    """Rank IC_t = Spearman correlation across assets (Pearson of the ranks). Output (D,)."""
    s, r = _pair("rank_ic_by_date", scores, returns)
    mask = np.isnan(s) | np.isnan(r)
    s, r = np.where(mask, np.nan, s), np.where(mask, np.nan, r)
    return _corr_rows(rankdata(s, axis=1), rankdata(r, axis=1))


def ic_summary(ics, periods_per_year=None):
    """mean, std, t = mean / (std / sqrt(n)), ICIR = mean / std, hit = share of IC > 0.

    With `periods_per_year` (12 for months) also the annualised ICIR * sqrt(periods_per_year).
    """
    ics = np.asarray(ics, dtype=float)
    ics = ics[~np.isnan(ics)]
    if len(ics) < 2:
        errors.fail("ic_summary", "at least 2 ICs that are not NaN (a std needs two)", n=len(ics))
    mean, std, n = float(ics.mean()), float(ics.std(ddof=1)), len(ics)
    out = {"mean": mean, "std": std, "t": float(mean / std * np.sqrt(n)), "icir": mean / std,
           "hit": float(np.mean(ics > 0)), "n": n}
    if periods_per_year:
        out["icir_annual"] = float(out["icir"] * np.sqrt(periods_per_year))
    return out


def _quantile_labels(scores, n_quantiles):
    """Quantile 0 (lowest scores) .. q-1 (highest) of each row of (D, A); -1 where NaN."""
    r = rankdata(scores, axis=1)  # (D, A)
    n = (~np.isnan(scores)).sum(axis=1, keepdims=True)  # (D, 1)
    q = np.floor((r - 1) / np.maximum(n, 1) * n_quantiles)
    return np.where(np.isnan(r), -1, q).astype(int)


def quantile_returns(scores, returns, n_quantiles=5):
    """Equal-weighted mean return of each score quantile on each date, and the long-short spread.

    Returns (by_quantile (D, q), spread (D,)) with spread = top quantile - bottom quantile.
    """
    s, r = _pair("quantile_returns", scores, returns)
    q = _quantile_labels(np.where(np.isnan(r), np.nan, s), n_quantiles)  # (D, A)
    out = np.full((len(s), n_quantiles), np.nan)
    for k in range(n_quantiles):  # q is small: a loop over quantiles, not over assets
        inq = q == k
        cnt = inq.sum(axis=1)
        tot = np.where(inq, r, 0.0).sum(axis=1)
        out[cnt > 0, k] = tot[cnt > 0] / cnt[cnt > 0]
    return out, out[:, -1] - out[:, 0]


def long_short_weights(scores, n_quantiles=5):
    """Weights of the long-short book: +1/n_top on the top quantile, -1/n_bottom on the bottom.

    Input shape: (D, A). Output shape: (D, A), each row summing to 0 (gross exposure 2).
    """
    s = np.asarray(scores, dtype=float)
    q = _quantile_labels(s, n_quantiles)  # (D, A)
    top, bot = q == n_quantiles - 1, q == 0
    return top / np.maximum(top.sum(1, keepdims=True), 1) - bot / np.maximum(bot.sum(1, keepdims=True), 1)


def turnover(weights):
    """turnover_t = sum_i |w_t,i - w_{t-1,i}| with w_{-1} = 0. Input (D,) or (D, A); output (D,)."""
    w = np.asarray(weights, dtype=float)
    w = w.reshape(len(w), -1)  # (D, A)
    dw = np.diff(w, axis=0, prepend=np.zeros((1, w.shape[1])))
    return np.abs(dw).sum(axis=1)


def apply_costs(gross, turnover_, cost_bp):
    """Net return = gross - cost_bp * 1e-4 * turnover (1 bp = 0.01%)."""
    g, t = _pair("apply_costs", gross, turnover_)
    return g - cost_bp * 1e-4 * t


def sign_strategy(forecast, returns, cost_bp=0.0, long_only=False):
    """Hold +1 (or 0 if `long_only`) when the forecast is > 0, else -1 (or 0), for the next period.

    forecast[t] is known before returns[t] is earned. Returns (net returns (D,), positions (D,)).
    """
    f, r = _pair("sign_strategy", forecast, returns)
    pos = np.where(f > 0, 1.0, 0.0 if long_only else -1.0)  # (D,)
    return apply_costs(pos * r, turnover(pos), cost_bp), pos


def sharpe(returns, periods_per_year=252):
    """Annualised Sharpe ratio: mean / std (ddof=1) * sqrt(periods_per_year); no risk-free rate.

    Degenerate input is refused rather than answered with a number that means nothing: fewer
    than 2 returns, or a constant series (std 0 up to rounding: a Sharpe of 8.7e16 is what
    dividing by the rounding error of a constant's std gives). A NaN return gives NaN.
    """
    r = np.asarray(returns, dtype=float)
    if r.size < 2:
        errors.fail("sharpe", "at least 2 returns", size=r.size)
    std = r.std(ddof=1)
    if std <= 1e-12 * max(1.0, float(np.abs(r).max())):
        errors.fail("sharpe", "returns that vary (a constant series has no Sharpe ratio)", std=float(std))
    return float(r.mean() / std * np.sqrt(periods_per_year))


def equity_curve(returns, start=1.0):
    """Wealth after each period, start * cumprod(1 + r). Output shape: same as returns."""
    return start * np.cumprod(1.0 + np.asarray(returns, dtype=float), axis=0)


def max_drawdown(returns):
    """Largest fall from a running peak of the equity curve, as a positive fraction (0.5 = -50%).

    A return below -100% (more than everything lost) is refused: the equity curve would go
    negative and the drawdown exceed 100%. Returns are simple returns, r = p1 / p0 - 1 >= -1.
    """
    r = np.asarray(returns, dtype=float)
    if r.size and np.any(r < -1):
        errors.fail("max_drawdown", "simple returns >= -1 (a loss of at most 100%)", min_return=float(np.nanmin(r)))
    eq = np.concatenate([[1.0], equity_curve(returns)])  # the start counts as a peak
    return float(np.max(1.0 - eq / np.maximum.accumulate(eq)))
