"""Chapter 8, going deep: the residual block's backward, BatchNormalization's forward and backward."""

import numpy as np

from bricks.teaching.exercises import Case, Mistake, register
from bricks.teaching.exercises._common import normal, rng


def residual_backward(dy, branch_backward):
    return dy + branch_backward(dy)  # the skip path, plus the branch


def _branch(seed, n, units, activation):
    """A built Dense branch that has seen a batch, and its backward (a bound method)."""
    from bricks import Dense

    layer = Dense(units, activation=activation, kernel_initializer="glorot_normal")
    layer.build((None, units))
    r = rng(seed)
    layer.set_weights([r.standard_normal((units, units)), r.standard_normal(units)])
    layer.forward(r.standard_normal((n, units)))
    return layer.backward


register(
    "ch08.residual_backward",
    reference=residual_backward,
    cases=lambda: [
        Case((normal(1, 3, 4), _branch(2, 3, 4, "sigmoid")), note="a sigmoid branch"),
        Case((normal(3, 5, 2), _branch(4, 5, 2, "tanh")), note="a tanh branch"),
        Case((normal(5, 2, 3), _branch(6, 2, 3, None)), note="a linear branch"),
    ],
    forbidden=("bricks.layers.residual:Residual",),
    mistakes=[
        Mistake(
            lambda dy, f: f(dy), "the skip path is missing: dL/dx gets dy straight through the addition", "missing term"
        ),
        Mistake(lambda dy, f: dy, "the branch is missing", "missing term"),
        Mistake(lambda dy, f: dy - f(dy), "the branch subtracted", "sign"),
        Mistake(
            lambda dy, f: 0.5 * (dy + f(dy)), "averaged: an addition passes the whole gradient to both inputs", "factor"
        ),
        Mistake(lambda dy, f: dy * f(dy), "multiplied instead of added", "formula"),
        Mistake(lambda dy, f: dy + f(np.ones_like(dy)), "the branch's backward on ones, not on dy", "formula"),
    ],
)


def batchnorm_train(x, gamma, beta, epsilon=1e-3):
    mean, var = x.mean(axis=0), x.var(axis=0)  # (C,) each, the biased variance
    return gamma * (x - mean) / np.sqrt(var + epsilon) + beta


def _bn_case(seed, N, C, note=""):
    r = rng(seed)
    return Case((r.normal(1.0, 2.0, (N, C)), r.uniform(0.5, 1.5, C), r.normal(size=C)), note=note)


register(
    "ch08.batchnorm_train",
    reference=batchnorm_train,
    cases=lambda: [
        _bn_case(7, 5, 3),
        _bn_case(8, 8, 2, "a square-ish batch"),
        Case(
            (np.array([[0.01, 5.0], [0.03, -1.0], [0.02, 2.0]]), np.array([1.2, 0.7]), np.array([0.1, -0.3])),
            note="a channel with a tiny variance, where epsilon matters",
        ),
    ],
    forbidden=("bricks.layers.normalization:batchnorm_forward", "bricks.layers.normalization:BatchNormalization"),
    mistakes=[
        Mistake(
            lambda x, g, b, epsilon=1e-3: g * (x - x.mean(0)) / np.sqrt(x.var(0, ddof=1) + epsilon) + b,
            "the unbiased variance (ddof=1): BatchNormalization uses the biased one",
            "factor",
        ),
        Mistake(
            lambda x, g, b, epsilon=1e-3: g * (x - x.mean(0)) / np.sqrt(x.var(0)) + b,
            "epsilon is missing",
            "missing term",
        ),
        Mistake(
            lambda x, g, b, epsilon=1e-3: g * (x - x.mean(0)) / (np.sqrt(x.var(0)) + epsilon) + b,
            "epsilon outside the square root",
            "formula",
        ),
        Mistake(
            lambda x, g, b, epsilon=1e-3: (
                g * (x - x.mean(1, keepdims=True)) / np.sqrt(x.var(1, keepdims=True) + epsilon) + b
            ),
            "statistics per sample (axis 1): that is LayerNormalization",
            "index",
        ),
        Mistake(
            lambda x, g, b, epsilon=1e-3: b * (x - x.mean(0)) / np.sqrt(x.var(0) + epsilon) + g,
            "gamma and beta swapped",
            "formula",
        ),
        Mistake(
            lambda x, g, b, epsilon=1e-3: g * (x - x.mean(0)) / (x.var(0) + epsilon) + b,
            "divided by the variance, not the standard deviation",
            "formula",
        ),
        Mistake(
            lambda x, g, b, epsilon=1e-3: g * (x - x.mean()) / np.sqrt(x.var() + epsilon) + b,
            "one mean and variance for the whole batch, not per channel",
            "shape",
        ),
    ],
)


