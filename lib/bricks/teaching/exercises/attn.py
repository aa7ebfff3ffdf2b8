"""Chapters 12-13 (Part III), attention and the Transformer: the scores, the causal mask, the
backward pass of one attention read, and the sinusoidal positions."""
import numpy as np

from bricks.teaching.exercises import Case, Mistake, register
from bricks.teaching.exercises._common import rng
from bricks.teaching.gradcheck import numerical_gradient, rel_error


def scores(q, k, scale):
    return scale * (q @ k.T)                                  # (Tq, D) @ (D, Tv)


def _qk(seed, tq, tv, d, note=""):
    r = rng(seed)
    return Case((r.standard_normal((tq, d)), r.standard_normal((tv, d)), 1 / np.sqrt(d)), note=note)


register(
    "attn.scores",
    reference=scores,
    cases=lambda: [_qk(1, 3, 5, 4), _qk(2, 4, 4, 2, "Tq = Tv"), _qk(3, 1, 6, 3, "one query")],
    mistakes=[
        Mistake(lambda q, k, s: q @ k.T, "the scale 1/sqrt(D) is missing", "missing term"),
        Mistake(lambda q, k, s: s * (k @ q.T), "keys by queries: the (Tv, Tq) transpose", "transpose"),
        Mistake(lambda q, k, s: s * (q @ k.T) / k.shape[1], "divided by D again", "factor"),
        Mistake(lambda q, k, s: np.exp(s * (q @ k.T)), "already exponentiated: the softmax comes next", "formula"),
        Mistake(lambda q, k, s: (q @ k.T) / s, "times sqrt(D) where the scale is 1/sqrt(D)", "factor"),
        Mistake(lambda q, k, s: _softmax(s * (q @ k.T)), "already the softmax: the scores come before it", "formula"),
    ])


def causal_mask(T):
    return np.arange(T)[None, :] <= np.arange(T)[:, None]    # row i sees columns j <= i


register(
    "attn.causal_mask",
    reference=causal_mask,
    cases=lambda: [Case((4,)), Case((1,), note="one step"), Case((7,))],
    forbidden=("bricks.layers.attention:causal_mask",),
    mistakes=[
        Mistake(lambda T: np.arange(T)[None, :] >= np.arange(T)[:, None], "upper triangle: each step sees the future",
                "transpose"),
        Mistake(lambda T: np.arange(T)[None, :] < np.arange(T)[:, None], "the diagonal is hidden: a step cannot see itself",
                "off-by-one"),
        Mistake(lambda T: np.ones((T, T), bool), "nothing hidden", "missing term"),
        Mistake(lambda T: np.eye(T, dtype=bool), "only the diagonal: a step sees only itself", "formula"),
        Mistake(lambda T: np.arange(T)[None, :] > np.arange(T)[:, None], "strictly the future", "transpose"),
        Mistake(lambda T: np.fliplr(np.tril(np.ones((T, T), bool))), "the triangle mirrored left to right", "index"),
    ])


