"""Embedding: lookup, scatter-add backward, one-hot equivalence, id validation, config."""
import numpy as np
import pytest

import bricks
from bricks.teaching.gradcheck import numerical_gradient, rel_error
from bricks.layers import Embedding


def test_shape_and_default_initializer():
    emb = Embedding(300, 8)
    y = emb(np.array([[0, 5, 5], [299, 1, 2]]))
    assert y.shape == (2, 3, 8)
    w = emb.params["embeddings"]
    assert w.shape == (300, 8) and np.abs(w).max() <= 0.05  # RandomUniform(-0.05, 0.05)
    assert [a.shape for a in emb.get_weights()] == [(300, 8)]
    assert emb(np.zeros((4,), dtype=int)).shape == (4, 8)
    assert emb(np.zeros((2, 3, 4), dtype=int)).shape == (2, 3, 4, 8)


def test_lookup_by_hand_and_float_ids():
    emb = Embedding(3, 2)
    emb.build((None, 2))
    emb.set_weights([np.array([[0.0, 1.0], [10.0, 11.0], [20.0, 21.0]])])
    np.testing.assert_array_equal(emb(np.array([[2, 0]])), [[[20, 21], [0, 1]]])
    np.testing.assert_array_equal(emb(np.array([[2.0, 1.0]])), [[[20, 21], [10, 11]]])  # whole floats ok


def test_backward_accumulates_repeated_ids():
    emb = Embedding(4, 2)
    ids = np.array([[1, 1, 3]])
    emb(ids)
    dx = emb.backward(np.array([[[1.0, 2.0], [10.0, 20.0], [5.0, 5.0]]]))
    np.testing.assert_array_equal(emb.grads["embeddings"], [[0, 0], [11, 22], [0, 0], [5, 5]])
    np.testing.assert_array_equal(dx, np.zeros((1, 3)))  # ids get no gradient


def test_gradcheck_embeddings(rng):
    emb = Embedding(6, 3)
    ids = rng.integers(0, 6, size=(4, 5))  # repeats included
    upstream = rng.standard_normal((4, 5, 3))
    emb(ids)
    emb.backward(upstream)
    numeric = numerical_gradient(lambda: float(np.sum(emb(ids) * upstream)), emb.params["embeddings"])
    assert rel_error(emb.grads["embeddings"], numeric) < 1e-7


def test_equals_one_hot_times_kernel(rng):
    emb = Embedding(7, 4)
    ids = rng.integers(0, 7, size=(5, 3))
    one_hot = np.eye(7)[ids]  # (5, 3, 7)
    np.testing.assert_allclose(emb(ids), one_hot @ emb.params["embeddings"])
    g = rng.standard_normal((5, 3, 4))
    emb.backward(g)
    np.testing.assert_allclose(emb.grads["embeddings"], one_hot.reshape(-1, 7).T @ g.reshape(-1, 4))


@pytest.mark.parametrize("ids, match", [
    (np.array([[1.5, 2.0]]), r"embedding: expected integer ids \(whole numbers\). Received: id=1.5"),
    (np.array([[1, -1]]), r"embedding: expected ids in \[0, 4\].*Received: id=-1"),
    (np.array([[1, 5]]), r"embedding: expected ids in \[0, 4\].*Received: id=5"),
    (np.array([[np.nan]]), "embedding: expected integer ids"),
    (np.array([["a"]]), "embedding: expected integer ids"),
    (np.array(3), "embedding: expected ids with a batch axis"),
])
def test_bad_ids(ids, match):
    with pytest.raises(ValueError, match=match):
        Embedding(5, 2)(ids)


def test_bad_arguments_and_backward_first():
    with pytest.raises(ValueError, match="embedding: expected input_dim a positive int"):
        Embedding(0, 3)
    with pytest.raises(ValueError, match="embedding_1: expected output_dim"):
        Embedding(3, 2.5)
    with pytest.raises(RuntimeError, match="backward"):
        Embedding(3, 2).backward(np.zeros((1, 2)))


def test_config_round_trip_and_regularizer():
    emb = Embedding(10, 3, embeddings_regularizer=bricks.L2(0.1), mask_zero=True, input_length=5)
    config = emb.get_config()
    clone = Embedding.from_config(config)
    assert clone.get_config() == config
    emb.build((None, 5))
    assert emb.regularization_loss() == pytest.approx(0.1 * np.sum(emb.params["embeddings"] ** 2))
    np.testing.assert_array_equal(emb.compute_mask(np.array([[0, 2]])), [[False, True]])
    assert Embedding(3, 2).compute_mask(np.array([[0]])) is None


def test_seeded_initializer_and_float32():
    a = Embedding(5, 2, embeddings_initializer=bricks.initializers.RandomNormal(seed=3))
    b = Embedding(5, 2, embeddings_initializer=bricks.initializers.RandomNormal(seed=3))
    np.testing.assert_array_equal(a(np.array([[1]])), b(np.array([[1]])))
    assert Embedding(5, 2, dtype="float32")(np.array([[1]])).dtype == np.float32


def test_embedding_in_a_trained_model(rng):
    ids = rng.integers(0, 10, size=(200, 3))
    target = np.linspace(-1, 1, 10)[ids].sum(axis=1, keepdims=True)  # each id has a planted value
    model = bricks.Sequential([bricks.Input((3,)), Embedding(10, 4), bricks.Flatten(), bricks.Dense(1)])
    model.compile(optimizer=bricks.Adam(0.05), loss="mse")
    assert model.output_shapes[1] == (None, 3, 4)  # [0] is the Input
    history = model.fit(ids, target, epochs=40, batch_size=32, verbose=0, seed=0)
    assert history.history["loss"][-1] < 0.01 * history.history["loss"][0]
    with pytest.raises(ValueError, match="embedding"):
        model.predict(np.array([[0, 1, 10]]))
