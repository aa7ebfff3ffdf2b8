"""Noise layers: Dropout, AlphaDropout, GaussianDropout, GaussianNoise (Keras semantics).

Each one perturbs its input while training and is the identity at inference
(`training=False`, the default of `forward`). The noise is drawn in forward
from the layer's own generator (a `backend.SeedGenerator(seed)`, so a seeded
layer draws a repeatable *sequence* of masks, a fresh one each call, like
Keras's SeedGenerator, restarted by `bricks.set_random_seed`) and kept for backward, which multiplies by the
same mask: for y = a * (x * m) + b the gradient is dx = a * m * dy.

Repeatable noise for gradient checks: finite differences call forward many
times and need the same noise every time. Set `layer.freeze_noise = True`:
the layer then reuses the noise it last drew as long as the input shape is
unchanged (it draws once if it has none). Nothing else changes; set it back
to False to train.

    >>> x = np.random.default_rng(0).normal(size=(4, 3))
    >>> drop = Dropout(0.5, seed=0)
    >>> drop.freeze_noise = True                      # same mask on every call
    >>> errs = bricks.teaching.gradcheck.check_layer(drop, x, training=True)
    >>> max(errs.values()) < 1e-7
    True
"""
import numpy as np

from bricks import backend, errors
from bricks.activations import SELU_ALPHA, SELU_SCALE  # SELU's constants (Klambauer et al. 2017), as Keras
from bricks.layers.base import LAYERS, Layer

__all__ = ["Dropout", "AlphaDropout", "GaussianDropout", "GaussianNoise",
           "dropout_mask", "dropout_forward", "dropout_backward"]


def dropout_mask(shape, rate, rng, dtype="float64"):
    """The inverted-dropout multiplier m / (1 - rate), m ~ Bernoulli(1 - rate)."""
    return (rng.random(shape) >= rate).astype(dtype) / (1.0 - rate)  # (noise_shape), 0 or 1/(1-rate)


def dropout_forward(x, mask):
    """y = x * mask; a mask of shape noise_shape broadcasts over the axes where it is 1."""
    return x * mask  # (N, ...)


def dropout_backward(grad_output, mask):
    """dx = dy * mask: dropped units pass no gradient, kept ones the same 1/(1-rate) scale."""
    return grad_output * mask  # (N, ...)


def _check_rate(owner, rate, arg="rate"):
    if isinstance(rate, bool) or not isinstance(rate, (int, float, np.integer, np.floating)) or not 0 <= rate < 1:
        errors.fail(owner, f"{arg} in [0, 1) (a fraction of units to drop)", **{arg: rate})
    return float(rate)


class _Noise(Layer):
    """Shared machinery: a generator, the frozen-noise switch, identity when not training."""

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.seed_generator = backend.SeedGenerator(seed)
        self.freeze_noise = False  # True: reuse the last noise while the input shape is unchanged
        self.noise = None  # what the last training forward drew, e.g. the dropout mask
        self._noise_for = None  # the input shape it was drawn for

    @property
    def rng(self):
        """The generator of the next draw (restarted by `bricks.set_random_seed`)."""
        return self.seed_generator.rng

    def check_input(self, x):
        pass  # no weights: any shape goes

    def _active(self):
        return True

    def _noise_shape(self, x):
        return x.shape

    def forward(self, x, training=False):
        x = self._prepare(x)
        if not training or not self._active():
            return self._keep(("identity", None), x)
        if not (self.freeze_noise and self.noise is not None and self._noise_for == x.shape):
            self.noise = self._draw(self._noise_shape(x), x.dtype)
            self._noise_for = x.shape
        return self._keep(("noise", self.noise), self._apply(x, self.noise))

    def backward(self, grad_output):
        kind, noise = self._cached(grad_output)
        return grad_output if kind == "identity" else self._grad(grad_output, noise)

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


class _RateNoise(_Noise):
    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.rate = _check_rate(self, rate)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)

    def _active(self):
        return self.rate > 0

    def _noise_shape(self, x):
        if self.noise_shape is None:
            return x.shape
        shape = tuple(x.shape[i] if d is None else d for i, d in enumerate(self.noise_shape))
        if len(shape) != x.ndim or any(d not in (1, n) for d, n in zip(shape, x.shape)):
            errors.fail(self, f"noise_shape={self.noise_shape} broadcastable to the input",
                        **{"x.shape": tuple(x.shape)})
        return shape

    def get_config(self):
        ns = None if self.noise_shape is None else list(self.noise_shape)
        return {**super().get_config(), "rate": self.rate, "noise_shape": ns}


