"""What the Playground feeds the network and how it is judged: feature crosses, a train/test
split, and the count of dead ReLU units.

Feature crosses (as in TensorFlow Playground): the network may see, besides the two
coordinates, functions of them,

    x1, x2, x1^2, x2^2, x1*x2, sin(x1), sin(x2),

so that, e.g., circles become linearly separable in (x1^2, x2^2) and XOR in x1*x2.

A dead ReLU unit outputs 0 for every training point: max(0, z) is flat there, so the
gradient of the loss with respect to its weights is 0 for every point and no step of
gradient descent can bring it back. `dead_units` counts them per hidden layer.
"""
import numpy as np

from bricks import backend, errors

__all__ = ["FEATURES", "cross_features", "split", "dead_units"]

FEATURES = {
    "x1": lambda x: x[:, 0],
    "x2": lambda x: x[:, 1],
    "x1^2": lambda x: x[:, 0] ** 2,
    "x2^2": lambda x: x[:, 1] ** 2,
    "x1*x2": lambda x: x[:, 0] * x[:, 1],
    "sin(x1)": lambda x: np.sin(x[:, 0]),
    "sin(x2)": lambda x: np.sin(x[:, 1]),
}


def cross_features(x, features=("x1", "x2")):
    """The columns named by `features` (keys of `FEATURES`) computed from points x (n, 2): (n, k).

    >>> cross_features(np.array([[2.0, 3.0]]), ("x1", "x1^2", "x1*x2"))
    array([[2., 4., 6.]])
    """
    features = tuple(features)
    unknown = [f for f in features if f not in FEATURES]
    if unknown or not features:
        errors.fail("playground.cross_features", f"one or more of {list(FEATURES)}", features=features)
    x = np.asarray(x, dtype=np.float64)
    return np.stack([FEATURES[f](x) for f in features], axis=1)  # (n, k)


def split(x, y, test_fraction=0.5, seed=0):
    """Shuffle (x, y) with `seed` and cut it: ((x_train, y_train), (x_test, y_test)).

    `test_fraction` of the points (rounded, at least one on each side) go to the test set,
    which the network never trains on: its loss and accuracy there are the honest numbers.

    >>> (xa, ya), (xb, yb) = split(np.arange(20.0).reshape(10, 2), np.arange(10) % 2, 0.3)
    >>> xa.shape, xb.shape
    ((7, 2), (3, 2))
    """
    n = len(x)
    if not 0.0 < test_fraction < 1.0 or n < 2:
        errors.fail("playground.split", "0 < test_fraction < 1 and at least 2 points",
                    test_fraction=test_fraction, n=n)
    n_test = min(max(int(round(n * test_fraction)), 1), n - 1)
    order = backend.make_rng(seed).permutation(n)  # (n,)
    test, train = order[:n_test], order[n_test:]
    return (x[train], y[train]), (x[test], y[test])


def dead_units(model, inputs):
    """Per hidden ReLU layer, a boolean array (units,): True where the unit is 0 on every input.

    Layers whose activation is not relu get an all-False array (a tanh unit is never
    exactly flat). `inputs` is what the model is fed (after `cross_features`), (n, k).
    """
    dead, a = [], np.asarray(inputs, dtype=np.float64)  # (n, k)
    for layer in model.layers[:-1]:
        a = layer.forward(a)  # (n, units)
        is_relu = getattr(getattr(layer, "activation", None), "name", "") == "relu"
        dead.append(np.all(a <= 0.0, axis=0) if is_relu else np.zeros(a.shape[1], dtype=bool))
    return dead
