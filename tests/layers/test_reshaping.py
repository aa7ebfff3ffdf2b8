"""Flatten, Reshape, Cropping/UpSampling/ZeroPadding 1D/2D/3D: shapes, values, gradients, errors."""
import numpy as np
import pytest

import bricks
from bricks.teaching.gradcheck import check_layer
from bricks.layers import (Cropping1D, Cropping2D, Cropping3D, Flatten, Reshape, UpSampling1D,
                           UpSampling2D, UpSampling3D, ZeroPadding1D, ZeroPadding2D, ZeroPadding3D)

# (layer factory, input shape, expected output shape)
CASES = [
    (lambda: Flatten(), (2, 3, 4), (2, 12)),
    (lambda: Flatten(), (3,), (3, 1)),
    (lambda: Flatten(data_format="channels_first"), (2, 3, 2, 2), (2, 12)),
    (lambda: Reshape((3, -1)), (2, 12), (2, 3, 4)),
    (lambda: Reshape((2, 2, 3)), (2, 3, 4), (2, 2, 2, 3)),
    (lambda: Cropping1D(), (2, 5, 3), (2, 3, 3)),
    (lambda: Cropping1D((0, 2)), (2, 5, 3), (2, 3, 3)),
    (lambda: Cropping2D(), (2, 3, 4, 2), (2, 3, 4, 2)),
    (lambda: Cropping2D(1), (2, 4, 5, 2), (2, 2, 3, 2)),
    (lambda: Cropping2D((1, 2)), (2, 4, 5, 2), (2, 2, 1, 2)),
    (lambda: Cropping2D(((1, 0), (0, 2))), (2, 4, 5, 2), (2, 3, 3, 2)),
    (lambda: Cropping2D(((1, 0), (0, 2)), data_format="channels_first"), (2, 2, 4, 5), (2, 2, 3, 3)),
    (lambda: Cropping3D(), (1, 3, 4, 5, 2), (1, 1, 2, 3, 2)),
    (lambda: Cropping3D(((0, 1), (1, 0), (2, 0))), (1, 3, 4, 5, 2), (1, 2, 3, 3, 2)),
    (lambda: UpSampling1D(), (2, 3, 2), (2, 6, 2)),
    (lambda: UpSampling1D(3), (2, 3, 2), (2, 9, 2)),
    (lambda: UpSampling2D(), (2, 2, 3, 2), (2, 4, 6, 2)),
    (lambda: UpSampling2D((1, 3)), (2, 2, 3, 2), (2, 2, 9, 2)),
    (lambda: UpSampling2D(2, data_format="channels_first"), (2, 2, 2, 3), (2, 2, 4, 6)),
    (lambda: UpSampling3D(), (1, 2, 1, 2, 2), (1, 4, 2, 4, 2)),
    (lambda: UpSampling3D((1, 2, 3)), (1, 2, 1, 2, 2), (1, 2, 2, 6, 2)),
    (lambda: ZeroPadding1D(), (2, 3, 2), (2, 5, 2)),
    (lambda: ZeroPadding1D((0, 2)), (2, 3, 2), (2, 5, 2)),
    (lambda: ZeroPadding2D(), (2, 2, 3, 2), (2, 4, 5, 2)),
    (lambda: ZeroPadding2D(((1, 0), (0, 2))), (2, 2, 3, 2), (2, 3, 5, 2)),
    (lambda: ZeroPadding3D(), (1, 2, 1, 2, 2), (1, 4, 3, 4, 2)),
    (lambda: ZeroPadding3D((0, 1, 2)), (1, 2, 1, 2, 2), (1, 2, 3, 6, 2)),
]
IDS = [f"{i}-{make().__class__.__name__}" for i, (make, _, _) in enumerate(CASES)]


@pytest.mark.parametrize("make, shape, out_shape", CASES, ids=IDS)
def test_shape_gradient_config_weights(make, shape, out_shape, rng):
    layer = make()
    x = rng.normal(size=shape)
    y = layer(x)
    assert y.shape == out_shape
    assert layer.compute_output_shape((None, *shape[1:])) == (None, *out_shape[1:])
    errs = check_layer(layer, x)
    assert errs["x"] < 1e-7, errs
    assert layer.get_weights() == [] and layer.count_params() == 0
    clone = type(layer).from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    np.testing.assert_array_equal(clone(x), y)


def test_float32_passes_through(rng):
    x = rng.normal(size=(2, 3, 4, 1)).astype(np.float32)
    assert UpSampling2D(dtype="float32")(x).dtype == np.float32


