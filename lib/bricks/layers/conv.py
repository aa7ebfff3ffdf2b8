"""Convolution layers: Conv1D, Conv2D, Conv3D and Conv2DTranspose, one N-D implementation.

A convolution (strictly, a cross-correlation, as in every deep-learning library)
slides a kernel W of shape (*K, C, F) over a channels-last input x of shape
(N, *S, C). With stride s and dilation d, written for one spatial axis:

    y[n, i, f] = b[f] + sum_{k, c} x[n, s*i + d*k, c] W[k, c, f]

Gather every window into one matrix (im2col: a strided view, then one copy)
and the sum is a single matrix product. The backward pass:

    dW[k, c, f] = sum_{n, i} x[n, s*i + d*k, c] dy[n, i, f]      (cols^T @ dy)
    db[f]       = sum_{n, i} dy[n, i, f]
    dx[n, s*i + d*k, c] += sum_f dy[n, i, f] W[k, c, f]          (one slice-add per tap k)

The transposed convolution is the adjoint map: its forward is the conv's dx
(Conv2DTranspose, in conv_transpose.py, built from these same functions).
"""
import itertools

import numpy as np

from bricks import activations, errors, initializers, regularizers
from bricks.layers import windows as win
from bricks.layers.base import LAYERS, Layer

__all__ = ["Conv", "Conv1D", "Conv2D", "Conv3D", "Conv2DTranspose",
           "conv_forward", "conv_backward", "conv_input_grad"]


def conv_forward(x, kernel, bias, strides, dilation, pads):
    """N-D convolution (channels last) of x with kernel, as im2col and one matrix product.

    With a bias, the windows get one more column, all ones, and the kernel matrix one more
    row, b (cs231n's bias trick): the same product adds b, and backward's cols^T dy gives db
    as that row.
    Args:
        x: (N, *S, C) input.  kernel: (*K, C, F).  bias: (F,) or None.
        strides, dilation: one int per spatial axis.  pads: [(lo, hi), ...] zero padding per axis.
    Returns:
        y: (N, *O, F) with O = floor((S + lo + hi - d(K - 1) - 1) / s) + 1, and the cache for backward.
    """
    rank = kernel.ndim - 2
    xp = win.pad(x, pads)  # (N, *P, C)
    view = win.windows(xp, kernel.shape[:rank], strides, dilation)  # (N, *O, *K, C), no copy
    out_shape = view.shape[:1 + rank]  # (N, *O)
    KC, F = kernel.size // kernel.shape[-1], kernel.shape[-1]
    W = kernel.reshape(KC, F)  # (K*C, F)
    if bias is None:
        cols = view.reshape(-1, KC)  # (M, K*C), the im2col copy
    else:
        cols = np.empty((int(np.prod(out_shape)), KC + 1), dtype=x.dtype)  # (M, K*C + 1)
        cols[:, :KC].reshape(view.shape)[...] = view  # the im2col copy, into the first K*C columns (a view)
        cols[:, KC] = 1.0  # the bias's input
        W = np.concatenate([W, bias[None, :]])  # (K*C + 1, F)
    y = cols @ W  # (M, F)
    cache = (cols, kernel, xp.shape, x.shape, strides, dilation, pads, bias is not None)
    return y.reshape(*out_shape, F), cache  # (N, *O, F)


def conv_input_grad(dy, kernel, x_shape, strides, dilation, pads):
    """dx of a convolution: dx[n, s*i + d*k, c] += sum_f dy[n, i, f] W[k, c, f].

    One matrix product and one strided slice-add per kernel tap k (9 for 3x3): measured
    2-6x faster than building the (N, *O, *K, C) window gradients and scattering them (col2im).
    Also the forward pass of the transposed convolution (dy is then its input).
    Args:
        dy: (N, *O, F).  kernel: (*K, C, F).  x_shape: (N, *S, C) of the conv's input.
    Returns:
        dx: x_shape.
    """
    rank = kernel.ndim - 2
    padded = (x_shape[0], *(n + lo + hi for n, (lo, hi) in zip(x_shape[1:-1], pads)), x_shape[-1])
    dxp = np.zeros(padded, dtype=dy.dtype)  # (N, *P, C)
    out = dy.shape[1:-1]  # O
    dy2 = dy.reshape(-1, dy.shape[-1])  # (M, F): one matrix product per tap, not one per row of the batch
    for tap in itertools.product(*(range(k) for k in kernel.shape[:rank])):
        cells = win.tap_slices(tap, strides, dilation, out)  # the input cells tap k touched
        dxp[(slice(None), *cells, slice(None))] += (dy2 @ kernel[tap].T).reshape(*dy.shape[:-1], -1)  # (N, *O, C)
    return win.crop(dxp, pads)  # (N, *S, C)


