"""BatchNormalization and LayerNormalization: shapes, hand-computed values, gradients, errors, weights."""
import numpy as np
import pytest

import bricks
from bricks.teaching.gradcheck import check_layer as _check_layer
from bricks.teaching.gradcheck import rel_error
from bricks.layers.normalization import (batchnorm_backward, batchnorm_backward_compact, batchnorm_forward,
                                         layernorm_backward, layernorm_forward)


def check_layer(layer, x, **kwargs):
    """gradcheck.check_layer with an upstream-gradient seed other than the `rng` fixture's 0: with the
    same seed the upstream gradient would equal x, which batch norm's backward maps to ~0 (a vacuous check)."""
    return _check_layer(layer, x, seed=12345, **kwargs)


SHAPES = [(6, 3), (3, 4, 3), (2, 3, 2, 3)]  # rank 2, 3, 4; channels last = 3


def _randomize(layer, rng):
    """Non-trivial gamma, beta and moving statistics, so no term of a gradient hides behind 1 or 0."""
    c = layer.params["gamma"].shape
    layer.params["gamma"][...] = rng.uniform(0.5, 1.5, c)
    layer.params["beta"][...] = rng.normal(size=c)
    if "moving_mean" in layer.state:
        layer.state["moving_mean"][...] = rng.normal(size=c)
        layer.state["moving_variance"][...] = rng.uniform(0.5, 2.0, c)


# ---- BatchNormalization -------------------------------------------------------------
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("training", [True, False])
def test_batchnorm_shape(shape, training, rng):
    out = bricks.BatchNormalization()(rng.normal(size=shape), training=training)
    assert out.shape == shape and out.dtype == np.float64


def test_batchnorm_training_values_by_hand():
    x = np.array([[1.0, 10.0], [3.0, 20.0], [5.0, 30.0]])  # channel means 3, 20; biased variances 8/3, 200/3
    bn = bricks.BatchNormalization()
    bn.build((None, 2))
    bn.set_weights([np.array([2.0, 1.0]), np.array([0.5, -1.0]), np.zeros(2), np.ones(2)])
    y = bn(x, training=True)
    xhat0 = np.array([-2.0, 0.0, 2.0]) / np.sqrt(8 / 3 + 1e-3)
    xhat1 = np.array([-10.0, 0.0, 10.0]) / np.sqrt(200 / 3 + 1e-3)
    np.testing.assert_allclose(y[:, 0], 2.0 * xhat0 + 0.5, rtol=1e-12)
    np.testing.assert_allclose(y[:, 1], 1.0 * xhat1 - 1.0, rtol=1e-12)
    # one step of the moving averages, momentum 0.99
    np.testing.assert_allclose(bn.state["moving_mean"], [0.01 * 3.0, 0.01 * 20.0], rtol=1e-12)
    np.testing.assert_allclose(bn.state["moving_variance"], [0.99 + 0.01 * 8 / 3, 0.99 + 0.01 * 200 / 3], rtol=1e-12)


def test_batchnorm_inference_values_by_hand():
    bn = bricks.BatchNormalization()
    bn.build((None, 2))
    # moving_variance + eps = 4 and 0.25, so 1/sqrt = 0.5 and 2
    bn.set_weights([np.array([2.0, 3.0]), np.array([1.0, -1.0]), np.array([1.0, 2.0]), np.array([3.999, 0.249])])
    y = bn(np.array([[3.0, 2.5], [1.0, 1.5]]), training=False)
    np.testing.assert_allclose(y, [[2.0 * 1 + 1, 3.0 * 1 - 1], [2.0 * 0 + 1, 3.0 * -1 - 1]], rtol=1e-12)
    np.testing.assert_array_equal(bn.state["moving_mean"], [1.0, 2.0])  # inference changes nothing


def test_batchnorm_moving_stats_converge_to_batch_stats(rng):
    x = rng.normal(3.0, 2.0, size=(64, 5))
    bn = bricks.BatchNormalization(momentum=0.5)
    for _ in range(60):
        bn(x, training=True)
    np.testing.assert_allclose(bn.state["moving_mean"], x.mean(0), rtol=1e-10)
    np.testing.assert_allclose(bn.state["moving_variance"], x.var(0), rtol=1e-10)
    np.testing.assert_allclose(bn(x, training=False), bn(x, training=True), atol=1e-10)


def test_batchnorm_normalizes_every_axis_but_channels(rng):
    y = bricks.BatchNormalization()(rng.normal(5.0, 3.0, size=(4, 6, 5, 3)), training=True)
    np.testing.assert_allclose(y.mean(axis=(0, 1, 2)), 0.0, atol=1e-12)
    np.testing.assert_allclose(y.var(axis=(0, 1, 2)), 9.0 / (9.0 + 1e-3), rtol=1e-3)


