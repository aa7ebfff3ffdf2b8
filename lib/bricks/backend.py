"""Global defaults: float dtype, random seed, and Keras-style unique layer names.

Every random thing in bricks draws from a `numpy.random.Generator`. A layer or
initializer given `seed=` uses its own generator; otherwise it draws from the
global one, which `set_random_seed` resets, so a notebook run twice prints the
same numbers.
"""
import re
from collections import defaultdict

import numpy as np

_state = {"floatx": "float64", "rng": np.random.default_rng(0), "names": defaultdict(int)}


def floatx():
    """The default float dtype of new weights and inputs ('float64' unless changed)."""
    return _state["floatx"]


def set_floatx(dtype):
    """Set the default float dtype: 'float64' (exact gradient checks) or 'float32'."""
    if np.dtype(dtype) not in (np.float32, np.float64):
        raise ValueError(f"set_floatx: expected 'float32' or 'float64'. Received: dtype={dtype!r}")
    _state["floatx"] = np.dtype(dtype).name


def set_random_seed(seed):
    """Reset the global generator (and layer-name counters), like `keras.utils.set_random_seed`."""
    _state["rng"] = np.random.default_rng(seed)
    clear_session()


def make_rng(seed=None):
    """A generator: a fresh one from `seed`, else a child of the global generator."""
    if seed is not None:
        return np.random.default_rng(seed)
    return np.random.default_rng(_state["rng"].integers(2**63))


def clear_session():
    """Forget the name counters, so the next Dense is called 'dense' again."""
    _state["names"].clear()


def snake_case(name):
    """'BatchNormalization' -> 'batch_normalization', 'Conv2D' -> 'conv2d'."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def unique_name(prefix):
    """Keras naming: 'dense', then 'dense_1', 'dense_2', ..."""
    count = _state["names"][prefix]
    _state["names"][prefix] += 1
    return prefix if count == 0 else f"{prefix}_{count}"
