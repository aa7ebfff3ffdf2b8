"""The N-d helpers and base classes shared by Cropping, ZeroPadding and UpSampling 1D/2D/3D.

Each acts on a tuple of spatial `axes` of an array of any rank, so one pair of
functions serves the 1D, 2D and 3D layers and both data formats.

    crop:     y = x[lo : L - hi]             dx = pad(dy, (lo, hi))
    pad:      y = pad(x, (lo, hi))           dx = dy[lo : L + lo]
    upsample: y[i] = x[i // s]               dx[j] = sum_{r < s} dy[j * s + r]
"""
import numpy as np

from bricks import errors
from bricks.layers import windows as win
from bricks.layers.base import Layer

__all__ = ["crop_forward", "crop_backward", "pad_forward", "pad_backward",
           "upsample_forward", "upsample_backward"]


# ---- the N-d helpers the 1D/2D/3D classes share ------------------------------
crop_forward = win.crop_axes  # keep x[lo : L - hi] along each axis in `axes` (a view)
pad_forward = win.pad_axes  # add (lo, hi) zeros along each axis in `axes`


def crop_backward(grad_output, crops, axes):
    """The cropped-away border got no gradient: pad dy with zeros back to the input shape."""
    return pad_forward(grad_output, crops, axes)


def pad_backward(grad_output, pads, axes):
    """The zeros are constants: keep the gradient of the original window only."""
    return crop_forward(grad_output, pads, axes)


def _block_shapes(shape, sizes, axes):
    """x viewed with a length-1 axis after each upsampled axis, that view broadcast, the output."""
    view, blocks, out = [], [], []
    for a, d in enumerate(shape):
        s = sizes[axes.index(a)] if a in axes else None
        view += [d] if s is None else [d, 1]
        blocks += [d] if s is None else [d, s]
        out.append(d if s is None else d * s)
    return view, blocks, out


def upsample_forward(x, sizes, axes):
    """Repeat each element `s` times along each axis (nearest-neighbour upsampling), one copy."""
    view, blocks, out = _block_shapes(x.shape, sizes, axes)
    return np.broadcast_to(x.reshape(view), blocks).reshape(out)  # (N, L1 * s1, ..., C)


def upsample_backward(grad_output, sizes, axes):
    """Each input element fed `s` outputs along an axis: sum their gradients.

    Summed as s strided slices, dy[r::s] for r < s (a loop over the few copies, not over
    pixels): numpy's sum over a short inner axis of a reshaped array is several times slower.
    """
    g = grad_output
    for s, a in zip(sizes, axes):
        index = [slice(None)] * g.ndim
        total = 0
        for r in range(s):
            index[a] = slice(r, None, s)
            total = total + g[tuple(index)]  # (..., L, ...) the r-th copies
        g = total
    return g



# ---- argument normalization --------------------------------------------------------
_LAYOUTS = {1: "(batch, steps, channels)", 2: "(batch, rows, cols, channels)",
            3: "(batch, dim1, dim2, dim3, channels)"}


def data_format_arg(owner, value):
    value = value or "channels_last"
    if value not in ("channels_last", "channels_first"):
        errors.fail(owner, "data_format 'channels_last' or 'channels_first'", data_format=value)
    return value


def _is_int(v):
    """A whole number given as an integer (1.5, 2.0, True and "2" are not)."""
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def pairs_arg(owner, value, n, arg):
    """int, n ints (symmetric) or n (lo, hi) pairs -> ((lo, hi),) * n of non-negative ints."""
    try:
        if np.ndim(value) == 0:
            pairs = ((value,) * 2,) * n
        elif n == 1 and np.ndim(value) == 1 and len(value) == 2:  # 1D: (left, right)
            pairs = (tuple(value),)
        elif np.ndim(value) == 1 and len(value) == n:
            pairs = tuple((v, v) for v in value)
        else:
            pairs = tuple((lo, hi) for lo, hi in value)
    except (TypeError, ValueError):
        pairs = ()
    if len(pairs) != n or not all(_is_int(v) and v >= 0 for p in pairs for v in p):
        errors.fail(owner, f"{arg} as a non-negative int, {n} ints or {n} (lo, hi) pairs of ints", **{arg: value})
    return tuple((int(lo), int(hi)) for lo, hi in pairs)


