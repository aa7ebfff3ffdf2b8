"""Chapter 5, convolution: UpSampling1D forward and backward, a whole Conv1D backward."""

import numpy as np

from bricks.teaching.exercises import Case, Mistake, register
from bricks.teaching.exercises._common import normal, rng


def upsample1d(x, size):
    return np.repeat(x, size, axis=1)  # (N, T, C) -> (N, size T, C)


register(
    "ch05.upsample1d",
    reference=upsample1d,
    cases=lambda: [
        Case((normal(8, 2, 4, 3), 3)),
        Case((normal(9, 1, 5, 2), 2)),
        Case((normal(10, 3, 2, 1), 4), note="one channel"),
    ],
    forbidden=("bricks.layers.reshaping:UpSampling1D",),
    mistakes=[
        Mistake(
            lambda x, s: np.tile(x, (1, s, 1)),
            "np.tile repeats the whole sequence (1 2 3 1 2 3), not each step (1 1 2 2 3 3)",
            "formula",
        ),
        Mistake(
            lambda x, s: np.repeat(x, s, axis=2),
            "repeated along the channels (axis 2), not the steps (axis 1)",
            "shape",
        ),
        Mistake(lambda x, s: np.repeat(x, s, axis=0), "repeated along the batch (axis 0)", "shape"),
        Mistake(lambda x, s: np.repeat(x, s), "np.repeat without an axis flattens the array", "shape"),
        Mistake(
            lambda x, s: np.repeat(x, s + 1, axis=1)[:, : s * x.shape[1]],
            "each step repeated size + 1 times, then cut",
            "off-by-one",
        ),
        Mistake(
            lambda x, s: np.concatenate([x] + [np.zeros_like(x)] * (s - 1), axis=1),
            "zeros for the copies (that is zero padding)",
            "formula",
        ),
    ],
)


