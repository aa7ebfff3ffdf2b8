"""Chapter 3, training: the SGD step, clipping by norm, a whole training loop."""

import numpy as np

from bricks.teaching.exercises import Case, Mistake, register
from bricks.teaching.exercises._common import normal, rng


def sgd_step(weights, grads, lr):
    return [w - lr * g for w, g in zip(weights, grads)]


register(
    "ch03.sgd_step",
    reference=sgd_step,
    cases=lambda: [
        Case(([normal(1, 2, 3), normal(2, 3)], [normal(3, 2, 3), normal(4, 3)], 0.1), note="a kernel and a bias"),
        Case(
            ([normal(5, 4, 2), normal(6, 2), normal(7, 2, 1)], [normal(8, 4, 2), normal(9, 2), normal(10, 2, 1)], 0.03),
            note="three arrays",
        ),
    ],
    forbidden=("bricks.optimizers:sgd_update",),
    mistakes=[
        Mistake(lambda ws, gs, lr: [w + lr * g for w, g in zip(ws, gs)], "w + lr g: gradient ascent", "sign"),
        Mistake(lambda ws, gs, lr: [w - g for w, g in zip(ws, gs)], "the learning rate is missing", "missing term"),
        Mistake(
            lambda ws, gs, lr: [w - lr * lr * g for w, g in zip(ws, gs)], "the learning rate applied twice", "factor"
        ),
        Mistake(lambda ws, gs, lr: [-lr * g for g in gs], "the step alone, without the old weights", "missing term"),
        Mistake(
            lambda ws, gs, lr: [ws[0] - lr * gs[0]] + list(ws[1:]), "only the first array is updated", "missing term"
        ),
        Mistake(
            lambda ws, gs, lr: [w - lr * g for w, g in zip(ws, gs[::-1]) if w.shape == g.shape] or ws,
            "the gradients paired with the wrong weights",
            "index",
        ),
    ],
)


def clip_by_norm(g, max_norm):
    norm = np.sqrt(np.sum(g * g))
    return g * (max_norm / max(norm, max_norm))


register(
    "ch03.clip_by_norm",
    reference=clip_by_norm,
    cases=lambda: [
        Case((np.array([[3.0, 4.0], [0.0, 12.0]]), 1.0), note="norm 13, threshold 1: rescaled"),
        Case((np.array([[3.0, 4.0], [0.0, 12.0]]), 100.0), note="norm 13, threshold 100: unchanged"),
        Case((np.array([[3.0, 4.0], [0.0, 12.0]]), 13.0), note="norm exactly at the threshold"),
        Case((normal(3, 3, 4), 1.5), note="random, rescaled"),
        Case((normal(4, 5), 50.0), note="random, unchanged"),
    ],
    forbidden=("bricks.optimizers:clip_gradients",),
    mistakes=[
        Mistake(
            lambda g, c: g * c / np.sqrt(np.sum(g * g)),
            "always rescaled to the threshold, also when the norm is already smaller",
            "formula",
        ),
        Mistake(
            lambda g, c: np.clip(g, -c, c), "each entry clipped to [-c, c] (clip by value), not the norm", "formula"
        ),
        Mistake(lambda g, c: g * min(1.0, c / np.sum(g * g)), "the squared norm (no square root)", "missing term"),
        Mistake(
            lambda g, c: g * max(1.0, c / np.sqrt(np.sum(g * g))),
            "max instead of min: small gradients are blown up",
            "formula",
        ),
        Mistake(lambda g, c: g * min(1.0, c / np.abs(g).max()), "the largest entry instead of the L2 norm", "formula"),
        Mistake(lambda g, c: g / np.sqrt(np.sum(g * g)), "normalised to norm 1, the threshold unused", "missing term"),
    ],
)


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def train_loop(X, y, w, b, lr, epochs, batch_size):
    for _ in range(epochs):
        for start in range(0, len(X), batch_size):  # mini-batches in order; the last may be smaller
            xb, yb = X[start : start + batch_size], y[start : start + batch_size]
            p = _sigmoid(xb @ w + b)  # (B,) forward
            g = (p - yb) / len(xb)  # (B,) dL/dz of the batch's mean cross-entropy
            w, b = w - lr * xb.T @ g, b - lr * g.sum()
    return w, b


def _loop(batches=None, grad=None, step=None):
    def wrong(X, y, w, b, lr, epochs, batch_size):
        for _ in range(epochs):
            starts = batches(len(X), batch_size) if batches else range(0, len(X), batch_size)
            for start in starts:
                xb, yb = X[start : start + batch_size], y[start : start + batch_size]
                p = _sigmoid(xb @ w + b)
                g = grad(p, yb, batch_size) if grad else (p - yb) / len(xb)
                w, b = step(w, b, lr, xb, g) if step else (w - lr * xb.T @ g, b - lr * g.sum())
        return w, b

    return wrong


def _tl_case(seed, N, D, epochs, batch, note=""):
    r = rng(seed)
    X = r.standard_normal((N, D))
    return Case(
        (
            X,
            (X @ r.standard_normal(D) + 0.3 * r.standard_normal(N) > 0).astype(float),
            0.1 * r.standard_normal(D),
            0.2,
            0.5,
            epochs,
            batch,
        ),
        note=note,
    )


register(
    "ch03.train_loop",
    outputs=("w", "b"),
    reference=train_loop,
    whole=True,
    cases=lambda: [
        _tl_case(51, 10, 2, 3, 4, "10 points in batches of 4: the last has 2"),
        _tl_case(52, 12, 3, 2, 3),
        _tl_case(53, 7, 2, 4, 7, "one full batch"),
    ],
    forbidden=("bricks.model:Sequential.fit",),
    mistakes=[
        Mistake(_loop(batches=lambda n, B: range(0, n - B + 1, B)), "the last, smaller batch is dropped", "off-by-one"),
        Mistake(
            _loop(grad=lambda p, y, B: (p - y) / B),
            "divided by batch_size, not by the batch's own length (the last batch is smaller)",
            "factor",
        ),
        Mistake(
            _loop(step=lambda w, b, lr, xb, g: (w + lr * xb.T @ g, b + lr * g.sum())),
            "w + lr g: gradient ascent",
            "sign",
        ),
        Mistake(
            _loop(step=lambda w, b, lr, xb, g: (w - lr * xb.T @ g, b)), "the bias is never updated", "missing term"
        ),
        Mistake(_loop(grad=lambda p, y, B: p - y), "the batch's sum, not its mean", "factor"),
        Mistake(
            _loop(step=lambda w, b, lr, xb, g: (w - lr * (xb * g[:, None]).mean(0), b - lr * g.sum())),
            "the weight gradient averaged a second time (the 1/B is already in g)",
            "factor",
        ),
    ],
)
