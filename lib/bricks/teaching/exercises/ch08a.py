"""Part II's final assignment (end of chapter 8a): a deep residual stack from the student's own bricks.

He initialization (8a), layer normalization forward and backward (8), and the backward pass of a
pre-norm residual block y = x + relu(layernorm(x) W + c) (8) that uses them; the notebook then
stacks twenty blocks, checks the whole stack by finite differences and trains it.
"""

import copy

import numpy as np

from bricks.teaching.exercises import Case, Mistake, register
from bricks.teaching.exercises._common import rng


def he_normal(fan_in, fan_out, generator):
    return generator.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))


def _he_case(seed, fan_in, fan_out, note=""):
    return Case((fan_in, fan_out, np.random.default_rng(seed)), note=note)


def _draw(std_of, kind="normal"):
    def wrong(fan_in, fan_out, generator):
        std = std_of(fan_in, fan_out)
        if kind == "uniform":
            limit = np.sqrt(3.0) * std
            return generator.uniform(-limit, limit, size=(fan_in, fan_out))
        return generator.normal(0.0, std, size=(fan_in, fan_out))

    return wrong


register(
    "ch08a.he_normal",
    reference=he_normal,
    cases=lambda: [
        _he_case(1, 8, 16, note="8 inputs, 16 units"),
        _he_case(2, 16, 16),
        _he_case(3, 30, 5, note="more inputs than units: fan_in and fan_out differ"),
    ],
    forbidden=("bricks.initializers:HeNormal.__call__", "bricks.initializers:VarianceScaling.__call__"),
    mistakes=[
        Mistake(_draw(lambda i, o: np.sqrt(1.0 / i)), "variance 1 / fan_in: LeCun's, made for SELU, not ReLU", "factor"),
        Mistake(_draw(lambda i, o: np.sqrt(2.0 / (i + o))), "variance 2 / (fan_in + fan_out): Glorot's", "formula"),
        Mistake(_draw(lambda i, o: 2.0 / i), "2 / fan_in used as the standard deviation (the square root is missing)",
                "missing term"),
        Mistake(_draw(lambda i, o: np.sqrt(2.0 / o)), "fan_out instead of fan_in", "index"),
        Mistake(_draw(lambda i, o: np.sqrt(2.0 / i), "uniform"), "a uniform draw (He uniform), not a normal one",
                "formula"),
        Mistake(lambda i, o, g: g.normal(0.0, np.sqrt(2.0 / i), size=(o, i)),
                "shape (fan_out, fan_in): a kernel is (inputs, units)", "shape"),
    ],
)


def layernorm_forward(x, gamma, beta, eps=1e-3):
    mu = x.mean(axis=-1, keepdims=True)  # (N, 1)
    var = x.var(axis=-1, keepdims=True)  # (N, 1)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta  # (N, D)


def _ln_case(seed, N, D, note=""):
    r = rng(seed)
    x = 2.0 * r.standard_normal((N, D)) + r.standard_normal((N, 1))  # rows with their own mean
    return Case((x, 1.0 + 0.5 * r.standard_normal(D), 0.3 * r.standard_normal(D)), note=note)


def _ln(axis=-1, ddof=0, scale=None):
    def wrong(x, gamma, beta, eps=1e-3):
        mu = x.mean(axis=axis, keepdims=True)
        var = x.var(axis=axis, keepdims=True, ddof=ddof)
        s = scale(var, eps) if scale else np.sqrt(var + eps)
        return gamma * (x - mu) / s + beta

    return wrong


register(
    "ch08a.layernorm_forward",
    reference=layernorm_forward,
    cases=lambda: [
        _ln_case(11, 4, 6, note="4 samples, 6 features"),
        _ln_case(12, 6, 3),
        _ln_case(13, 1, 5, note="one sample: the statistics are the row's own"),
    ],
    forbidden=("bricks.layers.normalization:LayerNormalization.forward",),
    mistakes=[
        Mistake(_ln(axis=0), "statistics over the batch (axis 0): that is BatchNormalization", "formula"),
        Mistake(_ln(ddof=1), "the sample variance (ddof=1); layer normalization divides by D", "factor"),
        Mistake(_ln(scale=lambda v, e: np.sqrt(v) + e), "epsilon outside the square root", "formula"),
        Mistake(_ln(scale=lambda v, e: v + e), "divided by the variance, not the standard deviation", "missing term"),
        Mistake(lambda x, g, b, eps=1e-3: b * _ln()(x, 1.0, 0.0, eps) + g, "gamma and beta swapped", "other"),
        Mistake(lambda x, g, b, eps=1e-3: _ln()(x, 1.0, 0.0, eps), "gamma and beta left out", "missing term"),
    ],
)