def conv_backward(dy, cache):
    """Gradients of `conv_forward`: (dx (N, *S, C), dkernel (*K, C, F), dbias (F,) or None)."""
    cols, kernel, xp_shape, x_shape, strides, dilation, pads, has_bias = cache
    dy2 = dy.reshape(-1, dy.shape[-1])  # (M, F)
    dW = cols.T @ dy2  # (K*C, F), or (K*C + 1, F) whose last row is db = sum of dy over the rows
    KC = kernel.size // kernel.shape[-1]
    dkernel = dW[:KC].reshape(kernel.shape)  # (*K, C, F)
    dbias = dW[KC] if has_bias else None  # (F,)
    dx = conv_input_grad(dy, kernel, x_shape, strides, dilation, pads)  # (N, *S, C)
    return dx, dkernel, dbias


class Conv(Layer):
    """N-dimensional convolution (channels last); Conv1D/2D/3D fix `rank`.

    Forward:  y[n, i, f] = act(b[f] + sum_{k, c} x[n, s*i + d*k, c] W[k, c, f])
    Backward: dW = cols^T dz, db = sum dz, dx[s*i + d*k] += dz[i] W[k]^T, with dz = dy * act'(z).

    Args:
        filters: F, the number of output channels.
        kernel_size: an int or a tuple of `rank` ints K.
        strides: s, an int or a tuple (default 1).
        padding: "valid" (no padding), "same" (output ceil(S / s), TensorFlow's split with the
            extra cell on the right) or, for Conv1D only, "causal" (left padding d(K - 1):
            output t sees no input after t).
        data_format: "channels_last" (the only one supported) or None.
        dilation_rate: d, gap between kernel taps (default 1).
        groups: 1 only (grouped convolution is not implemented).
        activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
        bias_regularizer: as in Dense.
    Weights: kernel (*K, C, F), bias (F,) -- Keras's shapes and order.
    """

    rank = None
    paddings = ("valid", "same")

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, **kwargs):
        super().__init__(**kwargs)
        r = self.rank
        self.input_rank = r + 2
        if not isinstance(filters, (int, np.integer)) or filters < 1:
            errors.fail(self, "filters as a positive int", filters=filters)
        self.filters = int(filters)
        self.kernel_size = win.as_tuple(kernel_size, r, "kernel_size", self)
        self.strides = win.as_tuple(strides, r, "strides", self)
        self.dilation_rate = win.as_tuple(dilation_rate, r, "dilation_rate", self)
        padding = str(padding).lower()
        if padding not in self.paddings:
            errors.fail(self, f"padding in {self.paddings}", padding=padding)
        self.padding = padding
        if data_format not in (None, "channels_last"):
            errors.fail(self, "data_format='channels_last' (the only layout bricks supports)", data_format=data_format)
        self.data_format = "channels_last"
        if groups != 1:
            errors.fail(self, "groups=1 (grouped convolution is not implemented)", groups=groups)
        self.groups = 1
        self.activation = activations.get(activation)  # .forward(z), .backward(grad, z, a)
        self.use_bias = use_bias
        self.kernel_initializer, self.bias_initializer = kernel_initializer, bias_initializer
        initializers.get(kernel_initializer), initializers.get(bias_initializer)  # a bad name fails now, not at build
        self.kernel_regularizer = None if kernel_regularizer is None else regularizers.get(kernel_regularizer)
        self.bias_regularizer = None if bias_regularizer is None else regularizers.get(bias_regularizer)

    def kernel_shape(self, channels):
        return (*self.kernel_size, channels, self.filters)

    def build(self, input_shape):
        channels = input_shape[-1]
        if channels is None:
            errors.fail(self, "a known channel count (last axis)", input_shape=tuple(input_shape))
        self.add_weight("kernel", self.kernel_shape(channels), self.kernel_initializer, self.kernel_regularizer)
        if self.use_bias:
            self.add_weight("bias", (self.filters,), self.bias_initializer, self.bias_regularizer)
        super().build(input_shape)

    def pads(self, spatial):
        """[(lo, hi)] per spatial axis for an input with spatial shape `spatial`."""
        return [win.pad_amounts(n, k, s, d, self.padding)
                for n, k, s, d in zip(spatial, self.kernel_size, self.strides, self.dilation_rate)]

    def compute_output_shape(self, input_shape):
        """(batch, *O, filters); a None spatial dim (any length) stays None."""
        out = [None if n is None else win.output_length(n + sum(win.pad_amounts(n, k, s, d, self.padding)), k, s, d)
               for n, k, s, d in zip(input_shape[1:-1], self.kernel_size, self.strides, self.dilation_rate)]
        if any(o is not None and o < 1 for o in out):
            span = tuple(win.effective_size(k, d) for k, d in zip(self.kernel_size, self.dilation_rate))
            errors.fail(self, f"spatial dims of at least {span} (the dilated kernel) after {self.padding!r} padding",
                        input_shape=tuple(input_shape))
        return (input_shape[0], *out, self.filters)

    def check_fits(self, x, pads):
        """ValueError unless the (dilated) kernel fits into the padded input."""
        padded = tuple(n + lo + hi for n, (lo, hi) in zip(x.shape[1:-1], pads))
        span = tuple(win.effective_size(k, d) for k, d in zip(self.kernel_size, self.dilation_rate))
        if any(p < k for p, k in zip(padded, span)):
            errors.fail(self, f"spatial dims of at least {span} (the dilated kernel) after {self.padding!r} padding",
                        **{"x.shape": tuple(x.shape), "padded spatial dims": padded})

    def forward(self, x, training=False):
        x = self._prepare(x)  # (N, *S, C)
        pads = self.pads(x.shape[1:-1])
        self.check_fits(x, pads)
        z, conv_cache = conv_forward(x, self.params["kernel"], self.params.get("bias"),
                                     self.strides, self.dilation_rate, pads)  # (N, *O, F)
        a = self.activation.forward(z)  # (N, *O, F)
        return self._keep((conv_cache, z, a), a)

    def backward(self, grad_output):
        conv_cache, z, a = self._cached(grad_output)
        dz = self.activation.backward(grad_output, z, a)  # (N, *O, F)
        dx, dkernel, dbias = conv_backward(np.asarray(dz, dtype=self.dtype), conv_cache)
        self.grads["kernel"][...] = dkernel  # (*K, C, F)
        if self.use_bias:
            self.grads["bias"][...] = dbias  # (F,)
        return dx  # (N, *S, C)

    def get_config(self):
        config = super().get_config()
        config.update(filters=self.filters, kernel_size=list(self.kernel_size), strides=list(self.strides),
                      padding=self.padding, data_format=self.data_format, dilation_rate=list(self.dilation_rate),
                      groups=self.groups, activation=activations.serialize(self.activation), use_bias=self.use_bias,
                      kernel_initializer=initializers.serialize(self.kernel_initializer),
                      bias_initializer=initializers.serialize(self.bias_initializer),
                      kernel_regularizer=regularizers.serialize(self.kernel_regularizer),
                      bias_regularizer=regularizers.serialize(self.bias_regularizer))
        return config


