"""Activation functions as pure forward/backward pairs (Keras names and constants).

Each activation `f` comes with `f_backward(grad, z, a)`: the vector-Jacobian
product dL/dz given the upstream gradient dL/da, the pre-activation `z` and the
output `a = f(z)` (whichever of the two makes the derivative cheapest)::

    sigmoid   a = 1 / (1 + e^-z)                 dz = grad * a * (1 - a)
    tanh      a = tanh z                         dz = grad * (1 - a^2)
    relu      a = max(z, 0)                      dz = grad * [z > 0]
    softmax   a_i = e^z_i / sum_j e^z_j          dz = grad * a - a * sum(grad * a)   (last axis)
    elu       a = z if z > 0 else alpha (e^z - 1)     dz = grad * (1 if z > 0 else a + alpha)
    selu      a = scale * elu(z, alpha), alpha = 1.6732632..., scale = 1.0507009...
    softplus  a = log(1 + e^z)                   dz = grad * sigmoid(z)
    leaky_relu a = z if z > 0 else s z (s = 0.2) dz = grad * (1 if z > 0 else s)

sigmoid, softplus and softmax are written so that no exp() can overflow.
`get(name_or_callable)` returns an object with `.name`, `.forward(z)` and
`.backward(grad, z, a)`, which Dense and Activation use.

Example::

    >>> act = get("tanh")
    >>> a = act.forward(z); dz = act.backward(np.ones_like(z), z, a)
"""
import numpy as np

from bricks import errors

__all__ = ["linear", "sigmoid", "tanh", "relu", "softmax", "elu", "selu", "softplus", "leaky_relu",
           "ActivationFunction"]

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def linear(z):
    """Identity: a = z."""
    return z


def linear_backward(grad, z, a):
    return grad


def sigmoid(z):
    """a = 1 / (1 + exp(-z)), computed from exp(-abs(z)) so exp never overflows."""
    e = np.exp(-np.abs(z))  # in (0, 1]
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_backward(grad, z, a):
    """da/dz = a (1 - a)."""
    return grad * a * (1.0 - a)


def tanh(z):
    """a = (e^z - e^-z) / (e^z + e^-z)."""
    return np.tanh(z)


def tanh_backward(grad, z, a):
    """da/dz = 1 - a^2."""
    return grad * (1.0 - a * a)


def relu(z):
    """a = max(z, 0)."""
    return np.maximum(z, 0)


def relu_backward(grad, z, a):
    """da/dz = 1 where z > 0, else 0 (0 at the kink, as Keras)."""
    return grad * (z > 0)


def softmax(z, axis=-1):
    """a_i = e^(z_i - max z) / sum_j e^(z_j - max z) along the last axis (shifting never changes a)."""
    e = np.exp(z - z.max(axis=axis, keepdims=True))  # (..., C), every entry in (0, 1]
    return e / e.sum(axis=axis, keepdims=True)


def softmax_backward(grad, z, a, axis=-1):
    """Jacobian da_i/dz_j = a_i (delta_ij - a_j), so dz = grad * a - a * sum(grad * a)."""
    return grad * a - a * np.sum(grad * a, axis=axis, keepdims=True)  # (..., C)


def elu(z, alpha=1.0):
    """a = z for z > 0, alpha (e^z - 1) otherwise."""
    return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0)))


def elu_backward(grad, z, a, alpha=1.0):
    """da/dz = 1 for z > 0, alpha e^z = a + alpha otherwise."""
    return grad * np.where(z > 0, 1.0, a + alpha)


def selu(z):
    """a = scale * elu(z, alpha) with Keras's self-normalizing constants."""
    return SELU_SCALE * elu(z, SELU_ALPHA)


def selu_backward(grad, z, a):
    """da/dz = scale for z > 0, a + scale * alpha otherwise."""
    return grad * np.where(z > 0, SELU_SCALE, a + SELU_SCALE * SELU_ALPHA)


def softplus(z):
    """a = log(1 + exp(z)) = max(z, 0) + log(1 + exp(-abs(z))) (no overflow)."""
    return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))


def softplus_backward(grad, z, a):
    """da/dz = sigmoid(z)."""
    return grad * sigmoid(z)


def leaky_relu(z, negative_slope=0.2):
    """a = z for z > 0, negative_slope * z otherwise (Keras default slope 0.2)."""
    return np.where(z > 0, z, negative_slope * z)


def leaky_relu_backward(grad, z, a, negative_slope=0.2):
    return grad * np.where(z > 0, 1.0, negative_slope)


class ActivationFunction:
    """A named forward/backward pair: `.forward(z)`, `.backward(grad, z, a)`, `.name`."""

    def __init__(self, name, forward, backward):
        self.name, self._forward, self._backward = name, forward, backward

    def forward(self, z):
        return self._forward(z)

    def backward(self, grad, z, a):
        return self._backward(grad, z, a)

    __call__ = forward

    def __repr__(self):
        return f"<activation {self.name}>"


_PAIRS = {
    "linear": (linear, linear_backward), "sigmoid": (sigmoid, sigmoid_backward),
    "tanh": (tanh, tanh_backward), "relu": (relu, relu_backward),
    "softmax": (softmax, softmax_backward), "elu": (elu, elu_backward),
    "selu": (selu, selu_backward), "softplus": (softplus, softplus_backward),
    "leaky_relu": (leaky_relu, leaky_relu_backward),
}
ALIASES = {name: ActivationFunction(name, f, b) for name, (f, b) in _PAIRS.items()}


def get(identifier):
    """An activation from a name ('relu'), None (linear), one of this module's functions,
    or any object with `forward(z)` and `backward(grad, z, a)`."""
    if identifier is None:
        return ALIASES["linear"]
    if isinstance(identifier, str) and identifier in ALIASES:
        return ALIASES[identifier]
    if hasattr(identifier, "forward") and hasattr(identifier, "backward"):
        return identifier
    for act in ALIASES.values():
        if identifier is act._forward:
            return act
    errors.fail("activations.get", f"one of {sorted(ALIASES)}, None, or an object with forward/backward",
                identifier=identifier)


def serialize(activation):
    """The name under which `get` finds the activation again."""
    return get(activation).name
