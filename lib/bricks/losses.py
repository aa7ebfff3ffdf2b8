"""Losses with Keras names, formulas and reduction, each with its exact gradient.

A loss is called as `loss(y_true, y_pred) -> float` and differentiated as
`loss.gradient(y_true, y_pred) -> dL/dy_pred` (shaped like y_pred). Keras's
reduction: an elementwise loss is averaged over the last axis, giving one
number per sample, and those are averaged over the batch; so for MSE, MAE,
Huber and binary crossentropy L is the mean over all M elements and the
gradient carries a 1/M. Crossentropies over classes sum over the last axis
and average over the N samples (1/N)::

    MeanSquaredError         L = mean (p - t)^2                 dL/dp = 2 (p - t) / M
    MeanAbsoluteError        L = mean abs(p - t)                dL/dp = sign(p - t) / M
    Huber(delta)             L = mean h(e), h = e^2/2 or delta (abs(e) - delta/2)
    BinaryCrossentropy       L = -mean [t log p + (1 - t) log(1 - p)],  p clipped to [1e-7, 1 - 1e-7]
        from_logits=True     L = mean [max(z, 0) - z t + log(1 + exp(-abs(z)))],  dL/dz = (sigmoid(z) - t) / M
    CategoricalCrossentropy  L = -mean_n sum_c t_c log p_c  (p renormalized, clipped, as Keras)
        from_logits=True     L = -mean_n sum_c t_c log_softmax(z)_c,  dL/dz = (softmax(z) sum_c t_c - t) / N
    SparseCategoricalCrossentropy: the same with integer labels instead of one-hot rows.

Clipping has zero gradient where it bites, exactly as in Keras.

Example: MSE over M = 2 elements, so the gradient carries 2 (p - t) / M:
    >>> loss = get("mse")
    >>> t, p = np.array([[1.0, 0.0]]), np.array([[3.0, 0.0]])
    >>> loss(t, p)                  # ((3 - 1)^2 + 0^2) / 2
    2.0
    >>> loss.gradient(t, p)         # 2 (3 - 1) / 2 and 0
    array([[2., 0.]])
"""
import numpy as np

from bricks import errors
from bricks.registry import Registry
from bricks.activations import sigmoid, softmax

__all__ = ["Loss", "MeanSquaredError", "MeanAbsoluteError", "Huber", "BinaryCrossentropy",
           "CategoricalCrossentropy", "SparseCategoricalCrossentropy"]

EPSILON = 1e-7  # Keras backend.epsilon(): probabilities are clipped to [EPSILON, 1 - EPSILON]


class Loss:
    """Base class: subclasses write `_values(t, p)` (the scalar) and `_gradient(t, p)`."""

    def __init__(self, name=None):
        self.name = name or _snake(type(self).__name__)

    def _check(self, y_true, y_pred):
        """Float arrays of equal shape; (N,) targets against (N, 1) outputs are reshaped as Keras does."""
        y_pred = errors.as_float_array(self, y_pred, name="y_pred")
        y_true = errors.as_float_array(self, y_true, name="y_true").astype(y_pred.dtype, copy=False)
        if y_true.shape != y_pred.shape and y_true.size == y_pred.size and abs(y_true.ndim - y_pred.ndim) == 1:
            longer = y_true.shape if y_true.ndim > y_pred.ndim else y_pred.shape
            if longer[-1] == 1:  # squeeze_or_expand_to_same_rank
                y_true = y_true.reshape(y_pred.shape)
        if y_true.shape != y_pred.shape:
            errors.fail(self, "y_true and y_pred of the same shape",
                        **{"y_true.shape": y_true.shape, "y_pred.shape": y_pred.shape})
        if y_pred.ndim == 0:
            errors.fail(self, "arrays with a batch axis", **{"y_pred.shape": y_pred.shape})
        self.check_targets(y_true)
        return y_true, y_pred

    def check_targets(self, y_true):
        """Raise if `y_true` lies outside this loss's domain (the crossentropies: [0, 1])."""

    def __call__(self, y_true, y_pred):
        t, p = self._check(y_true, y_pred)
        return float(self._value(t, p))

    def gradient(self, y_true, y_pred):
        """dL/dy_pred, shaped like y_pred."""
        t, p = self._check(y_true, y_pred)
        return self._gradient(t, p)

    def get_config(self):
        return {"name": self.name}

    def __repr__(self):
        return f"<{type(self).__name__} {self.name!r}>"


