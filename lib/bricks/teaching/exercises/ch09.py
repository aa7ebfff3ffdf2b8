"""Chapter 9, RNN and BPTT: one step forward, one step back, the whole backward loop through time."""

import numpy as np

from bricks.teaching.exercises import Case, Mistake, register
from bricks.teaching.exercises._common import rng, sigmoid


def rnn_step(x_t, h_prev, U, W, b):
    return np.tanh(x_t @ U + h_prev @ W + b)  # (N, D) @ (D, H) + (N, H) @ (H, H) + (H,)


def _step_case(seed, N, D, H, note=""):
    r = rng(seed)
    return Case(
        (
            r.standard_normal((N, D)),
            r.standard_normal((N, H)),
            r.standard_normal((D, H)),
            r.standard_normal((H, H)),
            r.standard_normal(H),
        ),
        note=note,
    )


register(
    "ch09.rnn_step",
    reference=rnn_step,
    cases=lambda: [_step_case(7, 2, 3, 4), _step_case(8, 3, 4, 4, "D = H"), _step_case(9, 1, 2, 3)],
    forbidden=("bricks.layers.recurrent:SimpleRNN",),
    mistakes=[
        Mistake(lambda x, h, U, W, b: sigmoid(x @ U + h @ W + b), "a sigmoid where SimpleRNN uses tanh", "formula"),
        Mistake(lambda x, h, U, W, b: np.tanh(x @ U + h @ W.T + b), "the recurrent kernel transposed", "transpose"),
        Mistake(lambda x, h, U, W, b: np.tanh(x @ U + b), "the previous state is missing: no memory", "missing term"),
        Mistake(lambda x, h, U, W, b: np.tanh(x @ U + h @ W), "the bias is missing", "missing term"),
        Mistake(lambda x, h, U, W, b: x @ U + h @ W + b, "the tanh is missing", "missing term"),
        Mistake(
            lambda x, h, U, W, b: np.tanh(x @ U + h @ W + b) + h, "the previous state added to the output", "formula"
        ),
        Mistake(
            lambda x, h, U, W, b: np.tanh(x @ U + h @ W) + b,
            "the bias added after the tanh: it belongs inside, tanh(x U + h W + b)",
            "formula",
        ),
    ],
)


def bptt_step(do_t, da_next, h_t, V, W):
    dh = do_t @ V.T + da_next @ W.T  # both paths into h_t: (N, K) (K, H) and (N, H) (H, H)
    return dh * (1 - h_t**2)  # through tanh


def _bptt_case(seed, N, H, K, note=""):
    r = rng(seed)
    return Case(
        (
            r.standard_normal((N, K)),
            r.standard_normal((N, H)),
            np.tanh(r.standard_normal((N, H))),
            r.standard_normal((H, K)),
            r.standard_normal((H, H)),
        ),
        note=note,
    )


register(
    "ch09.bptt_step",
    reference=bptt_step,
    cases=lambda: [_bptt_case(8, 2, 4, 3), _bptt_case(9, 3, 3, 3, "K = H"), _bptt_case(10, 1, 2, 1)],
    mistakes=[
        Mistake(lambda do, da, h, V, W: (do @ V.T + da @ W) * (1 - h**2), "W without its transpose", "transpose"),
        Mistake(
            lambda do, da, h, V, W: (do @ V.T) * (1 - h**2),
            "the path from the future (da_next W^T) is missing",
            "missing term",
        ),
        Mistake(lambda do, da, h, V, W: (do @ V.T + da @ W.T) * (1 - h), "1 - h_t where tanh' is 1 - h_t^2", "formula"),
        Mistake(lambda do, da, h, V, W: do @ V.T + da @ W.T, "tanh's derivative is missing", "missing term"),
        Mistake(
            lambda do, da, h, V, W: (do @ V.T + da @ W.T) * (1 - np.tanh(h) ** 2),
            "tanh applied again to h_t (already tanh(a_t))",
            "formula",
        ),
        Mistake(lambda do, da, h, V, W: (do @ V.T - da @ W.T) * (1 - h**2), "the future's path subtracted", "sign"),
        Mistake(
            lambda do, da, h, V, W: do @ V.T * (1 - h**2) + da @ W.T,
            "tanh' applied to the output's path only: both paths into h_t (do V^T + da_next W^T) go through tanh'",
            "formula",
        ),
    ],
)


def rnn_backward(xs, hs, h0, U, W, dhs):
    N, T, H = hs.shape
    dU, dW, db = np.zeros_like(U), np.zeros_like(W), np.zeros(H)
    da_next = np.zeros((N, H))
    for t in reversed(range(T)):
        h_prev = hs[:, t - 1] if t > 0 else h0  # (N, H)
        dh = dhs[:, t] + da_next @ W.T  # from the output and from step t + 1
        da = dh * (1 - hs[:, t] ** 2)  # through tanh
        dU += xs[:, t].T @ da  # (D, N) @ (N, H)
        dW += h_prev.T @ da  # (H, N) @ (N, H)
        db += da.sum(axis=0)
        da_next = da
    return dU, dW, db, da_next @ W.T  # ..., dh0