def sizes_arg(owner, value, n):
    """int or n ints, each >= 1 -> tuple of n ints."""
    try:
        sizes = (value,) * n if np.ndim(value) == 0 else tuple(value)
    except (TypeError, ValueError):
        sizes = ()
    if len(sizes) != n or not all(_is_int(s) and s >= 1 for s in sizes):
        errors.fail(owner, f"size as a positive int or {n} positive ints", size=value)
    return tuple(int(s) for s in sizes)


def _resized(input_shape, axes, new_length):
    """`input_shape` with axis axes[i] of length d replaced by new_length(d, i) (None stays None)."""
    shape = list(input_shape)
    for i, a in enumerate(axes):
        shape[a] = None if shape[a] is None else new_length(shape[a], i)
    return tuple(shape)


# ---- the base classes: a thin 1D/2D/3D class only sets `n` and parses its argument ----
class SpatialLayer(Layer):
    """Shared by the 1D/2D/3D classes: `n` spatial axes, channels last or first."""

    n = 1
    has_data_format = True  # Cropping1D and UpSampling1D have none in Keras

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = data_format_arg(self, data_format)
        self.input_rank = self.n + 2
        self.layout = _LAYOUTS[self.n]

    def check_input(self, x):
        pass

    @property
    def axes(self):
        first = 2 if self.data_format == "channels_first" else 1
        return tuple(range(first, first + self.n))

    def get_config(self):
        config = super().get_config()
        if self.has_data_format:
            config["data_format"] = self.data_format
        return config


class CroppingBase(SpatialLayer):
    def compute_output_shape(self, input_shape):
        return _resized(input_shape, self.axes, lambda d, i: d - sum(self.cropping[i]))

    def forward(self, x, training=False):
        x = self._prepare(x)
        for (lo, hi), a in zip(self.cropping, self.axes):
            if lo + hi >= x.shape[a]:
                errors.fail(self, f"axis {a} longer than cropping {lo} + {hi}", **{"x.shape": tuple(x.shape)})
        return self._keep(x.shape, crop_forward(x, self.cropping, self.axes))

    def backward(self, grad_output):
        self._cached(grad_output)
        return crop_backward(grad_output, self.cropping, self.axes)

    def get_config(self):
        value = list(self.cropping[0]) if self.n == 1 else [list(p) for p in self.cropping]
        return {**super().get_config(), "cropping": value}


class ZeroPaddingBase(SpatialLayer):
    def compute_output_shape(self, input_shape):  # without a probe: the output may be too big to make
        return _resized(input_shape, self.axes, lambda d, i: d + sum(self.padding[i]))

    def forward(self, x, training=False):
        x = self._prepare(x)
        return self._keep(x.shape, pad_forward(x, self.padding, self.axes))

    def backward(self, grad_output):
        self._cached(grad_output)
        return pad_backward(grad_output, self.padding, self.axes)

    def get_config(self):
        value = list(self.padding[0]) if self.n == 1 else [list(p) for p in self.padding]
        return {**super().get_config(), "padding": value}


class UpSamplingBase(SpatialLayer):
    def compute_output_shape(self, input_shape):  # without a probe: the output may be too big to make
        return _resized(input_shape, self.axes, lambda d, i: d * self.size[i])

    def forward(self, x, training=False):
        x = self._prepare(x)
        return self._keep(x.shape, upsample_forward(x, self.size, self.axes))

    def backward(self, grad_output):
        self._cached(grad_output)
        return upsample_backward(grad_output, self.size, self.axes)

    def get_config(self):
        value = self.size[0] if self.n == 1 else list(self.size)
        return {**super().get_config(), "size": value}