def test_batchnorm_axis_1_channels_first(rng):
    x = rng.normal(size=(4, 3, 5))  # channels on axis 1
    bn = bricks.BatchNormalization(axis=1)
    y = bn(x, training=True)
    assert bn.params["gamma"].shape == (3,)
    np.testing.assert_allclose(y.mean(axis=(0, 2)), 0.0, atol=1e-12)
    errs = check_layer(bn, x, training=True)
    assert max(errs.values()) < 1e-7, errs


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("training", [True, False])
def test_batchnorm_gradcheck(shape, training, rng):
    bn = bricks.BatchNormalization()
    bn.build((None, *shape[1:]))
    _randomize(bn, rng)
    errs = check_layer(bn, rng.normal(size=shape), training=training)
    assert set(errs) == {"x", "gamma", "beta"}
    assert max(errs.values()) < 1e-7, errs
    assert np.linalg.norm(bn.backward(rng.normal(size=shape))) > 0.1  # the checked gradient is not ~0


def test_batchnorm_step_by_step_equals_compact(rng):
    x = rng.normal(size=(5, 4, 3))
    out, cache = batchnorm_forward(x, rng.normal(size=3), rng.normal(size=3), 1e-3, axis=-1)
    dout = rng.normal(size=out.shape)
    for a, b in zip(batchnorm_backward(dout, cache), batchnorm_backward_compact(dout, cache)):
        assert rel_error(a, b) < 1e-12


def test_batchnorm_without_center_and_scale(rng):
    bn = bricks.BatchNormalization(center=False, scale=False)
    x = rng.normal(size=(6, 3))
    bn(x, training=True)
    assert list(bn.params) == [] and [w.shape for w in bn.get_weights()] == [(3,), (3,)]
    assert check_layer(bn, x, training=True)["x"] < 1e-7


def test_batchnorm_not_trainable_runs_in_inference_mode(rng):
    bn = bricks.BatchNormalization(trainable=False)
    x = rng.normal(3.0, 1.0, size=(8, 2))
    y = bn(x, training=True)
    np.testing.assert_allclose(y, x / np.sqrt(1 + 1e-3))  # moving stats 0 and 1
    np.testing.assert_array_equal(bn.state["moving_mean"], 0.0)


def test_batchnorm_float32(rng):
    bn = bricks.BatchNormalization(dtype="float32")
    y = bn(rng.normal(size=(4, 3)).astype(np.float32), training=True)
    assert y.dtype == np.float32 and bn.state["moving_mean"].dtype == np.float32
    assert bn.backward(np.ones_like(y)).dtype == np.float32


def test_batchnorm_weights_order_and_shapes(rng):
    bn = bricks.BatchNormalization()
    bn(rng.normal(size=(2, 5, 5, 8)))
    assert list(bn.params) + list(bn.state) == ["gamma", "beta", "moving_mean", "moving_variance"]
    assert [w.shape for w in bn.get_weights()] == [(8,)] * 4
    assert bn.count_params() == 32
    assert [path for path, _, _ in bn.variables()] == ["batch_normalization/gamma", "batch_normalization/beta"]
    np.testing.assert_array_equal(bn.get_weights()[0], 1.0)  # gamma_initializer="ones"
    np.testing.assert_array_equal(bn.get_weights()[3], 1.0)  # moving_variance_initializer="ones"


def test_batchnorm_errors(rng):
    with pytest.raises(ValueError, match="batch_normalization"):
        bricks.BatchNormalization()(rng.normal(size=(5,)))  # rank 1: no batch and channel axes
    bn = bricks.BatchNormalization()
    bn(rng.normal(size=(4, 3)))
    with pytest.raises(ValueError, match=r"batch_normalization.*size 3.*\(4, 5\)"):
        bn(rng.normal(size=(4, 5)))  # wrong channel count
    with pytest.raises(ValueError, match=r"batch_normalization.*rank 2"):
        bn(rng.normal(size=(4, 2, 3)))  # wrong rank after build
    with pytest.raises(ValueError, match="batch_normalization"):
        bricks.BatchNormalization(axis=3)(rng.normal(size=(4, 3)))  # axis out of range
    with pytest.raises(ValueError, match="batch_normalization"):
        bricks.BatchNormalization(axis=[1, 2])
    with pytest.raises(RuntimeError, match="batch_normalization"):
        bricks.BatchNormalization().backward(np.ones((2, 3)))


def test_batchnorm_config_round_trip(rng):
    bn = bricks.BatchNormalization(momentum=0.9, epsilon=1e-5, center=False, gamma_regularizer=bricks.L2(0.1),
                                   gamma_initializer=bricks.initializers.Constant(2.0))
    x = rng.normal(size=(6, 3))
    bn(x, training=True)
    config = bn.get_config()
    clone = bricks.BatchNormalization.from_config(config)
    clone.build((None, 3))
    clone.set_weights(bn.get_weights())
    assert clone.get_config() == config
    np.testing.assert_array_equal(clone(x), bn(x))
    assert clone.regularization_loss() == pytest.approx(0.1 * 3 * 4.0)


