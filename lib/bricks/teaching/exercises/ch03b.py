"""Part I's final assignment (end of chapter 3b): a spiral classifier from the student's own bricks.

Three pieces, each a whole one: the loss and its gradients for a one-hidden-layer tanh network
with a softmax output (chapters 2, 2a), Adam over a dict of weights (3a), and the training loop
that uses both (3). The notebook then runs the loop and reads the recipe's first check (3b).
"""

import copy

import numpy as np

from bricks.teaching.exercises import Case, Mistake, register
from bricks.teaching.exercises._common import rng

KEYS = ("W1", "b1", "W2", "b2")


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def loss_and_grads(params, X, y):
    N = len(X)
    h = np.tanh(X @ params["W1"] + params["b1"])  # (N, H)
    p = _softmax(h @ params["W2"] + params["b2"])  # (N, C)
    loss = -np.mean(np.log(p[np.arange(N), y]))
    dz = p.copy()
    dz[np.arange(N), y] -= 1.0
    dz /= N  # (N, C) dL/dz of the mean cross-entropy
    da = (dz @ params["W2"].T) * (1.0 - h**2)  # (N, H)
    grads = {"W1": X.T @ da, "b1": da.sum(axis=0), "W2": h.T @ dz, "b2": dz.sum(axis=0)}
    return loss, grads


def _params(r, D, H, C, scale=1.0, shift=0.0):
    return {
        "W1": r.standard_normal((D, H)),
        "b1": 0.3 * r.standard_normal(H),
        "W2": scale * r.standard_normal((H, C)),
        "b2": shift + 0.3 * r.standard_normal(C),
    }


def _lg_case(seed, N, D, H, C, shift=0.0, note=""):
    r = rng(seed)
    params = _params(r, D, H, C, shift=shift)
    X = r.standard_normal((N, D))
    y = np.concatenate([np.arange(C), r.integers(0, C, N - C)])  # every class present
    return Case((params, X, y), note=note)


def _lg_gradient(answer, case):
    """rel_error of each of the answer's gradients against finite differences of the reference loss."""
    from bricks.teaching import gradcheck

    params, X, y = copy.deepcopy(case.args)
    _, got = answer(copy.deepcopy(params), X, y)
    errors = {}
    for k in KEYS:
        num = gradcheck.numerical_gradient(lambda: loss_and_grads(params, X, y)[0], params[k])
        errors[k] = gradcheck.rel_error(got[k], num)
    return errors


def _lg(logits=None, loss=None, dz=None, act=None, grads=None):
    """A loss_and_grads with one slip: each argument replaces one step."""

    def wrong(params, X, y):
        N = len(X)
        h = np.tanh(X @ params["W1"] + params["b1"])
        z = h @ params["W2"] + params["b2"]
        p = logits(z) if logits else _softmax(z)
        L = loss(p, y) if loss else -np.mean(np.log(p[np.arange(N), y]))
        if dz:
            d = dz(p, y)
        else:
            d = p.copy()
            d[np.arange(N), y] -= 1.0
            d /= N
        da = (d @ params["W2"].T) * (act(h) if act else 1.0 - h**2)
        g = {"W1": X.T @ da, "b1": da.sum(axis=0), "W2": h.T @ d, "b2": d.sum(axis=0)}
        return L, grads(g, d, da, h, X) if grads else g

    return wrong


def _onehot(y, C):
    return np.eye(C)[y]


