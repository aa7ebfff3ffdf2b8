"""Doctests of lib/bricks: `np` and `bricks` in every example's namespace, a fresh session each.

Each docstring example runs as in a new Python session right after `import numpy as np,
bricks`: float64 weights, the global seed at its import-time value 0, fresh layer names.
"""
import numpy as np
import pytest

import bricks


@pytest.fixture(autouse=True)
def _doctest_setup(doctest_namespace):
    doctest_namespace["np"] = np
    doctest_namespace["bricks"] = bricks
    bricks.set_floatx("float64")
    bricks.set_random_seed(0)
    yield