def layernorm_backward(dy, x, gamma, eps=1e-3):
    mu = x.mean(axis=-1, keepdims=True)  # (N, 1)
    s = np.sqrt(x.var(axis=-1, keepdims=True) + eps)  # (N, 1)
    xhat = (x - mu) / s  # (N, D)
    dxhat = dy * gamma  # (N, D)
    dx = (dxhat - dxhat.mean(axis=-1, keepdims=True) - xhat * (dxhat * xhat).mean(axis=-1, keepdims=True)) / s
    return dx, (dy * xhat).sum(axis=0), dy.sum(axis=0)


def _lnb_case(seed, N, D, note=""):
    r = rng(seed)
    x, gamma, _ = _ln_case(seed, N, D).args
    return Case((r.standard_normal((N, D)) + 0.5, x, gamma), note=note)


def _lnb_gradient(answer, case):
    """rel_error of dx, dgamma, dbeta against finite differences of sum(dy * layernorm(x))."""
    from bricks.teaching import gradcheck

    dy, x, gamma = copy.deepcopy(case.args)
    beta = np.zeros_like(gamma)
    dx, dgamma, dbeta = answer(dy.copy(), x.copy(), gamma.copy())

    def f():
        return np.sum(dy * layernorm_forward(x, gamma, beta))

    return {
        "dx": gradcheck.rel_error(dx, gradcheck.numerical_gradient(f, x)),
        "dgamma": gradcheck.rel_error(dgamma, gradcheck.numerical_gradient(f, gamma)),
        "dbeta": gradcheck.rel_error(dbeta, gradcheck.numerical_gradient(f, beta)),
    }


def _lnb(dx_of=None, dgamma_of=None, axis=-1, gamma_used=True):
    def wrong(dy, x, gamma, eps=1e-3):
        mu = x.mean(axis=axis, keepdims=True)
        s = np.sqrt(x.var(axis=axis, keepdims=True) + eps)
        xhat = (x - mu) / s
        dxhat = dy * gamma if gamma_used else dy
        if dx_of:
            dx = dx_of(dxhat, xhat, s)
        else:
            dx = (dxhat - dxhat.mean(axis=axis, keepdims=True)
                  - xhat * (dxhat * xhat).mean(axis=axis, keepdims=True)) / s
        dgamma = dgamma_of(dy, xhat) if dgamma_of else (dy * xhat).sum(axis=0)
        return dx, dgamma, dy.sum(axis=0)

    return wrong


register(
    "ch08a.layernorm_backward",
    outputs=("dx", "dgamma", "dbeta"),
    reference=layernorm_backward,
    whole=True,
    gradient=_lnb_gradient,
    cases=lambda: [
        _lnb_case(21, 4, 6, note="4 samples, 6 features"),
        _lnb_case(22, 7, 3),
        _lnb_case(23, 3, 8),
    ],
    forbidden=("bricks.layers.normalization:LayerNormalization.backward",),
    mistakes=[
        Mistake(_lnb(dx_of=lambda d, xh, s: d / s), "dx = dy gamma / s: the paths through the mean and the "
                "variance are missing", "missing term"),
        Mistake(_lnb(dx_of=lambda d, xh, s: (d - d.mean(axis=-1, keepdims=True)) / s),
                "the path through the variance (- xhat mean(dxhat xhat)) is missing", "missing term"),
        Mistake(_lnb(axis=0), "means over the batch (axis 0): BatchNormalization's backward", "formula"),
        Mistake(_lnb(gamma_used=False), "gamma is missing from dxhat = dy gamma", "missing term"),
        Mistake(_lnb(dgamma_of=lambda dy, xh: dy * xh), "dgamma not summed over the samples", "shape"),
        Mistake(_lnb(dgamma_of=lambda dy, xh: dy.sum(axis=0)), "dgamma = sum(dy): the xhat factor is missing",
                "missing term"),
    ],
)


def relu(z):
    return np.maximum(z, 0.0)


def block_forward(x, p):
    u = layernorm_forward(x, p["gamma"], p["beta"])  # (N, D)
    a = u @ p["W"] + p["c"]  # (N, D)
    return x + relu(a)


