"""What did the model use? Integrated Gradients, gradient x input, permutation importance.

Integrated Gradients (IG) credits input i with the straight-line integral of the model's
gradient from a baseline x' to the input x:

    IG_i(x) = (x_i - x'_i) * integral_0^1 dF(x' + a (x - x'))/dx_i da,

and by the fundamental theorem of calculus along that path the credits add up exactly:
sum_i IG_i(x) = F(x) - F(x')  (completeness). The integral is a quadrature over `steps`
points; its error is what `completeness` measures. Every gradient here is the model's own
backward pass, `model.backward(g)` after `model.forward(points)`, which carries g through
every layer (the version in circulation differentiates one layer by hand and forgets the
rest). Gradient x input is x * dF/dx at x alone: one point, no completeness. Permutation
importance shuffles one feature (or a group of correlated features together) across
samples and measures how much the score drops.

    >>> model = bricks.Sequential([bricks.Input((3,)), bricks.Dense(4, activation="tanh"),
    ...                            bricks.Dense(1)])
    >>> x = np.random.default_rng(0).normal(size=(5, 3))
    >>> attr = integrated_gradients(model, x, steps=64)          # shaped like x
    >>> attr.shape, completeness(model, x, attr)["max_rel_error"] < 1e-3
    ((5, 3), True)
"""
import numpy as np

from bricks import backend, errors

__all__ = ["input_gradient", "gradient_x_input", "integrated_gradients", "completeness",
           "permutation_importance"]


def _output(model, x, target):
    """F(x): the model output (N, K) reduced to the scalar per sample named by `target`, (N,)."""
    raw = np.asarray(model.forward(x, training=False))
    out = raw.reshape(len(raw), -1)  # (N, K)
    if target is None and out.shape[1] != 1:
        errors.fail("attribution", "target=<output index> for a model with several outputs",
                    **{"output.shape": raw.shape})
    return out[:, 0 if target is None else target], raw.shape


def input_gradient(model, x, target=None, batch_size=4096):
    """dF/dx for each sample, by the model's backward pass. Output shape: same as x.

    F is output column `target` (may be None for one output). The upstream gradient is a
    one-hot row per sample, so backward returns exactly dF(x_n)/dx_n for every n.
    """
    x = np.asarray(x, dtype=backend.floatx())
    grads = []
    for lo in range(0, len(x), batch_size):  # chunks bound the memory of long paths
        xb = x[lo:lo + batch_size]
        _, shape = _output(model, xb, target)  # forward keeps what backward needs
        g = np.zeros((shape[0], int(np.prod(shape[1:]))))  # (n, K) one-hot upstream gradient
        g[:, 0 if target is None else target] = 1.0
        grads.append(np.asarray(model.backward(g.reshape(shape))))
    return np.concatenate(grads).reshape(x.shape)


def gradient_x_input(model, x, target=None, baseline=None):
    """(x - baseline) * dF/dx at x (baseline 0 by default): a one-point linearisation."""
    x = np.asarray(x, dtype=backend.floatx())
    base = np.zeros_like(x) if baseline is None else np.broadcast_to(baseline, x.shape)
    return (x - base) * input_gradient(model, x, target)


def _nodes(steps, method):
    """Quadrature points a in [0, 1] and weights w with sum w = 1."""
    if method == "trapezoid":
        a = np.linspace(0.0, 1.0, steps + 1)  # (S+1,) both ends
        w = np.full(steps + 1, 1.0 / steps)
        w[[0, -1]] /= 2
    elif method == "riemann_right":
        a, w = np.arange(1, steps + 1) / steps, np.full(steps, 1.0 / steps)
    elif method == "riemann_middle":
        a, w = (np.arange(steps) + 0.5) / steps, np.full(steps, 1.0 / steps)
    elif method == "gauss_legendre":
        t, w = np.polynomial.legendre.leggauss(steps)  # on [-1, 1]
        a, w = (t + 1) / 2, w / 2
    else:
        errors.fail("integrated_gradients", "method 'trapezoid', 'riemann_right', 'riemann_middle' "
                    "or 'gauss_legendre'", method=method)
    return a, w