def test_values_by_hand():
    x = np.arange(1.0, 7.0).reshape(1, 2, 3, 1)  # rows [1 2 3], [4 5 6]
    np.testing.assert_array_equal(Flatten()(x), [[1, 2, 3, 4, 5, 6]])
    np.testing.assert_array_equal(Cropping2D(((0, 1), (1, 0)))(x)[0, :, :, 0], [[2, 3]])
    np.testing.assert_array_equal(ZeroPadding2D(((1, 0), (0, 1)))(x)[0, :, :, 0],
                                  [[0, 0, 0, 0], [1, 2, 3, 0], [4, 5, 6, 0]])
    np.testing.assert_array_equal(UpSampling2D((1, 2))(x)[0, :, :, 0],
                                  [[1, 1, 2, 2, 3, 3], [4, 4, 5, 5, 6, 6]])
    seq = np.array([[[1.0], [2.0], [3.0]]])  # (1, 3, 1)
    np.testing.assert_array_equal(UpSampling1D(2)(seq)[0, :, 0], [1, 1, 2, 2, 3, 3])
    np.testing.assert_array_equal(Cropping1D((1, 0))(seq)[0, :, 0], [2, 3])
    np.testing.assert_array_equal(ZeroPadding1D(1)(seq)[0, :, 0], [0, 1, 2, 3, 0])
    chw = np.arange(8.0).reshape(1, 2, 2, 2)  # channels_first: (N, C, H, W)
    np.testing.assert_array_equal(Flatten(data_format="channels_first")(chw),
                                  chw.transpose(0, 2, 3, 1).reshape(1, -1))


def test_backward_by_hand():
    up = UpSampling1D(2)
    up(np.zeros((1, 2, 1)))
    dx = up.backward(np.array([[[1.0], [2.0], [3.0], [4.0]]]))
    np.testing.assert_array_equal(dx[0, :, 0], [3, 7])  # each input fed two outputs
    crop = Cropping1D((1, 1))
    crop(np.zeros((1, 4, 1)))
    np.testing.assert_array_equal(crop.backward(np.ones((1, 2, 1)))[0, :, 0], [0, 1, 1, 0])
    pad = ZeroPadding1D(1)
    pad(np.zeros((1, 2, 1)))
    np.testing.assert_array_equal(pad.backward(np.arange(4.0).reshape(1, 4, 1))[0, :, 0], [1, 2])


@pytest.mark.parametrize("make, shape", [
    (lambda: Cropping1D(), (2, 5)),
    (lambda: Cropping2D(), (2, 5, 5)),
    (lambda: Cropping3D(), (2, 5, 5, 5)),
    (lambda: UpSampling1D(), (2, 5, 5, 1)),
    (lambda: UpSampling2D(), (2, 5, 5)),
    (lambda: UpSampling3D(), (2, 5, 5, 1)),
    (lambda: ZeroPadding1D(), (2, 5)),
    (lambda: ZeroPadding2D(), (2, 5, 5, 1, 1)),
    (lambda: ZeroPadding3D(), (2, 5, 5, 1)),
])
def test_wrong_rank(make, shape):
    layer = make()
    with pytest.raises(ValueError, match=f"{layer.name}: expected input of rank"):
        layer(np.zeros(shape))


def test_crop_larger_than_input():
    with pytest.raises(ValueError, match="cropping1d: expected axis 1 longer"):
        Cropping1D((2, 2))(np.zeros((1, 4, 1)))
    with pytest.raises(ValueError, match="cropping2d: expected axis 2 longer"):
        Cropping2D(((0, 0), (3, 0)))(np.zeros((1, 4, 3, 1)))
    with pytest.raises(ValueError, match="cropping3d"):
        Cropping3D()(np.zeros((1, 4, 2, 4, 1)))


def test_bad_arguments():
    with pytest.raises(ValueError, match="up_sampling1d: expected size"):
        UpSampling1D(0)
    with pytest.raises(ValueError, match="up_sampling2d: expected size"):
        UpSampling2D((2, 2, 2))
    with pytest.raises(ValueError, match="up_sampling3d: expected size"):
        UpSampling3D("big")
    with pytest.raises(ValueError, match="interpolation='nearest'.*bilinear"):
        UpSampling2D(interpolation="bilinear")
    with pytest.raises(ValueError, match="cropping2d: expected cropping"):
        Cropping2D((1, 2, 3))
    with pytest.raises(ValueError, match="zero_padding1d: expected padding"):
        ZeroPadding1D(-1)
    with pytest.raises(ValueError, match="zero_padding3d: expected padding"):
        ZeroPadding3D(((1, 1), (1, 1)))
    with pytest.raises(ValueError, match="reshape: expected a target_shape"):
        Reshape((-1, -1))
    with pytest.raises(ValueError, match="data_format"):
        ZeroPadding2D(data_format="nhwc")
    with pytest.raises(ValueError, match=r"reshape_1: expected an input .*Received: x.shape=\(2, 5\)"):
        Reshape((3, -1))(np.zeros((2, 5)))


def test_backward_before_forward():
    with pytest.raises(RuntimeError, match="backward"):
        UpSampling2D().backward(np.zeros((1, 2, 2, 1)))


def test_in_a_model_saved_and_loaded(rng, tmp_path):
    model = bricks.Sequential([bricks.Input((4, 4, 1)), ZeroPadding2D(1), Cropping2D(1), UpSampling2D(),
                               Flatten(), Reshape((8, 8)), Cropping1D((1, 1)), UpSampling1D(2),
                               ZeroPadding1D((0, 1)), Reshape((13, 8, 1, 1)), ZeroPadding3D(1),
                               Cropping3D(((1, 1), (1, 1), (0, 0))), UpSampling3D((1, 1, 2))])
    x = rng.normal(size=(3, 4, 4, 1))
    y = model.predict(x)
    assert y.shape == (3, 13, 8, 6, 1) == (3, *model.output_shape[1:])
    model.save(tmp_path / "m.npz")
    np.testing.assert_array_equal(bricks.load_model(tmp_path / "m.npz").predict(x), y)
