"""Chapter 4, build, train, predict: Dense's forward and backward, binary cross-entropy."""

import numpy as np

from bricks.teaching.exercises import Case, Mistake, register
from bricks.teaching.exercises._common import normal, rng


def dense_forward(x, kernel, bias):
    return x @ kernel + bias  # (N, T, D) @ (D, U) + (U,) -> (N, T, U)


def _dense_case(seed, N, T, D, U, note=""):
    return Case((normal(seed, N, T, D), normal(seed + 1, D, U), normal(seed + 2, U)), note=note)


register(
    "ch04.dense_forward",
    reference=dense_forward,
    cases=lambda: [
        _dense_case(1, 2, 5, 3, 4, "(N, T, D) windows"),
        _dense_case(4, 3, 2, 4, 4, "a square kernel"),
        _dense_case(7, 1, 3, 2, 1, "one unit"),
    ],
    forbidden=("bricks.layers.core:Dense",),
    mistakes=[
        Mistake(lambda x, W, b: x @ W, "the bias is missing", "missing term"),
        Mistake(lambda x, W, b: x @ W - b, "the bias subtracted", "sign"),
        Mistake(lambda x, W, b: x @ W.T + b, "the kernel transposed", "transpose"),
        Mistake(
            lambda x, W, b: np.einsum("ntd,du->nu", x, W) + b,
            "summed over the time steps: (N, U), not (N, T, U)",
            "shape",
        ),
        Mistake(lambda x, W, b: x[:, -1] @ W + b, "only the last time step", "shape"),
        Mistake(lambda x, W, b: (x @ W + b) / x.shape[-1], "an extra 1/D", "factor"),
    ],
)


def dense_backward(x, kernel, dy):
    dx = dy @ kernel.T  # (N, T, U) @ (U, D) -> (N, T, D)
    dkernel = np.einsum("ntd,ntu->du", x, dy)  # (D, U): summed over samples and steps
    dbias = dy.sum(axis=(0, 1))  # (U,)
    return dx, dkernel, dbias


def _dense_bw_case(seed, N, T, D, U, note=""):
    r = rng(seed)
    return Case((r.standard_normal((N, T, D)), r.standard_normal((D, U)), r.standard_normal((N, T, U))), note=note)


def _dense_gradient(answer, case):
    from bricks.teaching import gradcheck

    x, W, dy = (np.array(a, dtype=np.float64) for a in case.args)
    b = np.linspace(-0.5, 0.5, W.shape[1])
    dx, dW, db = answer(x.copy(), W.copy(), dy.copy())
    loss = lambda: float(np.sum((x @ W + b) * dy))  # noqa: E731
    return {
        "dx": gradcheck.rel_error(dx, gradcheck.numerical_gradient(loss, x)),
        "dkernel": gradcheck.rel_error(dW, gradcheck.numerical_gradient(loss, W)),
        "dbias": gradcheck.rel_error(db, gradcheck.numerical_gradient(loss, b)),
    }


register(
    "ch04.dense_backward",
    outputs=("dx", "dkernel", "dbias"),
    reference=dense_backward,
    whole=True,
    gradient=_dense_gradient,
    cases=lambda: [
        _dense_bw_case(11, 2, 3, 4, 2),
        _dense_bw_case(12, 3, 1, 3, 3, "one step, a square kernel"),
        _dense_bw_case(13, 1, 4, 2, 5),
    ],
    forbidden=("bricks.layers.core:Dense",),
    mistakes=[
        Mistake(
            lambda x, W, dy: (dy @ W, np.einsum("ntd,ntu->du", x, dy), dy.sum(axis=(0, 1))),
            "dx = dy W: the kernel needs its transpose",
            "transpose",
        ),
        Mistake(
            lambda x, W, dy: (dy @ W.T, np.einsum("ntd,ntu->ud", x, dy), dy.sum(axis=(0, 1))),
            "dkernel transposed: (U, D) instead of (D, U)",
            "transpose",
        ),
        Mistake(
            lambda x, W, dy: (dy @ W.T, np.einsum("ntd,ntu->du", x, dy), dy.sum(axis=0)),
            "dbias summed over the samples only: the time axis remains",
            "shape",
        ),
        Mistake(
            lambda x, W, dy: (dy @ W.T, np.einsum("ntd,ntu->du", x, dy) / len(x), dy.sum(axis=(0, 1)) / len(x)),
            "an extra 1/N (the loss's mean is already in dy)",
            "factor",
        ),
        Mistake(
            lambda x, W, dy: (dy @ W.T, x[:, -1].T @ dy[:, -1], dy.sum(axis=(0, 1))),
            "dkernel from the last time step only (a term per step is missing)",
            "missing term",
        ),
        Mistake(
            lambda x, W, dy: (-(dy @ W.T), np.einsum("ntd,ntu->du", x, dy), dy.sum(axis=(0, 1))),
            "dx with the wrong sign",
            "sign",
        ),
    ],
)


def binary_crossentropy(y, p):
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def _bce_case(seed, shape, note=""):
    r = rng(seed)
    return Case(((r.uniform(size=shape) < 0.4).astype(float), r.uniform(0.02, 0.98, shape)), note=note)


register(
    "ch04.binary_crossentropy",
    reference=binary_crossentropy,
    rtol=1e-6,
    cases=lambda: [
        _bce_case(21, (50, 1), "a column of 50"),
        _bce_case(22, (7, 3), "three outputs"),
        Case((np.array([[1.0], [0.0], [1.0]]), np.array([[0.9], [0.2], [0.6]])), note="three points"),
    ],
    forbidden=("bricks.losses:BinaryCrossentropy",),
    mistakes=[
        Mistake(lambda y, p: -np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)), "a sum instead of the mean", "factor"),
        Mistake(
            lambda y, p: -np.mean(y * np.log10(p) + (1 - y) * np.log10(1 - p)),
            "log base 10 instead of the natural log",
            "factor",
        ),
        Mistake(lambda y, p: np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)), "the minus sign is missing", "sign"),
        Mistake(lambda y, p: -np.mean(y * np.log(p)), "the (1 - y) log(1 - p) term is missing", "missing term"),
        Mistake(
            lambda y, p: -np.mean(p * np.log(y + 1e-12) + (1 - p) * np.log(1 - y + 1e-12)), "y and p swapped", "formula"
        ),
        Mistake(
            lambda y, p: -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p), axis=0),
            "a mean per column, not one number",
            "shape",
        ),
    ],
)