# ---- LayerNormalization --------------------------------------------------------------
@pytest.mark.parametrize("shape", SHAPES)
def test_layernorm_shape(shape, rng):
    ln = bricks.LayerNormalization()
    assert ln(rng.normal(size=shape)).shape == shape
    assert [w.shape for w in ln.get_weights()] == [(3,), (3,)]
    assert list(ln.params) == ["gamma", "beta"]


def test_layernorm_values_by_hand():
    ln = bricks.LayerNormalization()
    ln.build((None, 4))
    ln.set_weights([np.array([1.0, 2.0, 1.0, 1.0]), np.array([0.0, 0.0, 0.0, 1.0])])
    y = ln(np.array([[1.0, 2.0, 3.0, 4.0], [10.0, 10.0, 10.0, 10.0]]))
    xhat = np.array([-1.5, -0.5, 0.5, 1.5]) / np.sqrt(1.25 + 1e-3)  # mean 2.5, variance 1.25
    np.testing.assert_allclose(y[0], xhat * [1, 2, 1, 1] + [0, 0, 0, 1], rtol=1e-12)
    np.testing.assert_allclose(y[1], [0, 0, 0, 1], atol=1e-12)  # a constant row becomes beta


def test_layernorm_training_flag_changes_nothing(rng):
    ln = bricks.LayerNormalization()
    x = rng.normal(size=(3, 5, 4))
    np.testing.assert_array_equal(ln(x, training=True), ln(x, training=False))
    # per sample: the other samples in the batch do not matter
    np.testing.assert_allclose(ln(x[:1]), ln(x)[:1], rtol=1e-14)


@pytest.mark.parametrize("shape", SHAPES)
def test_layernorm_gradcheck(shape, rng):
    ln = bricks.LayerNormalization()
    ln.build((None, *shape[1:]))
    _randomize(ln, rng)
    errs = check_layer(ln, rng.normal(size=shape))
    assert set(errs) == {"x", "gamma", "beta"}
    assert max(errs.values()) < 1e-7, errs


def test_layernorm_several_axes(rng):
    ln = bricks.LayerNormalization(axis=[1, 2])
    x = rng.normal(size=(3, 4, 2))
    y = ln(x)
    assert ln.params["gamma"].shape == (4, 2)
    np.testing.assert_allclose(y.mean(axis=(1, 2)), 0.0, atol=1e-12)
    _randomize(ln, rng)
    assert max(check_layer(ln, x).values()) < 1e-7


def test_layernorm_pure_pair_matches_layer(rng):
    x, g, b = rng.normal(size=(2, 3, 4)), rng.normal(size=4), rng.normal(size=4)
    out, cache = layernorm_forward(x, g, b, 1e-3, axis=(-1,))
    ln = bricks.LayerNormalization()
    ln.build((None, 3, 4))
    ln.set_weights([g, b])
    np.testing.assert_allclose(ln(x), out, rtol=1e-14)
    dout = rng.normal(size=x.shape)
    dx, dg, db = layernorm_backward(dout, cache)
    np.testing.assert_allclose(ln.backward(dout), dx, rtol=1e-14)
    np.testing.assert_allclose(ln.grads["beta"], dout.sum(axis=(0, 1)), rtol=1e-14)


def test_layernorm_errors(rng):
    ln = bricks.LayerNormalization()
    ln(rng.normal(size=(2, 3, 4)))
    with pytest.raises(ValueError, match=r"layer_normalization.*size 4.*\(2, 3, 5\)"):
        ln(rng.normal(size=(2, 3, 5)))
    with pytest.raises(ValueError, match=r"layer_normalization.*rank 3"):
        ln(rng.normal(size=(2, 4)))
    with pytest.raises(ValueError, match="layer_normalization"):
        bricks.LayerNormalization()(rng.normal(size=(4,)))
    with pytest.raises(ValueError, match="layer_normalization"):
        bricks.LayerNormalization(axis=0)(rng.normal(size=(4, 3)))  # the batch axis
    with pytest.raises(RuntimeError, match="layer_normalization"):
        bricks.LayerNormalization().backward(np.ones((2, 3)))


def test_layernorm_config_round_trip(rng):
    ln = bricks.LayerNormalization(axis=[1, 2], epsilon=1e-6, scale=False)
    x = rng.normal(size=(2, 3, 4))
    y = ln(x)
    clone = bricks.LayerNormalization.from_config(ln.get_config())
    np.testing.assert_array_equal(clone(x), y)
    assert clone.get_config() == ln.get_config() and clone.count_params() == 12
