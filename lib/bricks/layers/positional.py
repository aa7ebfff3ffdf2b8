"""Positional information for attention, which on its own cannot tell order.

Attention is a weighted average over a *set*: shuffle the keys and values together and the output
does not change. Order must be written into the inputs. Two ways, both as KerasHub has them:

- `SinePositionEncoding` (fixed): position t, feature i gets sin(t * w_i) for even i and
  cos(t * w_i) for odd i, with frequencies w_i = max_wavelength ** (-2 floor(i/2) / D), from one
  turn per step down to one turn per `max_wavelength` steps (Vaswani et al. 2017).
- `PositionEmbedding` (learned): a table `embeddings` (sequence_length, D), row t for step t.

Both *return the positions* (shaped like the input), as KerasHub's layers do; a model adds them
to its inputs. In a Sequential model that addition is a residual block:
`Residual([SinePositionEncoding()])` computes x + P.
"""
import numpy as np

from bricks import errors, initializers
from bricks.layers.base import LAYERS, Layer

__all__ = ["SinePositionEncoding", "PositionEmbedding", "sine_position_encoding"]


def sine_position_encoding(length, dim, max_wavelength=10000.0, start_index=0):
    """The (length, dim) table: sin(t w_i) on even features i, cos(t w_i) on odd ones."""
    t = np.arange(length, dtype=np.float64)[:, None] + start_index  # (T, 1)
    i = np.arange(dim)  # (D,)
    w = (1.0 / max_wavelength) ** (2 * (i // 2) / dim)  # (D,) from 1 down to ~1/max_wavelength
    angles = t * w  # (T, D)
    return np.where(i % 2 == 0, np.sin(angles), np.cos(angles))  # (T, D)


@LAYERS.register
class SinePositionEncoding(Layer):
    """Fixed sinusoidal positions (KerasHub's `SinePositionEncoding`); no weights.

    Input (B, T, D) -> output (B, T, D): `sine_position_encoding(T, D)` for every sample. The
    output does not depend on the input's values, so backward returns zeros for x.
    """

    input_rank = 3
    layout = "(batch, timesteps, features)"

    def __init__(self, max_wavelength=10000, **kwargs):
        super().__init__(**kwargs)
        self.max_wavelength = errors.check_number(self, "max_wavelength", max_wavelength, 0, None, "()")

    def forward(self, x, training=False):
        x = self._prepare(x)  # (B, T, D)
        table = sine_position_encoding(x.shape[1], x.shape[2], self.max_wavelength).astype(self.dtype)
        return self._keep(x.shape, np.broadcast_to(table, x.shape).copy())  # (B, T, D)

    def backward(self, grad_output):
        return np.zeros(self._cached(grad_output), dtype=self.dtype)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "max_wavelength": self.max_wavelength}


@LAYERS.register
class PositionEmbedding(Layer):
    """Learned positions (KerasHub's `PositionEmbedding`): a table of `sequence_length` rows.

    Forward: input (B, T, D) with T <= sequence_length -> embeddings[:T] for every sample.
    Backward: d embeddings[:T] = sum over the batch of dy; the input gets zeros.
    Weights: embeddings (sequence_length, D).
    """

    input_rank = 3
    layout = "(batch, timesteps, features)"

    def __init__(self, sequence_length, initializer="glorot_uniform", **kwargs):
        super().__init__(**kwargs)
        if not isinstance(sequence_length, (int, np.integer)) or sequence_length < 1:
            errors.fail(self, "sequence_length a positive integer", sequence_length=sequence_length)
        self.sequence_length = int(sequence_length)
        self.initializer = initializer
        initializers.get(initializer)

    def build(self, input_shape):
        super().build(input_shape)
        self.add_weight("embeddings", (self.sequence_length, input_shape[-1]), self.initializer)

    def forward(self, x, training=False):
        x = self._prepare(x)  # (B, T, D)
        if x.shape[1] > self.sequence_length:
            errors.fail(self, f"at most sequence_length={self.sequence_length} steps", **{"x.shape": x.shape})
        y = np.broadcast_to(self.params["embeddings"][:x.shape[1]], x.shape).copy()  # (B, T, D)
        return self._keep(x.shape, y)

    def backward(self, grad_output):
        shape = self._cached(grad_output)
        self.grads["embeddings"][...] = 0.0
        self.grads["embeddings"][:shape[1]] = grad_output.sum(axis=0)  # (T, D)
        return np.zeros(shape, dtype=self.dtype)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "sequence_length": self.sequence_length,
                "initializer": initializers.serialize(self.initializer)}
