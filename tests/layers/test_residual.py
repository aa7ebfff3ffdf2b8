"""Residual: y = x + F(x); shapes, values, gradients through the skip, errors, nested weights and config."""
import json

import numpy as np
import pytest

import bricks
from bricks.layers.base import LAYERS
from bricks.teaching.gradcheck import check_layer as _check_layer


def check_layer(layer, x, **kwargs):
    """gradcheck.check_layer with an upstream-gradient seed other than the `rng` fixture's 0: with the
    same seed the upstream gradient would equal x, which batch norm's backward maps to ~0 (a vacuous check)."""
    return _check_layer(layer, x, seed=12345, **kwargs)




@LAYERS.register  # a layer of its own: registered, so a config naming it loads
class Scale(bricks.Layer):
    """A tiny test layer y = x * w (w per feature), so these tests need no other layer family."""

    def __init__(self, init=2.0, **kwargs):
        super().__init__(**kwargs)
        self.init = init

    def build(self, input_shape):
        super().build(input_shape)
        self.add_weight("w", (input_shape[-1],), bricks.initializers.Constant(self.init))

    def forward(self, x, training=False):
        x = self._prepare(x)
        self.cache = x
        return x * self.params["w"]

    def backward(self, grad_output):
        x = self._cached()
        self.grads["w"][...] = (grad_output * x).reshape(-1, x.shape[-1]).sum(0)
        return grad_output * self.params["w"]

    def get_config(self):
        return {**super().get_config(), "init": self.init}


def test_residual_shape_and_value_by_hand():
    block = bricks.Residual([Scale(2.0), Scale(3.0)])
    x = np.array([[1.0, -2.0], [0.5, 4.0]])
    y = block(x)
    np.testing.assert_allclose(y, x + 6.0 * x)  # x + F(x), F(x) = 3 * (2 * x)
    assert y.shape == (2, 2)
    np.testing.assert_allclose(block.backward(np.ones_like(x)), 1.0 + 6.0)  # dx = dy + F'(x) dy


def test_residual_gradcheck_rank3(rng):
    block = bricks.Residual([Scale(0.7), bricks.LayerNormalization(), Scale(-1.3)])
    errs = check_layer(block, rng.normal(size=(2, 3, 4)))
    assert set(errs) == {"x", "residual/scale/w", "residual/layer_normalization/gamma",
                         "residual/layer_normalization/beta", "residual/scale_1/w"}
    assert max(errs.values()) < 1e-7, errs


@pytest.mark.parametrize("training", [True, False])
def test_residual_with_batchnorm_gradcheck(training, rng):
    block = bricks.Residual([bricks.BatchNormalization(), Scale(0.5)])
    block.build((None, 3))
    block.layers[0].state["moving_variance"][...] = [0.5, 1.0, 2.0]
    errs = check_layer(block, rng.normal(size=(5, 3)), training=training)
    assert max(errs.values()) < 1e-7, errs


def test_residual_passes_training_flag(rng):
    block = bricks.Residual([bricks.BatchNormalization()])
    x = rng.normal(4.0, 1.0, size=(8, 2))
    block(x, training=True)
    assert block.layers[0].state["moving_mean"][0] != 0.0  # updated only in training
    before = block.layers[0].state["moving_mean"].copy()
    block(x, training=False)
    np.testing.assert_array_equal(block.layers[0].state["moving_mean"], before)


def test_residual_dense_gradcheck(rng):
    block = bricks.Residual([bricks.Dense(4, activation="tanh"), bricks.Dense(4)])
    errs = check_layer(block, rng.normal(size=(3, 4)))
    assert len(errs) == 5  # x, two kernels, two biases
    assert max(errs.values()) < 1e-7, errs


