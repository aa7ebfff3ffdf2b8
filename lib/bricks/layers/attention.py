"""Dot-product attention, taught and fast, and Keras's Attention and AdditiveAttention layers.

Attention reads a set of values by similarity. For one sequence, with a query q_i for each of
Tq output positions and a key k_j and value v_j for each of Tv input positions:

    scores  S = scale * Q @ K.T                     (Tq, Tv)   how well query i matches key j
    mask    S_ij = -1e9 where position j is hidden   (padding, or the future: j > i)
    softmax P_ij = exp(S_ij) / sum_j' exp(S_ij')     each row sums to 1: where query i looks
    output  O = P @ V                                (Tq, Dv)   a weighted average of the values

Backward, given dO (the upstream gradient of O):

    dV = P.T @ dO                  dP = dO @ V.T
    dS_ij = P_ij (dP_ij - sum_j' P_ij' dP_ij')       the softmax Jacobian diag(p) - p p^T, row by row
    dQ = scale * dS @ K            dK = scale * dS.T @ Q

`attention_taught` / `attention_taught_backward` are exactly those lines for one (Tq, D)
sequence, looped over every leading (batch, head) axis; `attention_forward` /
`attention_backward` do the same with batched matmuls, and are what the layers run. The tests
hold the two equal. Shapes: B batch, Tq query steps, Tv value/key steps, D features, Dv value
features; any leading axes (B, or B and heads) are written "...".
"""
import numpy as np

from bricks import backend, errors
from bricks.layers.base import LAYERS, Layer
from bricks.layers.noise import dropout_mask

__all__ = ["Attention", "AdditiveAttention", "softmax", "causal_mask", "attention_taught",
           "attention_taught_backward", "attention_forward", "attention_backward"]

MASK_VALUE = 1e9  # Keras's large number: a hidden score becomes about -1e9, its weight exp(-1e9) = 0


