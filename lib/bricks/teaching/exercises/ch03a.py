"""Chapter 3a, optimizers: momentum's and Adam's steps (Keras's forms)."""

import numpy as np

from bricks.teaching.exercises import Case, Mistake, register
from bricks.teaching.exercises._common import normal, rng


def momentum_step(theta, v, g, lr, beta):
    v = beta * v - lr * g
    return theta + v, v


register(
    "ch03a.momentum_step",
    outputs=("new theta", "new v"),
    reference=momentum_step,
    cases=lambda: [
        Case((np.array([1.0, -2.0]), np.array([0.1, 0.0]), np.array([0.5, 4.0]), 0.1, 0.9)),
        Case((normal(1, 3, 2), normal(2, 3, 2, scale=0.1), normal(3, 3, 2), 0.05, 0.8)),
        Case((normal(4, 4), np.zeros(4), normal(5, 4), 0.2, 0.5), note="the first step, v = 0"),
    ],
    forbidden=("bricks.optimizers:sgd_update",),
    mistakes=[
        Mistake(
            lambda th, v, g, lr, b: (th - (b * v - lr * g), b * v - lr * g),
            "theta - v: the velocity already carries the minus",
            "sign",
        ),
        Mistake(
            lambda th, v, g, lr, b: (th - lr * (b * v + g), b * v + g),
            "PyTorch's velocity (v = beta v + g, step lr v): another state, another convention",
            "formula",
        ),
        Mistake(
            lambda th, v, g, lr, b: (th + v - lr * g, v - lr * g),
            "beta is missing: the velocity never decays",
            "missing term",
        ),
        Mistake(lambda th, v, g, lr, b: (th + v, b * v - lr * g), "the step uses the old velocity", "index"),
        Mistake(
            lambda th, v, g, lr, b: (th + b * v - (1 - b) * lr * g, b * v - (1 - b) * lr * g),
            "an average (1 - beta) g: that is Adam's first moment",
            "factor",
        ),
        Mistake(
            lambda th, v, g, lr, b: (th - lr * g, b * v - lr * g), "the velocity is updated but not used", "formula"
        ),
    ],
)


def adam_step(theta, m, s, g, t, lr, beta_1=0.9, beta_2=0.999, eps=1e-7):
    m = beta_1 * m + (1 - beta_1) * g
    s = beta_2 * s + (1 - beta_2) * g**2
    alpha = lr * np.sqrt(1 - beta_2**t) / (1 - beta_1**t)
    return theta - alpha * m / (np.sqrt(s) + eps), m, s


def _adam(fm=None, fs=None, falpha=None, fstep=None):
    def wrong(theta, m, s, g, t, lr, beta_1=0.9, beta_2=0.999, eps=1e-7):
        m2 = fm(m, g, beta_1) if fm else beta_1 * m + (1 - beta_1) * g
        s2 = fs(s, g, beta_2) if fs else beta_2 * s + (1 - beta_2) * g**2
        alpha = falpha(lr, t, beta_1, beta_2) if falpha else lr * np.sqrt(1 - beta_2**t) / (1 - beta_1**t)
        step = fstep(m2, s2, eps) if fstep else m2 / (np.sqrt(s2) + eps)
        return theta - alpha * step, m2, s2

    return wrong


def _adam_case(seed, shape, t, lr):
    r = rng(seed)
    return Case(
        (
            r.standard_normal(shape),
            0.3 * r.standard_normal(shape),
            r.uniform(0.01, 0.5, shape),
            r.standard_normal(shape),
            t,
            lr,
        ),
        note=f"step t = {t}",
    )


def _paper_adam(theta, m, s, g, t, lr, beta_1=0.9, beta_2=0.999, eps=1e-7):
    m = beta_1 * m + (1 - beta_1) * g
    s = beta_2 * s + (1 - beta_2) * g**2
    return theta - lr * (m / (1 - beta_1**t)) / (np.sqrt(s / (1 - beta_2**t)) + eps), m, s


register(
    "ch03a.adam_step",
    outputs=("new theta", "new m", "new s"),
    reference=adam_step,
    whole=True,  # an optimizer's whole update: both moments, the bias correction, the step
    accept=[Mistake(_paper_adam, "the paper's form, eps added to the bias-corrected sqrt(s)", "accepted")],
    cases=lambda: [
        _adam_case(21, (2,), 3, 0.1),
        _adam_case(22, (3, 2), 1, 0.01),
        _adam_case(23, (4,), 10, 0.05),
        Case(
            (np.array([0.5, -1.0]), np.array([1e-4, -2e-4]), np.array([1e-7, 4e-8]), np.array([3e-4, -1e-4]), 2, 0.01),
            note="tiny gradients, where eps matters",
        ),
    ],
    forbidden=("bricks.optimizers:adam_update",),
    mistakes=[
        Mistake(_adam(falpha=lambda lr, t, b1, b2: lr), "no bias correction", "missing term"),
        Mistake(_adam(fstep=lambda m, s, e: m / np.sqrt(s + e)), "eps inside the square root", "formula"),
        Mistake(
            _adam(
                falpha=lambda lr, t, b1, b2: lr * np.sqrt(1 - b2 ** (t - 1)) / (1 - b1 ** (t - 1)) if t > 1 else lr * 0
            ),
            "the correction with t - 1 (the step count before this step)",
            "off-by-one",
        ),
        Mistake(_adam(fs=lambda s, g, b2: b2 * s + (1 - b2) * g), "the second moment averages g, not g^2", "formula"),
        Mistake(_adam(fm=lambda m, g, b1: (1 - b1) * m + b1 * g), "beta_1 and 1 - beta_1 swapped", "formula"),
        Mistake(
            lambda th, m, s, g, t, lr, b1=0.9, b2=0.999, e=1e-7: (lambda r: (2 * th - r[0], r[1], r[2]))(
                adam_step(th, m, s, g, t, lr, b1, b2, e)
            ),
            "theta + step: the sign of the update",
            "sign",
        ),
    ],
)
