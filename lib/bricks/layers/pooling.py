"""Pooling layers: Max/AveragePooling1D/2D/3D and Global{Average,Max}Pooling1D/2D/3D.

Pooling slides a window of size P (stride s, default P) over each channel on
its own and summarises it, with no weights. For one spatial axis:

    max:      y[n, i, c] = max_p  x[n, s*i + p, c]
    average:  y[n, i, c] = (1 / m_i) sum_p x[n, s*i + p, c],   m_i = valid (unpadded) cells

Backward: max pooling routes dy to the argmax of each window (ties: the first
maximum), average pooling spreads dy[i] / m_i over the window; overlapping
windows add up (col2im). With padding="same" (output ceil(S / s), extra
padding on the right as in TensorFlow) padded cells never win a max and are
not counted in an average, as in Keras.
"""
import numpy as np

from bricks import errors
from bricks.layers import windows as win
from bricks.layers.base import LAYERS, Layer

__all__ = ["MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D", "AveragePooling2D",
           "AveragePooling3D", "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D",
           "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D",
           "MaxPool1D", "MaxPool2D", "MaxPool3D", "AvgPool1D", "AvgPool2D", "AvgPool3D",
           "pool_forward", "pool_backward"]

LAYOUTS = {1: "(batch, steps, channels)", 2: "(batch, height, width, channels)",
           3: "(batch, depth, height, width, channels)"}


def pool_forward(x, pool_size, strides, pads, mode):
    """N-D max or average pooling of x (N, *S, C), windows from a strided view.

    Returns y (N, *O, C) and the cache for `pool_backward`.
    """
    rank = len(pool_size)
    taps = int(np.prod(pool_size))
    ones = (1,) * rank
    if mode == "max":
        xp = win.pad(x, pads, value=-np.inf)  # (N, *P, C): padding never wins
        view = win.windows(xp, pool_size, strides, ones)  # (N, *O, *K, C)
        flat = view.reshape(*view.shape[:1 + rank], taps, x.shape[-1])  # (N, *O, K, C) copy
        arg = flat.argmax(axis=-2)  # (N, *O, C): first maximum on ties
        y = np.take_along_axis(flat, arg[..., None, :], axis=-2)[..., 0, :]  # (N, *O, C)
        return y, (mode, arg, xp.shape, pool_size, strides, pads, None)
    xp = win.pad(x, pads)  # (N, *P, C), zeros add nothing to a sum
    view = win.windows(xp, pool_size, strides, ones)  # (N, *O, *K, C)
    mask = win.pad(np.ones((1, *x.shape[1:-1], 1), dtype=x.dtype), pads)  # (1, *P, 1): 1 on real cells
    count = win.windows(mask, pool_size, strides, ones).sum(axis=tuple(range(1 + rank, 1 + 2 * rank)))  # (1, *O, 1)
    y = view.sum(axis=tuple(range(1 + rank, 1 + 2 * rank))) / count  # (N, *O, C)
    return y, (mode, count, xp.shape, pool_size, strides, pads, None)


def pool_backward(dy, cache):
    """dx (N, *S, C) of `pool_forward`: dy to the argmax (max) or spread over the window (average)."""
    mode, aux, xp_shape, pool_size, strides, pads, _ = cache
    rank = len(pool_size)
    taps = int(np.prod(pool_size))
    if mode == "max":
        onehot = aux[..., None, :] == np.arange(taps).reshape(taps, 1)  # (N, *O, K, C)
        cols = onehot * dy[..., None, :]  # (N, *O, K, C)
    else:
        cols = np.broadcast_to((dy / aux)[..., None, :], (*dy.shape[:-1], taps, dy.shape[-1]))  # (N, *O, K, C)
    cols = cols.reshape(*dy.shape[:-1], *pool_size, dy.shape[-1])  # (N, *O, *K, C)
    dxp = win.col2im(cols, xp_shape, strides, (1,) * rank)  # (N, *P, C)
    return win.crop(dxp, pads)  # (N, *S, C)