def test_residual_projection(rng):
    block = bricks.Residual([bricks.Dense(5, activation="tanh")], projection=bricks.Dense(5, use_bias=False))
    x = rng.normal(size=(3, 2))
    y = block(x)
    assert y.shape == (3, 5)
    kernel = block.projection.params["kernel"]
    np.testing.assert_allclose(y, x @ kernel + block.layers[0](x))
    assert [w.shape for w in block.get_weights()] == [(2, 5), (5,), (2, 5)]
    errs = check_layer(block, x)
    assert max(errs.values()) < 1e-7, errs


def test_residual_mismatch_names_block_and_shapes(rng):
    block = bricks.Residual([bricks.Dense(16)])
    with pytest.raises(ValueError, match=r"residual: .*x\.shape=\(None, 8\).*F\(x\)\.shape=\(None, 16\)"):
        block(rng.normal(size=(4, 8)))


def test_residual_errors(rng):
    with pytest.raises(ValueError, match="residual"):
        bricks.Residual([])
    with pytest.raises(ValueError, match="residual"):
        bricks.Residual(["dense"])
    block = bricks.Residual([Scale()])
    block(rng.normal(size=(2, 3)))
    with pytest.raises(ValueError, match=r"residual.*size 3"):
        block(rng.normal(size=(2, 4)))  # wrong feature count after build
    with pytest.raises(RuntimeError, match="residual"):
        bricks.Residual([Scale()]).backward(np.ones((2, 3)))


def test_residual_weights_recurse(rng):
    block = bricks.Residual([Scale(2.0), bricks.BatchNormalization()])
    block(rng.normal(size=(4, 3)))
    assert [w.shape for w in block.get_weights()] == [(3,)] * 5  # w, gamma, beta, moving_mean, moving_variance
    assert block.count_params() == 15
    assert [p for p, _, _ in block.variables()] == ["residual/scale/w", "residual/batch_normalization/gamma",
                                                    "residual/batch_normalization/beta"]
    new = [np.full(3, float(i)) for i in range(5)]
    block.set_weights(new)
    np.testing.assert_array_equal(block.layers[0].params["w"], 0.0)
    np.testing.assert_array_equal(block.layers[1].state["moving_variance"], 4.0)


def test_residual_config_round_trip_is_json(rng):
    block = bricks.Residual([Scale(1.5), bricks.LayerNormalization(epsilon=1e-5)], name="skip")
    x = rng.normal(size=(3, 4))
    y = block(x)
    config = json.loads(json.dumps(block.get_config()))  # what a saved model stores
    assert [c["class_name"] for c in config["layers"]] == ["Scale", "LayerNormalization"]
    clone = bricks.Residual.from_config(config)
    clone.build((None, 4))
    clone.set_weights(block.get_weights())
    np.testing.assert_array_equal(clone(x), y)
    assert clone.name == "skip" and clone.get_config() == block.get_config()


def test_residual_saves_and_loads_inside_a_model(rng, tmp_path):
    model = bricks.Sequential([bricks.Input((4,)), bricks.Dense(8),
                               bricks.Residual([bricks.Dense(8, activation="tanh"), bricks.BatchNormalization()]),
                               bricks.LayerNormalization(), bricks.Dense(1)])
    assert model.get_layer("residual").count_params() == 8 * 8 + 8 + 4 * 8  # built with the model, before data
    x = rng.normal(size=(16, 4))
    model.forward(x, training=True)  # moves the moving averages off their initial values
    path = model.save(tmp_path / "res.npz")
    clone = bricks.load_model(path)
    np.testing.assert_array_equal(clone.predict(x), model.predict(x))
    assert [w.shape for w in clone.get_weights()] == [w.shape for w in model.get_weights()]


def test_residual_around_a_sequential(rng):
    block = bricks.Residual([bricks.Sequential([bricks.Dense(3, activation="tanh"), bricks.Dense(3)])])
    errs = check_layer(block, rng.normal(size=(4, 3)))
    assert len(errs) == 5 and max(errs.values()) < 1e-7, errs
