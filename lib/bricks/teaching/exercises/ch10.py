"""Chapter 10, LSTM and GRU: the cell from its pre-activations, the GRU update gate's gradient."""

import numpy as np

from bricks.teaching.exercises import Case, Mistake, register
from bricks.teaching.exercises._common import rng, sigmoid


def lstm_from_preactivation(a, c_prev):
    i, f, g, o = np.split(a, 4, axis=1)  # Keras's gate order: i, f, c (here g), o
    c = sigmoid(f) * c_prev + sigmoid(i) * np.tanh(g)
    return sigmoid(o) * np.tanh(c), c


def _lstm_case(seed, N, H, note=""):
    r = rng(seed)
    return Case((r.standard_normal((N, 4 * H)), r.standard_normal((N, H))), note=note)


def _lstm(order="ifgo", cell=None, out=None):
    def wrong(a, c_prev):
        parts = dict(zip(order, np.split(a, 4, axis=1)))
        i, f, g, o = sigmoid(parts["i"]), sigmoid(parts["f"]), np.tanh(parts["g"]), sigmoid(parts["o"])
        c = cell(i, f, g, c_prev) if cell else f * c_prev + i * g
        return (out(o, c) if out else o * np.tanh(c)), c

    return wrong


def _h_from_c_prev(a, c_prev):
    h, c = lstm_from_preactivation(a, c_prev)
    return sigmoid(np.split(a, 4, axis=1)[3]) * np.tanh(c_prev), c


register(
    "ch10.lstm_from_preactivation",
    outputs=("h_t", "c_t"),
    reference=lstm_from_preactivation,
    cases=lambda: [_lstm_case(4, 2, 3), _lstm_case(5, 3, 2), _lstm_case(6, 1, 4)],
    forbidden=("bricks.layers.recurrent:LSTM",),
    mistakes=[
        Mistake(_lstm(order="ifog"), "the gate order i, f, o, g: Keras stores i, f, c (g), o", "index"),
        Mistake(_lstm(out=lambda o, c: o * c), "h = o c: the tanh of the cell is missing", "missing term"),
        Mistake(_lstm(cell=lambda i, f, g, c: f * c + g), "the input gate i is missing from the carry", "missing term"),
        Mistake(
            _lstm(cell=lambda i, f, g, c: c + i * g),
            "the forget gate f is missing: the carry never forgets",
            "missing term",
        ),
        Mistake(_lstm(cell=lambda i, f, g, c: (1 - f) * c + i * g), "(1 - f) c: the forget gate inverted", "sign"),
        Mistake(
            lambda a, c_prev: (
                lambda parts: (
                    sigmoid(parts[3]) * np.tanh(sigmoid(parts[1]) * c_prev + sigmoid(parts[0]) * sigmoid(parts[2])),
                    sigmoid(parts[1]) * c_prev + sigmoid(parts[0]) * sigmoid(parts[2]),
                )
            )(np.split(a, 4, axis=1)),
            "a sigmoid on the candidate g, where tanh belongs",
            "formula",
        ),
        Mistake(_h_from_c_prev, "h from tanh(c_{t-1}): the output reads the new cell, h_t = o tanh(c_t)", "index"),
    ],
)


def gru_update_gate_grad(dh, z, h_prev, h_cand):
    return dh * (h_prev - h_cand) * z * (1 - z)  # dh_t/dz, then sigma'(a_z)


def _gru_case(seed, N, H, note=""):
    r = rng(seed)
    return Case(
        (
            r.standard_normal((N, H)),
            sigmoid(r.standard_normal((N, H))),
            r.standard_normal((N, H)),
            np.tanh(r.standard_normal((N, H))),
        ),
        note=note,
    )


