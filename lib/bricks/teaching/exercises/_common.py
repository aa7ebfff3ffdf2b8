"""Small helpers shared by the chapter modules (seeded draws, a sigmoid)."""

import numpy as np


def rng(seed):
    return np.random.default_rng(seed)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def normal(seed, *shape, scale=1.0):
    """Seeded standard normals times `scale`, shape `shape`."""
    return scale * np.random.default_rng(seed).standard_normal(shape)