def block_backward(dy, x, p):
    u = layernorm_forward(x, p["gamma"], p["beta"])  # (N, D) recomputed from the input
    a = u @ p["W"] + p["c"]  # (N, D)
    da = dy * (a > 0)  # (N, D) through the ReLU
    du = da @ p["W"].T  # (N, D)
    dx_branch, dgamma, dbeta = layernorm_backward(du, x, p["gamma"])
    grads = {"gamma": dgamma, "beta": dbeta, "W": u.T @ da, "c": da.sum(axis=0)}
    return dy + dx_branch, grads  # the skip path adds dy unchanged


def _block_params(r, D):
    return {"gamma": 1.0 + 0.3 * r.standard_normal(D), "beta": 0.3 * r.standard_normal(D),
            "W": r.standard_normal((D, D)) * np.sqrt(2.0 / D), "c": 0.2 * r.standard_normal(D)}


def _block_case(seed, N, D, note=""):
    r = rng(seed)
    return Case((r.standard_normal((N, D)), 2.0 * r.standard_normal((N, D)), _block_params(r, D)), note=note)


def _block_gradient(answer, case):
    """rel_error of dx and of every weight's gradient against finite differences of sum(dy * block(x))."""
    from bricks.teaching import gradcheck

    dy, x, p = copy.deepcopy(case.args)
    dx, grads = answer(dy.copy(), x.copy(), copy.deepcopy(p))

    def f():
        return np.sum(dy * block_forward(x, p))

    errors = {"dx": gradcheck.rel_error(dx, gradcheck.numerical_gradient(f, x))}
    for k in ("gamma", "beta", "W", "c"):
        errors[k] = gradcheck.rel_error(grads[k], gradcheck.numerical_gradient(f, p[k]))
    return errors


def _bb(change):
    """A block_backward with one slip: `change(parts)` returns (dx, grads)."""

    def wrong(dy, x, p):
        q = {"dy": dy, "x": x, "p": p}
        q["u"] = layernorm_forward(x, p["gamma"], p["beta"])
        q["a"] = q["u"] @ p["W"] + p["c"]
        return change(q)

    return wrong


def _rest(q, da, du=None, skip=True, ln=True, dW=None, dc=None):
    du = da @ q["p"]["W"].T if du is None else du
    if ln:
        dxb, dg, db = layernorm_backward(du, q["x"], q["p"]["gamma"])
    else:
        dxb, dg, db = du, np.zeros_like(q["p"]["gamma"]), np.zeros_like(q["p"]["beta"])
    grads = {"gamma": dg, "beta": db, "W": q["u"].T @ da if dW is None else dW, "c": da.sum(axis=0) if dc is None else dc}
    return (q["dy"] + dxb if skip else dxb), grads


register(
    "ch08a.block_backward",
    outputs=("dx", "gradients"),
    reference=block_backward,
    whole=True,
    gradient=_block_gradient,
    cases=lambda: [
        _block_case(31, 5, 4, note="5 samples, width 4"),
        _block_case(32, 3, 6),
        _block_case(33, 8, 3),
    ],
    forbidden=("bricks.layers.residual:Residual.backward",),
    mistakes=[
        Mistake(_bb(lambda q: _rest(q, q["dy"] * (q["a"] > 0), skip=False)),
                "the skip path is missing: dx must add dy itself", "missing term"),
        Mistake(_bb(lambda q: _rest(q, q["dy"] * (q["u"] > 0))),
                "the ReLU mask taken from the normalized input u, not from the pre-activation a", "formula"),
        Mistake(_bb(lambda q: _rest(q, q["dy"])), "the ReLU's mask is missing", "missing term"),
        Mistake(_bb(lambda q: _rest(q, q["dy"] * (q["a"] > 0), du=(q["dy"] * (q["a"] > 0)) @ q["p"]["W"])),
                "du = da W: W^T is needed", "transpose"),
        Mistake(_bb(lambda q: _rest(q, q["dy"] * (q["a"] > 0), dW=(q["dy"] * (q["a"] > 0)).T @ q["u"])),
                "dW = da^T u: the kernel's gradient transposed", "transpose"),
        Mistake(_bb(lambda q: _rest(q, q["dy"] * (q["a"] > 0), ln=False)),
                "the layer normalization's backward is skipped (treated as the identity)", "missing term"),
        Mistake(_bb(lambda q: _rest(q, q["dy"] * (q["a"] > 0), dc=(q["dy"] * (q["a"] > 0)).mean(axis=0))),
                "dc averaged over the samples instead of summed", "factor"),
    ],
)
