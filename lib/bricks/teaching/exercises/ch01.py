"""Chapter 1, the neuron: its output, and the class it predicts."""

import numpy as np

from bricks.teaching.exercises import Case, Mistake, register
from bricks.teaching.exercises._common import normal, sigmoid

XOR = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


def neuron_output(X, w, b):
    z = X @ w + b  # (N,)
    return sigmoid(z)


register(
    "ch01.neuron_output",
    reference=neuron_output,
    cases=lambda: [
        Case((XOR, np.array([2.0, -1.0]), -0.5), note="the four corners, unequal weights"),
        Case((normal(1, 7, 2), np.array([-1.3, 0.4]), 0.7), note="seven random points"),
        Case((normal(2, 1, 2, scale=3.0), np.array([0.25, 1.5]), -2.0), note="one point"),
    ],
    forbidden=("bricks.layers.core:Dense",),
    mistakes=[
        Mistake(lambda X, w, b: sigmoid(X.sum(axis=1) + b), "the weights are ignored (x1 + x2 + b)", "missing term"),
        Mistake(
            lambda X, w, b: sigmoid(X @ w[::-1] + b),
            "the weights are paired with the wrong inputs (w reversed)",
            "index",
        ),
        Mistake(lambda X, w, b: sigmoid(X @ w), "the bias b is missing", "missing term"),
        Mistake(lambda X, w, b: 1.0 / (1.0 + np.exp(X @ w + b)), "the sign inside exp is flipped (sigma(-z))", "sign"),
        Mistake(lambda X, w, b: X @ w + b, "the sigmoid is missing: that is z, not the output", "missing term"),
        Mistake(
            lambda X, w, b: sigmoid(X * w + b),
            "X * w multiplies entry by entry: (N, 2), not the sum over inputs (N,)",
            "shape",
        ),
    ],
)


def predict_class(X, w, b):
    return (X @ w + b > 0).astype(int)


register(
    "ch01.predict_class",
    reference=predict_class,
    cases=lambda: [
        Case((XOR, np.array([1.0, 1.0]), -1.5), note="AND's line"),
        Case(
            (np.array([[0.5, 1.0], [1.0, 0.5], [0.25, 0.25], [2.0, -1.0]]), np.array([1.0, 1.0]), -1.5),
            note="two points exactly on the line, w.x + b = 0",
        ),
        Case((normal(3, 6, 2), np.array([-2.0, 0.5]), 0.25), note="random points, unequal weights"),
        Case((np.array([[0.0, 2.0], [1.0, 0.0]]), np.array([0.5, -0.25]), 0.5), note="a point on the line"),
    ],
    mistakes=[
        Mistake(
            lambda X, w, b: (X @ w + b >= 0).astype(int),
            ">= puts the points on the line (w.x + b = 0) in class 1",
            "off-by-one",
        ),
        Mistake(lambda X, w, b: (X @ w + b < 0).astype(int), "the classes are swapped (< instead of >)", "sign"),
        Mistake(lambda X, w, b: (X @ w > 0).astype(int), "the bias b is missing", "missing term"),
        Mistake(lambda X, w, b: (X.sum(axis=1) + b > 0).astype(int), "the weights are ignored", "missing term"),
        Mistake(
            lambda X, w, b: (X @ w[::-1] + b > 0).astype(int),
            "the weights are paired with the wrong inputs (w reversed)",
            "index",
        ),
        Mistake(
            lambda X, w, b: (sigmoid(X @ w + b) > 0).astype(int),
            "sigma(z) > 0 always holds: the threshold on sigma(z) is 0.5",
            "formula",
        ),
    ],
)


def perceptron(X, y, epochs):
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(epochs):
        for x_n, t in zip(X, y):  # one point at a time, in order
            error = t - float(x_n @ w + b > 0)  # +1, 0 or -1
            w, b = w + error * x_n, b + error
    return w, b


def _perceptron_slip(predict=None, update=None, start=None):
    def wrong(X, y, epochs):
        w, b = (np.zeros(X.shape[1]), 0.0) if start is None else start(X)
        for _ in range(epochs):
            for x_n, t in zip(X, y):
                p = predict(x_n, w, b) if predict else float(x_n @ w + b > 0)
                w, b = update(w, b, t - p, x_n) if update else (w + (t - p) * x_n, b + (t - p))
        return w, b

    return wrong


_AND = np.array([0.0, 0.0, 0.0, 1.0])
_OR = np.array([0.0, 1.0, 1.0, 1.0])

register(
    "ch01.perceptron",
    outputs=("w", "b"),
    reference=perceptron,
    whole=True,
    cases=lambda: [
        Case((XOR, _AND, 2), note="AND, 2 epochs"),
        Case((XOR, _OR, 1), note="OR, 1 epoch"),
        Case(
            (normal(5, 8, 2), (normal(5, 8, 2) @ np.array([1.0, -2.0]) > 0.3).astype(float), 2), note="8 random points"
        ),
        Case(
            (np.array([[2.0, 1.0], [-1.0, -1.0], [0.5, -2.0], [-2.0, 0.5]]), np.array([1.0, 0.0, 1.0, 0.0]), 3),
            note="a line through the origin",
        ),
    ],
    mistakes=[
        Mistake(
            _perceptron_slip(update=lambda w, b, e, x: (w - e * x, b - e)),
            "the update subtracts the error: it moves the line the wrong way",
            "sign",
        ),
        Mistake(
            _perceptron_slip(update=lambda w, b, e, x: (w + e * x, b)), "the bias is never updated", "missing term"
        ),
        Mistake(
            _perceptron_slip(predict=lambda x, w, b: float(x @ w + b >= 0)),
            ">= 0 predicts class 1 on the line, where the book's neuron says 0",
            "off-by-one",
        ),
        Mistake(
            _perceptron_slip(update=lambda w, b, e, x: (w + e, b + e)),
            "the error added to every weight, not times the input",
            "formula",
        ),
        Mistake(_perceptron_slip(start=lambda X: (np.ones(X.shape[1]), 0.0)), "weights started at 1, not 0", "formula"),
        Mistake(
            lambda X, y, epochs: perceptron(X, y, epochs - 1), "one epoch too few (range(epochs - 1))", "off-by-one"
        ),
    ],
)
