"""Conv2DTranspose: the transposed ("de-")convolution, built from the conv's own functions.

Its forward pass is Conv2D's input gradient `conv_input_grad` and its backward pass
is a plain `conv_forward`: the two are adjoint maps, so the math is shared with
conv.py. Shapes and padding follow Keras 3 (checked against it in tests/layers/test_conv.py
where keras is installed).
"""
import numpy as np

from bricks import errors
from bricks.layers import windows as win
from bricks.layers.base import LAYERS
from bricks.layers.conv import Conv, conv_forward, conv_input_grad

__all__ = ["Conv2DTranspose", "transpose_geometry"]


def transpose_geometry(n, kernel, stride, dilation, padding, output_padding):
    """(output length L, conv pads (lo, hi)) of one axis of a transposed conv with input length n.

    Keras: L = n s + max(span - s, 0) (valid) or n s (same) when output_padding is None,
    else L = (n - 1) s + span - 2 p + output_padding with p = span // 2 (same) or 0 (valid).
    The pads are those of the forward conv that maps length L back to n.
    """
    span = win.effective_size(kernel, dilation)
    if output_padding is None:
        length = n * stride + max(span - stride, 0) if padding == "valid" else n * stride
    else:
        length = (n - 1) * stride + span - 2 * (span // 2 if padding == "same" else 0) + output_padding
    if padding == "valid":
        return length, (0, 0)
    total = max((n - 1) * stride + span - length, 0)
    return length, (total // 2, total - total // 2)


@LAYERS.register
class Conv2DTranspose(Conv):
    """Transposed 2D convolution ("deconvolution"): the adjoint of Conv2D, used to upsample.

    Its forward is Conv2D's input gradient with x in the place of dy; kernel (KH, KW, F, C),
    i.e. the Conv2D kernel mapping the output's F channels to the input's C channels:

        y[n, s i + d k, f] += sum_c x[n, i, c] W[k, f, c]       (+ b[f]; then cropped by the pads)

    Backward is therefore a plain convolution: dx = conv(dy, W), dW[k, f, c] = sum dy[n, s i + d k, f] x[n, i, c].

    Args: as Conv2D (no groups), plus output_padding: None, or an int/tuple (each < strides) that
        picks the output length (n - 1) s + span - 2 p + output_padding (p = span // 2 for "same").
    Input shape: (batch, height, width, channels).
    Output shape: (batch, new_h, new_w, filters), new_h = h * s for "same" (output_padding None).

    Example:
        >>> Conv2DTranspose(3, 3, strides=2, padding="same")(np.zeros((1, 4, 4, 8))).shape
        (1, 8, 8, 3)
    """

    rank = 2
    layout = "(batch, height, width, channels)"

    def __init__(self, filters, kernel_size, strides=1, padding="valid", output_padding=None, data_format=None,
                 dilation_rate=1, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate, 1, activation, use_bias,
                         kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer, **kwargs)
        if output_padding is not None:
            pair = (output_padding,) * 2 if np.isscalar(output_padding) else output_padding
            output_padding = tuple(int(p) for p in pair)
            if len(output_padding) != 2 or any(p < 0 or p >= s for p, s in zip(output_padding, self.strides)):
                errors.fail(self, f"output_padding of 2 ints in [0, strides={self.strides})",
                            output_padding=output_padding)
        self.output_padding = output_padding

    def kernel_shape(self, channels):
        return (*self.kernel_size, self.filters, channels)  # Keras: (KH, KW, filters, in_channels)

    def geometry(self, spatial):
        ops = self.output_padding or (None, None)
        return [transpose_geometry(n, k, s, d, self.padding, op)
                for n, k, s, d, op in zip(spatial, self.kernel_size, self.strides, self.dilation_rate, ops)]

    def compute_output_shape(self, input_shape):
        ops = self.output_padding or (None, None)
        out = [None if n is None else transpose_geometry(n, k, s, d, self.padding, op)[0]
               for n, k, s, d, op in zip(input_shape[1:-1], self.kernel_size, self.strides, self.dilation_rate, ops)]
        return (input_shape[0], *out, self.filters)

    def forward(self, x, training=False):
        x = self._prepare(x)  # (N, H, W, C)
        geo = self.geometry(x.shape[1:-1])
        pads = [p for _, p in geo]
        y_shape = (x.shape[0], *(length for length, _ in geo), self.filters)  # (N, H', W', F)
        z = conv_input_grad(x, self.params["kernel"], y_shape, self.strides, self.dilation_rate, pads)  # (N, H', W', F)
        if self.use_bias:
            z = z + self.params["bias"]  # (N, H', W', F)
        a = self.activation.forward(z)  # (N, H', W', F)
        return self._keep((x, pads, z, a), a)

    def backward(self, grad_output):
        x, pads, z, a = self._cached(grad_output)
        dz = self.activation.backward(grad_output, z, a)  # (N, H', W', F)
        dz = np.asarray(dz, dtype=self.dtype)
        # the adjoint of the adjoint: a plain conv of dz with the same kernel
        # (N, H, W, C)
        dx, cache = conv_forward(dz, self.params["kernel"], None, self.strides, self.dilation_rate, pads)
        cols = cache[0]  # (N*H*W, KH*KW*F): windows of dz
        self.grads["kernel"][...] = (cols.T @ x.reshape(-1, x.shape[-1])).reshape(self.params["kernel"].shape)
        if self.use_bias:
            self.grads["bias"][...] = dz.reshape(-1, self.filters).sum(axis=0)  # (F,)
        return dx  # (N, H, W, C)

    def get_config(self):
        config = super().get_config()
        config.pop("groups")
        config["output_padding"] = None if self.output_padding is None else list(self.output_padding)
        return config
