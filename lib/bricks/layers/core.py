"""Input, Dense and Activation: the first bricks (Keras names, shapes and defaults).

Dense is the affine map of chapter 1 followed by an activation f, fused::

    forward:   z = x W + b,   a = f(z)            x (N, D), W (D, U), b (U,), z, a (N, U)
    backward:  dz = f'(z) * da                     (the activation's vector-Jacobian product)
               dW = x^T dz,   db = sum_n dz,   dx = dz W^T

On rank > 2 input (N, T, D) Dense acts on the last axis, as Keras does: the
leading axes are flattened into rows for dW and db.
"""

import numpy as np

from bricks import activations, backend, errors, initializers, regularizers
from bricks.layers.base import LAYERS, Layer

__all__ = ["Input", "InputLayer", "Dense", "Activation", "dense_forward", "dense_backward"]


def dense_forward(x, kernel, bias=None):
    """z = x W + b on the last axis of x. x (..., D), kernel (D, U), bias (U,) -> z (..., U)."""
    z = x @ kernel  # (..., U)
    return z if bias is None else z + bias


def dense_backward(dz, x, kernel):
    """Gradients of z = x W + b given dz = dL/dz: returns (dx, dkernel, dbias)."""
    x2 = x.reshape(-1, x.shape[-1])  # (N*, D) all leading axes as rows
    dz2 = dz.reshape(-1, dz.shape[-1])  # (N*, U)
    dkernel = x2.T @ dz2  # (D, U)
    dbias = dz2.sum(axis=0)  # (U,)
    dx = dz @ kernel.T  # (..., D)
    return dx, dkernel, dbias


@LAYERS.register
class InputLayer(Layer):
    """Fixes the input shape of a Sequential model; forward is the identity (after a shape check).

    Args:
        shape: the shape of one sample, without the batch axis, e.g. (2,) or (T, F).
        batch_size: optional fixed batch size.
    Input shape: ``(batch, *shape)``. Output shape: the same.

    Example:
        >>> model = bricks.Sequential([Input((2,)), Dense(3)])
        >>> model.predict(np.ones((4, 2))).shape
        (4, 3)
        >>> model.predict(np.ones((4, 5)))
        Traceback (most recent call last):
        ...
        ValueError: sequential: expected input of shape (None, 2). Received: x.shape=(4, 5)
    """

    def __init__(self, shape=None, batch_size=None, name=None, dtype=None, **kwargs):
        kwargs.pop("trainable", None)
        super().__init__(name=name or backend.unique_name("input_layer"), dtype=dtype, **kwargs)
        if shape is None:
            errors.fail(self, "a shape such as (features,)", shape=shape)
        shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
        whole = [d for d in (*shape, batch_size) if d is not None]
        if not all(isinstance(d, (int, np.integer)) and not isinstance(d, bool) and d > 0 for d in whole):
            errors.fail(self, "a shape of positive ints (None for a free length)", shape=shape, batch_size=batch_size)
        self.shape, self.batch_size = shape, batch_size
        self.batch_input_shape = (batch_size, *shape)
        self.layout = str(("batch", *shape)).replace("'", "")
        self.build()

    def build(self, input_shape=None):
        super().build(self.batch_input_shape)

    def check_input(self, x):
        want = self.batch_input_shape
        if x.ndim != len(want) or any(w is not None and w != d for w, d in zip(want, x.shape)):
            errors.fail(self, f"input of shape {want}", **{"x.shape": tuple(x.shape)})

    def forward(self, x, training=False):
        x = self._prepare(x)
        return self._keep(True, x)

    def backward(self, grad_output):
        self._cached(grad_output)
        return grad_output

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype.name, "shape": list(self.shape),
                "batch_size": self.batch_size}


@LAYERS.register
class Input(InputLayer):
    """`Input(shape)`: the InputLayer a Sequential model starts with (keras.Input's role)."""


@LAYERS.register
class Dense(Layer):
    """Densely connected layer: a = activation(x @ kernel + bias), on the last axis.

    Args:
        units: output size U.
        activation: name ('relu', 'sigmoid', 'softmax', ...), None for linear.
        use_bias: add the bias vector b.
        kernel_initializer, bias_initializer: Keras names or initializer objects.
        kernel_regularizer, bias_regularizer: e.g. bricks.L2(0.01); the model adds the penalty.
        input_shape, name, dtype, trainable: as every layer.
    Input shape: (N, ..., D), rank >= 2.
    Output shape: (N, ..., U).
    Weights: kernel (D, U), bias (U,).

    Example:
        >>> layer = Dense(3, activation="tanh")
        >>> layer.forward(np.ones((4, 2))).shape
        (4, 3)
    """

    layout = "(batch, ..., features)"

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, **kwargs):
        super().__init__(**kwargs)
        if int(units) != units or units <= 0:
            errors.fail(self, "a positive integer number of units", units=units)
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer, self.bias_initializer = kernel_initializer, bias_initializer
        initializers.get(kernel_initializer), initializers.get(bias_initializer)  # a bad name fails now, not at build
        self.kernel_regularizer = None if kernel_regularizer is None else regularizers.get(kernel_regularizer)
        self.bias_regularizer = None if bias_regularizer is None else regularizers.get(bias_regularizer)

    def build(self, input_shape):
        if len(input_shape) < 2 or input_shape[-1] is None:
            errors.fail(self, f"input of rank >= 2 {self.layout} with a known last axis",
                        input_shape=tuple(input_shape))
        self.add_weight("kernel", (input_shape[-1], self.units), self.kernel_initializer, self.kernel_regularizer)
        if self.use_bias:
            self.add_weight("bias", (self.units,), self.bias_initializer, self.bias_regularizer)
        super().build(input_shape)

    def check_input(self, x):
        errors.check_axis(self, x, -1, self.params["kernel"].shape[0], "last axis (features)")

    def forward(self, x, training=False):
        if np.ndim(x) < 2:
            errors.fail(self, f"input of rank >= 2 {self.layout}", **{"x.shape": np.shape(x)})
        x = self._prepare(x)  # (N, ..., D)
        z = dense_forward(x, self.params["kernel"], self.params.get("bias"))  # (N, ..., U)
        a = self.activation.forward(z)  # (N, ..., U)
        return self._keep((x, z, a), a)

    def backward(self, grad_output):
        x, z, a = self._cached(grad_output)
        dz = self.activation.backward(grad_output, z, a)  # (N, ..., U)
        dx, dkernel, dbias = dense_backward(dz, x, self.params["kernel"])
        self.grads["kernel"][...] = dkernel  # (D, U)
        if self.use_bias:
            self.grads["bias"][...] = dbias  # (U,)
        return dx  # (N, ..., D)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        return {**super().get_config(), "units": self.units,
                "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer)}


@LAYERS.register
class Activation(Layer):
    """Applies an activation elementwise: a = f(x); backward dx = f'(x) * da (softmax: last axis).

    Args:
        activation: a name ('relu', 'tanh', 'softmax', ...) or an activation object.
    Input shape: any. Output shape: the same.

    Example:
        >>> Activation("relu").forward(np.array([[-1.0, 2.0]]))
        array([[0., 2.]])
    """

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def check_input(self, x):
        pass  # any shape

    def forward(self, x, training=False):
        x = self._prepare(x)
        a = self.activation.forward(x)
        return self._keep((x, a), a)

    def backward(self, grad_output):
        x, a = self._cached(grad_output)
        return self.activation.backward(grad_output, x, a)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "activation": activations.serialize(self.activation)}
