"""Losses: Keras's documented values, exact gradients (finite differences), shapes and errors."""
import numpy as np
import pytest

import bricks
from bricks import losses
from bricks.teaching.gradcheck import check_function


def grad_err(loss, t, p):
    return check_function(lambda v: loss(t, v), lambda v: loss.gradient(t, v), p)


def test_keras_documented_values():
    t = np.array([[0.0, 1.0], [0.0, 0.0]])
    p = np.array([[1.0, 1.0], [1.0, 0.0]])
    assert losses.get("mse")(t, p) == pytest.approx(0.5)
    assert losses.get("mae")(t, p) == pytest.approx(0.5)
    p = np.array([[0.6, 0.4], [0.4, 0.6]])
    assert losses.BinaryCrossentropy()(t, p) == pytest.approx(0.815, abs=1e-3)
    assert losses.Huber()(t, p) == pytest.approx(0.155, abs=1e-3)
    logits = np.array([-18.6, 0.51, 2.94, -12.8])
    bce = losses.BinaryCrossentropy(from_logits=True)
    assert bce(np.array([0.0, 1, 0, 0]), logits) == pytest.approx(0.865, abs=1e-3)
    t = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    p = np.array([[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]])
    assert losses.get("categorical_crossentropy")(t, p) == pytest.approx(1.177, abs=1e-3)
    assert losses.get("sparse_categorical_crossentropy")(np.array([1, 2]), p) == pytest.approx(1.177, abs=1e-3)


def test_clipping_as_keras():
    # p = 0 for a true 1: -log(1e-7) = 16.118..., not inf
    assert losses.BinaryCrossentropy()(np.array([[1.0]]), np.array([[0.0]])) == pytest.approx(-np.log(1e-7))
    g = losses.BinaryCrossentropy().gradient(np.array([[1.0]]), np.array([[0.0]]))
    assert g[0, 0] == 0.0  # the clip passes no gradient where it bites


def test_stable_from_logits():
    z = np.array([[1000.0, -1000.0]])  # a RuntimeWarning would fail the test
    t = np.array([[1.0, 1.0]])
    assert losses.BinaryCrossentropy(from_logits=True)(t, z) == pytest.approx(1000.0 / 2)
    assert losses.CategoricalCrossentropy(from_logits=True)(np.array([[0.0, 1.0]]), z) == pytest.approx(2000.0)


CASES = [
    ("mse", lambda r: r.normal(size=(4, 3)), lambda r: r.normal(size=(4, 3))),
    ("mae", lambda r: r.normal(size=(4, 3)), lambda r: r.normal(size=(4, 3))),
    ("huber", lambda r: r.normal(size=(4, 3)) * 2, lambda r: r.normal(size=(4, 3))),
    ("binary_crossentropy", lambda r: r.uniform(0.05, 0.95, (4, 3)), lambda r: (r.random((4, 3)) > 0.5) * 1.0),
    ("categorical_crossentropy", lambda r: r.uniform(0.05, 0.95, (4, 3)), lambda r: np.eye(3)[r.integers(0, 3, 4)]),
]


@pytest.mark.parametrize("name,pred,true", CASES)
def test_gradients(name, pred, true, rng):
    p, t = pred(rng), true(rng)
    if name == "mae":
        p = t + np.where(p - t > 0, 1, -1) * np.maximum(np.abs(p - t), 0.1)  # off the kink at p = t
    if name == "huber":
        e = p - t
        p = np.where(np.abs(np.abs(e) - 1.0) < 0.05, p + 0.2, p)  # off the seam |e| = delta
    assert grad_err(losses.get(name), t, p) < 1e-7


def test_categorical_gradient_through_the_renormalization(rng):
    p = rng.uniform(0.1, 1.0, (4, 3))  # rows not summing to one: Keras divides by the row sum
    t = rng.uniform(0, 1, (4, 3))
    t /= t.sum(axis=1, keepdims=True)  # soft targets: probability rows
    assert grad_err(losses.CategoricalCrossentropy(), t, p) < 1e-7


@pytest.mark.parametrize("cls", [losses.BinaryCrossentropy, losses.CategoricalCrossentropy])
def test_from_logits_gradients(cls, rng):
    z = rng.normal(size=(5, 3)) * 3
    t = np.eye(3)[rng.integers(0, 3, 5)]
    assert grad_err(cls(from_logits=True), t, z) < 1e-7


def test_from_logits_equals_probabilities(rng):
    z = rng.normal(size=(5, 3))
    t = np.eye(3)[rng.integers(0, 3, 5)]
    a = losses.CategoricalCrossentropy(from_logits=True)(t, z)
    b = losses.CategoricalCrossentropy()(t, bricks.activations.softmax(z))
    assert a == pytest.approx(b, rel=1e-10)
    a = losses.BinaryCrossentropy(from_logits=True)(t, z)
    assert a == pytest.approx(losses.BinaryCrossentropy()(t, bricks.activations.sigmoid(z)), rel=1e-10)


def test_sparse_categorical(rng):
    z = rng.normal(size=(6, 4))
    labels = rng.integers(0, 4, 6)
    for from_logits in (False, True):
        loss = losses.SparseCategoricalCrossentropy(from_logits=from_logits)
        p = z if from_logits else bricks.activations.softmax(z)
        assert grad_err(loss, labels, p) < 1e-7
        assert loss(labels[:, None], p) == pytest.approx(loss(labels, p))  # (N, 1) labels too
    seq = rng.normal(size=(2, 3, 4))  # (N, T, C) with labels (N, T)
    assert grad_err(losses.SparseCategoricalCrossentropy(from_logits=True), rng.integers(0, 4, (2, 3)), seq) < 1e-7


def test_rank3_reduction(rng):
    t, p = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 3, 4))
    assert losses.get("mse")(t, p) == pytest.approx(np.mean((p - t) ** 2))
    assert grad_err(losses.get("mse"), t, p) < 1e-7


def test_shapes_and_errors():
    p = np.array([[0.2], [0.7]])
    assert losses.get("mse")(np.array([0.0, 1.0]), p) == pytest.approx((0.04 + 0.09) / 2)  # (N,) vs (N, 1)
    assert losses.get("mse").gradient(np.array([0.0, 1.0]), p).shape == (2, 1)
    with pytest.raises(ValueError, match=r"mean_squared_error.*\(2, 3\).*\(2, 2\)"):
        losses.get("mse")(np.zeros((2, 3)), np.zeros((2, 2)))
    with pytest.raises(ValueError, match="sparse_categorical_crossentropy.*labels in"):
        losses.get("sparse_categorical_crossentropy")(np.array([0, 3]), np.full((2, 3), 1 / 3))
    with pytest.raises(ValueError, match="losses.get"):
        losses.get("hinge_of_doom")
    assert isinstance(losses.get({"class_name": "Huber", "config": {"delta": 2.0}}), losses.Huber)
