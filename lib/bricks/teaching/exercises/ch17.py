"""Chapter 17, attribution: the ReLU network's input gradient, the correlation of two IC series."""

import types

import numpy as np

from bricks.teaching.exercises import Case, Mistake, register
from bricks.teaching.exercises._common import rng


def _grad(model):
    def relu_net_gradient(x, k):
        on = (model.weights1 @ x + model.bias1) > 0  # (3,) which ReLUs pass
        return (model.weights2[k] * on) @ model.weights1  # (3,)

    return relu_net_gradient


def _seed_model():
    return types.SimpleNamespace(
        weights1=np.array([[-4, -3, -2], [-1, 0, 1], [2, 3, 4]]),
        bias1=np.array([0, 0, 0]),
        weights2=np.array([[-3, -2, -1], [1, 2, 3]]),
        bias2=np.array([1, 1]),
    )


def _rng_cases(model):
    return [
        Case((np.array([1.0, 2.0, 3.0]), 1), note="the seed's input"),
        Case((np.array([1.0, 2.0, 3.0]), 0)),
        Case((np.array([-1.0, 0.5, 2.0]), 1), note="another pattern of units on"),
        Case((np.array([3.0, -2.0, -1.0]), 0)),
        Case((np.zeros(3), 1), note="every unit on its kink (z = 0 counts as off)"),
    ]


register(
    "ch17.relu_net_gradient",
    make_reference=lambda model: _grad(model),
    cases=_rng_cases,
    test_context=lambda: {"model": _seed_model()},
    forbidden=("bricks.quant.attribution:input_gradient",),
    mistakes=[],  # filled below: they read the seed's weights, like the student's function
)


def _relu_mistakes(model):
    """The plausible slips, bound to `model` (the seed's network, as in the chapter)."""
    W1, b1, W2 = model.weights1, model.bias1, model.weights2
    on = lambda x: (W1 @ x + b1) > 0  # noqa: E731
    return [
        Mistake(
            lambda x, k: W1[k],
            "the seed's bug: the first layer's weights alone, the second layer left out",
            "missing term",
        ),
        Mistake(lambda x, k: W2[k] @ W1, "no ReLU mask: the units that are off pass gradient too", "missing term"),
        Mistake(
            lambda x, k: (W2[k] * on(x)) @ W1.T, "W1 transposed: the first layer's rows are its units", "transpose"
        ),
        Mistake(
            lambda x, k: (W2[k] * ((W1 @ x + b1) >= 0)) @ W1,
            "the kink counted as on (>= 0): the ReLU's gradient at 0 is 0",
            "off-by-one",
        ),
        Mistake(lambda x, k: (W2[1 - k] * on(x)) @ W1, "the other output's weights (row 1 - k)", "index"),
        Mistake(lambda x, k: -(W2[k] * on(x)) @ W1, "the sign flipped", "sign"),
        Mistake(
            lambda x, k: (W2[k] * on(x)) @ W1 * x,
            "gradient times input: that is the attribution, not the gradient",
            "formula",
        ),
    ]


def ic_correlation(ic_a, ic_b):
    ok = np.isfinite(ic_a) & np.isfinite(ic_b)
    return np.corrcoef(ic_a[ok], ic_b[ok])[0, 1]


def _ic_pair(seed, n, holes_a, holes_b):
    r = rng(seed)
    a = r.normal(0.03, 0.1, n)
    b = 0.5 * a + r.normal(0, 0.1, n)
    a[list(holes_a)] = np.nan
    b[list(holes_b)] = np.nan
    return Case((a, b), note=f"NaN at {sorted(holes_a)} and {sorted(holes_b)}")


def _fill0(a, b):
    return np.corrcoef(np.nan_to_num(a), np.nan_to_num(b))[0, 1]


register(
    "ch17.ic_correlation",
    reference=ic_correlation,
    cases=lambda: [
        _ic_pair(1, 40, {0, 1, 2}, {0, 1, 2}),
        _ic_pair(2, 30, {3, 9}, {5, 20, 21}),
        _ic_pair(3, 25, set(), {0}),
        _ic_pair(4, 20, {7}, set()),
    ],
    mistakes=[
        Mistake(
            lambda a, b: np.corrcoef(a, b)[0, 1], "the NaN months are not dropped: the result is NaN", "missing term"
        ),
        Mistake(
            lambda a, b: (lambda ok: np.corrcoef(a[ok], b[ok])[0, 1])(np.isfinite(a)),
            "only ic_a's NaN months dropped",
            "missing term",
        ),
        Mistake(_fill0, "NaN months filled with 0: they count as months with no skill", "formula"),
        Mistake(
            lambda a, b: (lambda ok: np.cov(a[ok], b[ok])[0, 1])(np.isfinite(a) & np.isfinite(b)),
            "the covariance, not the correlation",
            "formula",
        ),
        Mistake(
            lambda a, b: np.corrcoef(
                a[np.isfinite(a)][: min(np.isfinite(a).sum(), np.isfinite(b).sum())],
                b[np.isfinite(b)][: min(np.isfinite(a).sum(), np.isfinite(b).sum())],
            )[0, 1],
            "each series' NaNs dropped on its own: the months no longer line up",
            "index",
        ),
    ],
)


get_relu = __import__("bricks.teaching.exercises", fromlist=["get"]).get
get_relu("ch17.relu_net_gradient").mistakes.extend(_relu_mistakes(_seed_model()))
