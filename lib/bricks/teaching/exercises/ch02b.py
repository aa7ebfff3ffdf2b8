"""Chapter 2b, autodiff: the product rule's backward, tanh's local derivative, a whole node."""

import numpy as np

from bricks.teaching.exercises import Case, Mistake, register
from bricks.teaching.exercises._common import normal


def mul_backward(a, b, g):
    return g * b, g * a


register(
    "ch02b.mul_backward",
    outputs=("dL/da", "dL/db"),
    reference=mul_backward,
    cases=lambda: [
        Case((np.array([2.0, -1.0]), np.array([0.5, 3.0]), np.array([1.0, 0.1]))),
        Case((normal(1, 3, 4), normal(2, 3, 4), normal(3, 3, 4))),
        Case((np.array(1.5), np.array(-2.0), np.array(0.75)), note="scalars"),
    ],
    mistakes=[
        Mistake(
            lambda a, b, g: (g * a, g * b), "the two gradients swapped: dL/da needs the other factor, b", "formula"
        ),
        Mistake(lambda a, b, g: (b, a), "the upstream gradient g is missing", "missing term"),
        Mistake(lambda a, b, g: (-g * b, -g * a), "both signs flipped", "sign"),
        Mistake(lambda a, b, g: (g * b, g * b), "the same gradient for both inputs", "formula"),
        Mistake(
            lambda a, b, g: (np.sum(g * b), np.sum(g * a)),
            "summed to a number: a gradient has its input's shape",
            "shape",
        ),
        Mistake(
            lambda a, b, g: (g + b, g + a),
            "added instead of multiplied (that is the rule for c = a + b, wrongly)",
            "formula",
        ),
    ],
)


def tanh_local(t):
    return 1.0 - t**2


register(
    "ch02b.tanh_local",
    reference=tanh_local,
    cases=lambda: [
        Case((np.tanh(np.linspace(-2, 2, 5)),), note="includes t = 0"),
        Case((np.tanh(normal(4, 3, 2, scale=1.5)),)),
        Case((np.array([-0.9, 0.3, 0.6]),)),
    ],
    forbidden=("bricks.activations:tanh_backward",),
    mistakes=[
        Mistake(lambda t: 1.0 - np.tanh(t) ** 2, "1 - tanh(t)^2: t is already tanh(z)", "formula"),
        Mistake(lambda t: 1.0 - t, "1 - t: the square is missing", "missing term"),
        Mistake(lambda t: t * (1.0 - t), "t (1 - t): the sigmoid's derivative", "formula"),
        Mistake(lambda t: 1.0 + t**2, "1 + t^2: a sign slip", "sign"),
        Mistake(lambda t: 2.0 * (1.0 - t**2), "an extra factor 2", "factor"),
        Mistake(lambda t: (1.0 - t) ** 2, "(1 - t)^2: the square in the wrong place", "formula"),
    ],
)


def tanh_node(z, g):
    t = np.tanh(z)  # forward
    return t, g * (1.0 - t**2)  # (output, dL/dz)


def _tanh_node_gradient(answer, case):
    from bricks.teaching import gradcheck

    z, g = (np.array(a, dtype=np.float64) for a in case.args)
    _, dz = answer(z.copy(), g.copy())
    num = gradcheck.numerical_gradient(lambda: float(np.sum(np.tanh(z) * g)), z)
    return {"dz": gradcheck.rel_error(dz, num)}


register(
    "ch02b.tanh_node",
    outputs=("tanh(z)", "dL/dz"),
    reference=tanh_node,
    whole=True,
    gradient=_tanh_node_gradient,
    cases=lambda: [
        Case((normal(5, 4), normal(6, 4))),
        Case((normal(7, 2, 3, scale=2.0), normal(8, 2, 3))),
        Case((np.array([0.0, -3.0, 0.5]), np.array([1.0, -2.0, 0.25])), note="includes z = 0"),
    ],
    forbidden=("bricks.activations:tanh_backward",),
    mistakes=[
        Mistake(
            lambda z, g: (np.tanh(z), 1.0 - np.tanh(z) ** 2),
            "the upstream gradient g is not multiplied in",
            "missing term",
        ),
        Mistake(
            lambda z, g: (np.tanh(z), g * (1.0 - z**2)), "1 - z^2 uses the input where the output t belongs", "formula"
        ),
        Mistake(lambda z, g: (np.tanh(z), g * (1.0 + np.tanh(z) ** 2)), "1 + t^2: a sign slip", "sign"),
        Mistake(lambda z, g: (z, g * (1.0 - np.tanh(z) ** 2)), "the forward output is z, not tanh(z)", "missing term"),
        Mistake(lambda z, g: (np.tanh(z), g * (1.0 - np.tanh(z)) ** 2), "the square on the wrong factor", "formula"),
    ],
)