register(
    "ch10.gru_update_gate_grad",
    reference=gru_update_gate_grad,
    cases=lambda: [_gru_case(6, 2, 3), _gru_case(7, 4, 2), _gru_case(8, 1, 5)],
    forbidden=("bricks.layers.recurrent:GRU",),
    mistakes=[
        Mistake(
            lambda dh, z, hp, hc: dh * (hc - hp) * z * (1 - z),
            "the difference the wrong way round, h~ - h_{t-1}: here h_t = z h_{t-1} + (1 - z) h~, "
            "z keeps the old state (PyTorch's convention)",
            "sign",
        ),
        Mistake(lambda dh, z, hp, hc: dh * (hp - hc), "sigma'(a_z) = z (1 - z) is missing", "missing term"),
        Mistake(lambda dh, z, hp, hc: dh * hp * z * (1 - z), "the - h~ term is missing", "missing term"),
        Mistake(lambda dh, z, hp, hc: (hp - hc) * z * (1 - z), "the upstream gradient dh is missing", "missing term"),
        Mistake(lambda dh, z, hp, hc: dh * (hp - hc) * (1 - z), "only (1 - z) of sigma'", "formula"),
        Mistake(lambda dh, z, hp, hc: dh * (hp - hc) * z * (1 - z) * 2, "an extra factor 2", "factor"),
        Mistake(lambda dh, z, hp, hc: dh * (hp - hc) * z, "only z of sigma': sigma'(a_z) = z (1 - z)", "formula"),
    ],
)


def lstm_sequence(x, U, W, b):
    N, T, _ = x.shape
    H = W.shape[0]
    h, c, hs = np.zeros((N, H)), np.zeros((N, H)), []
    for t in range(T):
        a = x[:, t] @ U + h @ W + b  # (N, 4H) the four pre-activations
        h, c = lstm_from_preactivation(a, c)  # (N, H) each
        hs.append(h)
    return np.stack(hs, axis=1)  # (N, T, H)


def _seq(carry_c=True, carry_h=True, last=False, WT=False):
    def wrong(x, U, W, b):
        N, T, _ = x.shape
        H = W.shape[0]
        h, c, hs = np.zeros((N, H)), np.zeros((N, H)), []
        for t in range(T):
            a = x[:, t] @ U + (h @ (W.T if WT else W) if carry_h else 0) + b
            h2, c2 = lstm_from_preactivation(a, c if carry_c else np.zeros((N, H)))
            h, c = h2, c2
            hs.append(h)
        return hs[-1] if last else np.stack(hs, axis=1)

    return wrong


def _seq_case(seed, N, T, D, H, note=""):
    r = rng(seed)
    return Case(
        (
            r.standard_normal((N, T, D)),
            0.5 * r.standard_normal((D, 4 * H)),
            0.5 * r.standard_normal((H, 4 * H)),
            0.5 * r.standard_normal(4 * H),
        ),
        note=note,
    )


register(
    "ch10.lstm_sequence",
    reference=lstm_sequence,
    whole=True,
    cases=lambda: [_seq_case(11, 2, 5, 3, 2), _seq_case(12, 1, 4, 2, 3), _seq_case(13, 3, 3, 1, 4, "one feature")],
    forbidden=("bricks.layers.recurrent:LSTM",),
    mistakes=[
        Mistake(_seq(carry_c=False), "the cell state c is not carried: reset to 0 every step", "missing term"),
        Mistake(_seq(carry_h=False), "the hidden state h never enters the next step", "missing term"),
        Mistake(_seq(last=True), "only the last state: return_sequences wants every step, (N, T, H)", "shape"),
        Mistake(_seq(WT=True), "the recurrent kernel transposed", "transpose"),
        Mistake(lambda x, U, W, b: lstm_sequence(x, U, W, b * 0), "the bias is left out", "missing term"),
        Mistake(
            lambda x, U, W, b: np.concatenate(
                [np.zeros_like(lstm_sequence(x, U, W, b)[:, :1]), lstm_sequence(x, U, W, b)[:, :-1]], axis=1
            ),
            "the states stored before each step's update: everything one step late",
            "off-by-one",
        ),
    ],
)