register(
    "ch03b.loss_and_grads",
    outputs=("mean cross-entropy", "gradients"),
    reference=loss_and_grads,
    whole=True,
    gradient=_lg_gradient,
    cases=lambda: [
        _lg_case(61, 6, 2, 4, 3, note="the spiral's shapes: 2 inputs, 3 classes"),
        _lg_case(62, 5, 3, 3, 2, note="two classes"),
        _lg_case(63, 7, 2, 5, 4, shift=800.0, note="logits near 800: exp overflows without the max shift"),
    ],
    forbidden=("bricks.activations:softmax", "bricks.losses:SparseCategoricalCrossentropy.__call__"),
    mistakes=[
        Mistake(
            _lg(logits=lambda z: np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)),
            "softmax without subtracting the row's maximum: exp overflows on large logits (NaN)",
            "formula",
        ),
        Mistake(
            _lg(dz=lambda p, y: p - _onehot(y, p.shape[1])),
            "dz = p - Y without the 1/N of the mean loss",
            "factor",
        ),
        Mistake(_lg(act=lambda h: 1.0 - h), "tanh'(a) written 1 - h instead of 1 - h^2", "formula"),
        Mistake(_lg(act=lambda h: 1.0), "tanh' is missing from the hidden layer's gradient", "missing term"),
        Mistake(
            _lg(loss=lambda p, y: -np.sum(np.log(p[np.arange(len(y)), y]))),
            "the loss is summed over the samples, not averaged",
            "factor",
        ),
        Mistake(
            _lg(dz=lambda p, y: (_onehot(y, p.shape[1]) - p) / len(y)),
            "Y - p instead of p - Y: every gradient has the wrong sign",
            "sign",
        ),
        Mistake(
            _lg(grads=lambda g, d, da, h, X: {**g, "b1": da.mean(axis=0), "b2": d.mean(axis=0)}),
            "the bias gradients average over the samples (the 1/N is already in dz)",
            "factor",
        ),
    ],
)


def adam_update(params, grads, state, lr, beta_1=0.9, beta_2=0.999, eps=1e-7):
    t = state["t"] + 1
    alpha = lr * np.sqrt(1 - beta_2**t) / (1 - beta_1**t)  # bias corrections folded into the rate
    new_params, m, v = {}, {}, {}
    for k in params:
        m[k] = beta_1 * state["m"][k] + (1 - beta_1) * grads[k]
        v[k] = beta_2 * state["v"][k] + (1 - beta_2) * grads[k] ** 2
        new_params[k] = params[k] - alpha * m[k] / (np.sqrt(v[k]) + eps)
    return new_params, {"t": t, "m": m, "v": v}


def _adam_case(seed, t, lr, note=""):
    r = rng(seed)
    params = _params(r, 2, 3, 3)
    grads = {k: r.standard_normal(a.shape) for k, a in params.items()}
    if t == 0:
        state = {"t": 0, "m": {k: np.zeros_like(a) for k, a in params.items()},
                 "v": {k: np.zeros_like(a) for k, a in params.items()}}
    else:
        state = {"t": t, "m": {k: 0.1 * r.standard_normal(a.shape) for k, a in params.items()},
                 "v": {k: 0.05 * r.random(a.shape) for k, a in params.items()}}
    return Case((params, grads, state, lr), note=note)


def _adam(m_of=None, v_of=None, alpha_of=None, step_of=None, t_of=None):
    """An adam_update with one slip."""

    def wrong(params, grads, state, lr, beta_1=0.9, beta_2=0.999, eps=1e-7):
        t = t_of(state["t"]) if t_of else state["t"] + 1
        alpha = alpha_of(lr, t, beta_1, beta_2) if alpha_of else lr * np.sqrt(1 - beta_2**t) / (1 - beta_1**t)
        new_params, m, v = {}, {}, {}
        for k in params:
            g = grads[k]
            m[k] = m_of(state["m"][k], g, beta_1) if m_of else beta_1 * state["m"][k] + (1 - beta_1) * g
            v[k] = v_of(state["v"][k], g, beta_2) if v_of else beta_2 * state["v"][k] + (1 - beta_2) * g**2
            step = step_of(m[k], v[k], eps) if step_of else m[k] / (np.sqrt(v[k]) + eps)
            new_params[k] = params[k] - alpha * step
        return new_params, {"t": t, "m": m, "v": v}

    return wrong


register(
    "ch03b.adam_update",
    outputs=("new params", "new state"),
    reference=adam_update,
    whole=True,
    cases=lambda: [
        _adam_case(71, 0, 0.01, note="the first step, t = 0 and zero moments"),
        _adam_case(72, 5, 0.1, note="step 6"),
        _adam_case(73, 40, 0.003, note="step 41"),
    ],
    forbidden=("bricks.optimizers:adam_update", "bricks.optimizers:Adam.apply"),
    mistakes=[
        Mistake(_adam(alpha_of=lambda lr, t, b1, b2: lr), "no bias correction: the rate is lr at every step", "missing term"),
        Mistake(_adam(t_of=lambda t: t), "the step count is not advanced (t used before adding 1)", "off-by-one"),
        Mistake(
            _adam(step_of=lambda m, v, eps: m / np.sqrt(v + eps)), "epsilon inside the square root", "formula"
        ),
        Mistake(_adam(m_of=lambda m, g, b1: b1 * m + g), "the first moment without the (1 - beta_1) weight", "factor"),
        Mistake(_adam(v_of=lambda v, g, b2: b2 * v + (1 - b2) * np.abs(g)), "|g| instead of g^2 in the second moment", "formula"),
        Mistake(
            _adam(step_of=lambda m, v, eps: -m / (np.sqrt(v) + eps)), "params + step: the update climbs the loss", "sign"
        ),
    ],
)