class MeanSquaredError(Loss):
    """L = mean((y_pred - y_true)^2); dL/dy_pred = 2 (y_pred - y_true) / M."""

    def _value(self, t, p):
        return np.mean(np.square(p - t))

    def _gradient(self, t, p):
        return 2.0 * (p - t) / p.size


class MeanAbsoluteError(Loss):
    """L = mean(abs(y_pred - y_true)); dL/dy_pred = sign(y_pred - y_true) / M (0 at a tie)."""

    def _value(self, t, p):
        return np.mean(np.abs(p - t))

    def _gradient(self, t, p):
        return np.sign(p - t) / p.size


class Huber(Loss):
    """Quadratic for abs(e) <= delta, linear beyond: L = mean h(e); dL/dp = clip(e, -delta, delta) / M."""

    def __init__(self, delta=1.0, name="huber_loss"):
        super().__init__(name)
        self.delta = float(delta)

    def _value(self, t, p):
        e = np.abs(p - t)
        return np.mean(np.where(e <= self.delta, 0.5 * e * e, self.delta * (e - 0.5 * self.delta)))

    def _gradient(self, t, p):
        return np.clip(p - t, -self.delta, self.delta) / p.size

    def get_config(self):
        return {"name": self.name, "delta": self.delta}


def _targets_in_unit_interval(loss, t, hint):
    """Refuse targets outside [0, 1]: a crossentropy of them is no loss (it can go negative)."""
    t = np.asarray(t)
    if t.size and np.issubdtype(t.dtype, np.number) and (t.min() < 0 or t.max() > 1):
        errors.fail(loss, f"targets y_true in [0, 1] ({hint})",
                    **{"y_true.min()": float(t.min()), "y_true.max()": float(t.max())})


class BinaryCrossentropy(Loss):
    """Log loss of independent yes/no outputs (probabilities, or logits with from_logits=True).

    Targets must lie in [0, 1]: -1/+1 labels are refused (map them with (y + 1) / 2).
    """

    def __init__(self, from_logits=False, name="binary_crossentropy"):
        super().__init__(name)
        self.from_logits = from_logits

    def check_targets(self, y_true):
        _targets_in_unit_interval(self, y_true, "0/1 labels or probabilities; map -1/+1 labels with (y + 1) / 2")

    def _value(self, t, p):
        if self.from_logits:  # z = p: max(z,0) - z t + log(1 + e^-|z|), never overflows
            return np.mean(np.maximum(p, 0) - p * t + np.log1p(np.exp(-np.abs(p))))
        q = np.clip(p, EPSILON, 1 - EPSILON)
        return -np.mean(t * np.log(q) + (1 - t) * np.log(1 - q))

    def _gradient(self, t, p):
        if self.from_logits:
            return (sigmoid(p) - t) / p.size
        inside = (p >= EPSILON) & (p <= 1 - EPSILON)  # clip passes the gradient only here
        q = np.clip(p, EPSILON, 1 - EPSILON)
        return inside * (-t / q + (1 - t) / (1 - q)) / p.size

    def get_config(self):
        return {"name": self.name, "from_logits": self.from_logits}


def _log_softmax(z):
    """log softmax(z) = z - max - log(sum(exp(z - max))): finite for logits up to +/-1e308
    (z - max may reach -inf, whose exp is 0: harmless, as long as no target multiplies it)."""
    with np.errstate(over="ignore", invalid="ignore"):
        s = z - z.max(axis=-1, keepdims=True)  # (..., C), <= 0
    return s - np.log(np.exp(s).sum(axis=-1, keepdims=True))


def _cross(t, log_q):
    """sum(t * log q) with 0 * log 0 = 0 (a class the target does not name costs nothing)."""
    return np.sum(np.multiply(t, log_q, out=np.zeros_like(log_q), where=t != 0))


