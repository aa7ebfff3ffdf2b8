"""Dropout, AlphaDropout, GaussianDropout, GaussianNoise: identity at inference, statistics,
gradients with frozen noise, seeding, errors, config."""
import numpy as np
import pytest

import bricks
from bricks.teaching.gradcheck import check_layer
from bricks.layers import AlphaDropout, Dropout, GaussianDropout, GaussianNoise

FACTORIES = [
    lambda: Dropout(0.3, seed=1),
    lambda: Dropout(0.5, noise_shape=(None, 1, 3), seed=1),
    lambda: AlphaDropout(0.2, seed=1),
    lambda: GaussianDropout(0.4, seed=1),
    lambda: GaussianNoise(0.5, seed=1),
]
IDS = ["dropout", "dropout-noise-shape", "alpha", "gaussian-dropout", "gaussian-noise"]


@pytest.mark.parametrize("make", FACTORIES, ids=IDS)
def test_identity_at_inference_and_shape(make, rng):
    layer = make()
    x = rng.normal(size=(2, 4, 3))
    np.testing.assert_array_equal(layer(x), x)  # training=False by default
    np.testing.assert_array_equal(layer.backward(np.ones_like(x)), np.ones_like(x))
    y = layer(x, training=True)
    assert y.shape == x.shape and not np.allclose(y, x)


@pytest.mark.parametrize("make", FACTORIES, ids=IDS)
def test_gradient_with_frozen_noise(make, rng):
    layer = make()
    layer.freeze_noise = True
    x = rng.normal(size=(2, 4, 3))
    y1 = layer(x, training=True)
    np.testing.assert_array_equal(layer(x, training=True), y1)  # same noise while frozen
    errs = check_layer(layer, x, training=True)
    assert errs["x"] < 1e-7, errs
    assert layer.get_weights() == []


@pytest.mark.parametrize("make", FACTORIES, ids=IDS)
def test_config_round_trip_and_seed(make, rng):
    layer = make()
    clone = type(layer).from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    x = rng.normal(size=(2, 4, 3))
    np.testing.assert_array_equal(clone(x, training=True), layer(x, training=True))  # same seed, same draws
    assert not np.array_equal(layer(x, training=True), layer(x, training=True))  # fresh noise each call


def test_dropout_values_and_backward():
    layer = Dropout(0.5, seed=0)
    x = np.ones((4, 1000))
    y = layer(x, training=True)
    assert set(np.unique(y)) == {0.0, 2.0}  # kept units scaled by 1 / (1 - 0.5)
    assert abs(y.mean() - 1.0) < 0.05  # inverted dropout keeps the mean
    dx = layer.backward(np.full_like(x, 3.0))
    np.testing.assert_array_equal(dx, 3.0 * y)  # the same mask in backward
    assert Dropout(0.0)(x, training=True) is not None
    np.testing.assert_array_equal(Dropout(0.0)(x, training=True), x)


def test_dropout_noise_shape_shares_mask_over_time():
    y = Dropout(0.5, noise_shape=(None, 1, 8), seed=0)(np.ones((3, 5, 8)), training=True)
    np.testing.assert_array_equal(y, np.broadcast_to(y[:, :1, :], y.shape))  # one mask for all steps


def test_alpha_dropout_keeps_selu_statistics():
    x = np.random.default_rng(0).standard_normal((400, 500))
    layer = AlphaDropout(0.2, seed=0)
    y = layer(x, training=True)
    assert abs(y.mean()) < 0.01 and abs(y.std() - 1.0) < 0.01
    alpha_p = -1.6732632423543772 * 1.0507009873554805
    a = ((1 - 0.2) * (1 + 0.2 * alpha_p ** 2)) ** -0.5
    b = -a * alpha_p * 0.2
    dropped = layer.noise == 0
    np.testing.assert_allclose(y[dropped], a * alpha_p + b)  # dropped units sit at one value
    np.testing.assert_allclose(y[~dropped], a * x[~dropped] + b)


def test_gaussian_layers_statistics():
    x = np.ones((500, 400))
    e = GaussianDropout(0.2, seed=0)(x, training=True)
    assert abs(e.mean() - 1) < 0.01 and abs(e.var() - 0.2 / 0.8) < 0.01  # N(1, rate / (1 - rate))
    n = GaussianNoise(0.3, seed=0)(x, training=True) - x
    assert abs(n.mean()) < 0.01 and abs(n.std() - 0.3) < 0.01


def test_frozen_noise_redraws_on_new_shape():
    layer = Dropout(0.5, seed=0)
    layer.freeze_noise = True
    layer(np.ones((2, 3)), training=True)
    assert layer(np.ones((4, 3)), training=True).shape == (4, 3)


@pytest.mark.parametrize("make, match", [
    (lambda: Dropout(1.0), "dropout: expected rate in \\[0, 1\\)"),
    (lambda: Dropout(-0.1), "dropout: expected rate"),
    (lambda: AlphaDropout(1.5), "alpha_dropout: expected rate"),
    (lambda: GaussianDropout("0.5"), "gaussian_dropout: expected rate"),
    (lambda: GaussianNoise(-1.0), "gaussian_noise: expected stddev >= 0"),
])
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_bad_noise_shape_and_backward_first():
    with pytest.raises(ValueError, match="dropout: expected noise_shape"):
        Dropout(0.5, noise_shape=(None, 2))(np.ones((2, 3)), training=True)
    with pytest.raises(RuntimeError, match="backward"):
        GaussianNoise(0.1).backward(np.ones((2, 2)))
    with pytest.raises(ValueError, match="gaussian_noise_1: expected a numeric array"):
        GaussianNoise(0.1)(np.array(["a", "b"]))


def test_global_seed_makes_runs_repeatable():
    bricks.set_random_seed(7)
    a = Dropout(0.5)(np.ones((3, 4)), training=True)
    bricks.set_random_seed(7)
    b = Dropout(0.5)(np.ones((3, 4)), training=True)
    np.testing.assert_array_equal(a, b)


def test_dropout_in_a_trained_model(rng):
    x = rng.normal(size=(64, 3))
    y = x @ np.array([[1.0], [-2.0], [0.5]])
    model = bricks.Sequential([bricks.Input((3,)), bricks.Dense(16, activation="tanh"), Dropout(0.2, seed=0),
                               GaussianNoise(0.01, seed=0), bricks.Dense(1)])
    model.compile(optimizer=bricks.Adam(0.01), loss="mse")
    history = model.fit(x, y, epochs=30, batch_size=16, verbose=0, seed=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    np.testing.assert_array_equal(model.predict(x), model.predict(x))  # inference: no noise


@pytest.mark.parametrize("make", [lambda: Dropout(0.3, dtype="float32"), lambda: AlphaDropout(0.3, dtype="float32"),
                                  lambda: GaussianDropout(0.3, dtype="float32"),
                                  lambda: GaussianNoise(0.3, dtype="float32")])
def test_float32_stays_float32(make):
    layer = make()
    y = layer(np.ones((3, 4), dtype=np.float32), training=True)
    assert y.dtype == np.float32 and layer.backward(np.ones((3, 4), dtype=np.float32)).dtype == np.float32