def batchnorm_backward(dy, x, gamma, epsilon=1e-3):
    m = x.shape[0]
    xhat = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + epsilon)  # (N, C)
    dxhat = dy * gamma  # (N, C)
    dx = (m * dxhat - dxhat.sum(axis=0) - xhat * (dxhat * xhat).sum(axis=0)) / (m * np.sqrt(x.var(axis=0) + epsilon))
    return dx, (dy * xhat).sum(axis=0), dy.sum(axis=0)


def _bn_bw_case(seed, N, C, note=""):
    r = rng(seed)
    return Case((r.standard_normal((N, C)), r.normal(0.5, 1.5, (N, C)), r.uniform(0.5, 1.5, C)), note=note)


def _bn_gradient(answer, case):
    from bricks.teaching import gradcheck

    dy, x, gamma = (np.array(a, dtype=np.float64) for a in case.args)
    beta = np.linspace(-1, 1, x.shape[1])
    dx, dgamma, dbeta = answer(dy.copy(), x.copy(), gamma.copy())
    loss = lambda: float(np.sum(batchnorm_train(x, gamma, beta) * dy))  # noqa: E731
    return {
        "dx": gradcheck.rel_error(dx, gradcheck.numerical_gradient(loss, x)),
        "dgamma": gradcheck.rel_error(dgamma, gradcheck.numerical_gradient(loss, gamma)),
        "dbeta": gradcheck.rel_error(dbeta, gradcheck.numerical_gradient(loss, beta)),
    }


def _bn_slip(change):
    def wrong(dy, x, gamma, epsilon=1e-3):
        m = x.shape[0]
        std = np.sqrt(x.var(axis=0) + epsilon)
        xhat = (x - x.mean(axis=0)) / std
        dxhat = dy * gamma
        return change(m, std, xhat, dxhat, dy)

    return wrong


register(
    "ch08.batchnorm_backward",
    outputs=("dx", "dgamma", "dbeta"),
    reference=batchnorm_backward,
    whole=True,
    gradient=_bn_gradient,
    cases=lambda: [
        _bn_bw_case(11, 6, 3),
        _bn_bw_case(12, 4, 4, "four channels"),
        _bn_bw_case(13, 9, 1, "one channel"),
    ],
    forbidden=(
        "bricks.layers.normalization:batchnorm_backward",
        "bricks.layers.normalization:batchnorm_backward_compact",
        "bricks.layers.normalization:BatchNormalization",
    ),
    mistakes=[
        Mistake(
            _bn_slip(lambda m, s, xh, d, dy: (d / s, (dy * xh).sum(0), dy.sum(0))),
            "dx = gamma dy / std: the paths through the batch mean and variance are missing",
            "missing term",
        ),
        Mistake(
            _bn_slip(lambda m, s, xh, d, dy: ((m * d - d.sum(0)) / (m * s), (dy * xh).sum(0), dy.sum(0))),
            "the path through the variance (- xhat sum(dxhat xhat)) is missing",
            "missing term",
        ),
        Mistake(
            _bn_slip(
                lambda m, s, xh, d, dy: (
                    (m * dy - dy.sum(0) - xh * (dy * xh).sum(0)) / (m * s),
                    (dy * xh).sum(0),
                    dy.sum(0),
                )
            ),
            "gamma is left out of dxhat = gamma dy",
            "missing term",
        ),
        Mistake(
            _bn_slip(
                lambda m, s, xh, d, dy: (
                    (m * d - d.sum(0) - xh * (d * xh).sum(0)) / (m * s),
                    (dy * xh).sum(0) / m,
                    dy.sum(0) / m,
                )
            ),
            "dgamma and dbeta averaged over the batch instead of summed",
            "factor",
        ),
        Mistake(
            _bn_slip(
                lambda m, s, xh, d, dy: (
                    (m * d - d.sum(0) + xh * (d * xh).sum(0)) / (m * s),
                    (dy * xh).sum(0),
                    dy.sum(0),
                )
            ),
            "+ xhat sum(dxhat xhat): the sign of the variance path",
            "sign",
        ),
        Mistake(
            _bn_slip(
                lambda m, s, xh, d, dy: ((m * d - d.sum(0) - xh * (d * xh).sum(0)) / (m * s), (dy * xh).sum(), dy.sum())
            ),
            "dgamma and dbeta summed over everything: one number, not one per channel",
            "shape",
        ),
    ],
)
