"""Chapter 15, leakage: a batch standardised with its own statistics, a past-only EWMA z-score."""

import numpy as np

from bricks.teaching.exercises import Case, Mistake, register
from bricks.teaching.exercises._common import rng


def batch_standardize(xb):
    return (xb - xb.mean(axis=0)) / xb.std(axis=0)


def _batch(seed, B, F):
    r = rng(seed)
    return r.normal(np.linspace(-1, 2, F), np.linspace(0.5, 2.0, F), (B, F))


register(
    "ch15.batch_standardize",
    reference=batch_standardize,
    cases=lambda: [Case((_batch(1, 32, 4),)), Case((_batch(2, 8, 3),)), Case((_batch(3, 5, 5),), note="B = F")],
    forbidden=("bricks.quant.prep:StandardScaler",),
    mistakes=[
        Mistake(
            lambda xb: (xb - xb.mean(axis=1, keepdims=True)) / xb.std(axis=1, keepdims=True),
            "per row (axis 1): each sample across its features",
            "index",
        ),
        Mistake(lambda xb: (xb - xb.mean(axis=0)) / xb.std(axis=0, ddof=1), "ddof=1: the unbiased std", "factor"),
        Mistake(lambda xb: xb / xb.std(axis=0), "the mean is not subtracted", "missing term"),
        Mistake(
            lambda xb: (xb - xb.mean()) / xb.std(), "one mean and std for the whole batch, not per column", "shape"
        ),
        Mistake(lambda xb: (xb - xb.mean(axis=0)) / xb.var(axis=0), "divided by the variance", "formula"),
        Mistake(lambda xb: (xb.mean(axis=0) - xb) / xb.std(axis=0), "mean minus x", "sign"),
    ],
)


def ewma_z(x, halflife):
    from bricks.quant import scaling

    return scaling.ewma_zscore(x, halflife)


def _ewma(update_first=False, a_of=None, warm=None, sqrt=True):
    def wrong(x, halflife):
        a = a_of(halflife) if a_of else 1 - 2 ** (-1 / halflife)
        m, v = x[0], 0.0
        z = np.full(len(x), np.nan)
        for t in range(1, len(x)):
            d = x[t] - m
            if update_first:
                m, v = m + a * d, (1 - a) * (v + a * d * d)
            z[t] = (x[t] - m) / (np.sqrt(v + 1e-12) if sqrt else v + 1e-12)
            if not update_first:
                m, v = m + a * d, (1 - a) * (v + a * d * d)
        z[: (warm(halflife) if warm else halflife)] = np.nan
        return z

    return wrong


def _series(seed, n):
    return np.cumsum(rng(seed).normal(0.01, 1.0, n)) * 0.1 + rng(seed + 1).normal(0, 1, n)


register(
    "ch15.ewma_z",
    reference=ewma_z,
    whole=True,
    cases=lambda: [
        Case((_series(4, 300), 60)),
        Case((_series(5, 80), 10), note="halflife 10"),
        Case((_series(6, 40), 3), note="halflife 3"),
    ],
    forbidden=("bricks.quant.scaling:ewma_zscore",),
    mistakes=[
        Mistake(
            _ewma(update_first=True),
            "the statistics updated with today before today's z: today leaks into its own scale",
            "formula",
        ),
        Mistake(
            _ewma(a_of=lambda h: 1 / h),
            "a = 1 / halflife: that is a span, not a half-life (a = 1 - 2^(-1/h))",
            "formula",
        ),
        Mistake(
            _ewma(warm=lambda h: h - 1), "one warm-up day too few (NaN for the first halflife - 1 days)", "off-by-one"
        ),
        Mistake(
            _ewma(warm=lambda h: 0), "no warm-up: the first days' z-scores rest on almost no history", "missing term"
        ),
        Mistake(_ewma(sqrt=False), "divided by the variance, not its square root", "formula"),
        Mistake(
            lambda x, h: (lambda z: np.where(np.isnan(z), np.nan, -z))(ewma_z(x, h)), "m - x instead of x - m", "sign"
        ),
    ],
)