@LAYERS.register
class Conv1D(Conv):
    """1D convolution over time: x (batch, steps, channels) -> (batch, new_steps, filters).

    y[n, t, f] = b[f] + sum_{k, c} x[n, s*t + d*k - pad_lo, c] W[k, c, f]; kernel (K, C, F).
    padding="causal" pads d(K - 1) zeros on the left only, so y[t] never reads x after t.

    Example:
        >>> Conv1D(4, 3, padding="causal", dilation_rate=2)(np.zeros((8, 32, 5))).shape
        (8, 32, 4)
    """

    rank = 1
    layout = "(batch, steps, channels)"
    paddings = ("valid", "same", "causal")


@LAYERS.register
class Conv2D(Conv):
    """2D convolution: x (batch, height, width, channels) -> (batch, new_h, new_w, filters).

    y[n, i, j, f] = b[f] + sum_{a, b, c} x[n, s0 i + d0 a, s1 j + d1 b, c] W[a, b, c, f]; kernel (KH, KW, C, F).

    Example:
        >>> Conv2D(16, 3, padding="same")(np.zeros((2, 28, 28, 1))).shape
        (2, 28, 28, 16)
    """

    rank = 2
    layout = "(batch, height, width, channels)"


@LAYERS.register
class Conv3D(Conv):
    """3D convolution: x (batch, depth, height, width, channels) -> (batch, d', h', w', filters).

    Same formula with three spatial indices; kernel (KD, KH, KW, C, F).

    Example:
        >>> Conv3D(2, (2, 3, 3))(np.zeros((1, 4, 8, 8, 3))).shape
        (1, 3, 6, 6, 2)
    """

    rank = 3
    layout = "(batch, depth, height, width, channels)"


from bricks.layers.conv_transpose import Conv2DTranspose, transpose_geometry  # noqa: E402,F401  (kept short: own file)
