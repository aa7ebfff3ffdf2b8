"""What a factor researcher checks after the headline IC (chapters 16 and 17).

- `neutralize`: the part of each date's scores that industry and size do not explain
  (cross-sectional least squares residual), so a score is not an industry bet in disguise;
- `ic_decay`: the IC of today's score with the return h periods ahead, h = 1..H;
- `bootstrap_sharpe`: a moving-block bootstrap interval for an annualised Sharpe ratio;
- `bonferroni_t`: the t a best-of-m result must clear for an overall 5% error rate;
- `expected_max_sharpe`: the Sharpe the best of m worthless strategies reaches by luck
  (the yardstick of the deflated Sharpe ratio, Bailey & Lopez de Prado 2014);
- `factor_correlation`: the time-average of the cross-sectional correlation between
  factors (source 1's correlation view of a factor set: Yibo Li's notes).
- `planted_stock_panel`: a stock-level panel with industries and sizes for the above.

    >>> round(bonferroni_t(5), 2)       # five models tested on one test period
    2.58
"""
import math

import numpy as np

from bricks import errors
from bricks.quant import evaluation

__all__ = ["norm_ppf", "neutralize", "ic_decay", "bootstrap_sharpe", "bonferroni_t", "expected_max_sharpe",
           "factor_correlation", "planted_stock_panel"]


def neutralize(scores, exposures):
    """Residual of each date's scores regressed on exposures (+ intercept), across assets.

    scores (D, A); exposures (D, A, K) (industry dummies, log size, ...). NaN rows skipped.
    Output (D, A): e_t = s_t - X_t b_t with b_t = argmin ||s_t - X_t b||, uncorrelated with
    every exposure on every date.
    """
    s, X = np.asarray(scores, dtype=float), np.asarray(exposures, dtype=float)
    if X.shape[:2] != s.shape:
        errors.fail("neutralize", "exposures of shape (D, A, K) with scores (D, A)",
                    scores=s.shape, exposures=X.shape)
    out = np.full(s.shape, np.nan)
    for t in range(len(s)):  # one small least squares per date
        ok = ~(np.isnan(s[t]) | np.isnan(X[t]).any(axis=1))
        A = np.column_stack([np.ones(ok.sum()), X[t, ok]])  # (n, 1 + K)
        b = np.linalg.lstsq(A, s[t, ok], rcond=None)[0]
        out[t, ok] = s[t, ok] - A @ b
    return out


def ic_decay(scores, returns, horizons=(1, 2, 3, 6, 12)):
    """{h: mean IC of scores[t] with returns[t + h - 1]} (returns[t] is the next period's)."""
    s, r = np.asarray(scores, dtype=float), np.asarray(returns, dtype=float)
    out = {}
    for h in horizons:
        ics = evaluation.ic_by_date(s[:len(s) - h + 1], r[h - 1:])  # (D - h + 1,)
        out[h] = evaluation.ic_summary(ics)
    return out


def bootstrap_sharpe(returns, periods_per_year=12, block=12, n_boot=2000, level=0.9, seed=None):
    """Moving-block bootstrap of the annualised Sharpe: (low, high) at `level`, and the draws.

    Blocks of `block` consecutive periods keep autocorrelation; n_boot resamples, vectorised.
    """
    from bricks import backend
    r = np.asarray(returns, dtype=float)
    r = r[~np.isnan(r)]
    n, rng = len(r), backend.make_rng(seed)
    k = math.ceil(n / block)
    starts = rng.integers(0, n - block + 1, size=(n_boot, k))  # (B, k)
    idx = (starts[..., None] + np.arange(block)).reshape(n_boot, -1)[:, :n]  # (B, n)
    x = r[idx]  # (B, n)
    draws = x.mean(1) / x.std(1, ddof=1) * np.sqrt(periods_per_year)  # (B,)
    a = (1 - level) / 2
    return {"low": float(np.quantile(draws, a)), "high": float(np.quantile(draws, 1 - a)), "draws": draws}


def norm_ppf(p):
    """The inverse standard normal CDF, z with Phi(z) = p, by bisection on erf (no scipy).

    >>> round(norm_ppf(0.975), 4)
    1.96
    """
    lo, hi = -10.0, 10.0
    for _ in range(100):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if 0.5 * (1 + math.erf(mid / math.sqrt(2))) < p else (lo, mid)
    return (lo + hi) / 2


def bonferroni_t(m, alpha=0.05, two_sided=True):
    """The z (large-sample t) one of m tests must exceed for a family-wise error of alpha."""
    return norm_ppf(1 - alpha / (m * (2 if two_sided else 1)))


def expected_max_sharpe(m, n_periods, periods_per_year=12):
    """E[max of m annualised Sharpe ratios of worthless strategies] over n_periods.

    Each estimate has s.e. ~ sqrt(periods_per_year / n_periods); the expected maximum of m
    standard normals is about (1 - g) z(1 - 1/m) + g z(1 - 1/(m e)), g = 0.5772 (Euler).
    """
    if m < 2:
        return 0.0
    g = 0.5772156649
    zmax = (1 - g) * norm_ppf(1 - 1 / m) + g * norm_ppf(1 - 1 / (m * math.e))
    return zmax * math.sqrt(periods_per_year / n_periods)


def factor_correlation(features):
    """(F, F) time-average of each date's cross-sectional correlation matrix of F factors.

    features (D, A, F) with NaN allowed; dates with fewer than 3 complete assets skipped.
    """
    f = np.asarray(features, dtype=float)
    mats = []
    for t in range(len(f)):
        x = f[t][~np.isnan(f[t]).any(axis=1)]  # (n, F)
        if len(x) >= 3 and (x.std(0) > 0).all():
            mats.append(np.corrcoef(x, rowvar=False))
    return np.mean(mats, axis=0)


def planted_stock_panel(n_dates=240, n_assets=300, n_industries=10, ic=0.05, tilt=1.0, seed=None):
    """Monthly stock panel: industries, sizes, and a score that mixes skill with industry bets.

    r_{t+1,i} = f_{t+1, ind(i)} + 0.002 * size_i + 0.08 * (ic * s_{t,i} + sqrt(1-ic^2) e_{t+1,i}),
    with industry returns f ~ N(0, 0.04^2); the observed score is s + tilt * (industry
    dummy of a random industry per date, the "hot sector") + 0.5 * size. Returns
    (score (D, A), next_return (D, A), exposures (D, A, n_industries - 1 + 1), industry (A,)).
    """
    from bricks import backend
    rng = backend.make_rng(seed)
    ind = rng.integers(0, n_industries, n_assets)  # (A,)
    size = rng.standard_normal(n_assets)  # (A,) log market cap, standardised
    s = rng.standard_normal((n_dates, n_assets))  # (D, A) the skill part of the score
    f = 0.04 * rng.standard_normal((n_dates, n_industries))  # (D, I) industry returns
    e = rng.standard_normal((n_dates, n_assets))
    nxt = f[:, ind] + 0.002 * size + 0.08 * (ic * s + np.sqrt(1 - ic**2) * e)  # (D, A)
    hot = rng.integers(0, n_industries, n_dates)  # (D,) the sector the score leans on
    score = s + tilt * (ind[None, :] == hot[:, None]) + 0.5 * size
    dummies = (ind[:, None] == np.arange(1, n_industries)[None, :]).astype(float)  # (A, I-1)
    X = np.concatenate([np.broadcast_to(dummies, (n_dates, *dummies.shape)),
                        np.broadcast_to(size[None, :, None], (n_dates, n_assets, 1))], axis=-1)
    return score, nxt, X, ind