def softmax(scores, axis=-1):
    """exp(s) / sum exp(s) along `axis`, computed after subtracting the maximum (no overflow)."""
    e = np.exp(scores - scores.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def causal_mask(tq, tv=None):
    """(Tq, Tv) booleans, True where query i may look at key j: j <= i (no peeking ahead)."""
    tv = tq if tv is None else tv
    return np.arange(tv)[None, :] <= np.arange(tq)[:, None]


# ---- the taught path: a few lines for one sequence ---------------------------------------------
def attend(q, k, v, mask=None, scale=1.0):
    """One sequence: q (Tq, D), k (Tv, D), v (Tv, Dv), mask (Tq, Tv) booleans or None.

    Returns the output (Tq, Dv) and the attention weights P (Tq, Tv)."""
    s = scale * (q @ k.T)  # (Tq, Tv) scores
    if mask is not None:
        s = s - MASK_VALUE * (1.0 - mask)  # hidden positions get about -1e9
    p = softmax(s)  # (Tq, Tv), rows sum to 1
    return p @ v, p  # (Tq, Dv)


def attend_backward(do, q, k, v, p, scale=1.0):
    """Gradients (dq, dk, dv) of `attend` given dO (Tq, Dv) and the weights P it returned."""
    dv = p.T @ do  # (Tv, Dv)
    dp = do @ v.T  # (Tq, Tv)
    ds = p * (dp - (dp * p).sum(axis=1, keepdims=True))  # (Tq, Tv) the softmax Jacobian, row by row
    dq = scale * (ds @ k)  # (Tq, D)
    dk = scale * (ds.T @ q)  # (Tv, D)
    return dq, dk, dv


def _leading(q):
    return np.ndindex(*q.shape[:-2])


def attention_taught(q, k, v, mask=None, scale=1.0):
    """`attend` looped over every leading axis: q (..., Tq, D), k (..., Tv, D), v (..., Tv, Dv).

    `mask` broadcasts to (..., Tq, Tv). Returns (output (..., Tq, Dv), weights (..., Tq, Tv))."""
    out = np.zeros((*q.shape[:-1], v.shape[-1]), dtype=q.dtype)
    weights = np.zeros((*q.shape[:-1], k.shape[-2]), dtype=q.dtype)
    m = None if mask is None else np.broadcast_to(mask, weights.shape)
    for i in _leading(q):
        out[i], weights[i] = attend(q[i], k[i], v[i], None if m is None else m[i], scale)
    return out, weights


def attention_taught_backward(do, q, k, v, weights, scale=1.0):
    """`attend_backward` looped over every leading axis; returns (dq, dk, dv)."""
    dq, dk, dv = np.zeros_like(q), np.zeros_like(k), np.zeros_like(v)
    for i in _leading(q):
        dq[i], dk[i], dv[i] = attend_backward(do[i], q[i], k[i], v[i], weights[i], scale)
    return dq, dk, dv


# ---- the fast path: the same lines as batched matmuls -----------------------------------------
def attention_forward(q, k, v, mask=None, scale=1.0):
    """Batched `attend`: one matmul for all (batch, head) pairs at once. Same returns."""
    s = np.matmul(q, np.swapaxes(k, -1, -2))  # (..., Tq, Tv)
    if scale != 1.0:
        s *= scale
    if mask is not None:
        s -= MASK_VALUE * (1.0 - mask)
    s -= s.max(axis=-1, keepdims=True)  # softmax in place: no second (..., Tq, Tv) buffer
    np.exp(s, out=s)
    s /= s.sum(axis=-1, keepdims=True)
    return np.matmul(s, v), s  # (..., Tq, Dv), (..., Tq, Tv)


def softmax_backward(dp, p, out=None):
    """dS = P * (dP - rowsum(dP * P)): the softmax's vector-Jacobian product on the last axis.
    `out=dp` overwrites dP (no temporary the size of the scores)."""
    rowsum = np.einsum("...ij,...ij->...i", dp, p)[..., None]  # (..., Tq, 1)
    if out is None:
        return p * (dp - rowsum)
    np.subtract(dp, rowsum, out=out)
    return np.multiply(out, p, out=out)


def attention_backward(do, q, k, v, weights, scale=1.0):
    """Batched `attend_backward`; returns (dq, dk, dv)."""
    dv = np.matmul(np.swapaxes(weights, -1, -2), do)  # (..., Tv, Dv)
    ds = softmax_backward(np.matmul(do, np.swapaxes(v, -1, -2)), weights)  # (..., Tq, Tv)
    if scale != 1.0:
        ds *= scale
    return np.matmul(ds, k), np.matmul(np.swapaxes(ds, -1, -2), q), dv


# ---- the layers ----------------------------------------------------------------------------------
def _unpack(owner, inputs):
    """[query, value] or [query, value, key] (or one array: self-attention) -> arrays, and how many."""
    if isinstance(inputs, (list, tuple)):
        if not 2 <= len(inputs) <= 3:
            errors.fail(owner, "a list [query, value] or [query, value, key]", **{"len(inputs)": len(inputs)})
        arrays = [errors.as_float_array(owner, a, name=n) for a, n in zip(inputs, ("query", "value", "key"))]
        return arrays, len(inputs)
    x = errors.as_float_array(owner, inputs, name="query")
    return [x, x], 1  # one array: query = value = key (self-attention in a Sequential model)


def _bool_mask(owner, mask, shape, name):
    if mask is None:
        return None
    m = np.asarray(mask)
    if m.shape != tuple(shape):
        errors.fail(owner, f"{name} of shape {tuple(shape)}", **{f"{name}.shape": m.shape})
    return m.astype(bool)



def layer_dropout_mask(layer, shape):
    """The attention weights' dropout mask for `layer` (Attention, MultiHeadAttention): a fresh one
    from the layer's seed generator, or the last one again while `layer.freeze_noise` is set and
    the shape is the same (a gradient check needs the same mask in every forward)."""
    if layer.freeze_noise and layer._noise is not None and layer._noise.shape == shape:
        return layer._noise
    layer._noise = dropout_mask(shape, layer.dropout, layer.seed_generator.rng, layer.dtype)
    return layer._noise

@LAYERS.register
class Attention(Layer):
    """Dot-product (Luong-style) attention, Keras's `Attention`: inputs [query, value(, key)].

    Forward (query (B, Tq, D), value (B, Tv, Dv), key (B, Tv, D), key = value if omitted):
        score_mode="dot":    S = scale * query @ key^T
        score_mode="concat": S = concat_score_weight * sum_d tanh(scale * (query_i + key_j))_d
        S -= 1e9 where the value mask or the causal mask hides a position
        P = softmax(S) (then dropout while training); output = P @ value, times the query mask.
    Args:
        use_scale: learn a scalar `scale` (initialized to 1) on the scores.
        score_mode: "dot" or "concat" (the latter adds a scalar `concat_score_weight`).
        dropout: fraction of attention weights dropped while training; seed: its generator.
    Call: `forward([query, value, key], mask=[query_mask, value_mask], training=False,
        return_attention_scores=False, use_causal_mask=False)`; one array means [x, x].
    Backward: the list of input gradients, [dquery, dvalue(, dkey)], or one array for one input.
    Weights: scale () if use_scale, concat_score_weight () if score_mode="concat".
    """

    input_rank = 3
    layout = "(batch, timesteps, features)"

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        if score_mode not in ("dot", "concat"):
            errors.fail(self, "score_mode one of {'dot', 'concat'}", score_mode=score_mode)
        if not isinstance(dropout, (int, float)) or not 0 <= dropout < 1:
            errors.fail(self, "dropout in [0, 1)", dropout=dropout)
        self.use_scale, self.score_mode, self.dropout = bool(use_scale), score_mode, float(dropout)
        self.seed = seed
        self.seed_generator = backend.SeedGenerator(seed)
        self.freeze_noise = False  # gradient checks: reuse the last dropout mask
        self._noise = None

    def build(self, input_shape):
        shapes = input_shape if isinstance(input_shape, list) else [input_shape]
        super().build(tuple(shapes[0]))
        self._build_scores(shapes[0][-1])

    def _build_scores(self, dim):
        if self.use_scale:
            self.add_weight("scale", (), "ones")
        if self.score_mode == "concat":
            self.add_weight("concat_score_weight", (), "ones")

    # ---- scores: the one part AdditiveAttention changes ------------------------------------
    def _scores(self, q, k):
        if self.score_mode == "dot":
            s = np.matmul(q, np.swapaxes(k, -1, -2))  # (B, Tq, Tv)
            return s * self.params["scale"] if self.use_scale else s
        scale = self.params["scale"] if self.use_scale else 1.0
        u = scale * (q[:, :, None, :] + k[:, None, :, :])  # (B, Tq, Tv, D)
        t = np.tanh(u)
        self._tanh = t
        return self.params["concat_score_weight"] * t.sum(axis=-1)  # (B, Tq, Tv)

    def _scores_backward(self, ds, q, k):
        """(dq, dk) from dS, and the weights' gradients."""
        if self.score_mode == "dot":
            if self.use_scale:
                raw = np.matmul(q, np.swapaxes(k, -1, -2))  # (B, Tq, Tv)
                self.grads["scale"][...] = np.sum(ds * raw)
                ds = ds * self.params["scale"]
            return np.matmul(ds, k), np.matmul(np.swapaxes(ds, -1, -2), q)
        t, c = self._tanh, self.params["concat_score_weight"]
        scale = self.params["scale"] if self.use_scale else 1.0
        self.grads["concat_score_weight"][...] = np.sum(ds * t.sum(axis=-1))
        du = (c * ds)[..., None] * (1.0 - t * t)  # (B, Tq, Tv, D)
        if self.use_scale:
            self.grads["scale"][...] = np.sum(du * (q[:, :, None, :] + k[:, None, :, :]))
        return scale * du.sum(axis=2), scale * du.sum(axis=1)

    # ---- the passes ---------------------------------------------------------------------------
    def forward(self, inputs, mask=None, training=False, return_attention_scores=False, use_causal_mask=False):
        (q, v, *rest), n = _unpack(self, inputs)
        k = rest[0] if rest else v
        q, v, k = (a.astype(self.dtype, copy=False) for a in (q, v, k))
        for name, a in (("query", q), ("value", v), ("key", k)):
            errors.check_rank(self, a, 3, self.layout, name=name)
        if k.shape[:2] != v.shape[:2] or q.shape[0] != v.shape[0] or q.shape[-1] != k.shape[-1]:
            errors.fail(self, "query (B, Tq, D), value (B, Tv, Dv) and key (B, Tv, D)",
                        **{"query.shape": q.shape, "value.shape": v.shape, "key.shape": k.shape})
        if not self.built:
            self.build([(None, *a.shape[1:]) for a in (q, v, k)])
        B, Tq, Tv = q.shape[0], q.shape[1], v.shape[1]
        if mask is not None and not isinstance(mask, (list, tuple)):
            errors.fail(self, "mask as a list [query_mask, value_mask]", mask=type(mask).__name__)
        q_mask = _bool_mask(self, mask[0], (B, Tq), "query_mask") if mask else None
        v_mask = _bool_mask(self, mask[1], (B, Tv), "value_mask") if mask and len(mask) > 1 else None
        allowed = None if v_mask is None else v_mask[:, None, :]  # (B, 1, Tv)
        if use_causal_mask:
            c = causal_mask(Tq, Tv)[None]  # (1, Tq, Tv)
            allowed = c if allowed is None else allowed & c
        s = self._scores(q, k)  # (B, Tq, Tv)
        if allowed is not None:
            s = s - MASK_VALUE * (1.0 - allowed.astype(self.dtype))
        p = softmax(s)  # (B, Tq, Tv)
        drop = self._dropout_mask(p.shape) if training and self.dropout > 0 else None
        w = p if drop is None else p * drop  # the weights actually used (and returned, as Keras)
        out = np.matmul(w, v)  # (B, Tq, Dv)
        qm = None if q_mask is None else q_mask[:, :, None].astype(self.dtype)  # (B, Tq, 1)
        if qm is not None:
            out = out * qm
        return self._keep((q, v, k, p, drop, qm, n, rest != []), (out, w) if return_attention_scores else out)

    def __call__(self, inputs, mask=None, training=False, return_attention_scores=False, use_causal_mask=False):
        return self.forward(inputs, mask=mask, training=training,
                            return_attention_scores=return_attention_scores, use_causal_mask=use_causal_mask)

    def _dropout_mask(self, shape):
        return layer_dropout_mask(self, shape)

    def backward(self, grad_output):
        q, v, k, p, drop, qm, n, has_key = self._cached(grad_output)
        dout, dw = grad_output if isinstance(grad_output, (list, tuple)) else (grad_output, None)
        dout = np.asarray(dout, dtype=self.dtype)
        if qm is not None:
            dout = dout * qm
        w = p if drop is None else p * drop
        dv = np.matmul(np.swapaxes(w, -1, -2), dout)  # (B, Tv, Dv)
        dw_total = np.matmul(dout, np.swapaxes(v, -1, -2))  # (B, Tq, Tv)
        if dw is not None:
            dw_total = dw_total + dw
        dp = dw_total if drop is None else dw_total * drop
        ds = softmax_backward(dp, p)  # (B, Tq, Tv); the mask's constant shift passes dS unchanged
        dq, dk = self._scores_backward(ds, q, k)
        if n == 1:
            return dq + dk + dv  # one array was query, value and key
        if has_key:
            return [dq, dv, dk]
        return [dq, dv + dk]  # key = value: both paths reach the value

    def compute_output_shape(self, input_shape):
        shapes = input_shape if isinstance(input_shape, list) else [input_shape, input_shape]
        return (*tuple(shapes[0])[:-1], tuple(shapes[1])[-1])

    def get_config(self):
        config = super().get_config()
        config.update(use_scale=self.use_scale, score_mode=self.score_mode, dropout=self.dropout, seed=self.seed)
        return config


@LAYERS.register
class AdditiveAttention(Attention):
    """Additive (Bahdanau-style) attention, Keras's `AdditiveAttention`.

    Scores: S_ij = sum_d scale_d * tanh(query_i + key_j)_d with a learned vector `scale` (D,)
    (glorot_uniform), or the plain sum when use_scale=False; the rest as `Attention`.
    Backward: with t = tanh(q_i + k_j) (B, Tq, Tv, D), du = dS * scale * (1 - t^2);
    dq = sum_j du, dk = sum_i du, dscale = sum_(b,i,j) dS * t.
    Weights: scale (D,) if use_scale.
    """

    def __init__(self, use_scale=True, dropout=0.0, **kwargs):
        kwargs.pop("score_mode", None)
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)

    def _build_scores(self, dim):
        if self.use_scale:
            self.add_weight("scale", (dim,), "glorot_uniform")

    def _scores(self, q, k):
        t = np.tanh(q[:, :, None, :] + k[:, None, :, :])  # (B, Tq, Tv, D)
        self._tanh = t
        return t @ self.params["scale"] if self.use_scale else t.sum(axis=-1)  # (B, Tq, Tv)

    def _scores_backward(self, ds, q, k):
        t = self._tanh
        if self.use_scale:
            self.grads["scale"][...] = np.einsum("bij,bijd->d", ds, t)
            du = ds[..., None] * self.params["scale"] * (1.0 - t * t)  # (B, Tq, Tv, D)
        else:
            du = ds[..., None] * (1.0 - t * t)
        return du.sum(axis=2), du.sum(axis=1)

    def get_config(self):
        config = super().get_config()
        del config["score_mode"]
        return config
