"""MultiHeadAttention, Keras's layer: several dot-product attentions side by side, each on its own
learned projection of the inputs.

With query x_q (B, T, Dq), value x_v (B, S, Dv) and key x_k (B, S, Dk) (key = value, and value =
query in self-attention), N heads of size H (key_dim) and Hv (value_dim):

    Q = x_q . Wq + bq    (B, T, N, H)      Wq (Dq, N, H), bq (N, H)    Keras's EinsumDense "query"
    K = x_k . Wk + bk    (B, S, N, H)      Wk (Dk, N, H), bk (N, H)    "key"
    V = x_v . Wv + bv    (B, S, N, Hv)     Wv (Dv, N, Hv), bv (N, Hv)  "value"
    P = softmax(Q K^T / sqrt(H)) per head  (B, N, T, S)   masked positions get weight 0
    C = P V                                (B, T, N, Hv)  the heads, side by side
    y = C . Wo + bo      (B, T, E)         Wo (N, Hv, E), bo (E,)      "attention_output"

E is the query's feature size, or `output_shape`. The attention in the middle is the batched path
of `bricks.layers.attention` (one matmul for every batch and head); the projections are single
matmuls on the flattened (B*T, D) rows. Backward runs the same steps in reverse; the softmax's
gradient is `softmax_backward`. Letters: B batch, T query steps, S value/key steps, N heads.
"""
import math

import numpy as np

from bricks import backend, errors, initializers, regularizers
from bricks.layers.attention import MASK_VALUE, causal_mask, layer_dropout_mask, softmax_backward
from bricks.layers.base import LAYERS, Layer

__all__ = ["MultiHeadAttention"]

PROJECTIONS = ("query", "key", "value")


