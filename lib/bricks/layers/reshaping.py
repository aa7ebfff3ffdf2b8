"""Reshaping layers: Flatten, Reshape, and Cropping / UpSampling / ZeroPadding in 1, 2, 3 D.

None of these layers has a weight; each moves numbers around, so its backward
is the inverse movement of the upstream gradient. Cropping keeps a window
and its backward pads the gradient with zeros; ZeroPadding is the mirror
image. Nearest-neighbour UpSampling copies each element `s` times along an
axis, so its backward sums the `s` copies' gradients back into one. All three
share one N-d helper pair (in `spatial.py`) that acts on a tuple of spatial
`axes`; the 1D, 2D and 3D classes only say which axes and how many. Channels last by default
(`data_format="channels_last"`), as in Keras.

    crop:     y = x[lo : L - hi]             dx = pad(dy, (lo, hi))
    pad:      y = pad(x, (lo, hi))           dx = dy[lo : L + lo]
    upsample: y[i] = x[i // s]               dx[j] = sum_{r < s} dy[j * s + r]
"""
import numpy as np

from bricks import errors
from bricks.layers.spatial import (CroppingBase, data_format_arg, pairs_arg, sizes_arg, UpSamplingBase, ZeroPaddingBase,
                       crop_backward, crop_forward, pad_backward, pad_forward, upsample_backward,
                       upsample_forward)
from bricks.layers.base import LAYERS, Layer

__all__ = ["Flatten", "Reshape", "Cropping1D", "Cropping2D", "Cropping3D",
           "UpSampling1D", "UpSampling2D", "UpSampling3D",
           "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D",
           "crop_forward", "crop_backward", "pad_forward", "pad_backward",
           "upsample_forward", "upsample_backward"]


# ---- Flatten and Reshape --------------------------------------------------------
@LAYERS.register
class Flatten(Layer):
    """Flatten every axis but the batch axis: (N, d1, ..., dk) -> (N, d1 * ... * dk).

    With data_format="channels_first" the channel axis is moved last before
    flattening, as Keras does, so the order matches a channels-last model.
    Backward reshapes the gradient back: dx = dy.reshape(x.shape).

    Args:
        data_format: "channels_last" (default) or "channels_first".
    Input shape: (N, ...). Output shape: (N, prod(...)).
    Example:
        >>> Flatten()(np.zeros((2, 3, 4))).shape
        (2, 12)
    """

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = data_format_arg(self, data_format)

    def check_input(self, x):
        pass

    def _perm(self, ndim):
        if self.data_format == "channels_first" and ndim > 2:
            return (0, *range(2, ndim), 1)  # channels to the end
        return None

    def forward(self, x, training=False):
        x = self._prepare(x)
        perm = self._perm(x.ndim)
        shape = x.shape
        if perm is not None:
            x = x.transpose(perm)
        return self._keep((shape, perm), x.reshape(x.shape[0], -1))  # (N, D)

    def backward(self, grad_output):
        shape, perm = self._cached(grad_output)
        if perm is None:
            return grad_output.reshape(shape)
        moved = tuple(shape[p] for p in perm)
        return grad_output.reshape(moved).transpose(np.argsort(perm))  # (N, C, ...)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


