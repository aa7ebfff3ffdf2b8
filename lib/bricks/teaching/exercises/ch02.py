"""Chapter 2, backpropagation by hand: the sigmoid's derivative, the hidden delta, a whole backward pass."""

import numpy as np

from bricks.teaching.exercises import Case, Mistake, register
from bricks.teaching.exercises._common import normal, sigmoid


def sigmoid_grad(z):
    s = sigmoid(z)
    return s * (1.0 - s)


register(
    "ch02.sigmoid_grad",
    reference=sigmoid_grad,
    cases=lambda: [
        Case((np.linspace(-3, 3, 7),), note="includes z = 0"),
        Case((normal(4, 3, 4, scale=2.0),)),
        Case((np.array([[-0.5], [4.0]]),)),
    ],
    forbidden=("bricks.activations:sigmoid_backward",),
    mistakes=[
        Mistake(lambda z: sigmoid(z) * (1 - z), "s (1 - z): the input z where the output s belongs", "formula"),
        Mistake(lambda z: z * (1 - z), "z (1 - z): the formula applied to the input instead of sigma(z)", "formula"),
        Mistake(lambda z: 1 - sigmoid(z), "the factor s is missing: (1 - s) alone", "missing term"),
        Mistake(lambda z: sigmoid(z) * (1 + sigmoid(z)), "s (1 + s): a sign slip inside the bracket", "sign"),
        Mistake(lambda z: 2 * sigmoid(z) * (1 - sigmoid(z)), "an extra factor 2", "factor"),
        Mistake(lambda z: sigmoid(z) ** 2, "s squared", "formula"),
        Mistake(lambda z: -sigmoid(z) * (1 - sigmoid(z)), "the whole derivative negated", "sign"),
    ],
)


def hidden_delta(delta2, W2, h1):
    return (delta2 @ W2.T) * h1 * (1 - h1)  # (N, K) @ (K, H) -> (N, H)


def _hd_case(seed, N, H, K, note=""):
    return Case((normal(seed, N, K), normal(seed + 1, H, K), sigmoid(normal(seed + 2, N, H))), note=note)


register(
    "ch02.hidden_delta",
    reference=hidden_delta,
    cases=lambda: [
        _hd_case(10, 4, 3, 2, "the chapter's 2-3-2 shapes"),
        _hd_case(20, 5, 4, 3),
        _hd_case(30, 3, 2, 2, "a square W2, not symmetric"),
    ],
    mistakes=[
        Mistake(lambda d, W, h: d @ W.T, "sigma'(z1) = h1 (1 - h1) is missing", "missing term"),
        Mistake(lambda d, W, h: (d @ W) * h * (1 - h), "W2 without its transpose", "transpose"),
        Mistake(
            lambda d, W, h: (d @ W.T) * sigmoid(h) * (1 - sigmoid(h)),
            "sigma' applied to h1 (already a sigmoid output)",
            "formula",
        ),
        Mistake(
            lambda d, W, h: (d @ W.T) * (1 - h**2), "tanh's derivative 1 - h1^2 instead of the sigmoid's", "formula"
        ),
        Mistake(lambda d, W, h: -(d @ W.T) * h * (1 - h), "the sign is flipped", "sign"),
        Mistake(lambda d, W, h: (d @ W.T) * h * (1 - h) / len(d), "an extra 1/N (delta2 already carries it)", "factor"),
    ],
)


def net_backward(X, Y, W1, b1, W2, b2):
    N = len(X)
    h1 = sigmoid(X @ W1 + b1)  # (N, H)
    h2 = sigmoid(h1 @ W2 + b2)  # (N, K)
    delta2 = (h2 - Y) * h2 * (1 - h2) / N  # (N, K)
    delta1 = (delta2 @ W2.T) * h1 * (1 - h1)  # (N, H)
    return {"W1": X.T @ delta1, "b1": delta1.sum(axis=0), "W2": h1.T @ delta2, "b2": delta2.sum(axis=0)}


def _net_loss(X, Y, W1, b1, W2, b2):
    h2 = sigmoid(sigmoid(X @ W1 + b1) @ W2 + b2)
    return 0.5 * np.sum((h2 - Y) ** 2) / len(X)


