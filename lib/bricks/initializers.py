"""Weight initializers with Keras names and formulas.

fan_in / fan_out follow Keras: for a kernel of shape (*receptive_field, in, out),
fan_in = in * prod(receptive_field) and fan_out = out * prod(receptive_field).

    GlorotUniform: U(-l, l),  l = sqrt(6 / (fan_in + fan_out))   (Dense, Conv default)
    HeNormal:      N(0, 2 / fan_in), truncated at 2 std           (ReLU)
    LecunNormal:   N(0, 1 / fan_in), truncated at 2 std           (SELU)
    Orthogonal:    Q of a QR decomposition                         (recurrent kernels)

Example:
    >>> w = GlorotUniform(seed=0)((3, 2), "float64")          # fan_in 3, fan_out 2
    >>> w.shape, bool(np.abs(w).max() <= np.sqrt(6 / (3 + 2)))   # inside U(-l, l)
    ((3, 2), True)
"""
import inspect

import numpy as np

from bricks import backend
from bricks.registry import Registry


def compute_fans(shape):
    """(fan_in, fan_out) of a weight of `shape`, as Keras computes them."""
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    return shape[-2] * receptive, shape[-1] * receptive


class Initializer:
    """Callable `init(shape, dtype) -> ndarray`. `seed=None` draws from the global generator."""

    def __init__(self, seed=None):
        self.seed = seed

    def rng(self):
        return backend.make_rng(self.seed)

    def __call__(self, shape, dtype):
        raise NotImplementedError

    def get_config(self):
        """The constructor's arguments (so GlorotUniform's config is {'seed': ...} alone)."""
        accepted = inspect.signature(type(self).__init__).parameters
        return {k: v for k, v in vars(self).items() if k in accepted}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class Zeros(Initializer):
    def __call__(self, shape, dtype):
        return np.zeros(shape, dtype=dtype)


class Ones(Initializer):
    def __call__(self, shape, dtype):
        return np.ones(shape, dtype=dtype)


class Constant(Initializer):
    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype):
        return np.full(shape, self.value, dtype=dtype)


class RandomNormal(Initializer):
    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def __call__(self, shape, dtype):
        return self.rng().normal(self.mean, self.stddev, shape).astype(dtype)


class RandomUniform(Initializer):
    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval, self.maxval, self.seed = minval, maxval, seed

    def __call__(self, shape, dtype):
        return self.rng().uniform(self.minval, self.maxval, shape).astype(dtype)


class TruncatedNormal(Initializer):
    """Normal redrawn where |x - mean| > 2 stddev."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def __call__(self, shape, dtype):
        rng = self.rng()
        z = rng.standard_normal(shape)
        bad = np.abs(z) > 2
        while bad.any():
            z[bad] = rng.standard_normal(bad.sum())
            bad = np.abs(z) > 2
        return (self.mean + self.stddev * z).astype(dtype)


class VarianceScaling(Initializer):
    """Keras VarianceScaling: variance = scale / n, n from mode; distribution normal or uniform."""

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        self.scale, self.mode, self.distribution, self.seed = scale, mode, distribution, seed

    def get_config(self):
        if type(self) is VarianceScaling:
            return super().get_config()
        return {"seed": self.seed}  # the presets fix scale, mode and distribution

    def __call__(self, shape, dtype):
        fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        variance = self.scale / max(1.0, n)
        if self.distribution == "uniform":
            limit = np.sqrt(3.0 * variance)
            return self.rng().uniform(-limit, limit, shape).astype(dtype)
        if self.distribution == "untruncated_normal":
            return (self.rng().standard_normal(shape) * np.sqrt(variance)).astype(dtype)
        # truncated at 2 std; 0.8796... is the std of a unit normal truncated at +-2
        return TruncatedNormal(0.0, np.sqrt(variance) / 0.87962566103423978, self.seed)(shape, dtype)


class GlorotUniform(VarianceScaling):
    def __init__(self, seed=None):
        super().__init__(1.0, "fan_avg", "uniform", seed)


class GlorotNormal(VarianceScaling):
    def __init__(self, seed=None):
        super().__init__(1.0, "fan_avg", "truncated_normal", seed)


class HeUniform(VarianceScaling):
    def __init__(self, seed=None):
        super().__init__(2.0, "fan_in", "uniform", seed)


class HeNormal(VarianceScaling):
    def __init__(self, seed=None):
        super().__init__(2.0, "fan_in", "truncated_normal", seed)


class LecunUniform(VarianceScaling):
    def __init__(self, seed=None):
        super().__init__(1.0, "fan_in", "uniform", seed)


class LecunNormal(VarianceScaling):
    def __init__(self, seed=None):
        super().__init__(1.0, "fan_in", "truncated_normal", seed)


class Orthogonal(Initializer):
    """An orthogonal matrix (rows or columns orthonormal), times `gain`."""

    def __init__(self, gain=1.0, seed=None):
        self.gain, self.seed = gain, seed

    def __call__(self, shape, dtype):
        rows = int(np.prod(shape[:-1]))
        cols = shape[-1]
        a = self.rng().standard_normal((max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(a)  # (max, min), columns orthonormal
        q *= np.sign(np.diag(r))  # make the decomposition unique
        if rows < cols:
            q = q.T
        return np.ascontiguousarray(self.gain * q.reshape(shape), dtype=dtype)  # q.T is a strided view


INITIALIZERS = Registry("initializers", base=Initializer)
for _cls, _aliases in [
        (Zeros, ["zeros"]), (Ones, ["ones"]), (Constant, ["constant"]),
        (RandomNormal, ["random_normal", "normal"]), (RandomUniform, ["random_uniform", "uniform"]),
        (TruncatedNormal, ["truncated_normal"]), (VarianceScaling, ["variance_scaling"]),
        (GlorotUniform, ["glorot_uniform"]), (GlorotNormal, ["glorot_normal"]),
        (HeUniform, ["he_uniform"]), (HeNormal, ["he_normal"]),
        (LecunUniform, ["lecun_uniform"]), (LecunNormal, ["lecun_normal"]),
        (Orthogonal, ["orthogonal"])]:
    INITIALIZERS.register(_cls, *_aliases)


def get(identifier):
    """An initializer from a name ('glorot_uniform'), a config dict, an instance or a callable."""
    if callable(identifier) and not isinstance(identifier, (str, type)):
        return identifier  # an Initializer, or any function (shape, dtype) -> array
    return INITIALIZERS.get(identifier)


def serialize(identifier):
    """Keras's {"class_name", "config"} for an initializer; names stay names."""
    return INITIALIZERS.serialize(identifier)
