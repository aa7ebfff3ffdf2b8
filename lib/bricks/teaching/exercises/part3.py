"""Part III's final assignment (end of chapter 13): an LSTM's backward pass through time.

The forward pass (chapter 10, with a cache per step) is given in the notebook; the student writes
one step's backward pass and the loop through time that uses it; the notebook then puts the
weights into `bricks.LSTM` and compares every gradient with the layer's, and with finite differences.
"""

import copy

import numpy as np

from bricks.teaching.exercises import Case, Mistake, register
from bricks.teaching.exercises._common import rng, sigmoid


def lstm_forward(x, U, W, b):
    """hs (N, T, H) and one cache per step: (x_t, h_prev, c_prev, i, f, g, o, c)."""
    N, T, _ = x.shape
    H = W.shape[0]
    h, c, hs, caches = np.zeros((N, H)), np.zeros((N, H)), [], []
    for t in range(T):
        a_i, a_f, a_g, a_o = np.split(x[:, t] @ U + h @ W + b, 4, axis=1)  # Keras's order i, f, c, o
        i, f, g, o = sigmoid(a_i), sigmoid(a_f), np.tanh(a_g), sigmoid(a_o)
        c_new = f * c + i * g
        caches.append((x[:, t], h, c, i, f, g, o, c_new))
        h, c = o * np.tanh(c_new), c_new
        hs.append(h)
    return np.stack(hs, axis=1), caches


def lstm_step_backward(dh, dc_next, cache, U, W):
    x_t, h_prev, c_prev, i, f, g, o, c = cache
    tanh_c = np.tanh(c)
    dc = dc_next + dh * o * (1 - tanh_c**2)  # (N, H) all the gradient reaching c_t
    da = np.concatenate(
        [dc * g * i * (1 - i), dc * c_prev * f * (1 - f), dc * i * (1 - g**2), dh * tanh_c * o * (1 - o)], axis=1
    )  # (N, 4H), gates i, f, c, o
    return da @ U.T, da @ W.T, dc * f, x_t.T @ da, h_prev.T @ da, da.sum(axis=0)


def _weights(r, D, H):
    return 0.6 * r.standard_normal((D, 4 * H)), 0.6 * r.standard_normal((H, 4 * H)), 0.3 * r.standard_normal(4 * H)


def _step_case(seed, N, D, H, note=""):
    r = rng(seed)
    U, W, b = _weights(r, D, H)
    x_t, h_prev, c_prev = r.standard_normal((N, D)), r.standard_normal((N, H)), r.standard_normal((N, H))
    a_i, a_f, a_g, a_o = np.split(x_t @ U + h_prev @ W + b, 4, axis=1)
    i, f, g, o = sigmoid(a_i), sigmoid(a_f), np.tanh(a_g), sigmoid(a_o)
    cache = (x_t, h_prev, c_prev, i, f, g, o, f * c_prev + i * g)
    return Case((r.standard_normal((N, H)), r.standard_normal((N, H)), cache, U, W), note=note)


def _one_step(x_t, h_prev, c_prev, U, W, b):
    a_i, a_f, a_g, a_o = np.split(x_t @ U + h_prev @ W + b, 4, axis=1)
    c = sigmoid(a_f) * c_prev + sigmoid(a_i) * np.tanh(a_g)
    return sigmoid(a_o) * np.tanh(c), c


def _step_gradient(answer, case):
    """rel_error of the six gradients against finite differences of sum(dh h_t) + sum(dc_next c_t)."""
    from bricks.teaching import gradcheck

    dh, dc_next, cache, U, W = copy.deepcopy(case.args)
    x_t, h_prev, c_prev = cache[0].copy(), cache[1].copy(), cache[2].copy()
    # b is not an argument: recover it from the cached gates (their pre-activations minus x U + h W)
    a = np.concatenate([np.log(cache[3] / (1 - cache[3])), np.log(cache[4] / (1 - cache[4])),
                        np.arctanh(cache[5]), np.log(cache[6] / (1 - cache[6]))], axis=1)
    b = (a - x_t @ U - h_prev @ W).mean(axis=0)
    got = answer(dh.copy(), dc_next.copy(), copy.deepcopy(cache), U.copy(), W.copy())

    def f():
        h, c = _one_step(x_t, h_prev, c_prev, U, W, b)
        return np.sum(dh * h) + np.sum(dc_next * c)

    names = ("dx", "dh_prev", "dc_prev", "dU", "dW", "db")
    return {n: gradcheck.rel_error(g, gradcheck.numerical_gradient(f, arr))
            for n, g, arr in zip(names, got, (x_t, h_prev, c_prev, U, W, b))}


