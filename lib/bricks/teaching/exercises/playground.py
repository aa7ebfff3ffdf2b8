"""The Playground: dead ReLU units, feature crosses."""

import numpy as np

from bricks.teaching.exercises import Case, Mistake, register
from bricks.teaching.exercises._common import rng


def count_dead(h):
    return int(np.sum(np.all(h <= 0, axis=0)))


def _relu_outputs(seed, n, units, dead):
    h = np.maximum(rng(seed).normal(0.2, 1.0, (n, units)), 0.0)
    h[:, list(dead)] = 0.0
    return h


register(
    "playground.count_dead",
    reference=count_dead,
    cases=lambda: [
        Case((np.array([[0.0, 1.5, 0.0, 0.0], [0.0, 0.0, 2.0, 0.0], [0.0, 0.3, 0.0, 0.0]]),), note="3 points, 4 units"),
        Case((_relu_outputs(1, 50, 6, {1, 4}),), note="50 points, 6 units"),
        Case((_relu_outputs(2, 5, 8, {0, 2, 3}),), note="more units than points"),
        Case((_relu_outputs(3, 10, 3, set()),), note="none dead"),
    ],
    forbidden=("bricks.playground:dead_units",),
    mistakes=[
        Mistake(lambda h: int(np.sum(np.all(h <= 0, axis=1))), "points (rows) counted, not units (columns)", "index"),
        Mistake(
            lambda h: int(np.sum(np.any(h <= 0, axis=0))),
            "any instead of all: a unit that is 0 for one point is not dead",
            "formula",
        ),
        Mistake(lambda h: int(np.sum(h == 0)), "zero entries counted, not units", "formula"),
        Mistake(
            lambda h: int(np.sum(np.all(h < 0, axis=0))),
            "< 0: a ReLU's output is never negative, a dead unit outputs exactly 0",
            "off-by-one",
        ),
        Mistake(
            lambda h: float(np.mean(np.all(h <= 0, axis=0))), "the fraction of dead units, not their number", "factor"
        ),
        Mistake(lambda h: int(h.shape[1] - np.sum(np.all(h <= 0, axis=0))), "the live units counted", "formula"),
    ],
)


def crosses(x):
    x1, x2 = x[:, 0], x[:, 1]
    return np.stack([x1**2, x2**2, x1 * x2, np.sin(x1), np.sin(x2)], axis=1)


register(
    "playground.crosses",
    reference=crosses,
    cases=lambda: [
        Case((rng(4).uniform(-5, 5, (5, 2)),)),
        Case((rng(5).uniform(-5, 5, (12, 2)),)),
        Case((np.array([[0.0, 1.0], [-2.0, 3.0]]),), note="exact points"),
    ],
    forbidden=("bricks.playground.features:cross_features",),
    mistakes=[
        Mistake(
            lambda x: np.stack(
                [x[:, 0] ** 2, x[:, 1] ** 2, x[:, 0] * x[:, 1], np.sin(x[:, 0]), np.sin(x[:, 1])], axis=0
            ),
            "stacked as rows: (5, n), not (n, 5)",
            "shape",
        ),
        Mistake(
            lambda x: np.stack(
                [x[:, 0] ** 2, x[:, 1] ** 2, x[:, 0] * x[:, 1], np.cos(x[:, 0]), np.cos(x[:, 1])], axis=1
            ),
            "cos instead of sin",
            "formula",
        ),
        Mistake(
            lambda x: np.stack(
                [x[:, 1] ** 2, x[:, 0] ** 2, x[:, 0] * x[:, 1], np.sin(x[:, 1]), np.sin(x[:, 0])], axis=1
            ),
            "x1 and x2 swapped (the columns in the wrong order)",
            "index",
        ),
        Mistake(
            lambda x: np.stack(
                [x[:, 0] ** 2, x[:, 1] ** 2, x[:, 0] + x[:, 1], np.sin(x[:, 0]), np.sin(x[:, 1])], axis=1
            ),
            "x1 + x2 where the product belongs",
            "formula",
        ),
        Mistake(
            lambda x: np.stack([x[:, 0] * 2, x[:, 1] * 2, x[:, 0] * x[:, 1], np.sin(x[:, 0]), np.sin(x[:, 1])], axis=1),
            "2 x instead of x^2",
            "formula",
        ),
        Mistake(
            lambda x: np.stack([x[0] ** 2, x[1] ** 2, x[0] * x[1], np.sin(x[0]), np.sin(x[1])], axis=1),
            "x[0], x[1] are the first two points, not the two coordinates x[:, 0], x[:, 1]",
            "index",
        ),
    ],
)
