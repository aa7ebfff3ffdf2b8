"""Training metrics with Keras names: `metric(y_true, y_pred) -> float`, averaged over the batch::

    binary_accuracy              mean[ (y_pred > 0.5) == y_true ]
    categorical_accuracy         mean[ argmax y_pred == argmax y_true ]
    sparse_categorical_accuracy  mean[ argmax y_pred == y_true ]
    mean_absolute_error (mae)    mean abs(y_pred - y_true)
    mean_squared_error (mse)     mean (y_pred - y_true)^2

`compile(metrics=["accuracy"])` picks the accuracy that fits the loss, as Keras
does (see `get`). Quant metrics (IC, rank IC, ...) live in bricks.quant.evaluation.

Example:
    >>> binary_accuracy(np.array([[1.0], [0.0]]), np.array([[0.9], [0.7]]))   # 0.7 > 0.5: wrong
    0.5
"""
import numpy as np

from bricks.registry import Registry

__all__ = []  # reached as bricks.metrics.<name>


def _pair(y_true, y_pred):
    y_pred = np.asarray(y_pred, dtype=np.float64)
    y_true = np.asarray(y_true, dtype=np.float64)
    if y_true.shape != y_pred.shape and y_true.size == y_pred.size:
        y_true = y_true.reshape(y_pred.shape)  # (N,) targets against (N, 1) outputs
    return y_true, y_pred


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """Share of outputs on the right side of `threshold`."""
    y_true, y_pred = _pair(y_true, y_pred)
    return float(np.mean((y_pred > threshold) == (y_true > 0.5)))


def categorical_accuracy(y_true, y_pred):
    """Share of samples whose largest output is the one-hot target's class."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    return float(np.mean(np.argmax(y_pred, axis=-1) == np.argmax(y_true, axis=-1)))


def sparse_categorical_accuracy(y_true, y_pred):
    """Share of samples whose largest output is the integer label."""
    y_pred = np.asarray(y_pred)
    y_true = np.asarray(y_true).reshape(y_pred.shape[:-1])
    return float(np.mean(np.argmax(y_pred, axis=-1) == y_true))


def accuracy(y_true, y_pred):
    """Share of exactly equal entries (compile resolves 'accuracy' to one of the above)."""
    y_true, y_pred = _pair(y_true, y_pred)
    return float(np.mean(y_true == y_pred))


def mean_absolute_error(y_true, y_pred):
    y_true, y_pred = _pair(y_true, y_pred)
    return float(np.mean(np.abs(y_pred - y_true)))


def mean_squared_error(y_true, y_pred):
    y_true, y_pred = _pair(y_true, y_pred)
    return float(np.mean(np.square(y_pred - y_true)))


mae, mse = mean_absolute_error, mean_squared_error

METRICS = Registry("metrics")
METRICS.register(binary_accuracy)
METRICS.register(categorical_accuracy)
METRICS.register(sparse_categorical_accuracy)
METRICS.register(mean_absolute_error, "mae")
METRICS.register(mean_squared_error, "mse")


def get(identifier, loss=None, output_size=None):
    """A metric function from a name or callable.

    'accuracy' / 'acc' follow Keras: binary_accuracy for a binary crossentropy loss or a
    single output, sparse_categorical_accuracy for the sparse loss, else categorical_accuracy.
    """
    if identifier in ("accuracy", "acc"):
        loss_name = getattr(loss, "name", loss) or ""
        if "binary" in loss_name or output_size == 1:
            return binary_accuracy
        if "sparse" in loss_name:
            return sparse_categorical_accuracy
        return categorical_accuracy
    if callable(identifier):
        return identifier
    return METRICS.get(identifier)
