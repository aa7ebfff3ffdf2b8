"""Max/Average pooling 1D/2D/3D and global pooling: shapes, values, gradients, errors."""
import itertools

import numpy as np
import pytest

from bricks.teaching.gradcheck import check_layer
from bricks.layers.pooling import (AveragePooling1D, AveragePooling2D, AveragePooling3D, AvgPool2D,
                                   GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalAveragePooling3D,
                                   GlobalMaxPooling1D, GlobalMaxPooling2D, GlobalMaxPooling3D, MaxPool2D,
                                   MaxPooling1D, MaxPooling2D, MaxPooling3D)


def naive_pool(x, pool, strides, padding, mode):
    """The definition, window by window; padded cells are skipped (Keras 'same')."""
    rank = len(pool)
    spatial = x.shape[1:-1]
    if padding == "valid":
        out = [(n - p) // s + 1 for n, p, s in zip(spatial, pool, strides)]
        lo = [0] * rank
    else:
        out = [-(-n // s) for n, s in zip(spatial, strides)]
        lo = [max((o - 1) * s + p - n, 0) // 2 for o, s, p, n in zip(out, strides, pool, spatial)]
    y = np.zeros((x.shape[0], *out, x.shape[-1]))
    for i in itertools.product(*map(range, out)):
        cells = [range(max(s * j - a, 0), min(s * j - a + p, n))
                 for j, s, a, p, n in zip(i, strides, lo, pool, spatial)]
        block = x[(slice(None), *(slice(c.start, c.stop) for c in cells), slice(None))]
        block = block.reshape(x.shape[0], -1, x.shape[-1])
        y[(slice(None), *i)] = block.max(axis=1) if mode == "max" else block.mean(axis=1)
    return y


def distinct(shape, rng):
    """Inputs with no ties and gaps of 0.1 >> h: finite differences never cross a max's kink."""
    return rng.permutation(np.arange(np.prod(shape))).reshape(shape) * 0.1


CASES = [  # (class, input shape, kwargs, expected output shape)
    (MaxPooling1D, (2, 7, 3), dict(), (2, 3, 3)),
    (MaxPooling1D, (2, 7, 3), dict(pool_size=3, strides=2, padding="same"), (2, 4, 3)),
    (AveragePooling1D, (2, 7, 3), dict(pool_size=3, strides=1), (2, 5, 3)),
    (AveragePooling1D, (2, 7, 3), dict(pool_size=3, strides=2, padding="same"), (2, 4, 3)),
    (MaxPooling2D, (2, 5, 6, 2), dict(), (2, 2, 3, 2)),
    (MaxPooling2D, (2, 5, 6, 2), dict(pool_size=(3, 2), strides=1, padding="same"), (2, 5, 6, 2)),
    (AveragePooling2D, (2, 5, 5, 2), dict(padding="same"), (2, 3, 3, 2)),
    (AveragePooling2D, (2, 5, 6, 2), dict(pool_size=(2, 3), strides=(1, 2)), (2, 4, 2, 2)),
    (MaxPooling3D, (1, 3, 4, 5, 2), dict(padding="same"), (1, 2, 2, 3, 2)),
    (AveragePooling3D, (1, 3, 4, 5, 2), dict(strides=1), (1, 2, 3, 4, 2)),
]


@pytest.mark.parametrize("cls, shape, kwargs, expected", CASES)
def test_shape_value_and_gradient(cls, shape, kwargs, expected, rng):
    layer = cls(**kwargs)
    x = distinct(shape, rng)
    y = layer(x)
    assert y.shape == expected
    assert layer.compute_output_shape((None, *shape[1:])) == (None, *expected[1:])
    mode = "max" if "Max" in cls.__name__ else "average"
    np.testing.assert_allclose(y, naive_pool(x, layer.pool_size, layer.strides, layer.padding, mode), atol=1e-12)
    errs = check_layer(layer, x)
    assert list(errs) == ["x"] and errs["x"] < 1e-7, errs
    assert layer.get_weights() == [] and layer.count_params() == 0


def test_hand_computed_values():
    x = np.arange(1.0, 8.0).reshape(1, 7, 1)  # 1 .. 7
    np.testing.assert_allclose(MaxPooling1D(2)(x)[0, :, 0], [2, 4, 6])
    np.testing.assert_allclose(MaxPooling1D(2, padding="same")(x)[0, :, 0], [2, 4, 6, 7])
    np.testing.assert_allclose(AveragePooling1D(2)(x)[0, :, 0], [1.5, 3.5, 5.5])
    # same padding divides by the count of real cells: the last window holds 7 alone
    np.testing.assert_allclose(AveragePooling1D(2, padding="same")(x)[0, :, 0], [1.5, 3.5, 5.5, 7.0])
    # pool 3 stride 2: pad 1 left, 1 right -> windows {1,2}, {2,3,4}, {4,5,6}, {6,7}
    np.testing.assert_allclose(AveragePooling1D(3, 2, padding="same")(x)[0, :, 0], [1.5, 3.0, 5.0, 6.5])
    img = np.array([[1.0, 2.0, 5.0, 3.0], [4.0, 0.0, 1.0, 1.0]]).reshape(1, 2, 4, 1)
    np.testing.assert_allclose(MaxPooling2D(2)(img)[0, :, :, 0], [[4.0, 5.0]])
    np.testing.assert_allclose(AveragePooling2D(2)(img)[0, :, :, 0], [[1.75, 2.5]])


def test_max_backward_routes_to_the_first_maximum():
    x = np.array([3.0, 3.0, 1.0, 2.0]).reshape(1, 4, 1)
    layer = MaxPooling1D(2)
    layer(x)
    np.testing.assert_allclose(layer.backward(np.array([10.0, 20.0]).reshape(1, 2, 1))[0, :, 0], [10, 0, 0, 20])
    # overlapping windows add up: stride 1, the 5 wins both windows it is in
    y = MaxPooling1D(2, strides=1)
    y(np.array([1.0, 5.0, 2.0]).reshape(1, 3, 1))
    np.testing.assert_allclose(y.backward(np.ones((1, 2, 1)))[0, :, 0], [0, 2, 0])


def test_average_backward_spreads_by_valid_count():
    layer = AveragePooling1D(2, padding="same")
    layer(np.ones((1, 3, 1)))
    np.testing.assert_allclose(layer.backward(np.ones((1, 2, 1)))[0, :, 0], [0.5, 0.5, 1.0])


@pytest.mark.parametrize("cls, shape", [
    (GlobalAveragePooling1D, (2, 5, 3)), (GlobalMaxPooling1D, (2, 5, 3)),
    (GlobalAveragePooling2D, (2, 3, 4, 2)), (GlobalMaxPooling2D, (2, 3, 4, 2)),
    (GlobalAveragePooling3D, (1, 2, 3, 2, 2)), (GlobalMaxPooling3D, (1, 2, 3, 2, 2)),
])
def test_global_pooling(cls, shape, rng):
    x = distinct(shape, rng)
    flat = x.reshape(shape[0], -1, shape[-1])
    expected = flat.max(axis=1) if "Max" in cls.__name__ else flat.mean(axis=1)
    np.testing.assert_allclose(cls()(x), expected)
    kept = cls(keepdims=True)(x)
    assert kept.shape == (shape[0], *(1,) * (len(shape) - 2), shape[-1])
    assert cls(keepdims=True).compute_output_shape((None, *shape[1:])) == (None, *kept.shape[1:])
    assert cls().compute_output_shape((None, *shape[1:])) == (None, shape[-1])
    assert check_layer(cls(), x)["x"] < 1e-7
    assert check_layer(cls(keepdims=True), x)["x"] < 1e-7


def test_defaults_aliases_and_config():
    layer = MaxPooling2D()
    assert (layer.pool_size, layer.strides, layer.padding) == ((2, 2), (2, 2), "valid")
    assert AveragePooling1D(3).strides == (3,) and AveragePooling1D(3, strides=1).strides == (1,)
    assert MaxPool2D is MaxPooling2D and AvgPool2D is AveragePooling2D
    config = AveragePooling2D((2, 3), strides=1, padding="same").get_config()
    assert AveragePooling2D.from_config(config).get_config() == config
    assert layer.name == "max_pooling2d"


def test_backward_before_forward():
    with pytest.raises(RuntimeError, match="max_pooling1d"):
        MaxPooling1D().backward(np.ones((1, 2, 1)))


@pytest.mark.parametrize("make, x, match", [
    (MaxPooling1D, np.ones((4, 5)), r"max_pooling1d: expected input of rank 3 .*x.shape=\(4, 5\)"),
    (AveragePooling2D, np.ones((1, 5, 5)), r"average_pooling2d: expected input of rank 4"),
    (MaxPooling3D, np.ones((1, 5, 5, 5)), r"max_pooling3d: expected input of rank 5"),
    (GlobalMaxPooling2D, np.ones((1, 5, 5)), r"global_max_pooling2d: expected input of rank 4"),
    (lambda: MaxPooling1D(4), np.ones((1, 3, 2)),
     r"max_pooling1d: expected spatial dims of at least pool_size=\(4,\).*x.shape=\(1, 3, 2\)"),
    (lambda: AveragePooling2D((2, 6)), np.ones((1, 5, 5, 1)), r"average_pooling2d: .*pool_size=\(2, 6\)"),
])
def test_bad_inputs(make, x, match):
    with pytest.raises(ValueError, match=match):
        make()(x)


def test_same_padding_accepts_a_pool_larger_than_the_input():
    assert MaxPooling1D(4, padding="same")(np.arange(3.0).reshape(1, 3, 1))[0, 0, 0] == 2.0


def test_wrong_channel_count_after_build():
    layer = MaxPooling2D()
    layer(np.ones((1, 4, 4, 3)))
    with pytest.raises(ValueError, match=r"max_pooling2d: expected last axis .*size 3.*x.shape=\(1, 4, 4, 2\)"):
        layer(np.ones((1, 4, 4, 2)))


@pytest.mark.parametrize("make, match", [
    (lambda: MaxPooling1D(padding="causal"), r"max_pooling1d: expected padding in"),
    (lambda: MaxPooling2D((2, 2, 2)), r"max_pooling2d: expected pool_size as a positive int or a tuple of 2"),
    (lambda: AveragePooling1D(2, strides=0), r"average_pooling1d: expected strides"),
    (lambda: MaxPooling2D(data_format="channels_first"), r"max_pooling2d: expected data_format='channels_last'"),
])
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_matches_keras_if_installed(rng):
    """Same output as Keras 3 (only where keras is installed; the suite does not need it)."""
    keras = pytest.importorskip("keras")
    cases = [
        (MaxPooling2D, keras.layers.MaxPooling2D, (2, 6, 7, 2), dict(pool_size=3, strides=2, padding="same")),
        (AveragePooling2D, keras.layers.AveragePooling2D, (2, 6, 7, 2), dict(pool_size=3, strides=2, padding="same")),
        (AveragePooling1D, keras.layers.AveragePooling1D, (2, 7, 3), dict(pool_size=2, padding="same")),
        (MaxPooling3D, keras.layers.MaxPooling3D, (1, 3, 4, 5, 2), dict(pool_size=2, padding="same")),
    ]
    for ours_cls, keras_cls, shape, kwargs in cases:
        x = rng.normal(size=shape).astype(np.float32)
        expected = np.asarray(keras_cls(**kwargs)(x))
        np.testing.assert_allclose(ours_cls(dtype="float32", **kwargs)(x), expected, atol=1e-5,
                                   err_msg=f"{ours_cls.__name__} {kwargs}")


def test_compute_output_shape_rejects_a_pool_larger_than_the_input():
    with pytest.raises(ValueError,
                       match=r"max_pooling1d: expected spatial dims of at least pool_size=\(4,\).*input_shape"):
        MaxPooling1D(4).compute_output_shape((None, 3, 2))
    assert MaxPooling1D(4).compute_output_shape((None, None, 2)) == (None, None, 2)
