"""Chapter 16, multi-factor: the Bonferroni line, the monthly cross-sectional IC."""

import numpy as np

from bricks.quant import factors
from bricks.teaching.exercises import Case, Mistake, register
from bricks.teaching.exercises._common import rng


def bonferroni_line(m):
    return factors.bonferroni_t(m)


register(
    "ch16.bonferroni_line",
    reference=bonferroni_line,
    rtol=1e-6,
    cases=lambda: [Case((5,)), Case((1,), note="one test: 1.96"), Case((20,)), Case((300,))],
    forbidden=("bricks.quant.factors:bonferroni_t",),
    mistakes=[
        Mistake(
            lambda m: factors.norm_ppf(1 - 0.05 / m), "one-sided: a two-sided test puts 0.05 / (2 m) in each tail", "factor"
        ),
        Mistake(lambda m: factors.norm_ppf(1 - 0.05 / 2), "the m tests are ignored (1.96 for every m)", "missing term"),
        Mistake(lambda m: factors.norm_ppf(0.05 / (2 * m)), "the lower tail: the line comes out negative", "sign"),
        Mistake(
            lambda m: factors.norm_ppf(1 - 0.05 * m / 2) if 0.05 * m / 2 < 1 else -10.0,
            "alpha times m instead of alpha / m",
            "formula",
        ),
        Mistake(lambda m: factors.norm_ppf(1 - (1 - 0.95 ** (1 / m)) / 2), "Sidak's correction, not Bonferroni's", "formula"),
        Mistake(lambda m: factors.norm_ppf(1 - 0.05 / (2 * (m + 1))), "m + 1 tests", "off-by-one"),
    ],
)


def monthly_ic(scores, returns):
    s = scores - scores.mean(axis=1, keepdims=True)
    r = returns - returns.mean(axis=1, keepdims=True)
    return (s * r).sum(axis=1) / np.sqrt((s * s).sum(axis=1) * (r * r).sum(axis=1))


def _ic_case(seed, D, A, note=""):
    r = rng(seed)
    s = r.standard_normal((D, A))
    return Case((s, 0.2 * s + r.standard_normal((D, A)) + r.normal(0, 2, (D, 1))), note=note)


register(
    "ch16.monthly_ic",
    reference=monthly_ic,
    cases=lambda: [
        _ic_case(1, 12, 30, "a market move each month"),
        _ic_case(2, 5, 8),
        _ic_case(3, 30, 6, "more months than assets"),
    ],
    forbidden=("bricks.quant.evaluation:ic_by_date",),
    mistakes=[
        Mistake(
            lambda s, r: monthly_ic(s.T, r.T),
            "the correlation of each asset over time (axis 0), not across assets each month",
            "transpose",
        ),
        Mistake(
            lambda s, r: (s * r).sum(1) / np.sqrt((s * s).sum(1) * (r * r).sum(1)),
            "not demeaned: the month's market move stays in",
            "missing term",
        ),
        Mistake(
            lambda s, r: np.full(len(s), np.corrcoef(s.ravel(), r.ravel())[0, 1]),
            "one pooled correlation repeated",
            "formula",
        ),
        Mistake(
            lambda s, r: ((s - s.mean(1, keepdims=True)) * (r - r.mean(1, keepdims=True))).mean(1),
            "the covariance, not the correlation",
            "missing term",
        ),
        Mistake(lambda s, r: -monthly_ic(s, r), "the sign flipped", "sign"),
        Mistake(
            lambda s, r: monthly_ic(s, r).mean(), "averaged to one number: the IC per month has shape (D,)", "shape"
        ),
    ],
)
