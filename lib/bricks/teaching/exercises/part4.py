"""Part IV's final assignment (end of chapter 17): the pieces of an honest factor evaluation.

The student writes a past-only (expanding) z-score, the monthly cross-sectional rank IC, a
walk-forward split with a gap, and the t-statistic of a mean IC judged against the Bonferroni
line for k tries; the notebook then runs them on the book's generated A-share panel.
"""

import numpy as np

from bricks.quant.factors import bonferroni_t
from bricks.teaching.exercises import Case, Mistake, register
from bricks.teaching.exercises._common import rng


# --- 1. a past-only (expanding) z-score ------------------------------------------------------------

def expanding_zscore(x, min_periods):
    T = x.shape[0]
    z = np.full(x.shape, np.nan)
    for t in range(T):
        past = x[:t]  # (t, A) strictly before t
        n = np.isfinite(past).sum(axis=0)  # (A,) finite past values per column
        ok = n >= max(min_periods, 1)
        if ok.any():
            mean = np.nanmean(past[:, ok], axis=0)
            std = np.nanstd(past[:, ok], axis=0)
            z[t, ok] = (x[t, ok] - mean) / std
    return z


def _with_holes(x, r, share):
    x = x.copy()
    x[r.random(x.shape) < share] = np.nan
    return x


def _z_case(seed, T, A, min_periods, holes=0.0, note=""):
    r = rng(seed)
    x = r.normal(0.5, 2.0, (T, A)) + np.linspace(0, 3, T)[:, None] * r.random(A)  # drifting columns
    return Case((_with_holes(x, r, holes), min_periods), note=note)


def _z_slip(stats_of, min_of=lambda t, m: m, nan_ok=True):
    """An expanding_zscore whose past statistics come from `stats_of(x, t)` (rows used)."""

    def wrong(x, min_periods):
        z = np.full(x.shape, np.nan)
        for t in range(x.shape[0]):
            rows = stats_of(x, t, min_periods)
            n = np.isfinite(rows).sum(axis=0) if nan_ok else np.full(x.shape[1], len(rows))
            ok = n >= max(min_of(t, min_periods), 1)
            if ok.any():
                mean = (np.nanmean if nan_ok else np.mean)(rows[:, ok], axis=0)
                std = (np.nanstd if nan_ok else np.std)(rows[:, ok], axis=0)
                z[t, ok] = (x[t, ok] - mean) / std
        return z

    return wrong


def _whole_sample(x, min_periods):
    z = (x - np.nanmean(x, axis=0)) / np.nanstd(x, axis=0)
    return np.where(np.arange(len(x))[:, None] >= min_periods, z, np.nan)


def _across_assets(x, min_periods):
    z = (x - np.nanmean(x, axis=1, keepdims=True)) / np.nanstd(x, axis=1, keepdims=True)
    return np.where(np.arange(len(x))[:, None] >= min_periods, z, np.nan)


def _ddof1(x, min_periods):
    z = np.full(x.shape, np.nan)
    for t in range(x.shape[0]):
        past = x[:t]
        ok = np.isfinite(past).sum(axis=0) >= max(min_periods, 2)
        if ok.any():
            z[t, ok] = (x[t, ok] - np.nanmean(past[:, ok], axis=0)) / np.nanstd(past[:, ok], axis=0, ddof=1)
    return z


register(
    "part4.expanding_zscore",
    reference=expanding_zscore,
    whole=True,
    cases=lambda: [
        _z_case(41, 30, 4, 5, note="30 months, 4 assets, drifting"),
        _z_case(42, 25, 3, 3, holes=0.15, note="NaN holes"),
        _z_case(43, 12, 1, 2, note="one asset"),
        _z_case(44, 40, 6, 10, holes=0.05),
    ],
    forbidden=("bricks.quant.prep:rolling_zscore", "bricks.quant.scaling:ewma_zscore"),
    mistakes=[
        Mistake(_whole_sample, "look-ahead: the mean and std of the whole sample, future months included", "formula"),
        Mistake(_z_slip(lambda x, t, m: x[:t + 1]), "the current month is in its own mean and std "
                "(x[:t+1] instead of x[:t])", "off-by-one"),
        Mistake(_z_slip(lambda x, t, m: x[max(t - m, 0):t]), "a rolling window of min_periods months "
                "instead of all the past", "formula"),
        Mistake(_across_assets, "standardised across the assets of each month instead of over each asset's past",
                "transpose"),
        Mistake(_ddof1, "the std with ddof=1: the book's scalers divide by n (ddof=0)", "factor"),
        Mistake(_z_slip(lambda x, t, m: x[:t], nan_ok=False), "NaN months not skipped: one hole spoils every "
                "later month of that asset", "missing term"),
        Mistake(_z_slip(lambda x, t, m: x[:t], min_of=lambda t, m: 2), "min_periods ignored: early months "
                "are scaled with too few past values", "missing term"),
    ],
)


# --- 2. the monthly cross-sectional rank IC -------------------------------------------------------

def _ranks(v):
    return np.argsort(np.argsort(v)).astype(float)