def _softmax(s):
    e = np.exp(s - s.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def attend_backward(do, q, k, v, p, scale):
    dv = p.T @ do                                             # (Tv, Dv)
    dp = do @ v.T                                             # (Tq, Tv)
    ds = p * (dp - (dp * p).sum(axis=1, keepdims=True))       # the softmax Jacobian, row by row
    return scale * (ds @ k), scale * (ds.T @ q), dv


def _bw_case(seed, tq, tv, d, dv, note=""):
    r = rng(seed)
    q, k, v = r.standard_normal((tq, d)), r.standard_normal((tv, d)), r.standard_normal((tv, dv))
    scale = 1 / np.sqrt(d)
    p = _softmax(scale * q @ k.T)
    return Case((r.standard_normal((tq, dv)), q, k, v, p, scale), note=note)


def _bw_gradient(answer, case):
    do, q, k, v, p, scale = (np.array(a, dtype=float) if np.ndim(a) else a for a in case.args)
    got = answer(do, q, k, v, p, scale)

    def loss():
        return float(np.sum(_softmax(scale * q @ k.T) @ v * do))
    return {name: rel_error(g, numerical_gradient(loss, x)) for name, g, x in zip("qkv", got, (q, k, v))}


register(
    "attn.attend_backward",
    outputs=("dq", "dk", "dv"),
    reference=attend_backward,
    cases=lambda: [_bw_case(4, 3, 5, 4, 2), _bw_case(5, 4, 4, 3, 3, "Tq = Tv, D = Dv"), _bw_case(6, 1, 3, 2, 1, "one query")],
    whole=True,
    gradient=_bw_gradient,
    mistakes=[
        Mistake(lambda do, q, k, v, p, s: (s * ((p * (do @ v.T)) @ k), s * ((p * (do @ v.T)).T @ q), p.T @ do),
                "the softmax Jacobian's second term (- p rowsum(dP p)) is missing", "missing term"),
        Mistake(lambda do, q, k, v, p, s: ((p * (do @ v.T - (do @ v.T * p).sum(1, keepdims=True))) @ k,
                                           (p * (do @ v.T - (do @ v.T * p).sum(1, keepdims=True))).T @ q, p.T @ do),
                "the scale is missing from dq and dk", "missing term"),
        Mistake(lambda do, q, k, v, p, s: tuple(-g for g in attend_backward(do, q, k, v, p, s)[:2]) + (p.T @ do,),
                "dS with the wrong sign: P (rowsum(dP P) - dP)", "sign"),
        Mistake(lambda do, q, k, v, p, s: (lambda ds: (s * ds @ k, s * ds.T @ q, p.T @ do))(
            p * (do @ v.T - (do @ v.T * p).sum(0, keepdims=True))),
                "the row sum taken over the wrong axis (columns)", "index"),
        Mistake(lambda do, q, k, v, p, s: (s * ((do @ v.T) @ k), s * ((do @ v.T).T @ q), p.T @ do),
                "dS = dP: the softmax is skipped on the way back", "missing term"),
        Mistake(lambda do, q, k, v, p, s: (lambda g: (g[0], 2 * g[1], g[2]))(attend_backward(do, q, k, v, p, s)),
                "dk counted twice", "factor"),
        Mistake(lambda do, q, k, v, p, s: (lambda g: (g[0], g[1] / s, g[2]))(attend_backward(do, q, k, v, p, s)),
                "dk without the scale: dS^T Q needs the same factor as dq", "missing term"),
    ])


def sine_positions(T, D):
    t = np.arange(T)[:, None]                                 # (T, 1)
    j = np.arange(D)                                          # (D,) feature j is in pair i = j // 2
    angles = t * 10000.0 ** (-2 * (j // 2) / D)               # (T, D)
    return np.where(j % 2 == 0, np.sin(angles), np.cos(angles))


register(
    "attn.sine_positions",
    reference=sine_positions,
    cases=lambda: [Case((5, 4)), Case((3, 6)), Case((1, 2), note="one step")],
    forbidden=("bricks.layers.positional:sine_position_encoding",),
    mistakes=[
        Mistake(lambda T, D: np.sin(np.arange(T)[:, None] * 10000.0 ** (-2 * (np.arange(D) // 2) / D)),
                "sine on every feature: the odd ones are cosines", "formula"),
        Mistake(lambda T, D: (lambda i, t: np.where(i % 2 == 0, np.sin(t * 10000.0 ** (-i / D)), np.cos(t * 10000.0 ** (-i / D))))(
            np.arange(D), np.arange(T)[:, None]), "the exponent -j/D for feature j: the cosine must share its pair's frequency, -2 (j // 2) / D",
            "index"),
        Mistake(lambda T, D: (lambda j, t: np.where(j % 2 == 0, np.sin(t * 10000.0 ** (-2 * j / D)),
                                                    np.cos(t * 10000.0 ** (-2 * j / D))))(np.arange(D), np.arange(T)[:, None]),
                "the exponent -2j/D with j counting features: i in -2i/D counts the (sin, cos) pairs, i = j // 2",
                "index"),
        Mistake(lambda T, D: (lambda i, t: np.where(i % 2 == 0, np.cos(t * 10000.0 ** (-2 * (i // 2) / D)),
                                                    np.sin(t * 10000.0 ** (-2 * (i // 2) / D))))(np.arange(D), np.arange(T)[:, None]),
                "cos and sin swapped", "formula"),
        Mistake(lambda T, D: sine_positions(T + 1, D)[1:], "positions counted from 1, not 0", "off-by-one"),
        Mistake(lambda T, D: (lambda i, t: np.where(i % 2 == 0, np.sin(t * 10000.0 ** (2 * (i // 2) / D)),
                                                    np.cos(t * 10000.0 ** (2 * (i // 2) / D))))(np.arange(D), np.arange(T)[:, None]),
                "frequencies that grow with i (10000 ** (+2i/D)) instead of falling", "sign"),
    ])
