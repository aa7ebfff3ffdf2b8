"""Chapter 11, convolutions versus RNNs: a dilated causal convolution by hand, its receptive field."""

import numpy as np

from bricks.teaching.exercises import Case, Mistake, register
from bricks.teaching.exercises._common import normal


def causal_conv(x, w, d):
    k = len(w)
    padded = np.concatenate([np.zeros(d * (k - 1)), x])  # (T + d (k - 1),)
    return np.array([sum(padded[t + d * j] * w[j] for j in range(k)) for t in range(len(x))])


def _conv(x, w, d, pad_left, pad_right=0, flip=False):
    w = w[::-1] if flip else w
    k = len(w)
    padded = np.concatenate([np.zeros(pad_left), x, np.zeros(pad_right)])
    T = len(padded) - d * (k - 1)
    return np.array([sum(padded[t + d * j] * w[j] for j in range(k)) for t in range(T)])


def _wrapped(x, w, d):
    """No zeros in front: x[t - d (k - 1 - j)] with a negative index reads the end of x."""
    k = len(w)
    return np.array([sum(x[t - d * (k - 1 - j)] * w[j] for j in range(k)) for t in range(len(x))])


register(
    "ch11.causal_conv",
    reference=causal_conv,
    whole=True,  # the layer's forward, loops and padding by hand
    cases=lambda: [
        Case((np.arange(1.0, 11.0), np.array([1.0, -2.0, 3.0]), 2), note="k = 3, d = 2"),
        Case((normal(1, 9), np.array([0.5, -1.5]), 3), note="k = 2, d = 3"),
        Case((normal(2, 6), np.array([2.0, 0.25, -1.0, 0.5]), 1), note="k = 4, no dilation"),
    ],
    forbidden=("bricks.layers.conv:Conv1D",),
    mistakes=[
        Mistake(
            lambda x, w, d: _conv(x, w, d, d * (len(w) - 1), flip=True),
            "the kernel flipped: Conv1D multiplies the oldest step by w[0]",
            "index",
        ),
        Mistake(
            lambda x, w, d: _conv(x, w, d, 0, d * (len(w) - 1)),
            "zeros padded at the end: each output then sees the future",
            "formula",
        ),
        Mistake(lambda x, w, d: _conv(x, w, 1, len(w) - 1), "the dilation is ignored (d = 1)", "missing term"),
        Mistake(
            lambda x, w, d: _conv(x, w, d, d * len(w))[: len(x)],
            "d k zeros in front instead of d (k - 1): the output lags one step",
            "off-by-one",
        ),
        Mistake(lambda x, w, d: _conv(x, w, d, 0), "no padding: the output is shorter than x", "shape"),
        Mistake(
            lambda x, w, d: _conv(x, w, d, d * (len(w) - 1) // 2, d * (len(w) - 1) - d * (len(w) - 1) // 2),
            "'same' padding, centred: half the window sees the future",
            "formula",
        ),
        Mistake(
            _wrapped,
            "no zeros in front: before step d (k - 1) a negative index wraps around to the end of x",
            "index",
        ),
    ],
)


def receptive_field(kernel_sizes, dilations):
    return 1 + sum((k - 1) * d for k, d in zip(kernel_sizes, dilations))


register(
    "ch11.receptive_field",
    reference=receptive_field,
    cases=lambda: [
        Case(([3, 3, 3, 3], [1, 2, 4, 8]), note="the chapter's stack"),
        Case(([2, 5, 3], [1, 2, 4]), note="kernel sizes that differ"),
        Case(([4], [1]), note="one layer"),
        Case(([3, 2], [2, 1]), note="dilations that shrink"),
    ],
    mistakes=[
        Mistake(
            lambda ks, ds: 1 + sum((ks[0] - 1) * d for d in ds), "the first kernel size used for every layer", "index"
        ),
        Mistake(
            lambda ks, ds: sum((k - 1) * d for k, d in zip(ks, ds)),
            "the + 1 for the output's own step is missing",
            "off-by-one",
        ),
        Mistake(
            lambda ks, ds: 1 + sum(k * d for k, d in zip(ks, ds)),
            "k d instead of (k - 1) d: a kernel of size k adds k - 1 gaps",
            "formula",
        ),
        Mistake(
            lambda ks, ds: int(np.prod([(k - 1) * d + 1 for k, d in zip(ks, ds)])),
            "multiplied instead of added",
            "formula",
        ),
        Mistake(lambda ks, ds: 1 + (ks[-1] - 1) * ds[-1], "the last layer only", "missing term"),
        Mistake(
            lambda ks, ds: 1 + sum((k - 1) * d for k, d in zip(ks, ds[::-1])),
            "the dilations paired with the wrong layers",
            "index",
        ),
    ],
)