def upsample1d_backward(dy, size):
    N, TS, C = dy.shape
    return dy.reshape(N, TS // size, size, C).sum(axis=2)  # (N, T, C)


register(
    "ch05.upsample1d_backward",
    reference=upsample1d_backward,
    cases=lambda: [
        Case((normal(11, 2, 12, 3), 3)),
        Case((normal(12, 1, 10, 2), 2)),
        Case((normal(13, 3, 8, 1), 4), note="one channel"),
    ],
    forbidden=("bricks.layers.reshaping:UpSampling1D",),
    mistakes=[
        Mistake(
            lambda dy, s: dy.reshape(dy.shape[0], s, dy.shape[1] // s, dy.shape[2]).sum(axis=1),
            "reshaped (N, size, T, C): that groups steps t, t + T, ... (np.tile's copies), "
            "not the size copies of one step",
            "index",
        ),
        Mistake(lambda dy, s: dy[:, ::s], "only the first copy's gradient, the others dropped", "missing term"),
        Mistake(
            lambda dy, s: dy.reshape(dy.shape[0], dy.shape[1] // s, s, dy.shape[2]).mean(axis=2),
            "the mean of the copies instead of their sum",
            "factor",
        ),
        Mistake(
            lambda dy, s: dy.reshape(dy.shape[0], dy.shape[1] // s, s, dy.shape[2]).sum(axis=2) / s**0 * -1,
            "the sign flipped",
            "sign",
        ),
        Mistake(lambda dy, s: dy, "the gradient passed through unchanged: (N, size T, C), not (N, T, C)", "shape"),
        Mistake(lambda dy, s: dy[:, s - 1 :: s], "only the last copy's gradient", "missing term"),
    ],
)


def conv1d_backward(x, kernel, dy):
    k = kernel.shape[0]
    T_out = x.shape[1] - k + 1
    dx, dkernel = np.zeros_like(x), np.zeros_like(kernel)
    for j in range(k):  # y[:, t] = sum_j x[:, t + j] @ kernel[j]
        dx[:, j : j + T_out] += dy @ kernel[j].T  # (N, T_out, F) @ (F, C)
        dkernel[j] = np.einsum("ntc,ntf->cf", x[:, j : j + T_out], dy)
    return dx, dkernel, dy.sum(axis=(0, 1))


def _conv_forward(x, kernel, bias):
    k = kernel.shape[0]
    T_out = x.shape[1] - k + 1
    return sum(x[:, j : j + T_out] @ kernel[j] for j in range(k)) + bias


def _conv_case(seed, N, T, C, k, F, note=""):
    r = rng(seed)
    return Case(
        (r.standard_normal((N, T, C)), r.standard_normal((k, C, F)), r.standard_normal((N, T - k + 1, F))), note=note
    )


def _conv_gradient(answer, case):
    from bricks.teaching import gradcheck

    x, W, dy = (np.array(a, dtype=np.float64) for a in case.args)
    b = np.linspace(-1, 1, W.shape[2])
    dx, dW, db = answer(x.copy(), W.copy(), dy.copy())
    loss = lambda: float(np.sum(_conv_forward(x, W, b) * dy))  # noqa: E731
    return {
        "dx": gradcheck.rel_error(dx, gradcheck.numerical_gradient(loss, x)),
        "dkernel": gradcheck.rel_error(dW, gradcheck.numerical_gradient(loss, W)),
        "dbias": gradcheck.rel_error(db, gradcheck.numerical_gradient(loss, b)),
    }


def _conv_slip(dx_fn=None, dk_fn=None):
    def wrong(x, kernel, dy):
        dx, dk, db = conv1d_backward(x, kernel, dy)
        return (dx_fn(x, kernel, dy, dx) if dx_fn else dx), (dk_fn(x, kernel, dy, dk) if dk_fn else dk), db

    return wrong


def _dx_no_overlap(x, kernel, dy, dx):
    k, T_out = kernel.shape[0], dy.shape[1]
    out = np.zeros_like(x)
    for j in range(k):
        out[:, j : j + T_out] = dy @ kernel[j].T  # = instead of +=: overlapping windows overwrite
    return out


def _dx_flipped(x, kernel, dy, dx):
    return conv1d_backward(x, kernel[::-1], dy)[0]


register(
    "ch05.conv1d_backward",
    outputs=("dx", "dkernel", "dbias"),
    reference=conv1d_backward,
    whole=True,
    gradient=_conv_gradient,
    cases=lambda: [
        _conv_case(31, 2, 7, 3, 3, 2),
        _conv_case(32, 1, 5, 2, 2, 4, "kernel size 2"),
        _conv_case(33, 3, 6, 1, 4, 1, "one channel in and out"),
    ],
    forbidden=("bricks.layers.conv:Conv1D",),
    mistakes=[
        Mistake(
            _conv_slip(dx_fn=_dx_no_overlap),
            "dx[:, j:j+T] = ... overwrites: the windows overlap, their gradients must add up (+=)",
            "missing term",
        ),
        Mistake(
            _conv_slip(dx_fn=_dx_flipped),
            "the kernel flipped in dx (that is a true convolution; Conv1D is a correlation)",
            "index",
        ),
        Mistake(
            _conv_slip(
                dk_fn=lambda x, W, dy, dk: (
                    np.transpose(dk, (0, 2, 1))
                    if dk.shape[1] == dk.shape[2]
                    else dk[:, :, ::-1] * 0 + np.swapaxes(dk, 1, 2).reshape(dk.shape)
                )
            ),
            "dkernel's channel axes swapped: (k, F, C) where (k, C, F) belongs",
            "transpose",
        ),
        Mistake(_conv_slip(dk_fn=lambda x, W, dy, dk: dk / x.shape[0]), "an extra 1/N in dkernel", "factor"),
        Mistake(
            _conv_slip(dx_fn=lambda x, W, dy, dx: dx[:, : dy.shape[1]]),
            "dx shaped like the output (T - k + 1 steps), not like x (T steps)",
            "shape",
        ),
        Mistake(
            _conv_slip(
                dk_fn=lambda x, W, dy, dk: np.stack(
                    [
                        np.einsum(
                            "ntc,ntf->cf",
                            x[:, j + 1 : j + 1 + dy.shape[1]]
                            if j + 1 + dy.shape[1] <= x.shape[1]
                            else x[:, j : j + dy.shape[1]],
                            dy,
                        )
                        for j in range(W.shape[0])
                    ]
                )
            ),
            "the window for dkernel[j] starts one step late",
            "off-by-one",
        ),
    ],
)