def integrated_gradients(model, x, baseline=None, target=None, steps=50, method="trapezoid",
                         batch_size=4096):
    """Integrated Gradients of output `target` for each sample of x.

    Args:
        model: anything with `forward(x, training=False)` and `backward(grad) -> dL/dx`
            (a bricks Sequential or a single layer).
        x: (N, ...) inputs; baseline: broadcastable to x (default zeros: "no signal").
        target: output column (None for a one-output model).
        steps: quadrature intervals; method: 'trapezoid' (default), 'riemann_right',
            'riemann_middle' or 'gauss_legendre' (far fewer steps for smooth models).
    Returns:
        Attributions shaped like x; `completeness(model, x, attr, baseline)` checks them.
    """
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        errors.fail("integrated_gradients", "steps, an integer >= 1 (quadrature intervals)", steps=steps)
    x = np.asarray(x, dtype=backend.floatx())
    base = np.zeros_like(x) if baseline is None else np.broadcast_to(np.asarray(baseline, x.dtype), x.shape)
    alphas, weights = _nodes(steps, method)  # (S,), (S,)
    shape = (len(alphas),) + (1,) * x.ndim
    path = base[None] + alphas.reshape(shape) * (x - base)[None]  # (S, N, ...) points on the line
    grads = input_gradient(model, path.reshape(-1, *x.shape[1:]), target, batch_size)
    avg = np.tensordot(weights, grads.reshape(path.shape), axes=1)  # (N, ...) mean gradient
    return (x - base) * avg


def completeness(model, x, attributions, baseline=None, target=None):
    """Check sum_i IG_i = F(x) - F(baseline) per sample.

    Returns a dict: sum (N,), delta (N,) = F(x) - F(baseline), abs_error (N,),
    max_abs_error and max_rel_error = max |sum - delta| / max(|delta|).
    """
    x = np.asarray(x, dtype=backend.floatx())
    base = np.zeros_like(x) if baseline is None else np.broadcast_to(baseline, x.shape)
    fx, _ = _output(model, x, target)
    fb, _ = _output(model, np.ascontiguousarray(base), target)
    total = np.asarray(attributions).reshape(len(x), -1).sum(axis=1)  # (N,)
    delta = fx - fb
    err = np.abs(total - delta)
    return {"sum": total, "delta": delta, "abs_error": err, "max_abs_error": float(err.max()),
            "max_rel_error": float(err.max() / max(np.abs(delta).max(), 1e-300))}


def permutation_importance(predict, x, y, score, groups=None, n_repeats=5, strata=None, seed=None):
    """Drop in `score` when a feature (or a group of features) is shuffled across samples.

    Shuffling a column breaks its link with y but keeps its distribution. Correlated
    features cover for each other when shuffled alone, so each looks unimportant;
    shuffling the group together (the same permutation for all its columns) shows their
    joint importance.

    Args:
        predict: callable x -> predictions (e.g. `model.predict`).
        x: (N, ..., F), features on the last axis (a window (N, T, F) shuffles whole histories).
        y: targets; score: callable(y, pred) -> float, higher is better.
        groups: {name: [feature indices]} (default: one group per feature, named by index).
        n_repeats: shuffles per group; strata: (N,) labels (e.g. dates): shuffle within each.
    Returns:
        {"base": score on intact x, "importance": {name: mean drop}, "std": {name: std of drop}}.
    """
    x = np.asarray(x)
    rng = backend.make_rng(seed)
    groups = groups or {str(j): [j] for j in range(x.shape[-1])}
    base = float(score(y, predict(x)))
    strata = None if strata is None else np.asarray(strata)
    blocks = [np.arange(len(x))] if strata is None else [np.flatnonzero(strata == s) for s in np.unique(strata)]
    imp, std = {}, {}
    for name, cols in groups.items():
        drops = []
        for _ in range(n_repeats):
            perm = np.arange(len(x))
            for b in blocks:  # shuffle within each stratum
                perm[b] = b[rng.permutation(len(b))]
            xp = x.copy()
            xp[..., cols] = x[perm][..., cols]  # the same permutation for the whole group
            drops.append(base - float(score(y, predict(xp))))
        imp[name], std[name] = float(np.mean(drops)), float(np.std(drops))
    return {"base": base, "importance": imp, "std": std}