@LAYERS.register
class Reshape(Layer):
    """Reshape all but the batch axis to `target_shape`; one entry may be -1 (inferred).

    y = x.reshape(N, *target_shape); dx = dy.reshape(x.shape).

    Args:
        target_shape: tuple of ints, at most one of them -1.
    Input shape: (N, ...). Output shape: (N, *target_shape).
    Example:
        >>> Reshape((3, -1))(np.zeros((2, 12))).shape
        (2, 3, 4)
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        target = tuple(int(d) for d in target_shape)
        if sum(d == -1 for d in target) > 1 or any(d == 0 or d < -1 for d in target):
            errors.fail(self, "a target_shape of positive ints with at most one -1", target_shape=target)
        self.target_shape = target

    def check_input(self, x):
        pass

    def forward(self, x, training=False):
        x = self._prepare(x)
        size, known = int(np.prod(x.shape[1:])), int(np.prod([d for d in self.target_shape if d != -1]))
        target = self.target_shape
        if -1 in target and known > 0 and size % known == 0:
            target = tuple(size // known if d == -1 else d for d in target)
        if int(np.prod(target)) != size:
            errors.fail(self, f"an input with the same number of values per sample as target_shape={self.target_shape}",
                        **{"x.shape": tuple(x.shape)})
        return self._keep(x.shape, x.reshape(x.shape[0], *target))  # (N, *target)

    def backward(self, grad_output):
        return grad_output.reshape(self._cached(grad_output))

    def get_config(self):
        return {**super().get_config(), "target_shape": list(self.target_shape)}


# ---- Cropping / ZeroPadding / UpSampling: thin classes over the bases in _spatial.py ----
@LAYERS.register
class Cropping1D(CroppingBase):
    """Crop `left` steps off the start and `right` off the end of the time axis.

    Args:
        cropping: int or (left, right); default (1, 1).
    Input shape: (N, T, C). Output shape: (N, T - left - right, C).
    Example:
        >>> Cropping1D((1, 2))(np.zeros((2, 6, 3))).shape
        (2, 3, 3)
    """

    n, has_data_format = 1, False

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(**kwargs)
        self.cropping = pairs_arg(self, cropping, 1, "cropping")


@LAYERS.register
class Cropping2D(CroppingBase):
    """Crop rows off the top and bottom and columns off the left and right.

    Args:
        cropping: int, (sym_rows, sym_cols) or ((top, bottom), (left, right));
            default ((0, 0), (0, 0)).
        data_format: "channels_last" (default, (N, ..., C)) or "channels_first" ((N, C, ...)).
    Input shape: (N, H, W, C). Output shape: (N, H - top - bottom, W - left - right, C).
    Example:
        >>> Cropping2D(((1, 0), (2, 2)))(np.zeros((2, 5, 6, 3))).shape
        (2, 4, 2, 3)
    """

    n = 2

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.cropping = pairs_arg(self, cropping, 2, "cropping")


@LAYERS.register
class Cropping3D(CroppingBase):
    """Crop both ends of each of the three spatial axes.

    Args:
        cropping: int, 3 ints or 3 (lo, hi) pairs; default ((1, 1), (1, 1), (1, 1)).
        data_format: "channels_last" (default, (N, ..., C)) or "channels_first" ((N, C, ...)).
    Input shape: (N, D1, D2, D3, C). Output shape: (N, D1 - lo1 - hi1, D2 - lo2 - hi2, D3 - lo3 - hi3, C).
    Example:
        >>> Cropping3D(1)(np.zeros((2, 4, 4, 4, 1))).shape
        (2, 2, 2, 2, 1)
    """

    n = 3

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.cropping = pairs_arg(self, cropping, 3, "cropping")


@LAYERS.register
class ZeroPadding1D(ZeroPaddingBase):
    """Add zeros at the start and the end of the time axis.

    Args:
        padding: int or (left, right); default 1.
        data_format: "channels_last" (default, (N, ..., C)) or "channels_first" ((N, C, ...)).
    Input shape: (N, T, C). Output shape: (N, left + T + right, C).
    Example:
        >>> ZeroPadding1D(2)(np.zeros((2, 5, 3))).shape
        (2, 9, 3)
    """

    n = 1

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.padding = pairs_arg(self, padding, 1, "padding")


@LAYERS.register
class ZeroPadding2D(ZeroPaddingBase):
    """Add rows of zeros above and below and columns of zeros left and right.

    Args:
        padding: int, (sym_rows, sym_cols) or ((top, bottom), (left, right)); default (1, 1).
        data_format: "channels_last" (default, (N, ..., C)) or "channels_first" ((N, C, ...)).
    Input shape: (N, H, W, C). Output shape: (N, top + H + bottom, left + W + right, C).
    Example:
        >>> ZeroPadding2D((1, 2))(np.zeros((2, 3, 3, 1))).shape
        (2, 5, 7, 1)
    """

    n = 2

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.padding = pairs_arg(self, padding, 2, "padding")


@LAYERS.register
class ZeroPadding3D(ZeroPaddingBase):
    """Add zeros around each of the three spatial axes.

    Args:
        padding: int, 3 ints or 3 (lo, hi) pairs; default ((1, 1), (1, 1), (1, 1)).
        data_format: "channels_last" (default, (N, ..., C)) or "channels_first" ((N, C, ...)).
    Input shape: (N, D1, D2, D3, C). Output shape: (N, lo1 + D1 + hi1, lo2 + D2 + hi2, lo3 + D3 + hi3, C).
    Example:
        >>> ZeroPadding3D(1)(np.zeros((1, 2, 2, 2, 1))).shape
        (1, 4, 4, 4, 1)
    """

    n = 3

    def __init__(self, padding=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.padding = pairs_arg(self, padding, 3, "padding")


@LAYERS.register
class UpSampling1D(UpSamplingBase):
    """Repeat each time step `size` times (nearest-neighbour upsampling).

    Args:
        size: int >= 1; default 2.
    Input shape: (N, T, C). Output shape: (N, T * size, C).
    Example:
        >>> UpSampling1D(3)(np.zeros((2, 4, 1))).shape
        (2, 12, 1)
    """

    n, has_data_format = 1, False

    def __init__(self, size=2, **kwargs):
        super().__init__(**kwargs)
        self.size = sizes_arg(self, size, 1)


@LAYERS.register
class UpSampling2D(UpSamplingBase):
    """Repeat each row `sh` times and each column `sw` times (nearest neighbour).

    Args:
        size: int or (sh, sw); default (2, 2).
        data_format: "channels_last" (default, (N, ..., C)) or "channels_first" ((N, C, ...)).
        interpolation: "nearest" only; bricks rejects "bilinear" and the others with a ValueError.
    Input shape: (N, H, W, C). Output shape: (N, H * sh, W * sw, C).
    Example:
        >>> UpSampling2D((2, 3))(np.zeros((1, 2, 2, 1))).shape
        (1, 4, 6, 1)
    """

    n = 2

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.size = sizes_arg(self, size, 2)
        if interpolation != "nearest":
            errors.fail(self, "interpolation='nearest' (the only one bricks implements)",
                        interpolation=interpolation)
        self.interpolation = interpolation

    def get_config(self):
        return {**super().get_config(), "interpolation": self.interpolation}


@LAYERS.register
class UpSampling3D(UpSamplingBase):
    """Repeat along each of the three spatial axes (nearest neighbour).

    Args:
        size: int or 3 ints; default (2, 2, 2).
        data_format: "channels_last" (default, (N, ..., C)) or "channels_first" ((N, C, ...)).
    Input shape: (N, D1, D2, D3, C). Output shape: (N, D1 * s1, D2 * s2, D3 * s3, C).
    Example:
        >>> UpSampling3D(2)(np.zeros((1, 1, 2, 3, 1))).shape
        (1, 2, 4, 6, 1)
    """

    n = 3

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.size = sizes_arg(self, size, 3)