def _sb(dc_of=None, order="ifgo", o_uses_c=False, dh_prev_of=None, dc_prev_of=None, dU_of=None, db_of=None,
        raw_c=False):
    """A lstm_step_backward with one slip."""

    def wrong(dh, dc_next, cache, U, W):
        x_t, h_prev, c_prev, i, f, g, o, c = cache
        tanh_c = np.tanh(c)
        dc = dc_of(dc_next, dh, o, tanh_c) if dc_of else dc_next + dh * o * (1 - (c if raw_c else tanh_c) ** 2)
        parts = {"i": dc * g * i * (1 - i), "f": dc * c_prev * f * (1 - f), "g": dc * i * (1 - g**2),
                 "o": dh * (c if o_uses_c else tanh_c) * o * (1 - o)}
        da = np.concatenate([parts[k] for k in order], axis=1)
        dh_prev = dh_prev_of(da, W) if dh_prev_of else da @ W.T
        dc_prev = dc_prev_of(dc, f) if dc_prev_of else dc * f
        dU = dU_of(x_t, da) if dU_of else x_t.T @ da
        db = db_of(da) if db_of else da.sum(axis=0)
        return da @ U.T, dh_prev, dc_prev, dU, h_prev.T @ da, db

    return wrong


register(
    "part3.lstm_step_backward",
    outputs=("dx_t", "dh_prev", "dc_prev", "dU", "dW", "db"),
    reference=lstm_step_backward,
    whole=True,
    gradient=_step_gradient,
    cases=lambda: [
        _step_case(91, 3, 2, 4, note="3 samples, 2 inputs, 4 units"),
        _step_case(92, 2, 5, 3),
        _step_case(93, 4, 3, 2),
    ],
    forbidden=("bricks.layers.recurrent.steps:lstm_step_backward",),
    mistakes=[
        Mistake(_sb(dc_of=lambda dcn, dh, o, tc: dcn), "dc forgets the path through h_t = o tanh(c_t)", "missing term"),
        Mistake(_sb(dc_of=lambda dcn, dh, o, tc: dh * o * (1 - tc**2)),
                "the gradient arriving along the cell from step t + 1 (dc_next) is left out", "missing term"),
        Mistake(_sb(dc_prev_of=lambda dc, f: dc), "dc_prev = dc: the forget gate's factor f is missing", "missing term"),
        Mistake(_sb(order="ifog"), "gates concatenated as i, f, o, c: Keras's order is i, f, c, o", "index"),
        Mistake(_sb(o_uses_c=True), "the output gate's gradient uses c_t instead of tanh(c_t)", "formula"),
        Mistake(_sb(dh_prev_of=lambda da, W: da @ W), "dh_prev = da W: W^T is needed", "transpose"),
        Mistake(_sb(db_of=lambda da: da.mean(axis=0)), "db averaged over the samples instead of summed", "factor"),
        Mistake(_sb(raw_c=True), "tanh'(c_t) written 1 - c_t^2: c_t is no tanh output, tanh'(c_t) = 1 - tanh(c_t)^2",
                "formula"),
    ],
)


def lstm_bptt(dhs, caches, U, W):
    N, T, H = dhs.shape
    dx = np.zeros((N, T, U.shape[0]))
    dU, dW, db = np.zeros_like(U), np.zeros_like(W), np.zeros(U.shape[1])
    dh_next, dc_next = np.zeros((N, H)), np.zeros((N, H))
    for t in reversed(range(T)):  # from the last step back to the first
        dx[:, t], dh_next, dc_next, dU_t, dW_t, db_t = lstm_step_backward(dhs[:, t] + dh_next, dc_next, caches[t], U, W)
        dU, dW, db = dU + dU_t, dW + dW_t, db + db_t  # the weights are shared by every step
    return dx, dU, dW, db