def rank_ic(scores, returns):
    ic = np.full(scores.shape[0], np.nan)
    for t in range(scores.shape[0]):
        ok = np.isfinite(scores[t]) & np.isfinite(returns[t])  # (A,) assets with both values
        if ok.sum() >= 3:
            ic[t] = np.corrcoef(_ranks(scores[t, ok]), _ranks(returns[t, ok]))[0, 1]
    return ic


def _ic_case(seed, D, A, skill, holes=0.0, thin_row=None, note=""):
    r = rng(seed)
    s = r.standard_normal((D, A)) + r.normal(0, 1, (1, A))  # each asset has its own level
    ret = skill * s + r.standard_normal((D, A)) ** 3 + np.linspace(-1, 1, D)[:, None]  # fat tails, a market drift
    s = _with_holes(s, r, holes)
    if thin_row is not None:
        s[thin_row, 2:] = np.nan  # a month with only two assets
        s[thin_row, :2] = (0.4, -1.1)
    return Case((s, ret), note=note)


def _per_month(corr_of):
    def wrong(scores, returns):
        ic = np.full(scores.shape[0], np.nan)
        for t in range(scores.shape[0]):
            ok = np.isfinite(scores[t]) & np.isfinite(returns[t])
            if ok.sum() >= 3:
                ic[t] = corr_of(scores[t, ok], returns[t, ok])
        return ic

    return wrong


def _over_time(scores, returns):
    rs = np.argsort(np.argsort(np.where(np.isfinite(scores), scores, np.inf), axis=0), axis=0).astype(float)
    rr = np.argsort(np.argsort(returns, axis=0), axis=0).astype(float)
    return rank_ic(np.where(np.isfinite(scores), rs, np.nan), rr)


def _ranks_before_dropping(scores, returns):
    ic = np.full(scores.shape[0], np.nan)
    for t in range(scores.shape[0]):
        rs, rr = _ranks(scores[t]), _ranks(returns[t])  # NaN sorts last: ranks over every asset
        ok = np.isfinite(scores[t]) & np.isfinite(returns[t])
        if ok.sum() >= 3:
            ic[t] = np.corrcoef(rs[ok], rr[ok])[0, 1]
    return ic


def _pooled(scores, returns):
    ok = np.isfinite(scores) & np.isfinite(returns)
    return np.corrcoef(_ranks(scores[ok]), _ranks(returns[ok]))[0, 1]


def _per_asset(scores, returns):
    return rank_ic(scores.T, returns.T)


def _no_minimum(scores, returns):
    ic = np.full(scores.shape[0], np.nan)
    for t in range(scores.shape[0]):
        ok = np.isfinite(scores[t]) & np.isfinite(returns[t])
        if ok.sum() >= 2:
            ic[t] = np.corrcoef(_ranks(scores[t, ok]), _ranks(returns[t, ok]))[0, 1]
    return ic


register(
    "part4.rank_ic",
    reference=rank_ic,
    whole=True,
    cases=lambda: [
        _ic_case(51, 8, 11, 0.3, note="8 months, 11 assets"),
        _ic_case(52, 6, 7, 0.5, holes=0.2, thin_row=3, note="NaN holes; month 3 has two assets"),
        _ic_case(53, 12, 5, -0.4, note="a factor that works backwards"),
        _ic_case(54, 5, 20, 1.0, holes=0.1),
    ],
    forbidden=("bricks.quant.evaluation:rank_ic_by_date", "bricks.quant.evaluation:ic_by_date"),
    mistakes=[
        Mistake(_over_time, "ranked over time (down each asset's column) instead of across the assets of each "
                "month", "transpose"),
        Mistake(_per_month(lambda s, r: np.corrcoef(s, r)[0, 1]), "the Pearson correlation of the raw values: "
                "the rank IC ranks both sides first", "missing term"),
        Mistake(_per_month(lambda s, r: np.corrcoef(_ranks(s), r)[0, 1]), "only the scores ranked, the returns "
                "left raw", "missing term"),
        Mistake(_pooled, "one correlation over the whole panel instead of one per month", "shape"),
        Mistake(_per_asset, "one IC per asset (a correlation over time) instead of one per month", "transpose"),
        Mistake(_ranks_before_dropping, "ranks taken before the assets with a NaN are dropped", "index"),
        Mistake(_no_minimum, "a month with only two assets gives +-1 instead of NaN (fewer than 3)", "off-by-one"),
    ],
)


# --- 3. a walk-forward split with a gap -----------------------------------------------------------

def walk_forward_splits(n_dates, train_size, test_size, gap):
    folds = []
    for start in range(train_size + gap, n_dates - test_size + 1, test_size):  # first test date of each fold
        train = np.arange(start - gap - train_size, start - gap)
        folds.append((train, np.arange(start, start + test_size)))
    return folds


def _split_slip(first=lambda tr, g: tr + g, stop=lambda n, te: n - te + 1, step=lambda te: te,
                train_of=lambda s, tr, g: np.arange(s - g - tr, s - g), test_of=lambda s, te: np.arange(s, s + te)):
    def wrong(n_dates, train_size, test_size, gap):
        return [(train_of(s, train_size, gap), test_of(s, test_size))
                for s in range(first(train_size, gap), stop(n_dates, test_size), step(test_size))]

    return wrong