def fit(params, X, y, lr, steps):
    state = {"t": 0, "m": {k: np.zeros_like(a) for k, a in params.items()},
             "v": {k: np.zeros_like(a) for k, a in params.items()}}
    losses = []
    for _ in range(steps):
        loss, grads = loss_and_grads(params, X, y)  # the loss before this step's update
        losses.append(loss)
        params, state = adam_update(params, grads, state, lr)
    return params, np.array(losses)


def _fit_case(seed, N, H, steps, lr, note=""):
    r = rng(seed)
    params = _params(r, 2, H, 3, scale=0.5)
    X = r.standard_normal((N, 2))
    y = np.concatenate([np.arange(3), r.integers(0, 3, N - 3)])
    return Case((params, X, y, lr, steps), note=note)


def _zero_state(params):
    return {"t": 0, "m": {k: np.zeros_like(a) for k, a in params.items()},
            "v": {k: np.zeros_like(a) for k, a in params.items()}}


def _fit_reset(params, X, y, lr, steps):
    losses = []
    for _ in range(steps):
        loss, grads = loss_and_grads(params, X, y)
        losses.append(loss)
        params, _ = adam_update(params, grads, _zero_state(params), lr)  # the state thrown away
    return params, np.array(losses)


def _fit_after(params, X, y, lr, steps):
    state, losses = _zero_state(params), []
    for _ in range(steps):
        params, state = adam_update(params, loss_and_grads(params, X, y)[1], state, lr)
        losses.append(loss_and_grads(params, X, y)[0])  # recorded after the update
    return params, np.array(losses)


def _fit_stale(params, X, y, lr, steps):
    state, losses = _zero_state(params), []
    loss, grads = loss_and_grads(params, X, y)  # computed once, before the loop
    for _ in range(steps):
        losses.append(loss)
        params, state = adam_update(params, grads, state, lr)
    return params, np.array(losses)


def _fit_extra(params, X, y, lr, steps):
    state, losses = _zero_state(params), []
    for _ in range(steps + 1):  # one step too many
        loss, grads = loss_and_grads(params, X, y)
        losses.append(loss)
        params, state = adam_update(params, grads, state, lr)
    return params, np.array(losses[:steps])


def _fit_default_lr(params, X, y, lr, steps):
    state, losses = _zero_state(params), []
    for _ in range(steps):
        loss, grads = loss_and_grads(params, X, y)
        losses.append(loss)
        params, state = adam_update(params, grads, state, 0.001)  # Keras's default, not lr
    return params, np.array(losses)


def _fit_unassigned(params, X, y, lr, steps):
    state, losses = _zero_state(params), []
    for _ in range(steps):
        loss, grads = loss_and_grads(params, X, y)
        losses.append(loss)
        adam_update(params, grads, state, lr)  # the new weights are dropped
    return params, np.array(losses)


register(
    "ch03b.fit",
    outputs=("final params", "losses"),
    reference=fit,
    whole=True,
    cases=lambda: [
        _fit_case(81, 9, 4, 5, 0.05, note="5 steps"),
        _fit_case(82, 12, 6, 3, 0.2, note="3 steps at a high rate"),
        _fit_case(83, 7, 3, 8, 0.01),
    ],
    forbidden=("bricks.model:Sequential.fit",),
    mistakes=[
        Mistake(_fit_reset, "Adam's state is started afresh at every step (m, v and t are never carried)", "other"),
        Mistake(_fit_after, "each loss is recorded after its step's update, not before", "off-by-one"),
        Mistake(_fit_stale, "the gradients are computed once, before the loop, and never again", "other"),
        Mistake(_fit_extra, "one update too many (steps + 1)", "off-by-one"),
        Mistake(_fit_default_lr, "the learning rate argument is ignored (0.001 used)", "missing term"),
        Mistake(_fit_unassigned, "the weights adam_update returns are never assigned: nothing trains", "missing term"),
    ],
)