def _bptt_case(seed, N, T, D, H, note=""):
    r = rng(seed)
    x = r.standard_normal((N, T, D))
    U, W, b = _weights(r, D, H)
    _, caches = lstm_forward(x, U, W, b)
    return Case((r.standard_normal((N, T, H)), caches, U, W), note=note)


def _bptt_gradient(answer, case):
    """rel_error of dx, dU, dW, db against finite differences of sum(dhs * hs) through the whole sequence."""
    from bricks.teaching import gradcheck

    dhs, caches, U, W = copy.deepcopy(case.args)
    x = np.stack([cache[0] for cache in caches], axis=1)
    step0 = caches[0]  # h_prev = c_prev = 0 at t = 0: the gates give x_0 U + b
    a = np.concatenate([np.log(step0[3] / (1 - step0[3])), np.log(step0[4] / (1 - step0[4])),
                        np.arctanh(step0[5]), np.log(step0[6] / (1 - step0[6]))], axis=1)
    b = (a - x[:, 0] @ U).mean(axis=0)
    got = answer(dhs.copy(), copy.deepcopy(caches), U.copy(), W.copy())

    def f():
        return np.sum(dhs * lstm_forward(x, U, W, b)[0])

    return {n: gradcheck.rel_error(g, gradcheck.numerical_gradient(f, arr))
            for n, g, arr in zip(("dx", "dU", "dW", "db"), got, (x, U, W, b))}


def _loop(future=True, carry_c=True, accumulate=True, forward_in_time=False, last_dx=False, stop=-1):
    """A lstm_bptt with one slip."""

    def wrong(dhs, caches, U, W):
        N, T, H = dhs.shape
        dx = np.zeros((N, T, U.shape[0]))
        dU, dW, db = np.zeros_like(U), np.zeros_like(W), np.zeros(U.shape[1])
        dh_next, dc_next = np.zeros((N, H)), np.zeros((N, H))
        for t in (range(T) if forward_in_time else range(T - 1, stop, -1)):
            dh = dhs[:, t] + dh_next if future else dhs[:, t]
            dx_t, dh_next, dc2, dU_t, dW_t, db_t = lstm_step_backward(dh, dc_next, caches[t], U, W)
            dx[:, T - 1 - t if last_dx else t] = dx_t
            dc_next = dc2 if carry_c else np.zeros((N, H))
            if accumulate:
                dU, dW, db = dU + dU_t, dW + dW_t, db + db_t
            else:
                dU, dW, db = dU_t, dW_t, db_t
        return dx, dU, dW, db

    return wrong


register(
    "part3.lstm_bptt",
    outputs=("dx", "dU", "dW", "db"),
    reference=lstm_bptt,
    whole=True,
    gradient=_bptt_gradient,
    cases=lambda: [
        _bptt_case(101, 2, 5, 3, 2, note="5 steps"),
        _bptt_case(102, 3, 4, 2, 3),
        _bptt_case(103, 1, 7, 1, 2, note="one sample, one feature, 7 steps"),
    ],
    forbidden=("bricks.layers.recurrent:LSTM.backward",),
    mistakes=[
        Mistake(_loop(future=False), "dh_prev from step t + 1 is not added: each step sees only its own dL/dh_t",
                "missing term"),
        Mistake(_loop(carry_c=False), "the cell's gradient dc_prev is not carried to the step before", "missing term"),
        Mistake(_loop(accumulate=False), "dU, dW, db keep only the first step's share: they must be summed over "
                "every step", "missing term"),
        Mistake(_loop(forward_in_time=True), "the loop runs forward in time: backpropagation starts at the last step",
                "index"),
        Mistake(_loop(last_dx=True), "dx stored in reversed time order", "index"),
        Mistake(_loop(stop=0), "the loop stops before t = 0 (range(T - 1, 0, -1)): the first step gets no gradient",
                "off-by-one"),
    ],
)