register(
    "part4.walk_forward_splits",
    reference=walk_forward_splits,
    whole=True,
    cases=lambda: [
        Case((20, 6, 3, 1), note="20 months, train 6, test 3, gap 1"),
        Case((31, 10, 4, 2), note="gap 2"),
        Case((15, 5, 5, 0), note="no gap; the last test block ends on the last date"),
        Case((25, 8, 5, 1), note="one date left over at the end"),
    ],
    forbidden=("bricks.quant.prep:walk_forward",),
    mistakes=[
        Mistake(_split_slip(first=lambda tr, g: tr, train_of=lambda s, tr, g: np.arange(s - tr, s)),
                "the gap is ignored: training runs up to the day before the test, whose label it already knows",
                "missing term"),
        Mistake(_split_slip(train_of=lambda s, tr, g: np.arange(s - g - tr, s - g + 1)),
                "off by one: the training block keeps one date too many, inside the gap or the test", "off-by-one"),
        Mistake(_split_slip(train_of=lambda s, tr, g: np.arange(0, s - g)),
                "an expanding window from date 0: the assignment asks for a rolling window of train_size dates",
                "formula"),
        Mistake(_split_slip(step=lambda te: 1), "the window moves one date per fold: the test blocks overlap",
                "index"),
        Mistake(_split_slip(stop=lambda n, te: n - te), "the last fold is dropped (stop at n_dates - test_size "
                "instead of n_dates - test_size + 1)", "off-by-one"),
        Mistake(_split_slip(test_of=lambda s, te: np.arange(s - 1, s - 1 + te)),
                "the test block starts one date early, inside the gap or on the last training date", "off-by-one"),
    ],
)


# --- 4. the t-statistic of the mean IC and its verdict for k tries --------------------------------

def ic_t_verdict(ics, k):
    x = ics[np.isfinite(ics)]  # the months with an IC
    t = x.mean() / (x.std(ddof=1) / np.sqrt(len(x)))
    return t, bool(abs(t) > bonferroni_t(k))


def _t_case(seed, n, t_target, k, holes=(), note=""):
    r = rng(seed)
    z = r.standard_normal(n)
    z = (z - z.mean()) / z.std(ddof=1)  # mean 0, std 1 exactly
    x = 0.08 * (z + t_target / np.sqrt(n))  # t = t_target exactly
    for h in holes:
        x = np.insert(x, h, np.nan)
    return Case((x, k), note=note)


def _t_slip(se_of=lambda x: x.std(ddof=1) / np.sqrt(len(x)), keep_nan=False, line_of=bonferroni_t,
            judge=lambda t, line: abs(t) > line, n_of=None):
    def wrong(ics, k):
        x = ics if keep_nan else ics[np.isfinite(ics)]
        se = x.std(ddof=1) / np.sqrt(n_of(ics)) if n_of else se_of(x)
        t = x.mean() / se
        return t, bool(judge(t, line_of(k)))

    return wrong


register(
    "part4.ic_t_verdict",
    outputs=("t of the mean IC", "|t| > the Bonferroni line"),
    reference=ic_t_verdict,
    whole=True,
    cases=lambda: [
        _t_case(61, 48, 2.3, 1, note="t = 2.3, one try: significant"),
        _t_case(62, 60, 2.3, 10, holes=(0, 7), note="t = 2.3 after 10 tries: not significant; two NaN months"),
        _t_case(63, 36, -3.0, 3, note="t = -3 (a factor that works backwards), 3 tries"),
        _t_case(64, 100, 4.0, 50, holes=(99,)),
        _t_case(65, 24, 1.0, 2),
    ],
    forbidden=("bricks.quant.evaluation:mean_t", "bricks.quant.evaluation:ic_summary",
               "bricks.quant.stocks:nw_mean_t"),
    mistakes=[
        Mistake(_t_slip(se_of=lambda x: x.std(ddof=1) / len(x)), "std / n instead of std / sqrt(n)", "factor"),
        Mistake(_t_slip(se_of=lambda x: x.std(ddof=1)), "mean / std is the ICIR: the t-statistic multiplies it "
                "by sqrt(n)", "missing term"),
        Mistake(_t_slip(se_of=lambda x: x.std() / np.sqrt(len(x))), "the std with ddof=0: a standard error "
                "uses ddof=1", "factor"),
        Mistake(_t_slip(keep_nan=True), "the NaN months are not dropped: t is NaN", "missing term"),
        Mistake(_t_slip(n_of=len), "n counts the NaN months too", "off-by-one"),
        Mistake(_t_slip(line_of=lambda k: bonferroni_t(1)), "the line for one try (1.96): k tries need "
                "bonferroni_t(k)", "missing term"),
        Mistake(_t_slip(judge=lambda t, line: t > line), "t > line misses a factor that works backwards: "
                "the test is two-sided, |t| > line", "sign"),
    ],
)
