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

Example: tanh forward, then its backward with an upstream gradient of ones, which is
tanh'(z) = 1 - a^2::

    >>> z = np.array([-1.0, 0.0, 2.0])
    >>> act = get("tanh")
    >>> a = act.forward(z); dz = act.backward(np.ones_like(z), z, a)
    >>> a.round(3), dz.round(3)
    (array([-0.762,  0.   ,  0.964]), array([0.42 , 1.   , 0.071]))
"""
import numpy as np

from bricks import errors
from bricks.registry import Registry

__all__ = ["linear", "sigmoid", "tanh", "relu", "softmax", "elu", "selu", "softplus", "leaky_relu",
           "hard_sigmoid", "ActivationFunction"]

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


def hard_sigmoid(z):
    """a = relu6(z + 3) / 6 = clip((z + 3) / 6, 0, 1), Keras 3's hard_sigmoid."""
    return np.clip((z + 3.0) / 6.0, 0.0, 1.0)


def hard_sigmoid_backward(grad, z, a):
    """da/dz = 1/6 where 0 < a < 1, else 0."""
    return grad * ((a > 0.0) & (a < 1.0)) / 6.0


class ActivationFunction:
    """A named activation: `.forward(z)`, `.backward(grad, z, a)`, `.name`.

    Those whose derivative is a function of the output (tanh, sigmoid, relu, linear,
    hard_sigmoid) also have `.grad(y)` = dy/da from the output y: what the recurrent
    step functions use, since a step keeps only its outputs.
    """

    def __init__(self, name, forward, backward, grad_from_output=None):
        self.name, self._forward, self._backward = name, forward, backward
        self.grad_from_output = grad_from_output

    def forward(self, z):
        return self._forward(z)

    def backward(self, grad, z, a):
        return self._backward(grad, z, a)

    def grad(self, y):
        """dy/da written with the output y = f(a)."""
        return self.grad_from_output(y)

    __call__ = forward

    def get_config(self):
        return {}

    def __repr__(self):
        return f"<activation {self.name}>"

    def __reduce__(self):
        """A registered activation pickles as its name (its gradient rules are lambdas, which
        pickle cannot store), and unpickles as the same registered object."""
        if ACTIVATIONS.entries.get(self.name) is self:
            return registered, (self.name,)
        return super().__reduce__()


ACTIVATIONS = Registry("activations")
for _name, _fns in {
        "linear": (linear, linear_backward, lambda y: np.ones_like(y)),
        "sigmoid": (sigmoid, sigmoid_backward, lambda y: y * (1.0 - y)),
        "tanh": (tanh, tanh_backward, lambda y: 1.0 - y * y),
        "relu": (relu, relu_backward, lambda y: (y > 0.0).astype(y.dtype)),
        "hard_sigmoid": (hard_sigmoid, hard_sigmoid_backward,
                         lambda y: ((y > 0.0) & (y < 1.0)).astype(y.dtype) / 6.0),
        "softmax": (softmax, softmax_backward), "elu": (elu, elu_backward),
        "selu": (selu, selu_backward), "softplus": (softplus, softplus_backward),
        "leaky_relu": (leaky_relu, leaky_relu_backward)}.items():
    ACTIVATIONS.register(ActivationFunction(_name, *_fns))


def registered(name):
    """The registered activation called `name` (what a pickled one unpickles as)."""
    return ACTIVATIONS.lookup(name)


def get(identifier, owner=None):
    """An activation from a name ('relu'), None (linear), one of this module's functions,
    or any object with `forward(z)` and `backward(grad, z, a)`; errors name `owner`."""
    if identifier is None:
        return ACTIVATIONS.lookup("linear")
    if hasattr(identifier, "forward") and hasattr(identifier, "backward"):
        return identifier
    for act in ACTIVATIONS.entries.values():
        if identifier is act._forward:
            return act
    if isinstance(identifier, str):
        return ACTIVATIONS.get(identifier, owner)
    errors.fail(owner or "activations.get", f"one of {ACTIVATIONS.names()}, None, or an object with "
                "forward/backward", identifier=identifier)


def serialize(activation):
    """The name under which `get` finds the activation again (Keras stores activations by name)."""
    return get(activation).name
