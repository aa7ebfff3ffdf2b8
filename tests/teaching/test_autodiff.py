"""The teaching autodiff (bricks.teaching.autodiff) against finite differences and bricks' layers."""
import math

import numpy as np

import bricks
from bricks.teaching import autodiff as ad
from bricks.teaching.gradcheck import numerical_gradient, rel_error


def test_scalar_rules_match_finite_differences():
    def f(v):
        a, b, c = v
        return ((a * b + c).sigmoid() - a / b) ** 2 + (b * b).log() - (3.0 - c) * 2.0

    x = np.array([0.7, -1.3, 0.4])
    vals = [ad.Value(t) for t in x]
    out = f(vals)
    out.backward()
    num = numerical_gradient(lambda: f([ad.Value(t) for t in x]).data, x)
    assert rel_error([v.grad for v in vals], num) < 1e-8


def test_a_reused_value_sums_its_paths():
    x = ad.Value(3.0)
    y = x * x + x  # dy/dx = 2x + 1
    y.backward()
    assert x.grad == 7.0
    assert [n.op for n in ad.topological_order(y)][-1] == "+"


def test_deep_chain_has_no_recursion_limit():
    x = ad.Value(0.5)
    y = x
    for _ in range(5000):
        y = y * 1.0
    y.backward()
    assert x.grad == 1.0


def test_chapter2_network_matches_bricks_layers():
    rng = np.random.default_rng(0)
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    Y = np.eye(2)[[0, 1, 1, 0]]
    W1, W2 = rng.normal(size=(2, 3)), rng.normal(size=(3, 2))
    lam, N = 0.1, 4
    V1, V2 = ad.array(W1), ad.array(W2)
    h2 = ad.sigmoid(ad.sigmoid(X @ V1) @ V2)  # (4, 2) of Values
    loss = np.sum((h2 - Y) ** 2) / (2 * N) + lam * (np.sum(V1**2) + np.sum(V2**2)) / (2 * N)
    loss.backward()
    penalty = bricks.L2(lam / (2 * N))
    model = bricks.Sequential([
        bricks.Input((2,)),
        bricks.Dense(3, activation="sigmoid", use_bias=False, kernel_regularizer=penalty),
        bricks.Dense(2, activation="sigmoid", use_bias=False, kernel_regularizer=penalty),
    ])
    model.compile(optimizer=bricks.SGD(learning_rate=1.0), loss="mean_squared_error")
    model.set_weights([W1, W2])
    assert math.isclose(loss.data, model.gradients(X, Y), rel_tol=1e-12)
    assert rel_error(ad.grad(V1), model.layers[0].grads["kernel"]) < 1e-12
    assert rel_error(ad.grad(V2), model.layers[1].grads["kernel"]) < 1e-12
    assert np.allclose(ad.data(h2), model.predict(X))
