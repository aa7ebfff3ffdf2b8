"""Finite-difference gradient checks, the referee of every backward pass.

The centered difference of a scalar function f at x along coordinate i,

    df/dx_i ~= (f(x + h e_i) - f(x - h e_i)) / (2 h),

has error O(h^2); with h = 1e-5 in float64 it agrees with a correct analytic
gradient to about 1e-9 relative error. A layer is checked as a vector-Jacobian
product: pick a random upstream gradient g (same shape as the output), let
L = sum(forward(x) * g), then backward(g) must equal dL/dx and dL/dW.

    rel_error(a, b) = ||a - b|| / max(||a|| + ||b||, 1e-300)

Example:
    >>> errs = check_layer(bricks.Dense(3), np.random.default_rng(0).normal(size=(4, 2)))
    >>> sorted(errs)                        # the input and every weight
    ['bias', 'kernel', 'x']
    >>> max(errs.values()) < 1e-7
    True
"""
import numpy as np


def rel_error(a, b):
    """Norm-wise relative error between two arrays (0 when both are zero)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300))


def numerical_gradient(f, x, h=1e-5):
    """d f() / d x by centered differences; `x` is perturbed in place and restored.

    Args:
        f: a function of no arguments returning a float that reads `x`.
        x: a float ndarray (float64 for exact checks).
        h: the step.
    Returns:
        An array shaped like `x`.
    """
    grad = np.zeros(x.shape, dtype=np.float64)
    flat, gflat = x.reshape(-1), grad.reshape(-1)  # views: writing flat writes x
    if not np.shares_memory(flat, x):
        raise ValueError(f"numerical_gradient: expected a contiguous array. Received: x.shape={x.shape}")
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        f_plus = f()
        flat[i] = old - h
        f_minus = f()
        flat[i] = old
        gflat[i] = (f_plus - f_minus) / (2 * h)
    return grad


def _as_list(out):
    return list(out) if isinstance(out, (list, tuple)) else [out]


def check_layer(layer, x, seed=7, h=1e-5, training=False, wrt_input=True):
    """Compare a layer's backward with finite differences, for the input and every weight.

    Args:
        layer: a bricks layer (built lazily on the first forward).
        x: the input, float64.
        seed: seed of the random upstream gradient (not 0: tests draw x from seed 0, and
            an upstream gradient equal to x would make some checks vacuous).
        training: passed to forward (noise layers must then be seeded to be repeatable).
        wrt_input: False for inputs that are not differentiable (Embedding's integer ids).
    Returns:
        {"x": rel_error, "kernel": rel_error, ...}: one entry for the input and one per
        trainable array (a sublayer's keyed by its path, e.g. "residual/dense/kernel").
    """
    x = np.array(x, dtype=np.float64 if wrt_input else None)
    outs = _as_list(layer.forward(x, training=training))
    rng = np.random.default_rng(seed)
    upstream = [rng.standard_normal(o.shape) for o in outs]

    def loss():
        return float(sum(np.sum(o * g) for o, g in zip(_as_list(layer.forward(x, training=training)), upstream)))

    loss()  # refresh the cache for exactly this x
    dx = layer.backward(upstream if len(upstream) > 1 else upstream[0])
    weights = [(k if owner is layer else path, owner, k) for path, owner, k in layer.variables()]
    analytic = {label: owner.grads[k].copy() for label, owner, k in weights}
    errors = {"x": rel_error(dx, numerical_gradient(loss, x, h))} if wrt_input else {}
    for label, owner, k in weights:  # sublayers (Residual, Bidirectional) by their path
        errors[label] = rel_error(analytic[label], numerical_gradient(loss, owner.params[k], h))
    return errors


def check_function(f, grad_f, x, h=1e-5):
    """rel_error between `grad_f(x)` and the finite-difference gradient of scalar `f(x)`."""
    x = np.array(x, dtype=np.float64)
    return rel_error(grad_f(x), numerical_gradient(lambda: f(x), x, h))
