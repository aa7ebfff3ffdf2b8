"""Chapter 14, predicting an index: a scaler fitted on the past only, the pooled IC and its t."""

import math

import numpy as np

from bricks.teaching.exercises import Case, Mistake, register
from bricks.teaching.exercises._common import rng


def past_only_standardize(x_train, x_test):
    axes = tuple(range(x_train.ndim - 1))  # every axis but the features
    mean, std = x_train.mean(axis=axes), x_train.std(axis=axes)
    return (x_train - mean) / std, (x_test - mean) / std


def _std_case(seed, train_shape, test_shape, note=""):
    r = rng(seed)
    scale = np.linspace(0.5, 3.0, train_shape[-1])
    return Case((r.normal(1.0, 1.0, train_shape) * scale, r.normal(2.0, 1.5, test_shape) * scale), note=note)


def _both(f):
    return lambda tr, te: f(tr, te)


def _own(tr, te):
    ax = tuple(range(tr.ndim - 1))
    return (tr - tr.mean(ax)) / tr.std(ax), (te - te.mean(ax)) / te.std(ax)


def _pooled(tr, te):
    ax = tuple(range(tr.ndim - 1))
    allx = np.concatenate([tr, te])
    return (tr - allx.mean(ax)) / allx.std(ax), (te - allx.mean(ax)) / allx.std(ax)


register(
    "ch14.past_only_standardize",
    outputs=("the standardised x_train", "the standardised x_test"),
    reference=past_only_standardize,
    whole=True,
    cases=lambda: [
        _std_case(1, (40, 3), (10, 3), "rows of features"),
        _std_case(2, (20, 5, 2), (6, 5, 2), "windows (N, T, F)"),
        _std_case(3, (30, 4), (30, 4), "a test block as long as the training block"),
    ],
    forbidden=("bricks.quant.prep:StandardScaler",),
    mistakes=[
        Mistake(_own, "the test block standardised with its own mean and std: it uses the future", "formula"),
        Mistake(_pooled, "statistics of train and test together: the test block leaks into the scaler", "formula"),
        Mistake(
            lambda tr, te: (
                lambda ax: ((tr - tr.mean(ax)) / tr.std(ax, ddof=1), (te - tr.mean(ax)) / tr.std(ax, ddof=1))
            )(tuple(range(tr.ndim - 1))),
            "the unbiased std (ddof=1): the scaler uses ddof=0",
            "factor",
        ),
        Mistake(
            lambda tr, te: ((tr - tr.mean(0)) / tr.std(0), (te - tr.mean(0)) / tr.std(0)),
            "statistics over axis 0 only: with windows (N, T, F) that gives one mean per time step",
            "index",
        ),
        Mistake(
            lambda tr, te: (lambda ax: (tr - tr.mean(ax), te - tr.mean(ax)))(tuple(range(tr.ndim - 1))),
            "centred but not divided by the std",
            "missing term",
        ),
        Mistake(
            lambda tr, te: (lambda ax: ((tr - tr.mean(ax)) / tr.std(ax), (te - tr.mean(ax)) / tr.std(ax)))(
                tuple(range(tr.ndim))
            ),
            "one mean and std over all features together",
            "shape",
        ),
    ],
)


def ic_and_t(forecast, target):
    r = np.corrcoef(forecast, target)[0, 1]
    n = len(target)
    return np.array([r, r * math.sqrt(n - 2) / math.sqrt(1 - r * r)])


def _ic_case(seed, n, rho, note=""):
    r = rng(seed)
    f = r.standard_normal(n)
    return Case((f, rho * f + math.sqrt(1 - rho**2) * r.standard_normal(n)), note=note)


register(
    "ch14.ic_and_t",
    reference=ic_and_t,
    cases=lambda: [
        _ic_case(4, 250, 0.05, "a weak IC"),
        _ic_case(5, 60, -0.3, "a negative IC"),
        _ic_case(6, 12, 0.6, "few days"),
    ],
    forbidden=("bricks.quant.power:ic_t",),
    mistakes=[
        Mistake(
            lambda f, y: (lambda r, n: np.array([r, r * math.sqrt(n)]))(np.corrcoef(f, y)[0, 1], len(y)),
            "t = r sqrt(n): the n - 2 and the sqrt(1 - r^2) are missing",
            "missing term",
        ),
        Mistake(
            lambda f, y: (lambda r, n: np.array([r, r * math.sqrt(n - 2)]))(np.corrcoef(f, y)[0, 1], len(y)),
            "the denominator sqrt(1 - r^2) is missing",
            "missing term",
        ),
        Mistake(
            lambda f, y: (lambda r, n: np.array([r, r * math.sqrt(n - 1) / math.sqrt(1 - r * r)]))(
                np.corrcoef(f, y)[0, 1], len(y)
            ),
            "n - 1 degrees of freedom where a correlation leaves n - 2",
            "off-by-one",
        ),
        Mistake(
            lambda f, y: (lambda r, n: np.array([r, r * math.sqrt(n - 2) / math.sqrt(1 - r * r)]))(
                np.cov(f, y)[0, 1] / np.var(y, ddof=1), len(y)
            ),
            "the regression slope (cov / var(target)), not the correlation",
            "formula",
        ),
        Mistake(
            lambda f, y: (lambda r, n: np.array([r, r * math.sqrt(n - 2) / (1 - r * r)]))(
                np.corrcoef(f, y)[0, 1], len(y)
            ),
            "1 - r^2 without its square root",
            "formula",
        ),
        Mistake(
            lambda f, y: (lambda r, n: np.array([r, r * math.sqrt(n - 2) / math.sqrt(1 - r * r)]))(
                np.corrcoef(np.argsort(np.argsort(f)), np.argsort(np.argsort(y)))[0, 1], len(y)
            ),
            "the rank (Spearman) correlation: the pooled IC here is Pearson's",
            "formula",
        ),
    ],
)
