"""Shared fixtures: a seeded generator, and a fresh bricks session per test."""
import numpy as np
import pytest

import bricks


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.fixture(autouse=True)
def fresh_session():
    """Every test starts with the same global seed, float64 and fresh layer names."""
    bricks.set_floatx("float64")
    bricks.set_random_seed(0)
    yield
