"""Chapter 2a, cross-entropy: a softmax that does not overflow, the output deltas of three losses."""

import numpy as np

from bricks.teaching.exercises import Case, Mistake, register
from bricks.teaching.exercises._common import normal, rng


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))  # (N, K)
    return e / e.sum(axis=1, keepdims=True)


def _softmax_naive(z):
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)


def _softmax_global_max(z):
    with np.errstate(invalid="ignore"):
        e = np.exp(z - z.max())
        return e / e.sum(axis=1, keepdims=True)


def _softmax_min(z):
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(z - z.min(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)


register(
    "ch02a.softmax",
    reference=softmax,
    cases=lambda: [
        Case((np.array([[1.0, 2.0, 3.0], [1000.0, 0.0, -1000.0]]),), note="a logit of 1000"),
        Case((normal(5, 4, 5, scale=3.0),)),
        Case((np.array([[2.0, 2.0, -1.0]]),), note="a tie"),
        Case((normal(6, 3, 2),), note="two classes"),
    ],
    forbidden=("bricks.activations:softmax",),
    mistakes=[
        Mistake(_softmax_naive, "exp(z) without subtracting the row's maximum overflows at a logit of 1000", "formula"),
        Mistake(
            lambda z: (
                np.exp(z - z.max(axis=0, keepdims=True))
                / np.exp(z - z.max(axis=0, keepdims=True)).sum(axis=0, keepdims=True)
            ),
            "normalised over axis 0 (the samples) instead of axis 1 (the classes)",
            "index",
        ),
        Mistake(
            lambda z: np.exp(z - z.max(axis=1, keepdims=True)) / np.exp(z - z.max(axis=1, keepdims=True)).sum(),
            "divided by the sum over the whole batch, not per row",
            "formula",
        ),
        Mistake(
            _softmax_global_max,
            "the maximum of the whole batch, not of each row: a row far below it underflows to 0/0",
            "formula",
        ),
        Mistake(_softmax_min, "the row's minimum subtracted instead of its maximum", "formula"),
        Mistake(
            lambda z: np.exp(z - z.max(axis=1, keepdims=True)),
            "the normalisation (divide by the row's sum) is missing",
            "missing term",
        ),
    ],
)


def output_delta(kind, h2, Y):
    N = len(Y)
    if kind == "squared_error":
        return (h2 - Y) * h2 * (1 - h2) / N
    if kind == "binary_ce":
        return (h2 - Y) / (2 * N)
    return (h2 - Y) / N


def _od_cases():
    out = []
    for seed, N in ((11, 4), (12, 6), (13, 3)):
        r = rng(seed)
        h2 = r.uniform(0.05, 0.95, (N, 2))
        Y = np.eye(2)[r.integers(0, 2, N)]
        for kind in ("squared_error", "binary_ce", "softmax_ce"):
            out.append(Case((kind, h2, Y), note=kind))
    return out


def _od(sq, bce, sce):
    def wrong(kind, h2, Y):
        N = len(Y)
        return {"squared_error": sq, "binary_ce": bce, "softmax_ce": sce}[kind](h2, Y, N)

    return wrong


_SQ = lambda h, y, n: (h - y) * h * (1 - h) / n  # noqa: E731
_BCE = lambda h, y, n: (h - y) / (2 * n)  # noqa: E731
_SCE = lambda h, y, n: (h - y) / n  # noqa: E731

register(
    "ch02a.output_delta",
    reference=output_delta,
    cases=_od_cases,
    mistakes=[
        Mistake(
            _od(_SQ, _SCE, _SCE), "binary cross-entropy without its 1/2 (its mean runs over N x 2 entries)", "factor"
        ),
        Mistake(
            _od(lambda h, y, n: (h - y) / n, _BCE, _SCE),
            "squared error without sigma'(z2) = h2 (1 - h2)",
            "missing term",
        ),
        Mistake(
            _od(
                lambda h, y, n: (y - h) * h * (1 - h) / n,
                lambda h, y, n: (y - h) / (2 * n),
                lambda h, y, n: (y - h) / n,
            ),
            "(Y - h2) instead of (h2 - Y)",
            "sign",
        ),
        Mistake(
            _od(lambda h, y, n: (h - y) * h * (1 - h), lambda h, y, n: (h - y) / 2, lambda h, y, n: h - y),
            "the 1/N of the mean is missing",
            "factor",
        ),
        Mistake(
            _od(_SQ, _BCE, lambda h, y, n: (h - y) * h * (1 - h) / n),
            "softmax cross-entropy with an extra sigma' (it cancels)",
            "formula",
        ),
        Mistake(
            _od(lambda h, y, n: 2 * (h - y) * h * (1 - h) / n, _BCE, _SCE),
            "squared error with a 2 (the loss is 1/2 (h - y)^2)",
            "factor",
        ),
    ],
)


def softmax_ce(z, Y):
    N = len(z)
    s = z - z.max(axis=1, keepdims=True)  # (N, K) z - max z
    log_p = s - np.log(np.exp(s).sum(axis=1, keepdims=True))  # (N, K) log softmax (log-sum-exp)
    loss = -np.sum(Y * log_p) / N
    return loss, (np.exp(log_p) - Y) / N  # the loss and dL/dz


def _softmax_ce_log_of_p(z, Y):
    """The stable softmax, then log p: log 0 = -inf once a probability underflows."""
    N = len(z)
    p = softmax(z)
    with np.errstate(divide="ignore", invalid="ignore"):
        return -np.sum(Y * np.log(p)) / N, (p - Y) / N


def _sce_case(seed, N, K, note=""):
    r = rng(seed)
    return Case((r.normal(0, 2, (N, K)), np.eye(K)[r.integers(0, K, N)]), note=note)


def _sce_gradient(answer, case):
    from bricks.teaching import gradcheck

    z, Y = (np.array(a, dtype=np.float64) for a in case.args)
    _, dz = answer(z.copy(), Y.copy())
    return {"dz": gradcheck.rel_error(dz, gradcheck.numerical_gradient(lambda: softmax_ce(z, Y)[0], z))}


def _sce(loss=None, grad=None):
    def wrong(z, Y):
        N = len(z)
        p = softmax(z)
        return (loss(p, Y, N) if loss else -np.sum(Y * np.log(p)) / N), (grad(p, Y, N) if grad else (p - Y) / N)

    return wrong


register(
    "ch02a.softmax_ce",
    outputs=("mean cross-entropy", "dL/dz"),
    reference=softmax_ce,
    whole=True,
    gradient=_sce_gradient,
    cases=lambda: [
        _sce_case(31, 4, 3),
        _sce_case(32, 6, 2, "two classes"),
        Case(
            (np.array([[710.0, 709.0, 700.0], [1.0, 2.0, 3.0]]), np.eye(3)[[1, 2]]),
            note="logits above 709: exp overflows",
        ),
        Case(
            (np.array([[800.0, 0.0, 0.0], [0.0, 800.0, 0.0]]), np.eye(3)[[0, 2]]),
            note="a lead of 800: the other classes' probabilities underflow to 0",
        ),
    ],
    forbidden=("bricks.losses:CategoricalCrossentropy", "bricks.activations:softmax"),
    mistakes=[
        Mistake(_sce(grad=lambda p, Y, N: p - Y), "dL/dz without the 1/N of the mean", "factor"),
        Mistake(_sce(grad=lambda p, Y, N: (Y - p) / N), "Y - p: the sign", "sign"),
        Mistake(_sce(loss=lambda p, Y, N: -np.sum(Y * np.log(p))), "the loss summed, not averaged", "factor"),
        Mistake(
            _sce(grad=lambda p, Y, N: (p - Y) * p * (1 - p) / N),
            "an extra p (1 - p): softmax and cross-entropy's Jacobians cancel to p - Y",
            "formula",
        ),
        Mistake(
            _sce(loss=lambda p, Y, N: -np.sum(Y * np.log(p) + (1 - Y) * np.log(1 - p)) / N),
            "the binary cross-entropy summed over the classes",
            "formula",
        ),
        Mistake(
            lambda z, Y: (lambda p: (-np.sum(Y * np.log(p)) / len(z), (p - Y) / len(z)))(_softmax_naive(z)),
            "no max subtracted: exp(710) overflows",
            "formula",
        ),
        Mistake(
            _softmax_ce_log_of_p,
            "log of the softmax: a probability that underflows to 0 gives log 0 = -inf (use log-sum-exp)",
            "formula",
        ),
    ],
)
