"""A scalar automatic differentiation in about fifty lines: backpropagation, reverse accumulation.

A `Value` is one number that remembers the operation that made it, its
parents, and the *local* derivative of itself with respect to each parent.
`backward()` visits the graph from the result back to the leaves (a reversed
topological order, so a node is finished before its parents are visited) and
applies the chain rule at every node:

    parent.grad += (d node / d parent) * node.grad        (dL/dL = 1 at the start)

The `+=` is the sum over paths: a value used twice (a weight seen by every
example) collects one term per use. That is all of backpropagation; a bricks
layer's `backward` does the same for a whole matrix at once (Dense's delta,
kernel gradient and input gradient are these sums, vectorized).

numpy arrays of dtype object hold Values, so `X @ W` and `(h - Y) ** 2` build
the graph entry by entry: `array`, `data` and `grad` convert, `sigmoid` maps.

Example:
    >>> w, x, b = Value(0.5), Value(2.0), Value(-0.5)
    >>> loss = ((w * x + b).sigmoid() - 1.0) ** 2 * 0.5
    >>> loss.backward()
    >>> round(loss.data, 4), round(w.grad, 4), round(x.grad, 4)
    (0.0713, -0.1774, -0.0444)
"""
import math

import numpy as np

__all__ = ["Value", "array", "data", "grad", "sigmoid", "topological_order"]


class Value:
    """A scalar node: `data`, `grad` (dL/dself after `backward`), parents and local derivatives."""

    def __init__(self, data, parents=(), local=(), op=""):
        self.data, self.grad = float(data), 0.0
        self.parents, self.local, self.op = tuple(parents), tuple(local), op

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data + other.data, (self, other), (1.0, 1.0), "+")

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data * other.data, (self, other), (other.data, self.data), "*")

    def __pow__(self, k):  # k a plain number
        return Value(self.data ** k, (self,), (k * self.data ** (k - 1),), f"**{k}")

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return (-self) + other

    def __truediv__(self, other):
        return self * other ** -1 if isinstance(other, Value) else self * (1.0 / other)

    __radd__, __rmul__ = __add__, __mul__

    def sigmoid(self):
        s = 1.0 / (1.0 + math.exp(-self.data))
        return Value(s, (self,), (s * (1.0 - s),), "sigmoid")  # sigma' = sigma (1 - sigma)

    def log(self):
        return Value(math.log(self.data), (self,), (1.0 / self.data,), "log")

    def backward(self):
        """dself/dv for every v this value depends on, left in v.grad (grads accumulate: reset first)."""
        self.grad = 1.0
        for node in reversed(topological_order(self)):
            for parent, d_local in zip(node.parents, node.local):
                parent.grad += d_local * node.grad  # the chain rule, summed over paths

    def __repr__(self):
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g}{', op=' + self.op if self.op else ''})"


def topological_order(root):
    """Every node `root` depends on, each after all of its parents (iterative depth-first search)."""
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((p, False) for p in node.parents if id(p) not in seen)
    return order


def array(a):
    """A float array as an object array of leaf Values (same shape)."""
    a = np.asarray(a, dtype=np.float64)
    out = np.empty(a.shape, dtype=object)
    for idx in np.ndindex(a.shape):
        out[idx] = Value(a[idx])
    return out


def data(a):
    """The float array of an object array of Values."""
    return np.vectorize(lambda v: v.data, otypes=[np.float64])(a)


def grad(a):
    """The float array of the gradients of an object array of Values."""
    return np.vectorize(lambda v: v.grad, otypes=[np.float64])(a)


def sigmoid(a):
    """Elementwise sigmoid of an object array of Values."""
    return np.vectorize(lambda v: v.sigmoid(), otypes=[object])(a)