class Pooling(Layer):
    """Max or average pooling over `rank` spatial axes (channels last).

    Forward:  y[n, i, c] = max_p x[n, s*i + p, c]  or  (1/m_i) sum_p x[n, s*i + p, c].
    Backward: dx[n, s*i + p*, c] += dy[n, i, c] at the first argmax p*, or dx[n, s*i + p, c] += dy / m_i.

    Args:
        pool_size: an int or a tuple of `rank` ints (default 2).
        strides: an int, a tuple, or None (= pool_size).
        padding: "valid" or "same" (output ceil(S / s); padded cells ignored).
        data_format: "channels_last" or None.
    """

    rank = None
    mode = None

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.input_rank = self.rank + 2
        self.layout = LAYOUTS[self.rank]
        self.pool_size = win.as_tuple(pool_size, self.rank, "pool_size", self)
        self.strides = self.pool_size if strides is None else win.as_tuple(strides, self.rank, "strides", self)
        padding = str(padding).lower()
        if padding not in ("valid", "same"):
            errors.fail(self, "padding in ('valid', 'same')", padding=padding)
        self.padding = padding
        if data_format not in (None, "channels_last"):
            errors.fail(self, "data_format='channels_last' (the only layout bricks supports)", data_format=data_format)
        self.data_format = "channels_last"

    def compute_output_shape(self, input_shape):
        out = [None if n is None else win.output_length(n + sum(win.pad_amounts(n, p, s, 1, self.padding)), p, s, 1)
               for n, p, s in zip(input_shape[1:-1], self.pool_size, self.strides)]
        if any(o is not None and o < 1 for o in out):
            errors.fail(self, f"spatial dims of at least pool_size={self.pool_size} after {self.padding!r} padding",
                        input_shape=tuple(input_shape))
        return (input_shape[0], *out, input_shape[-1])

    def forward(self, x, training=False):
        x = self._prepare(x)  # (N, *S, C)
        pads = [win.pad_amounts(n, p, s, 1, self.padding)
                for n, p, s in zip(x.shape[1:-1], self.pool_size, self.strides)]
        padded = tuple(n + lo + hi for n, (lo, hi) in zip(x.shape[1:-1], pads))
        if any(p < k for p, k in zip(padded, self.pool_size)):
            errors.fail(self, f"spatial dims of at least pool_size={self.pool_size} after {self.padding!r} padding",
                        **{"x.shape": tuple(x.shape)})
        y, cache = pool_forward(x, self.pool_size, self.strides, pads, self.mode)
        return self._keep(cache, y)

    def backward(self, grad_output):
        cache = self._cached(grad_output)
        return pool_backward(np.asarray(grad_output, dtype=self.dtype), cache)

    def get_config(self):
        config = super().get_config()
        config.update(pool_size=list(self.pool_size), strides=list(self.strides), padding=self.padding,
                      data_format=self.data_format)
        return config


class GlobalPooling(Layer):
    """Max or average over all spatial axes: (N, *S, C) -> (N, C), or (N, 1.., C) with keepdims.

    Forward:  y[n, c] = max_i x[n, i, c]  or  mean_i x[n, i, c].
    Backward: dy[n, c] to the first argmax, or dy[n, c] / |S| to every cell.
    """

    rank = None
    mode = None

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.input_rank = self.rank + 2
        self.layout = LAYOUTS[self.rank]
        if data_format not in (None, "channels_last"):
            errors.fail(self, "data_format='channels_last' (the only layout bricks supports)", data_format=data_format)
        self.data_format = "channels_last"
        self.keepdims = keepdims

    def compute_output_shape(self, input_shape):
        if self.keepdims:
            return (input_shape[0], *(1,) * self.rank, input_shape[-1])
        return (input_shape[0], input_shape[-1])

    def forward(self, x, training=False):
        x = self._prepare(x)  # (N, *S, C)
        flat = x.reshape(x.shape[0], -1, x.shape[-1])  # (N, M, C)
        if self.mode == "max":
            arg = flat.argmax(axis=1)  # (N, C)
            y = np.take_along_axis(flat, arg[:, None, :], axis=1)[:, 0, :]  # (N, C)
        else:
            arg, y = None, flat.mean(axis=1)  # (N, C)
        y = y.reshape(x.shape[0], *(1,) * self.rank, x.shape[-1]) if self.keepdims else y
        return self._keep((x.shape, arg), y)

    def backward(self, grad_output):
        shape, arg = self._cached(grad_output)
        dy = np.asarray(grad_output, dtype=self.dtype).reshape(shape[0], shape[-1])  # (N, C)
        m = int(np.prod(shape[1:-1]))
        if self.mode == "max":
            dflat = np.zeros((shape[0], m, shape[-1]), dtype=self.dtype)  # (N, M, C)
            np.put_along_axis(dflat, arg[:, None, :], dy[:, None, :], axis=1)
        else:
            dflat = np.broadcast_to(dy[:, None, :] / m, (shape[0], m, shape[-1]))  # (N, M, C)
        return dflat.reshape(shape)  # (N, *S, C)

    def get_config(self):
        config = super().get_config()
        config.update(data_format=self.data_format, keepdims=self.keepdims)
        return config


