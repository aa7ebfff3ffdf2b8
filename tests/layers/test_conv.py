"""Conv1D/2D/3D and Conv2DTranspose: shapes, hand-computed values, gradients, errors, weights."""
import itertools

import numpy as np
import pytest

import bricks
from bricks.teaching.gradcheck import check_layer
from bricks.layers.conv import Conv1D, Conv2D, Conv2DTranspose, Conv3D, conv_forward


def naive_conv(x, kernel, bias, strides, dilation, pads):
    """The definition, loop by loop: y[n, i, f] = b[f] + sum_{k, c} xp[n, s i + d k, c] W[k, c, f]."""
    rank = kernel.ndim - 2
    xp = np.pad(x, [(0, 0), *pads, (0, 0)])
    ks = kernel.shape[:rank]
    out = [(xp.shape[1 + a] - dilation[a] * (ks[a] - 1) - 1) // strides[a] + 1 for a in range(rank)]
    y = np.zeros((x.shape[0], *out, kernel.shape[-1])) + (0 if bias is None else bias)
    for i in itertools.product(*map(range, out)):
        for k in itertools.product(*map(range, ks)):
            src = tuple(strides[a] * i[a] + dilation[a] * k[a] for a in range(rank))
            y[(slice(None), *i)] += xp[(slice(None), *src)] @ kernel[k]
    return y


CASES = [  # (class, input shape, kwargs, expected output shape)
    (Conv1D, (2, 10, 3), dict(kernel_size=3), (2, 8, 4)),
    (Conv1D, (2, 10, 3), dict(kernel_size=3, strides=2), (2, 4, 4)),
    (Conv1D, (2, 10, 3), dict(kernel_size=3, padding="same", strides=3), (2, 4, 4)),
    (Conv1D, (2, 10, 3), dict(kernel_size=3, dilation_rate=2), (2, 6, 4)),
    (Conv1D, (2, 10, 3), dict(kernel_size=3, padding="causal", dilation_rate=2), (2, 10, 4)),
    (Conv1D, (2, 10, 3), dict(kernel_size=2, padding="same"), (2, 10, 4)),
    (Conv2D, (2, 7, 6, 2), dict(kernel_size=3), (2, 5, 4, 4)),
    (Conv2D, (2, 7, 6, 2), dict(kernel_size=(3, 2), strides=(2, 1), padding="same"), (2, 4, 6, 4)),
    (Conv2D, (2, 7, 6, 2), dict(kernel_size=2, dilation_rate=(2, 1)), (2, 5, 5, 4)),
    (Conv3D, (1, 4, 5, 4, 2), dict(kernel_size=2), (1, 3, 4, 3, 4)),
    (Conv3D, (1, 4, 5, 4, 2), dict(kernel_size=(2, 3, 2), strides=2, padding="same"), (1, 2, 3, 2, 4)),
]


@pytest.mark.parametrize("cls, shape, kwargs, expected", CASES)
def test_output_shape_and_value_match_the_definition(cls, shape, kwargs, expected, rng):
    layer = cls(4, bias_initializer="random_normal", **kwargs)
    x = rng.normal(size=shape)
    y = layer(x)
    assert y.shape == expected
    assert layer.compute_output_shape((None, *shape[1:])) == (None, *expected[1:])
    ref = naive_conv(x, layer.params["kernel"], layer.params["bias"], layer.strides, layer.dilation_rate,
                     layer.pads(shape[1:-1]))
    np.testing.assert_allclose(y, ref, atol=1e-12)


@pytest.mark.parametrize("cls, shape, kwargs, expected", CASES)
def test_gradients(cls, shape, kwargs, expected, rng):
    layer = cls(3, bias_initializer="random_normal", **kwargs)
    errs = check_layer(layer, rng.normal(size=shape))
    assert set(errs) == {"x", "kernel", "bias"}
    assert max(errs.values()) < 1e-7, errs


def test_conv1d_hand_computed():
    x = np.array([1.0, 2.0, 4.0, 7.0]).reshape(1, 4, 1)
    layer = Conv1D(1, 2)
    layer.build((None, 4, 1))
    layer.set_weights([np.array([-1.0, 1.0]).reshape(2, 1, 1), np.array([0.5])])
    np.testing.assert_allclose(layer(x)[0, :, 0], [1.5, 2.5, 3.5])  # x[t+1] - x[t] + 0.5
    causal = Conv1D(1, 2, padding="causal", dilation_rate=2, use_bias=False)
    causal.build((None, 4, 1))
    causal.set_weights([np.array([-1.0, 1.0]).reshape(2, 1, 1)])
    np.testing.assert_allclose(causal(x)[0, :, 0], [1.0, 2.0, 3.0, 5.0])  # x[t] - x[t-2], x[<0] = 0


def test_conv2d_hand_computed():
    x = np.arange(9.0).reshape(1, 3, 3, 1)  # [[0 1 2] [3 4 5] [6 7 8]]
    layer = Conv2D(1, 2, use_bias=False, kernel_initializer="ones")
    np.testing.assert_allclose(layer(x)[0, :, :, 0], [[8, 12], [20, 24]])  # 2x2 window sums
    same = Conv2D(1, 2, padding="same", use_bias=False, kernel_initializer="ones")
    np.testing.assert_allclose(same(x)[0, :, :, 0], [[8, 12, 7], [20, 24, 13], [13, 15, 8]])  # pad right/bottom


def test_conv2d_transpose_hand_computed():
    kernel = np.arange(1.0, 5.0).reshape(2, 2, 1, 1)  # [[1 2] [3 4]]
    layer = Conv2DTranspose(1, 2, strides=2, use_bias=False)
    layer.build((None, 1, 2, 1))
    layer.set_weights([kernel])
    x = np.array([[1.0, 10.0]]).reshape(1, 1, 2, 1)
    expected = [[1, 2, 10, 20], [3, 4, 30, 40]]  # each input cell stamps a scaled kernel
    np.testing.assert_allclose(layer(x)[0, :, :, 0], expected)


@pytest.mark.parametrize("kwargs, shape, expected", [
    (dict(kernel_size=3), (2, 4, 3, 2), (2, 6, 5, 3)),
    (dict(kernel_size=3, strides=2), (2, 4, 3, 2), (2, 9, 7, 3)),
    (dict(kernel_size=3, strides=2, padding="same"), (2, 4, 3, 2), (2, 8, 6, 3)),
    (dict(kernel_size=2, strides=3), (1, 3, 3, 2), (1, 9, 9, 3)),
    (dict(kernel_size=4, strides=2, padding="same", output_padding=1), (1, 3, 3, 2), (1, 5, 5, 3)),
    (dict(kernel_size=3, strides=2, output_padding=(0, 1)), (1, 3, 2, 2), (1, 7, 6, 3)),
    (dict(kernel_size=2, dilation_rate=2), (1, 3, 3, 2), (1, 5, 5, 3)),
])
def test_conv2d_transpose_shape_adjoint_and_gradients(kwargs, shape, expected, rng):
    layer = Conv2DTranspose(3, bias_initializer="random_normal", **kwargs)
    x = rng.normal(size=shape)
    y = layer(x)
    assert y.shape == expected
    assert layer.compute_output_shape((None, *shape[1:])) == (None, *expected[1:])
    # adjoint identity: <conv(z), x> == <z, conv_transpose(x)> (bias left out)
    pads = [p for _, p in layer.geometry(shape[1:-1])]
    z = rng.normal(size=y.shape)
    cz, _ = conv_forward(z, layer.params["kernel"], None, layer.strides, layer.dilation_rate, pads)
    assert cz.shape == x.shape
    assert abs(np.sum(cz * x) - np.sum(z * (y - layer.params["bias"]))) < 1e-10
    errs = check_layer(layer, x)
    assert max(errs.values()) < 1e-7, errs


def test_weights_shapes_order_and_names():
    layer = Conv2D(5, (3, 2))
    layer.build((None, 8, 8, 4))
    assert list(layer.params) == ["kernel", "bias"]
    assert [w.shape for w in layer.get_weights()] == [(3, 2, 4, 5), (5,)]
    assert layer.count_params() == 3 * 2 * 4 * 5 + 5
    t = Conv2DTranspose(5, 3)
    t.build((None, 8, 8, 4))
    assert [w.shape for w in t.get_weights()] == [(3, 3, 5, 4), (5,)]  # Keras: (kh, kw, filters, in)
    c1 = Conv1D(6, 5, use_bias=False)
    c1(np.zeros((1, 9, 2)))
    assert [w.shape for w in c1.get_weights()] == [(5, 2, 6)]
    c3 = Conv3D(2, 2)
    c3.build((None, 3, 3, 3, 1))
    assert [w.shape for w in c3.get_weights()] == [(2, 2, 2, 1, 2), (2,)]


def test_defaults_and_config_round_trip():
    layer = Conv1D(4, 3, padding="causal", dilation_rate=2, kernel_regularizer=bricks.L2(0.1))
    assert (layer.strides, layer.padding, layer.dilation_rate, layer.groups) == ((1,), "causal", (2,), 1)
    assert layer.kernel_initializer == "glorot_uniform" and layer.bias_initializer == "zeros"
    config = layer.get_config()
    clone = Conv1D.from_config(config)
    assert clone.get_config() == config
    layer(np.ones((1, 6, 2)))
    assert layer.regularization_loss() == pytest.approx(0.1 * np.sum(layer.params["kernel"] ** 2))
    t = Conv2DTranspose(2, 3, strides=2, output_padding=1)
    assert Conv2DTranspose.from_config(t.get_config()).output_padding == (1, 1)
    assert layer.name == "conv1d" and Conv2D(1, 1).name == "conv2d"


def test_float32_is_kept(rng):
    layer = Conv2D(2, 3, dtype="float32")
    y = layer(rng.normal(size=(1, 5, 5, 1)).astype(np.float32))
    assert y.dtype == np.float32
    assert layer.backward(np.ones_like(y)).dtype == np.float32


def test_activation_is_applied_and_differentiated(rng):
    layer = Conv1D(3, 2, activation="tanh", bias_initializer="random_normal")
    x = rng.normal(size=(2, 5, 2))
    layer.build(x.shape)
    z = naive_conv(x, layer.params["kernel"], layer.params["bias"], (1,), (1,), [(0, 0)])
    np.testing.assert_allclose(layer(x), np.tanh(z), atol=1e-12)
    assert max(check_layer(layer, x).values()) < 1e-7


def test_backward_before_forward():
    layer = Conv1D(2, 3)
    with pytest.raises(RuntimeError, match="conv1d"):
        layer.backward(np.ones((1, 3, 2)))


@pytest.mark.parametrize("make, x, match", [
    (lambda: Conv1D(2, 3), np.ones((4, 5)), r"conv1d: expected input of rank 3 .*x.shape=\(4, 5\)"),
    (lambda: Conv2D(2, 3), np.ones((1, 5, 5)), r"conv2d: expected input of rank 4"),
    (lambda: Conv3D(2, 3), np.ones((1, 5, 5, 5)), r"conv3d: expected input of rank 5"),
    (lambda: Conv1D(2, 6), np.ones((1, 5, 2)),
     r"conv1d: expected spatial dims of at least \(6,\).*x.shape=\(1, 5, 2\)"),
    (lambda: Conv1D(2, 3, dilation_rate=3), np.ones((1, 6, 2)), r"conv1d: expected spatial dims of at least \(7,\)"),
    (lambda: Conv2D(2, (2, 4)), np.ones((1, 5, 3, 1)), r"conv2d: .*\(2, 4\).*x.shape=\(1, 5, 3, 1\)"),
    (lambda: Conv2DTranspose(2, 3), np.ones((1, 5, 1)), r"conv2d_transpose: expected input of rank 4"),
])
def test_bad_inputs(make, x, match):
    with pytest.raises(ValueError, match=match):
        make()(x)


def test_wrong_channel_count_after_build():
    layer = Conv2D(2, 3)
    layer(np.ones((1, 5, 5, 3)))
    with pytest.raises(ValueError, match=r"conv2d: expected last axis .* size 3 .*x.shape=\(1, 5, 5, 4\)"):
        layer(np.ones((1, 5, 5, 4)))


@pytest.mark.parametrize("make, match", [
    (lambda: Conv2D(2, 3, padding="causal"), r"conv2d: expected padding in \('valid', 'same'\).*causal"),
    (lambda: Conv1D(2, 3, padding="full"), r"conv1d: expected padding in"),
    (lambda: Conv1D(2, 3, groups=2), r"conv1d: expected groups=1"),
    (lambda: Conv2D(2, 3, data_format="channels_first"), r"conv2d: expected data_format='channels_last'"),
    (lambda: Conv2D(2, (3, 3, 3)), r"conv2d: expected kernel_size as a positive int or a tuple of 2"),
    (lambda: Conv1D(2, 3, strides=0), r"conv1d: expected strides"),
    (lambda: Conv1D(0, 3), r"conv1d: expected filters as a positive int"),
    (lambda: Conv2DTranspose(2, 3, strides=2, output_padding=2), r"conv2d_transpose: expected output_padding"),
])
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_matches_scipy_correlate_if_installed(rng):
    signal = pytest.importorskip("scipy.signal")
    x = rng.normal(size=(1, 6, 7, 1))
    layer = Conv2D(1, (3, 2), use_bias=False)
    layer.build(x.shape)
    ref = signal.correlate(x[0, :, :, 0], layer.params["kernel"][:, :, 0, 0], mode="valid")
    np.testing.assert_allclose(layer(x)[0, :, :, 0], ref, atol=1e-12)


def test_unknown_steps_in_a_sequential_model():
    assert Conv1D(4, 3, strides=2).compute_output_shape((None, None, 5)) == (None, None, 4)
    assert Conv2DTranspose(4, 3, strides=2).compute_output_shape((None, None, 6, 5)) == (None, None, 13, 4)
    model = bricks.Sequential([bricks.Input((None, 2)), Conv1D(3, 3, padding="causal"), Conv1D(1, 2)])
    assert model(np.ones((2, 10, 2))).shape == (2, 9, 1)
    assert model(np.ones((2, 4, 2))).shape == (2, 3, 1)


def test_matches_keras_if_installed(rng):
    """Same weights, same output as Keras 3 (only where keras is installed; the suite does not need it)."""
    keras = pytest.importorskip("keras")
    cases = [
        (Conv1D, keras.layers.Conv1D, (2, 9, 3), dict(kernel_size=3, padding="causal", dilation_rate=2)),
        (Conv2D, keras.layers.Conv2D, (2, 6, 7, 2), dict(kernel_size=3, strides=2, padding="same")),
        (Conv3D, keras.layers.Conv3D, (1, 4, 5, 4, 2), dict(kernel_size=2, padding="same")),
        (Conv2DTranspose, keras.layers.Conv2DTranspose, (1, 3, 4, 2), dict(kernel_size=3, strides=2, padding="same")),
        (Conv2DTranspose, keras.layers.Conv2DTranspose, (1, 3, 4, 2), dict(kernel_size=3, strides=2)),
        (Conv2DTranspose, keras.layers.Conv2DTranspose, (1, 3, 4, 2),
         dict(kernel_size=4, strides=2, padding="same", output_padding=1)),
    ]
    for ours_cls, keras_cls, shape, kwargs in cases:
        x = rng.normal(size=shape).astype(np.float32)
        theirs = keras_cls(3, bias_initializer="random_normal", **kwargs)
        expected = np.asarray(theirs(x))
        ours = ours_cls(3, dtype="float32", **kwargs)
        ours.build(x.shape)
        ours.set_weights([np.asarray(w) for w in theirs.get_weights()])
        np.testing.assert_allclose(ours(x), expected, atol=1e-4, err_msg=f"{ours_cls.__name__} {kwargs}")


def test_a_model_too_deep_for_its_input_fails_at_build():
    with pytest.raises(ValueError,
                       match=r"conv1d_1: expected spatial dims of at least \(5,\).*input_shape=\(None, 3, 2\)"):
        bricks.Sequential([bricks.Input((7, 1)), Conv1D(2, 5), Conv1D(2, 5)])


def test_save_and_load_a_conv_model(tmp_path, rng):
    model = bricks.Sequential([
        bricks.Input((12, 2)),
        Conv1D(3, 3, padding="causal", dilation_rate=2, activation="relu", kernel_regularizer="l2"),
        bricks.MaxPooling1D(2),
        Conv1D(2, 2),
        bricks.GlobalAveragePooling1D(),
    ])
    path = tmp_path / "conv.npz"
    model.save(str(path))
    loaded = bricks.load_model(str(path))
    x = rng.normal(size=(2, 12, 2))
    np.testing.assert_array_equal(loaded(x), model(x))
    up = bricks.Sequential([bricks.Input((4, 4, 2)),
                            Conv2DTranspose(3, 3, strides=2, padding="same", output_padding=1)])
    up.save(str(tmp_path / "up.npz"))
    x = rng.normal(size=(1, 4, 4, 2))
    np.testing.assert_array_equal(bricks.load_model(str(tmp_path / "up.npz"))(x), up(x))