def _rnn_forward(xs, h0, U, W, b):
    hs, h = [], h0
    for t in range(xs.shape[1]):
        h = np.tanh(xs[:, t] @ U + h @ W + b)
        hs.append(h)
    return np.stack(hs, axis=1)


def _rnn_case(seed, N, T, D, H, note=""):
    r = rng(seed)
    xs, h0 = r.standard_normal((N, T, D)), 0.5 * r.standard_normal((N, H))
    U, W, b = r.standard_normal((D, H)), 0.8 * r.standard_normal((H, H)) / np.sqrt(H), r.standard_normal(H)
    return Case((xs, _rnn_forward(xs, h0, U, W, b), h0, U, W, r.standard_normal((N, T, H))), note=note)


def _rnn_gradient(answer, case):
    from bricks.teaching import gradcheck

    xs, hs, h0, U, W, dhs = (np.array(a, dtype=np.float64) for a in case.args)
    # recover b from the first step: atanh(h_1) = x_1 U + h0 W + b
    b = (np.arctanh(hs[:, 0]) - xs[:, 0] @ U - h0 @ W)[0]
    dU, dW, db, dh0 = answer(xs.copy(), hs.copy(), h0.copy(), U.copy(), W.copy(), dhs.copy())
    loss = lambda: float(np.sum(_rnn_forward(xs, h0, U, W, b) * dhs))  # noqa: E731
    return {
        name: gradcheck.rel_error(got, gradcheck.numerical_gradient(loss, arr))
        for name, got, arr in (("dU", dU, U), ("dW", dW, W), ("db", db, b), ("dh0", dh0, h0))
    }


def _rnn_slip(change, dh0_of=lambda da, W: da @ W.T):
    def wrong(xs, hs, h0, U, W, dhs):
        N, T, H = hs.shape
        dU, dW, db = np.zeros_like(U), np.zeros_like(W), np.zeros(H)
        da_next = np.zeros((N, H))
        for t in reversed(range(T)):
            h_prev = hs[:, t - 1] if t > 0 else h0
            dh, da, h_prev = change(t, dhs, da_next, hs, W, h_prev, h0)
            dU += xs[:, t].T @ da
            dW += h_prev.T @ da
            db += da.sum(axis=0)
            da_next = da
        return dU, dW, db, dh0_of(da_next, W)

    return wrong


def _ok(t, dhs, da_next, hs, W, h_prev, h0):
    dh = dhs[:, t] + da_next @ W.T
    return dh, dh * (1 - hs[:, t] ** 2), h_prev


register(
    "ch09.rnn_backward",
    outputs=("dU", "dW", "db", "dh0"),
    reference=rnn_backward,
    whole=True,
    gradient=_rnn_gradient,
    cases=lambda: [
        _rnn_case(21, 2, 5, 3, 4),
        _rnn_case(22, 3, 3, 2, 2, "a short sequence"),
        _rnn_case(23, 1, 6, 1, 3, "one feature"),
    ],
    forbidden=("bricks.layers.recurrent:SimpleRNN",),
    mistakes=[
        Mistake(
            _rnn_slip(lambda t, d, dn, hs, W, hp, h0: (d[:, t], d[:, t] * (1 - hs[:, t] ** 2), hp)),
            "the gradient from step t + 1 (da_next W^T) never reaches step t: that is truncation to one step",
            "missing term",
        ),
        Mistake(
            _rnn_slip(
                lambda t, d, dn, hs, W, hp, h0: (lambda dh: (dh, dh * (1 - hs[:, t] ** 2), hp))(d[:, t] + dn @ W)
            ),
            "da_next W without its transpose",
            "transpose",
        ),
        Mistake(
            _rnn_slip(
                lambda t, d, dn, hs, W, hp, h0: (lambda dh: (dh, dh * (1 - hs[:, t] ** 2), hs[:, t]))(
                    d[:, t] + dn @ W.T
                )
            ),
            "dW uses h_t where the previous state h_{t-1} multiplies W",
            "off-by-one",
        ),
        Mistake(
            _rnn_slip(lambda t, d, dn, hs, W, hp, h0: (lambda dh: (dh, dh * (1 - hs[:, t]), hp))(d[:, t] + dn @ W.T)),
            "1 - h where tanh' is 1 - h^2",
            "formula",
        ),
        Mistake(
            _rnn_slip(
                lambda t, d, dn, hs, W, hp, h0: (lambda dh: (dh, dh * (1 - hs[:, t] ** 2), hs[:, t - 1]))(
                    d[:, t] + dn @ W.T
                )
            ),
            "at t = 0 the previous state is h0, not hs[:, -1] (a negative index wraps around)",
            "index",
        ),
        Mistake(
            _rnn_slip(
                lambda t, d, dn, hs, W, hp, h0: (lambda dh: (dh, dh * (1 - hs[:, t] ** 2), hp))(d[:, t] - dn @ W.T)
            ),
            "the future's gradient subtracted",
            "sign",
        ),
        Mistake(
            _rnn_slip(_ok, dh0_of=lambda da, W: da),
            "dh0 returned as da_0, without W^T: h0 enters the first step through h0 W, so dh0 = da_0 W^T",
            "missing term",
        ),
    ],
)