def _net_case(seed, N, D, H, K, note=""):
    r = np.random.default_rng(seed)
    Y = np.eye(K)[r.integers(0, K, N)]
    return Case(
        (
            r.standard_normal((N, D)),
            Y,
            r.standard_normal((D, H)),
            0.5 * r.standard_normal(H),
            r.standard_normal((H, K)),
            0.5 * r.standard_normal(K),
        ),
        note=note,
    )


def _net_gradient(answer, case):
    """rel_error of each of the answer's four gradients against finite differences of the loss."""
    from bricks.teaching import gradcheck

    args = [np.array(a, dtype=np.float64) for a in case.args]
    got = answer(*[a.copy() for a in args])
    errors = {}
    for k, name in zip((2, 3, 4, 5), ("W1", "b1", "W2", "b2")):
        num = gradcheck.numerical_gradient(lambda: _net_loss(*args), args[k])
        errors[name] = gradcheck.rel_error(got[name], num)
    return errors


def _nb(change):
    """A net_backward with one slip, `change(parts)` editing the intermediate values."""

    def wrong(X, Y, W1, b1, W2, b2):
        N = len(X)
        p = {"X": X, "Y": Y, "W1": W1, "W2": W2, "N": N}
        p["h1"] = sigmoid(X @ W1 + b1)
        p["h2"] = sigmoid(p["h1"] @ W2 + b2)
        return change(p)

    return wrong


def _grads(p, delta2, delta1):
    return {"W1": p["X"].T @ delta1, "b1": delta1.sum(axis=0), "W2": p["h1"].T @ delta2, "b2": delta2.sum(axis=0)}


def _no_sigma1(p):
    d2 = (p["h2"] - p["Y"]) * p["h2"] * (1 - p["h2"]) / p["N"]
    return _grads(p, d2, d2 @ p["W2"].T)


def _no_sigma2(p):
    d2 = (p["h2"] - p["Y"]) / p["N"]
    return _grads(p, d2, (d2 @ p["W2"].T) * p["h1"] * (1 - p["h1"]))


def _no_mean(p):
    d2 = (p["h2"] - p["Y"]) * p["h2"] * (1 - p["h2"])
    return _grads(p, d2, (d2 @ p["W2"].T) * p["h1"] * (1 - p["h1"]))


def _sign(p):
    d2 = (p["Y"] - p["h2"]) * p["h2"] * (1 - p["h2"]) / p["N"]
    return _grads(p, d2, (d2 @ p["W2"].T) * p["h1"] * (1 - p["h1"]))


def _bias_mean(p):
    d2 = (p["h2"] - p["Y"]) * p["h2"] * (1 - p["h2"]) / p["N"]
    d1 = (d2 @ p["W2"].T) * p["h1"] * (1 - p["h1"])
    return {**_grads(p, d2, d1), "b1": d1.mean(axis=0), "b2": d2.mean(axis=0)}


def _dw_transposed(p):
    d2 = (p["h2"] - p["Y"]) * p["h2"] * (1 - p["h2"]) / p["N"]
    d1 = (d2 @ p["W2"].T) * p["h1"] * (1 - p["h1"])
    return {**_grads(p, d2, d1), "W2": d2.T @ p["h1"], "W1": d1.T @ p["X"]}


register(
    "ch02.net_backward",
    reference=net_backward,
    whole=True,
    gradient=_net_gradient,
    cases=lambda: [
        _net_case(40, 4, 2, 3, 2, "the chapter's 2-3-2 network"),
        _net_case(41, 6, 3, 4, 2),
        _net_case(42, 5, 2, 2, 3, "three outputs"),
    ],
    mistakes=[
        Mistake(_nb(_no_sigma1), "the hidden layer's sigma'(z1) = h1 (1 - h1) is missing from delta1", "missing term"),
        Mistake(
            _nb(_no_sigma2),
            "the output's sigma'(z2) = h2 (1 - h2) is missing from delta2 (that is cross-entropy's delta)",
            "missing term",
        ),
        Mistake(_nb(_no_mean), "the 1/N of the mean loss is missing", "factor"),
        Mistake(_nb(_sign), "(Y - h2) instead of (h2 - Y): every gradient has the wrong sign", "sign"),
        Mistake(
            _nb(_bias_mean),
            "the bias gradients average over the samples instead of summing (the 1/N is already in delta2)",
            "factor",
        ),
        Mistake(_nb(_dw_transposed), "dW = delta^T x: the weight gradients transposed", "transpose"),
    ],
)