@LAYERS.register
class MultiHeadAttention(Layer):
    """Multi-head attention with Keras 3's arguments, weights and call.

    Args:
        num_heads: N. key_dim: H, the size of each head's query and key.
        value_dim: Hv, each head's value size (default key_dim).
        dropout: fraction of attention weights dropped while training; seed: its generator.
        use_bias: biases on the four projections.
        output_shape: the output's feature shape (an int or tuple; default the query's features).
        attention_axes: None (or (1,), the time axis: the only one bricks supports).
        flash_attention, use_gate, sliding_window: accepted at their plain defaults only.
        kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer: for all four.
    Call: `forward(query, value=None, key=None, training=False, attention_mask=None,
        return_attention_scores=False, use_causal_mask=False)`. `value=None` is self-attention on
        `query`, which is how the layer sits in a Sequential model. attention_mask: booleans
        (B, T, S), True where query t may attend to key s; `use_causal_mask` ANDs in s <= t.
    Returns: the output (B, T, E), and the weights P (B, N, T, S) if return_attention_scores.
    Backward: [dquery, dvalue, dkey] (Keras's input order) if a key was passed, [dquery, dvalue]
        if only a value, one array if only the query (self-attention: the three paths summed).
    Weights (Keras order): query/kernel, query/bias, key/kernel, key/bias, value/kernel,
        value/bias, attention_output/kernel, attention_output/bias.

    Example:
        >>> mha = MultiHeadAttention(num_heads=2, key_dim=4)
        >>> x = np.random.default_rng(0).normal(size=(3, 5, 8))
        >>> y, p = mha(x, x, return_attention_scores=True)
        >>> y.shape, p.shape, [w.shape for w in mha.get_weights()][::2]
        ((3, 5, 8), (3, 2, 5, 5), [(8, 2, 4), (8, 2, 4), (8, 2, 4), (2, 4, 8)])
    """

    input_rank = 3
    layout = "(batch, timesteps, features)"

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True, output_shape=None,
                 attention_axes=None, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, seed=None, flash_attention=None, use_gate=False,
                 sliding_window=None, **kwargs):
        super().__init__(**kwargs)
        if use_gate or sliding_window is not None:  # newer Keras options (3.13+); their defaults are plain MHA
            errors.fail(self, "use_gate=False and sliding_window=None (bricks has plain multi-head attention)",
                        use_gate=use_gate, sliding_window=sliding_window)
        for arg, value in (("num_heads", num_heads), ("key_dim", key_dim)):
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
                errors.fail(self, f"{arg} a positive integer", **{arg: value})
        if value_dim is not None and (not isinstance(value_dim, (int, np.integer)) or value_dim < 1):
            errors.fail(self, "value_dim None or a positive integer", value_dim=value_dim)
        if not isinstance(dropout, (int, float)) or not 0 <= dropout < 1:
            errors.fail(self, "dropout in [0, 1)", dropout=dropout)
        axes = (attention_axes,) if isinstance(attention_axes, int) else attention_axes
        if axes is not None and tuple(axes) not in ((1,), (-3,)):
            errors.fail(self, "attention_axes None or (1,) (attention over time; bricks takes rank-3 inputs)",
                        attention_axes=attention_axes)
        if flash_attention:
            errors.fail(self, "flash_attention None or False (bricks computes attention one way)",
                        flash_attention=flash_attention)
        if isinstance(output_shape, (int, np.integer)):
            output_shape = (int(output_shape),)
        self.num_heads, self.key_dim = int(num_heads), int(key_dim)
        self.value_dim = int(value_dim) if value_dim else self.key_dim
        self.dropout, self.use_bias, self.seed = float(dropout), bool(use_bias), seed
        self.output_features = tuple(output_shape) if output_shape else None
        self.kernel_initializer, self.bias_initializer = kernel_initializer, bias_initializer
        initializers.get(kernel_initializer), initializers.get(bias_initializer)  # a bad name fails now
        self.kernel_regularizer, self.bias_regularizer = (None if r is None else regularizers.get(r)
                                                          for r in (kernel_regularizer, bias_regularizer))
        self.seed_generator = backend.SeedGenerator(seed)
        self.freeze_noise = False  # gradient checks: reuse the last dropout mask
        self._noise = None

    # ---- weights ----------------------------------------------------------------------------------
    def build(self, query_shape, value_shape=None, key_shape=None):
        value_shape = query_shape if value_shape is None else value_shape
        key_shape = value_shape if key_shape is None else key_shape
        super().build(tuple(query_shape))
        N, H, Hv = self.num_heads, self.key_dim, self.value_dim
        dims = {"query": (query_shape[-1], H), "key": (key_shape[-1], H), "value": (value_shape[-1], Hv)}
        for name in PROJECTIONS:
            d, h = dims[name]
            self.add_weight(f"{name}/kernel", (d, N, h), self.kernel_initializer, self.kernel_regularizer)
            if self.use_bias:
                self.add_weight(f"{name}/bias", (N, h), self.bias_initializer, self.bias_regularizer)
        out = self.output_features or (query_shape[-1],)
        self.add_weight("attention_output/kernel", (N, Hv, *out), self.kernel_initializer, self.kernel_regularizer)
        if self.use_bias:
            self.add_weight("attention_output/bias", out, self.bias_initializer, self.bias_regularizer)
        self.built_shapes = (tuple(query_shape), tuple(value_shape), tuple(key_shape))

    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        return (*tuple(query_shape)[:-1], *(self.output_features or (query_shape[-1],)))

    # ---- the projections (Keras's EinsumDense "abc,cde->abde" as one matmul) ----------------------
    def _project(self, name, x, heads_first=True):
        """x (B, L, D) -> (B, N, L, h) (or (B, L, N, h)): one (B*L, D) @ (D, N*h) matmul."""
        W = self.params[f"{name}/kernel"]  # (D, N, h)
        B, L, D = x.shape
        z = x.reshape(B * L, D) @ W.reshape(D, -1)  # (B*L, N*h)
        if self.use_bias:
            z += self.params[f"{name}/bias"].reshape(-1)
        z = z.reshape(B, L, W.shape[1], W.shape[2])  # (B, L, N, h)
        return z.transpose(0, 2, 1, 3) if heads_first else z  # (B, N, L, h): a view, no copy

    def _project_backward(self, name, x, dz):
        """dz (B, N, L, h) -> dx (B, L, D); fills the projection's kernel and bias gradients."""
        W = self.params[f"{name}/kernel"]  # (D, N, h)
        B, L, D = x.shape
        dz2 = dz.transpose(0, 2, 1, 3).reshape(B * L, -1)  # (B*L, N*h)
        self.grads[f"{name}/kernel"][...] = (x.reshape(B * L, D).T @ dz2).reshape(W.shape)
        if self.use_bias:
            self.grads[f"{name}/bias"][...] = dz2.sum(axis=0).reshape(W.shape[1:])
        return (dz2 @ W.reshape(D, -1).T).reshape(B, L, D)

    # ---- the passes ---------------------------------------------------------------------------------
    def _inputs(self, query, value, key):
        names = ("query", "value", "key")
        arrays = [None if a is None else errors.as_float_array(self, a, name=n).astype(self.dtype, copy=False)
                  for a, n in zip((query, value, key), names)]
        for a, n in zip(arrays, names):
            if a is not None:
                errors.check_rank(self, a, 3, self.layout, name=n)
        q, v, k = arrays
        n = 1 if v is None else (2 if k is None else 3)
        v = q if v is None else v
        k = v if k is None else k
        if k.shape[:2] != v.shape[:2] or q.shape[0] != v.shape[0]:
            errors.fail(self, "query (B, T, Dq), value (B, S, Dv) and key (B, S, Dk)",
                        **{"query.shape": q.shape, "value.shape": v.shape, "key.shape": k.shape})
        if not self.built:
            self.build(*[(None, *a.shape[1:]) for a in (q, v, k)])
        for a, built, name in zip((q, v, k), self.built_shapes, names):
            errors.check_axis(self, a, -1, built[-1], f"{name} features", name=name)
        return q, v, k, n

    def _mask(self, attention_mask, use_causal_mask, B, T, S):
        """(B or 1, 1, T, S) booleans, True where attention is allowed, or None."""
        m = None
        if attention_mask is not None:
            m = np.asarray(attention_mask).astype(bool)
            if m.ndim == 2:
                m = m[None]
            if m.ndim != 3 or m.shape[1:] != (T, S) or m.shape[0] not in (1, B):
                errors.fail(self, f"attention_mask of shape ({B}, {T}, {S})", **{"attention_mask.shape": m.shape})
        if use_causal_mask:
            c = causal_mask(T, S)[None]  # (1, T, S)
            m = c if m is None else m & c
        return None if m is None else m[:, None]  # (B or 1, 1, T, S): the same for every head

    def forward(self, query, value=None, key=None, training=False, attention_mask=None,
                return_attention_scores=False, use_causal_mask=False):
        q_in, v_in, k_in, n = self._inputs(query, value, key)
        B, T, S = q_in.shape[0], q_in.shape[1], v_in.shape[1]
        scale = 1.0 / math.sqrt(self.key_dim)
        Q = self._project("query", q_in)  # (B, N, T, H)
        Q *= scale  # scaled as Keras does (in place: the projection's own buffer)
        K = self._project("key", k_in)  # (B, N, S, H)
        V = self._project("value", v_in)  # (B, N, S, Hv)
        s = np.matmul(Q, K.transpose(0, 1, 3, 2))  # (B, N, T, S)
        m = self._mask(attention_mask, use_causal_mask, B, T, S)
        if m is not None:
            s = np.where(m, s, -MASK_VALUE)  # Keras's Softmax(mask): hidden scores to -1e9
        s -= s.max(axis=-1, keepdims=True)
        np.exp(s, out=s)
        s *= 1.0 / s.sum(axis=-1, keepdims=True)  # P (B, N, T, S), in place
        p = s if m is None else s * m  # a row with nothing allowed gets weight 0 everywhere
        drop = self._dropout_mask(p.shape) if training and self.dropout > 0 else None
        pd = p if drop is None else p * drop
        C = np.matmul(pd, V).transpose(0, 2, 1, 3).reshape(B * T, -1)  # (B*T, N*Hv)
        Wo = self.params["attention_output/kernel"]  # (N, Hv, *E)
        y = C @ Wo.reshape(C.shape[1], -1)  # (B*T, E)
        if self.use_bias:
            y += self.params["attention_output/bias"].reshape(-1)
        y = y.reshape(B, T, *Wo.shape[2:])
        return self._keep((q_in, v_in, k_in, n, Q, K, V, s, m, drop, C), (y, p) if return_attention_scores else y)

    def __call__(self, query, value=None, key=None, training=False, attention_mask=None,
                 return_attention_scores=False, use_causal_mask=False):
        return self.forward(query, value, key, training=training, attention_mask=attention_mask,
                            return_attention_scores=return_attention_scores, use_causal_mask=use_causal_mask)

    def _dropout_mask(self, shape):
        return layer_dropout_mask(self, shape)

    def backward(self, grad_output):
        q_in, v_in, k_in, n, Q, K, V, p0, m, drop, C = self._cached(grad_output)
        dy, dscores = grad_output if isinstance(grad_output, (list, tuple)) else (grad_output, None)
        dy = np.asarray(dy, dtype=self.dtype)
        B, T = q_in.shape[:2]
        N, Hv = self.num_heads, self.value_dim
        Wo = self.params["attention_output/kernel"]  # (N, Hv, *E)
        dy2 = dy.reshape(B * T, -1)  # (B*T, E)
        self.grads["attention_output/kernel"][...] = (C.T @ dy2).reshape(Wo.shape)
        if self.use_bias:
            self.grads["attention_output/bias"][...] = dy2.sum(axis=0).reshape(Wo.shape[2:])
        dC = (dy2 @ Wo.reshape(N * Hv, -1).T).reshape(B, T, N, Hv).transpose(0, 2, 1, 3)  # (B, N, T, Hv)
        p = p0 if m is None else p0 * m
        pd = p if drop is None else p * drop
        dV = np.matmul(pd.transpose(0, 1, 3, 2), dC)  # (B, N, S, Hv)
        dp = np.matmul(dC, V.transpose(0, 1, 3, 2))  # (B, N, T, S)
        if drop is not None:
            dp *= drop
        if dscores is not None:
            dp += dscores  # the returned weights are P itself
        if m is not None:
            dp *= m  # p = p0 * m
        ds = softmax_backward(dp, p0, out=dp)  # (B, N, T, S), in dp's buffer
        if m is not None:
            ds *= m  # where(m, s, -1e9): hidden scores get no gradient
        dK = np.matmul(ds.transpose(0, 1, 3, 2), Q)  # (B, N, S, H); Q already carries the scale
        dQ = np.matmul(ds, K) * (1.0 / math.sqrt(self.key_dim))  # (B, N, T, H)
        dq = self._project_backward("query", q_in, dQ)
        dk = self._project_backward("key", k_in, dK)
        dv = self._project_backward("value", v_in, dV)
        if n == 1:
            return dq + dv + dk  # self-attention on one array: query, value and key are the same
        if n == 2:
            return [dq, dv + dk]  # key = value: both paths reach the value
        return [dq, dv, dk]

    def get_config(self):
        config = super().get_config()
        config.update(num_heads=self.num_heads, key_dim=self.key_dim, value_dim=self.value_dim,
                      dropout=self.dropout, use_bias=self.use_bias,
                      output_shape=None if self.output_features is None else list(self.output_features),
                      attention_axes=None,
                      kernel_initializer=initializers.serialize(self.kernel_initializer),
                      bias_initializer=initializers.serialize(self.bias_initializer),
                      kernel_regularizer=regularizers.serialize(self.kernel_regularizer),
                      bias_regularizer=regularizers.serialize(self.bias_regularizer), seed=self.seed)
        return config
