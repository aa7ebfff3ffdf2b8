"""Input, Dense, Activation: shapes, values, finite-difference gradients, errors, configs."""
import json

import numpy as np
import pytest

import bricks
from bricks import Activation, Dense, Input
from bricks.teaching.gradcheck import check_layer

ACTIVATIONS = [None, "sigmoid", "tanh", "relu", "softmax", "elu", "selu", "softplus", "leaky_relu"]


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_dense_gradients(activation, rng):
    layer = Dense(3, activation=activation)
    x = rng.normal(size=(5, 4))
    layer.build((None, 4))
    layer.params["bias"][...] = rng.normal(size=3)
    if activation in ("relu", "elu", "selu", "leaky_relu"):  # keep z = xW + b off the kink at 0
        z = x @ layer.params["kernel"] + layer.params["bias"]
        x = x[np.all(np.abs(z) > 0.05, axis=1)]
        assert len(x) >= 2
    errs = check_layer(layer, x)
    assert set(errs) == {"x", "kernel", "bias"}
    assert max(errs.values()) < 1e-7, errs


def test_dense_rank3_input(rng):
    layer = Dense(2, activation="tanh")
    x = rng.normal(size=(3, 4, 5))  # (N, T, D)
    out = layer.forward(x)
    assert out.shape == (3, 4, 2)
    assert layer.params["kernel"].shape == (5, 2)
    errs = check_layer(layer, x)
    assert max(errs.values()) < 1e-7, errs


def test_dense_without_bias(rng):
    layer = Dense(2, use_bias=False)
    errs = check_layer(layer, rng.normal(size=(3, 4)))
    assert set(errs) == {"x", "kernel"} and max(errs.values()) < 1e-7
    assert [w.shape for w in layer.get_weights()] == [(4, 2)]


def test_dense_hand_computed_value():
    layer = Dense(2, activation="relu")
    layer.build((None, 3))
    layer.set_weights([np.array([[1.0, -1.0], [2.0, 0.0], [0.0, 1.0]]), np.array([0.5, -0.5])])
    out = layer.forward(np.array([[1.0, 1.0, 1.0], [-1.0, 0.0, 2.0]]))
    # row 1: z = (1+2+0+0.5, -1+0+1-0.5) = (3.5, -0.5) -> relu (3.5, 0)
    # row 2: z = (-1+0+0+0.5, 1+0+2-0.5) = (-0.5, 2.5) -> relu (0, 2.5)
    np.testing.assert_allclose(out, [[3.5, 0.0], [0.0, 2.5]])


def test_dense_weights_shapes_order_and_count():
    layer = Dense(4, input_shape=(3,))
    layer.forward(np.zeros((2, 3)))
    assert [w.shape for w in layer.get_weights()] == [(3, 4), (4,)]
    assert layer.count_params() == 16
    np.testing.assert_allclose(layer.get_weights()[1], 0.0)  # bias_initializer="zeros"
    limit = np.sqrt(6 / (3 + 4))  # glorot_uniform
    assert np.all(np.abs(layer.get_weights()[0]) <= limit)


def test_dense_errors(rng):
    layer = Dense(2, name="dense_head")
    layer.forward(rng.normal(size=(4, 3)))
    with pytest.raises(ValueError, match=r"dense_head.*3.*\(4, 5\)"):
        layer.forward(rng.normal(size=(4, 5)))
    with pytest.raises(ValueError, match="dense_head.*rank"):
        layer.forward(np.ones(3))
    with pytest.raises(ValueError, match="units"):
        Dense(0)
    with pytest.raises(RuntimeError, match="dense_1"):
        Dense(2).backward(np.ones((1, 2)))


def test_dense_config_round_trips_through_json():
    layer = Dense(3, activation="tanh", kernel_initializer=bricks.initializers.GlorotUniform(seed=1),
                  kernel_regularizer=bricks.L2(0.01), bias_regularizer=bricks.L1(0.5), input_shape=(2,), name="d")
    config = json.loads(json.dumps(layer.get_config()))
    clone = Dense.from_config(config)
    assert clone.get_config() == layer.get_config()
    assert clone.activation.name == "tanh" and clone.kernel_regularizer.l2 == 0.01
    layer.build((None, 2))
    clone.build((None, 2))
    np.testing.assert_allclose(clone.params["kernel"], layer.params["kernel"])  # same seeded initializer


def test_input_layer(rng):
    inp = Input((3,), name="features")
    x = rng.normal(size=(2, 3))
    assert inp.forward(x) is not None and np.array_equal(inp.forward(x), x)
    np.testing.assert_allclose(inp.backward(x), x)
    assert inp.batch_input_shape == (None, 3) and inp.count_params() == 0
    with pytest.raises(ValueError, match=r"features.*\(None, 3\).*\(2, 4\)"):
        inp.forward(rng.normal(size=(2, 4)))
    assert Input((4, 2)).get_config()["shape"] == [4, 2]


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "softmax", "relu", "selu", "softplus"])
def test_activation_layer(activation, rng):
    layer = Activation(activation)
    x = rng.normal(size=(3, 4))
    x += 0.1 * np.sign(x)
    out = layer.forward(x)
    np.testing.assert_allclose(out, bricks.activations.get(activation).forward(x))
    errs = check_layer(layer, x)
    assert errs["x"] < 1e-7, errs
    assert Activation.from_config(layer.get_config()).activation.name == activation


def test_float32_dense(rng):
    layer = Dense(2, dtype="float32")
    out = layer.forward(rng.normal(size=(3, 4)))
    assert out.dtype == np.float32 and layer.params["kernel"].dtype == np.float32