class CategoricalCrossentropy(Loss):
    """Crossentropy of one-hot (or soft) targets against class probabilities on the last axis."""

    def __init__(self, from_logits=False, name="categorical_crossentropy"):
        super().__init__(name)
        self.from_logits = from_logits

    def check_targets(self, y_true):
        _targets_in_unit_interval(self, y_true, "one-hot rows or class probabilities; integer ids need "
                                  "sparse_categorical_crossentropy")
        t = np.asarray(y_true, dtype=float)
        if t.ndim >= 1 and t.size:
            sums = t.sum(axis=-1)
            bad = np.flatnonzero(np.abs(sums - 1.0).ravel() > 1e-3)
            if bad.size:
                errors.fail(self, "targets y_true whose rows are probabilities summing to 1 (one-hot or soft "
                            "labels; several 1s in a row is multi-label: use binary_crossentropy)",
                            row=int(bad[0]), row_sum=float(sums.ravel()[bad[0]]))

    def _value(self, t, p):
        n = p.size // p.shape[-1]  # samples (every axis but the class axis)
        if self.from_logits:
            return -_cross(t, _log_softmax(p)) / n
        q = p / p.sum(axis=-1, keepdims=True)  # Keras renormalizes the probabilities
        return -np.sum(t * np.log(np.clip(q, EPSILON, 1 - EPSILON))) / n

    def _gradient(self, t, p):
        n = p.size // p.shape[-1]
        if self.from_logits:
            return (softmax(p) * t.sum(axis=-1, keepdims=True) - t) / n
        s = p.sum(axis=-1, keepdims=True)  # (..., 1)
        q = p / s  # (..., C)
        inside = (q >= EPSILON) & (q <= 1 - EPSILON)
        dq = -(inside * t) / np.clip(q, EPSILON, 1 - EPSILON)  # dL/dq before the 1/n
        return (dq - np.sum(dq * q, axis=-1, keepdims=True)) / s / n  # through q = p / sum(p)

    def get_config(self):
        return {"name": self.name, "from_logits": self.from_logits}


class SparseCategoricalCrossentropy(CategoricalCrossentropy):
    """CategoricalCrossentropy with integer class ids: y_true (N,) or (N, 1) against y_pred (N, C)."""

    def __init__(self, from_logits=False, name="sparse_categorical_crossentropy"):
        super().__init__(from_logits, name)

    def check_targets(self, y_true):
        t = np.asarray(y_true)
        if t.size and (not np.issubdtype(t.dtype, np.number) or np.any(t != np.round(t)) or t.min() < 0):
            errors.fail(self, "integer class ids >= 0", **{"y_true.min()": t.min(), "y_true.dtype": str(t.dtype)})

    def _check(self, y_true, y_pred):
        y_pred = errors.as_float_array(self, y_pred, name="y_pred")
        y_true = np.asarray(y_true)
        if y_pred.ndim >= 1 and y_true.shape == y_pred.shape[:-1] + (1,) and y_pred.shape[-1] != 1:
            y_true = y_true[..., 0]
        if y_pred.ndim < 2 or y_true.shape != y_pred.shape[:-1]:
            errors.fail(self, "integer labels shaped like y_pred without its class axis",
                        **{"y_true.shape": y_true.shape, "y_pred.shape": y_pred.shape})
        labels = y_true.astype(np.int64)
        classes = y_pred.shape[-1]
        if np.any(labels != y_true) or labels.min() < 0 or labels.max() >= classes:
            errors.fail(self, f"integer labels in [0, {classes})",
                        **{"y_true.min()": y_true.min(), "y_true.max()": y_true.max()})
        return np.eye(classes, dtype=y_pred.dtype)[labels], y_pred  # one-hot (..., C)


def _snake(name):
    from bricks.backend import snake_case
    return snake_case(name)


LOSSES = Registry("losses", base=Loss)
LOSSES.register(MeanSquaredError, "mse", "mean_squared_error")
LOSSES.register(MeanAbsoluteError, "mae", "mean_absolute_error")
LOSSES.register(Huber, "huber", "huber_loss")
LOSSES.register(BinaryCrossentropy, "binary_crossentropy")
LOSSES.register(CategoricalCrossentropy, "categorical_crossentropy")
LOSSES.register(SparseCategoricalCrossentropy, "sparse_categorical_crossentropy")

get = LOSSES.get  # a loss from an instance, a name or a {"class_name", "config"} dict
serialize = LOSSES.serialize  # its inverse: Keras's {"class_name", "config"}
