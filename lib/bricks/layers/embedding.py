"""Embedding: integer ids (stocks, industries, days of week) to learned vectors.

An Embedding is a lookup table W of shape (input_dim, output_dim): id i reads
row W[i]. It equals a one-hot vector times a Dense kernel without bias,
onehot(i) @ W = W[i], only without building the one-hot matrix. The backward
is the transpose of the lookup: every occurrence of id i adds its upstream
gradient to row i (an id seen twice in a batch gets both contributions, which
is why it is `np.add.at`, not `dW[ids] += dy`).

    forward:   y[..., :] = W[ids[...], :]
    backward:  dW[i, :] = sum over positions p with ids[p] == i of dy[p, :]
"""
import numpy as np

from bricks import errors, initializers, regularizers
from bricks.layers.base import LAYERS, Layer

__all__ = ["Embedding", "embedding_forward", "embedding_backward"]


def embedding_forward(ids, W):
    """Look rows up: ids (...,) int, W (V, D) -> (..., D)."""
    return W[ids]  # (..., D)


def embedding_backward(grad_output, ids, input_dim):
    """dW (V, D): scatter-add each position's dy (..., D) into the row of its id."""
    dW = np.zeros((input_dim, grad_output.shape[-1]), dtype=grad_output.dtype)  # (V, D)
    np.add.at(dW, ids.reshape(-1), grad_output.reshape(-1, grad_output.shape[-1]))  # repeats add up
    return dW


@LAYERS.register
class Embedding(Layer):
    """Turn non-negative integer ids into dense vectors of size `output_dim` (Keras Embedding).

    y = W[ids], W of shape (input_dim, output_dim), named "embeddings" as in Keras.
    backward fills grads["embeddings"] by scatter-add and returns zeros shaped like
    `ids` for the input: ids are not differentiable (Keras returns no gradient for
    them); zeros let a model pass the result on without a special case.

    Ids may be an int array, or floats holding whole numbers (as a data pipeline often
    gives); anything else, a negative id or one >= input_dim raises a ValueError that
    names the layer and the offending value. `mask_zero=True` is accepted and stored,
    and `compute_mask(ids)` returns ids != 0, but no bricks layer consumes masks: id 0
    is looked up like any other. `input_length` (Keras 2) is accepted and ignored.

    Args:
        input_dim: number of distinct ids (the largest id + 1).
        output_dim: length of each vector.
        embeddings_initializer: default "uniform", Keras's RandomUniform(-0.05, 0.05).
        embeddings_regularizer: e.g. bricks.L2(1e-4), or None.
        mask_zero: see above.
    Input shape: ids of any shape (N, ...). Output shape: (N, ..., output_dim).
    Example:
        >>> emb = Embedding(300, 8)
        >>> emb(np.array([[0, 5, 5]])).shape
        (1, 3, 8)
    """

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, mask_zero=False, input_length=None, **kwargs):
        super().__init__(**kwargs)
        for arg, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                errors.fail(self, f"{arg} a positive int", **{arg: value})
        self.input_dim, self.output_dim = int(input_dim), int(output_dim)
        init = embeddings_initializer
        self.embeddings_initializer = init if isinstance(init, str) else initializers.get(init)
        reg = embeddings_regularizer
        self.embeddings_regularizer = None if reg is None else regularizers.get(reg)
        self.mask_zero = bool(mask_zero)
        self.input_length = input_length  # ignored, kept for Keras 2 code

    def build(self, input_shape):
        init = self.embeddings_initializer
        init = initializers.RandomUniform(-0.05, 0.05) if init == "uniform" else init
        self.add_weight("embeddings", (self.input_dim, self.output_dim), init, self.embeddings_regularizer)
        super().build(input_shape)

    def _prepare(self, ids):
        """Ids as an int64 array, every value checked; NOT cast to float like other layers."""
        try:
            raw = np.asarray(ids)
        except (TypeError, ValueError):
            errors.fail(self, "an array of integer ids", **{"type(ids)": type(ids).__name__})
        if raw.ndim == 0:
            errors.fail(self, "ids with a batch axis, shape (batch, ...)", **{"ids.shape": raw.shape})
        if raw.dtype == bool or not np.issubdtype(raw.dtype, np.number):
            errors.fail(self, "integer ids", **{"ids.dtype": str(raw.dtype)})
        if not np.issubdtype(raw.dtype, np.integer):
            bad = raw[~np.isfinite(raw) | (raw != np.round(raw))] if np.isrealobj(raw) else raw.ravel()
            if bad.size:
                errors.fail(self, "integer ids (whole numbers)", **{"id": bad.ravel()[0].item()})
        if raw.size and (raw.min() < 0 or raw.max() >= self.input_dim):
            worst = raw.min() if raw.min() < 0 else raw.max()
            errors.fail(self, f"ids in [0, {self.input_dim - 1}] (input_dim={self.input_dim})",
                        **{"id": worst.item()})
        if not self.built:
            self.build((None, *raw.shape[1:]))
        return raw.astype(np.int64)  # (N, ...)

    def forward(self, x, training=False):
        ids = self._prepare(x)  # (N, ...)
        return self._keep(ids, embedding_forward(ids, self.params["embeddings"]))  # (N, ..., D)

    def backward(self, grad_output):
        ids = self._cached(grad_output)  # (N, ...)
        self.grads["embeddings"][...] = embedding_backward(grad_output, ids, self.input_dim)  # (V, D)
        return np.zeros(ids.shape, dtype=self.dtype)  # ids get no gradient

    def compute_mask(self, ids):
        """ids != 0 when mask_zero, else None (stored for Keras parity; nothing consumes it)."""
        return (np.asarray(ids) != 0) if self.mask_zero else None

    def get_config(self):
        return {**super().get_config(), "input_dim": self.input_dim, "output_dim": self.output_dim,
                "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
                "embeddings_regularizer": regularizers.serialize(self.embeddings_regularizer),
                "mask_zero": self.mask_zero}