@LAYERS.register
class Dropout(_RateNoise):
    """Zero a fraction `rate` of the inputs while training and scale the rest by 1 / (1 - rate).

    Inverted dropout keeps E[y] = x, so inference needs no rescaling:
        y = x * m / (1 - rate),  m ~ Bernoulli(1 - rate);   dx = dy * m / (1 - rate).

    Args:
        rate: fraction dropped, in [0, 1).
        noise_shape: shape of the mask, broadcast over the input; None entries take the
            input's size (e.g. (None, 1, None) drops whole features for all time steps).
        seed: seed of the layer's generator.
    Input shape: any. Output shape: same.
    Example:
        >>> Dropout(0.5, seed=0)(np.ones((2, 4)), training=True)   # zeros and 2.0s
        array([[2., 0., 0., 0.],
               [2., 2., 2., 2.]])
        >>> Dropout(0.5, seed=0)(np.ones((2, 4)))                  # inference: the identity
        array([[1., 1., 1., 1.],
               [1., 1., 1., 1.]])
    """

    def _draw(self, shape, dtype):
        return dropout_mask(shape, self.rate, self.rng, dtype)

    def _apply(self, x, mask):
        return dropout_forward(x, mask)

    def _grad(self, grad_output, mask):
        return dropout_backward(grad_output, mask)


@LAYERS.register
class AlphaDropout(_RateNoise):
    """Dropout for SELU networks: dropped units are set to SELU's negative saturation, then an
    affine map restores the mean and variance (0 and 1) of the input.

    With alpha' = -SELU_SCALE * SELU_ALPHA ~ -1.758, k ~ Bernoulli(1 - rate),
        a = ((1 - rate) * (1 + rate * alpha'^2)) ** -0.5,   b = -a * alpha' * rate,
        y = a * (x * k + alpha' * (1 - k)) + b;             dx = a * k * dy.

    Args: rate in [0, 1); noise_shape and seed as Dropout.
    Input shape: any. Output shape: same.
    Example:
        >>> x = np.random.default_rng(0).standard_normal((1000, 50))
        >>> y = AlphaDropout(0.1, seed=0)(x, training=True)
        >>> bool(abs(y.mean()) < 0.01), round(float(y.std()), 2)   # mean ~0 and std ~1, as x's
        (True, 1.0)
    """

    alpha_p = -SELU_SCALE * SELU_ALPHA

    def _coefficients(self):
        a = ((1 - self.rate) * (1 + self.rate * self.alpha_p ** 2)) ** -0.5
        return a, -a * self.alpha_p * self.rate

    def _draw(self, shape, dtype):
        return (self.rng.random(shape) >= self.rate).astype(dtype)  # (noise_shape), k in {0, 1}

    def _apply(self, x, keep):
        a, b = self._coefficients()
        return a * (x * keep + self.alpha_p * (1 - keep)) + b

    def _grad(self, grad_output, keep):
        a, _ = self._coefficients()
        return a * keep * grad_output


@LAYERS.register
class GaussianDropout(_RateNoise):
    """Multiply the inputs by Gaussian noise of mean 1 while training.

        y = x * e,  e ~ N(1, rate / (1 - rate));   dx = dy * e.

    The variance rate / (1 - rate) is that of Dropout's multiplier m / (1 - rate).

    Args: rate in [0, 1); seed as Dropout.
    Input shape: any. Output shape: same.
    Example:
        >>> y = GaussianDropout(0.2, seed=0)(np.ones((10000, 10)), training=True)
        >>> round(float(y.mean()), 2), round(float(y.var()), 2)   # 1 and 0.2 / (1 - 0.2)
        (1.0, 0.25)
    """

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(rate, seed=seed, **kwargs)

    def _draw(self, shape, dtype):
        stddev = np.sqrt(self.rate / (1.0 - self.rate))
        return (1.0 + stddev * self.rng.standard_normal(shape)).astype(dtype)  # (N, ...)

    def _apply(self, x, e):
        return x * e

    def _grad(self, grad_output, e):
        return grad_output * e

    def get_config(self):
        config = super().get_config()
        del config["noise_shape"]
        return config


@LAYERS.register
class GaussianNoise(_Noise):
    """Add zero-mean Gaussian noise while training: y = x + e, e ~ N(0, stddev^2); dx = dy.

    Args:
        stddev: standard deviation of the noise, >= 0.
        seed: seed of the layer's generator.
    Input shape: any. Output shape: same.
    Example:
        >>> GaussianNoise(0.1, seed=0)(np.zeros((2, 3)), training=True).round(3)
        array([[ 0.013, -0.013,  0.064],
               [ 0.01 , -0.054,  0.036]])
        >>> GaussianNoise(0.1, seed=0)(np.zeros((2, 3)))             # inference: the identity
        array([[0., 0., 0.],
               [0., 0., 0.]])
    """

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        if isinstance(stddev, bool) or not isinstance(stddev, (int, float, np.integer, np.floating)) \
                or not (np.isfinite(stddev) and stddev >= 0):
            errors.fail(self, "stddev >= 0 (a finite number)", stddev=stddev)
        self.stddev = float(stddev)

    def _active(self):
        return self.stddev > 0

    def _draw(self, shape, dtype):
        return (self.stddev * self.rng.standard_normal(shape)).astype(dtype)  # (N, ...)

    def _apply(self, x, e):
        return x + e

    def _grad(self, grad_output, e):
        return grad_output

    def get_config(self):
        return {**super().get_config(), "stddev": self.stddev}
