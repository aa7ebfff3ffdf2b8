"""Chapter 6, noise and overfitting: dropout's forward and backward, the penalties' gradients, early stopping."""

import numpy as np

from bricks.teaching.exercises import Case, Mistake, register
from bricks.teaching.exercises._common import normal, rng


def _mask(seed, shape, rate):
    return (rng(seed).uniform(size=shape) >= rate).astype(float)


def _dropout_cases():
    return [
        Case((normal(3, 4, 6), _mask(4, (4, 6), 0.3), 0.3)),
        Case((normal(5, 2, 3, 5), _mask(6, (2, 3, 5), 0.5), 0.5), note="rate 0.5, three axes"),
        Case((normal(7, 8), _mask(8, (8,), 0.1), 0.1), note="rate 0.1"),
    ]


def dropout_forward(x, mask, rate):
    return x * mask / (1 - rate)


register(
    "ch06.dropout_forward",
    reference=dropout_forward,
    cases=_dropout_cases,
    forbidden=("bricks.layers.noise:Dropout",),
    mistakes=[
        Mistake(lambda x, m, r: x * m, "the kept units are not scaled up by 1 / (1 - rate)", "missing term"),
        Mistake(
            lambda x, m, r: x * m * (1 - r),
            "multiplied by (1 - rate) instead of divided (inference-time scaling)",
            "factor",
        ),
        Mistake(lambda x, m, r: x * m / r, "divided by the rate instead of the keep probability 1 - rate", "factor"),
        Mistake(lambda x, m, r: x * (1 - m) / (1 - r), "the mask inverted: the dropped units kept", "formula"),
        Mistake(lambda x, m, r: x / (1 - r), "the mask is not applied", "missing term"),
        Mistake(lambda x, m, r: (x * m / (1 - r)).sum(axis=-1), "summed over the units", "shape"),
    ],
)


def dropout_backward(dy, mask, rate):
    return dy * mask / (1 - rate)


register(
    "ch06.dropout_backward",
    reference=dropout_backward,
    cases=_dropout_cases,
    forbidden=("bricks.layers.noise:Dropout",),
    mistakes=[
        Mistake(lambda d, m, r: d * m, "the 1 / (1 - rate) scale is missing from the backward pass", "missing term"),
        Mistake(lambda d, m, r: d / (1 - r), "the gradient flows through the dropped units too", "missing term"),
        Mistake(lambda d, m, r: d, "passed through unchanged", "missing term"),
        Mistake(lambda d, m, r: d * m * (1 - r), "multiplied by (1 - rate)", "factor"),
        Mistake(lambda d, m, r: d * (1 - m) / (1 - r), "the mask inverted", "formula"),
    ],
)


def penalty_grads(w, c):
    return 2 * c * w, c * np.sign(w)


register(
    "ch06.penalty_grads",
    outputs=("d/dw of c sum w^2", "d/dw of c sum |w|"),
    reference=penalty_grads,
    cases=lambda: [
        Case((normal(5, 3, 4), 1e-3)),
        Case((normal(6, 5), 0.1)),
        Case((np.array([[0.0, -0.5], [2.0, 0.0]]), 0.01), note="weights exactly 0 (|w| has slope 0 there)"),
    ],
    forbidden=("bricks.regularizers:L2", "bricks.regularizers:L1", "bricks.regularizers:L1L2"),
    mistakes=[
        Mistake(lambda w, c: (c * w, c * np.sign(w)), "the 2 from the square is missing in L2's gradient", "factor"),
        Mistake(lambda w, c: (2 * c * w, c * np.abs(w)), "|w| instead of its slope sign(w)", "formula"),
        Mistake(
            lambda w, c: (2 * c * w, c * np.ones_like(w)),
            "L1's slope is 1 everywhere: the sign of w is missing",
            "sign",
        ),
        Mistake(lambda w, c: (c * w**2, c * np.abs(w)), "the penalties themselves, not their gradients", "formula"),
        Mistake(
            lambda w, c: (2 * c * w, c * np.where(w >= 0, 1.0, -1.0)),
            "sign(0) taken as +1: at w = 0 the L1 slope is 0",
            "off-by-one",
        ),
        Mistake(
            lambda w, c: (2 * c * np.sum(w), c * np.sum(np.sign(w))),
            "summed to a number: a gradient is shaped like w",
            "shape",
        ),
    ],
)


def early_stopping(val_losses, patience):
    best, best_epoch = np.inf, 0
    for epoch, loss in enumerate(val_losses):
        if loss < best:
            best, best_epoch = loss, epoch
        elif epoch - best_epoch >= patience:
            return epoch, best_epoch  # stop after this epoch, restore the best
    return len(val_losses) - 1, best_epoch


def _es(fn):
    return lambda losses, patience: fn(list(losses), patience)


def _es_strict(losses, patience):  # stops one epoch late (> patience)
    best, best_epoch = np.inf, 0
    for epoch, loss in enumerate(losses):
        if loss < best:
            best, best_epoch = loss, epoch
        elif epoch - best_epoch > patience:
            return epoch, best_epoch
    return len(losses) - 1, best_epoch


def _es_last(losses, patience):  # restores the last epoch instead of the best
    stop, _ = early_stopping(losses, patience)
    return stop, stop


def _es_consecutive(losses, patience):  # counts epochs worse than the previous one, not than the best
    bad = 0
    for epoch in range(1, len(losses)):
        bad = bad + 1 if losses[epoch] >= losses[epoch - 1] else 0
        if bad >= patience:
            return epoch, int(np.argmin(losses[: epoch + 1]))
    return len(losses) - 1, int(np.argmin(losses))


def _es_le(losses, patience):  # a tie counts as an improvement
    best, best_epoch = np.inf, 0
    for epoch, loss in enumerate(losses):
        if loss <= best:
            best, best_epoch = loss, epoch
        elif epoch - best_epoch >= patience:
            return epoch, best_epoch
    return len(losses) - 1, best_epoch


def _es_argmax(losses, patience):
    stop, _ = early_stopping(losses, patience)
    return stop, int(np.argmax(losses[: stop + 1]))


register(
    "ch06.early_stopping",
    outputs=("the epoch after which training stops", "the best epoch"),
    reference=early_stopping,
    whole=True,
    cases=lambda: [
        Case((np.array([1.0, 0.8, 0.7, 0.72, 0.71, 0.75, 0.74, 0.6]), 3), note="a dip after the stop"),
        Case((np.array([0.9, 0.85, 0.86, 0.84, 0.9, 0.95]), 2), note="a new best resets the count"),
        Case((np.array([0.5, 0.4, 0.4, 0.45, 0.3]), 2), note="a tie with the best is no improvement"),
        Case((np.array([1.0, 0.9, 0.8, 0.7]), 2), note="never stops early"),
        Case((0.5 + np.cumsum(rng(41).normal(0, 0.05, 30)), 4), note="a random walk"),
    ],
    mistakes=[
        Mistake(_es_strict, "the stop comes one epoch late (> patience where >= belongs)", "off-by-one"),
        Mistake(_es_last, "the weights of the last epoch are kept, not those of the best", "formula"),
        Mistake(_es_consecutive, "worse than the previous epoch counted, not worse than the best so far", "formula"),
        Mistake(_es_le, "a tie with the best counted as an improvement", "off-by-one"),
        Mistake(_es_argmax, "the worst epoch restored (argmax)", "sign"),
        Mistake(
            lambda losses, p: (len(losses) - 1, int(np.argmin(losses))),
            "never stops: the patience is ignored",
            "missing term",
        ),
    ],
)
