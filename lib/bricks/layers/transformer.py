"""The Transformer encoder block, built from the catalog's bricks (KerasHub's `TransformerEncoder`).

Two sub-blocks, each a residual connection around a function of the sequence:

    post-norm (normalize_first=False, the 2017 paper and KerasHub's default):
        x1 = LayerNorm(x  + Dropout(MultiHeadAttention(x, x)))
        y  = LayerNorm(x1 + Dropout(Dense(D)(Dense(intermediate_dim, activation)(x1))))
    pre-norm (normalize_first=True, what deep stacks use: the skip path is never normalized):
        x1 = x  + Dropout(MultiHeadAttention(LayerNorm(x), LayerNorm(x)))
        y  = x1 + Dropout(Dense(D)(Dense(intermediate_dim, activation)(LayerNorm(x1))))

Attention mixes information *across time steps*; the feed-forward part works on each step alone
(the same two Dense layers at every step). The backward pass is the chain rule through the same
steps, each skip adding the upstream gradient unchanged, as `Residual` does.
"""
from bricks import errors
from bricks.layers.base import LAYERS, Layer
from bricks.layers.core import Dense
from bricks.layers.multi_head_attention import MultiHeadAttention
from bricks.layers.noise import Dropout
from bricks.layers.normalization import LayerNormalization

__all__ = ["TransformerEncoder"]


@LAYERS.register
class TransformerEncoder(Layer):
    """One encoder block on (B, T, D) sequences; output shape = input shape.

    Args:
        intermediate_dim: width of the feed-forward part's hidden layer.
        num_heads: attention heads; each has key_dim = D // num_heads (KerasHub's choice).
        dropout: after attention and after the feed-forward part (and on the attention weights).
        activation: of the feed-forward hidden layer ("relu").
        layer_norm_epsilon: 1e-5 as KerasHub. normalize_first: pre-norm instead of post-norm.
        use_causal_mask: step t attends only to steps <= t (for next-step prediction).
        seed: the dropout generators' seed.
    Weights: the attention's 8 arrays, then the two LayerNormalizations', then the two Dense's.
    """

    input_rank = 3
    layout = "(batch, timesteps, features)"

    def __init__(self, intermediate_dim, num_heads, dropout=0.0, activation="relu", layer_norm_epsilon=1e-5,
                 normalize_first=False, use_causal_mask=False, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", seed=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(intermediate_dim, int) or intermediate_dim < 1:
            errors.fail(self, "intermediate_dim a positive integer", intermediate_dim=intermediate_dim)
        self.intermediate_dim, self.num_heads, self.dropout = intermediate_dim, num_heads, dropout
        self.activation, self.layer_norm_epsilon = activation, layer_norm_epsilon
        self.normalize_first, self.use_causal_mask = bool(normalize_first), bool(use_causal_mask)
        self.kernel_initializer, self.bias_initializer, self.seed = kernel_initializer, bias_initializer, seed

    def build(self, input_shape):
        D = input_shape[-1]
        if D % self.num_heads:
            errors.fail(self, f"features divisible by num_heads={self.num_heads}", input_shape=tuple(input_shape))
        init = dict(kernel_initializer=self.kernel_initializer, bias_initializer=self.bias_initializer,
                    dtype=self.dtype)
        p = f"{self.name}_"
        seed = (lambda k: None if self.seed is None else self.seed + k)  # noqa: E731
        self.attention = MultiHeadAttention(self.num_heads, D // self.num_heads, dropout=self.dropout,
                                            seed=seed(0), name=p + "self_attention", **init)
        self.norm1 = LayerNormalization(epsilon=self.layer_norm_epsilon, dtype=self.dtype,
                                        name=p + "self_attention_layer_norm")
        self.norm2 = LayerNormalization(epsilon=self.layer_norm_epsilon, dtype=self.dtype,
                                        name=p + "feedforward_layer_norm")
        self.dense1 = Dense(self.intermediate_dim, self.activation, name=p + "feedforward_intermediate_dense", **init)
        self.dense2 = Dense(D, name=p + "feedforward_output_dense", **init)
        self.drop1 = Dropout(self.dropout, seed=seed(1), dtype=self.dtype, name=p + "self_attention_dropout")
        self.drop2 = Dropout(self.dropout, seed=seed(2), dtype=self.dtype, name=p + "feedforward_dropout")
        shape = tuple(input_shape)
        self.attention.build(shape)
        for layer in (self.norm1, self.norm2):
            layer.build(shape)
        self.dense1.build(shape)
        self.dense2.build((*shape[:-1], self.intermediate_dim))
        self.sublayers = [self.attention, self.norm1, self.norm2, self.dense1, self.dense2,
                          self.drop1, self.drop2]  # the Dropouts too: their random streams are checkpointed
        super().build(input_shape)

    def forward(self, x, training=False):
        x = self._prepare(x)  # (B, T, D)
        pre = self.normalize_first
        h = self.norm1.forward(x) if pre else x
        a = self.attention.forward(h, training=training, use_causal_mask=self.use_causal_mask)  # (B, T, D)
        x1 = x + self.drop1.forward(a, training=training)
        if not pre:
            x1 = self.norm1.forward(x1)
        h = self.norm2.forward(x1) if pre else x1
        f = self.dense2.forward(self.dense1.forward(h))  # (B, T, D), step by step
        y = x1 + self.drop2.forward(f, training=training)
        if not pre:
            y = self.norm2.forward(y)
        return self._keep(True, y)  # the sublayers keep their own caches

    def backward(self, grad_output):
        self._cached(grad_output)
        pre = self.normalize_first
        dy = grad_output if pre else self.norm2.backward(grad_output)  # d(x1 + f)
        dh = self.dense1.backward(self.dense2.backward(self.drop2.backward(dy)))
        dx1 = dy + (self.norm2.backward(dh) if pre else dh)  # the skip, plus the feed-forward path
        dz = dx1 if pre else self.norm1.backward(dx1)  # d(x + a)
        dh = self.attention.backward(self.drop1.backward(dz))
        return dz + (self.norm1.backward(dh) if pre else dh)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "intermediate_dim": self.intermediate_dim, "num_heads": self.num_heads,
                "dropout": self.dropout, "activation": self.activation,
                "layer_norm_epsilon": self.layer_norm_epsilon, "normalize_first": self.normalize_first,
                "use_causal_mask": self.use_causal_mask, "kernel_initializer": self.kernel_initializer,
                "bias_initializer": self.bias_initializer, "seed": self.seed}