@LAYERS.register
class MaxPooling1D(Pooling):
    """1D max pooling, input (batch, steps, channels); equations and arguments in `Pooling`.

    Example:
        >>> MaxPooling1D(2)(np.zeros((4, 10, 3))).shape
        (4, 5, 3)
    """

    rank, mode = 1, "max"


@LAYERS.register
class MaxPooling2D(Pooling):
    """2D max pooling, input (batch, height, width, channels); equations and arguments in `Pooling`.

    Example:
        >>> MaxPooling2D((2, 2))(np.zeros((4, 6, 6, 3))).shape
        (4, 3, 3, 3)
    """

    rank, mode = 2, "max"


@LAYERS.register
class MaxPooling3D(Pooling):
    """3D max pooling, input (batch, depth, height, width, channels); equations and arguments in `Pooling`.

    Example:
        >>> MaxPooling3D(2)(np.zeros((1, 4, 4, 4, 2))).shape
        (1, 2, 2, 2, 2)
    """

    rank, mode = 3, "max"


@LAYERS.register
class AveragePooling1D(Pooling):
    """1D average pooling, input (batch, steps, channels); equations and arguments in `Pooling`.

    Example:
        >>> AveragePooling1D(3, padding="same")(np.zeros((4, 10, 3))).shape
        (4, 4, 3)
    """

    rank, mode = 1, "average"


@LAYERS.register
class AveragePooling2D(Pooling):
    """2D average pooling, input (batch, height, width, channels); equations and arguments in `Pooling`.

    Example:
        >>> AveragePooling2D(2)(np.zeros((4, 6, 6, 3))).shape
        (4, 3, 3, 3)
    """

    rank, mode = 2, "average"


@LAYERS.register
class AveragePooling3D(Pooling):
    """3D average pooling, input (batch, depth, height, width, channels); equations and arguments in `Pooling`.

    Example:
        >>> AveragePooling3D(2)(np.zeros((1, 4, 4, 4, 2))).shape
        (1, 2, 2, 2, 2)
    """

    rank, mode = 3, "average"


@LAYERS.register
class GlobalAveragePooling1D(GlobalPooling):
    """1D average over all positions, input (batch, steps, channels); equations and arguments in `GlobalPooling`.

    Example:
        >>> GlobalAveragePooling1D()(np.zeros((4, 10, 3))).shape
        (4, 3)
    """

    rank, mode = 1, "average"


@LAYERS.register
class GlobalAveragePooling2D(GlobalPooling):
    """2D average over all positions, input (batch, height, width, channels); equations and arguments
    in `GlobalPooling`.

    Example:
        >>> GlobalAveragePooling2D()(np.zeros((4, 6, 6, 3))).shape
        (4, 3)
    """

    rank, mode = 2, "average"


@LAYERS.register
class GlobalAveragePooling3D(GlobalPooling):
    """3D average over all positions, input (batch, depth, height, width, channels); equations and
    arguments in `GlobalPooling`.

    Example:
        >>> GlobalAveragePooling3D()(np.zeros((1, 4, 4, 4, 2))).shape
        (1, 2)
    """

    rank, mode = 3, "average"


@LAYERS.register
class GlobalMaxPooling1D(GlobalPooling):
    """1D max over all positions, input (batch, steps, channels); equations and arguments in `GlobalPooling`.

    Example:
        >>> GlobalMaxPooling1D()(np.zeros((4, 10, 3))).shape
        (4, 3)
    """

    rank, mode = 1, "max"


@LAYERS.register
class GlobalMaxPooling2D(GlobalPooling):
    """2D max over all positions, input (batch, height, width, channels); equations and arguments in `GlobalPooling`.

    Example:
        >>> GlobalMaxPooling2D()(np.zeros((4, 6, 6, 3))).shape
        (4, 3)
    """

    rank, mode = 2, "max"


@LAYERS.register
class GlobalMaxPooling3D(GlobalPooling):
    """3D max over all positions, input (batch, depth, height, width, channels); equations and
    arguments in `GlobalPooling`.

    Example:
        >>> GlobalMaxPooling3D()(np.zeros((1, 4, 4, 4, 2))).shape
        (1, 2)
    """

    rank, mode = 3, "max"


# Keras's short aliases
MaxPool1D, MaxPool2D, MaxPool3D = MaxPooling1D, MaxPooling2D, MaxPooling3D
AvgPool1D, AvgPool2D, AvgPool3D = AveragePooling1D, AveragePooling2D, AveragePooling3D
