"""Convolution and pooling: forward + backward wall-clock times (float64).

The last two cases time the two ways of scattering window gradients back
(col2im): one slice-add per kernel tap (what bricks uses) against a single
`np.add.at` with index arrays.
"""
import numpy as np

import bricks
from bricks.layers import _windows as win
from run import timed


def forward_backward(layer, x):
    def step():
        y = layer.forward(x, training=True)
        layer.backward(np.ones_like(y))
    return step


def col2im_add_at(cols, padded_shape, strides, dilation):
    """The alternative: every (window, tap) cell's target index, then one unbuffered np.add.at."""
    rank = len(padded_shape) - 2
    out, kernel = cols.shape[1:1 + rank], cols.shape[1 + rank:1 + 2 * rank]
    grids = np.meshgrid(*(np.arange(o) for o in out), *(np.arange(k) for k in kernel), indexing="ij")
    index = tuple(s * grids[a] + d * grids[rank + a] for a, (s, d) in enumerate(zip(strides, dilation)))
    dxp = np.zeros(padded_shape, dtype=cols.dtype)
    moved = np.moveaxis(cols, 0, -2)  # (*O, *K, N, C)
    np.add.at(np.moveaxis(dxp, 0, -2), index, moved)  # (*P, N, C) view of dxp
    return dxp


def run(report):
    bricks.set_random_seed(0)
    rng = np.random.default_rng(0)
    cases = [
        ("Conv2D 16x3x3 same, x (32, 28, 28, 8)", bricks.Conv2D(16, 3, padding="same"), (32, 28, 28, 8)),
        ("Conv1D 16 k=5 causal d=2, x (64, 128, 8)",
         bricks.Conv1D(16, 5, padding="causal", dilation_rate=2), (64, 128, 8)),
        ("Conv3D 8x3x3x3 same, x (8, 8, 16, 16, 4)", bricks.Conv3D(8, 3, padding="same"), (8, 8, 16, 16, 4)),
        ("Conv2DTranspose 8x3x3 s=2 same, x (32, 14, 14, 16)",
         bricks.Conv2DTranspose(8, 3, strides=2, padding="same"), (32, 14, 14, 16)),
        ("MaxPooling2D 2x2, x (32, 28, 28, 16)", bricks.MaxPooling2D(2), (32, 28, 28, 16)),
        ("AveragePooling2D 2x2, x (32, 28, 28, 16)", bricks.AveragePooling2D(2), (32, 28, 28, 16)),
        ("MaxPooling1D 3 s=1 same, x (64, 128, 16)", bricks.MaxPooling1D(3, 1, padding="same"), (64, 128, 16)),
    ]
    for name, layer, shape in cases:
        x = rng.standard_normal(shape)
        report(f"{name} fwd+bwd", timed(forward_backward(layer, x)))

    cols = rng.standard_normal((32, 28, 28, 3, 3, 8))  # Conv2D case: (N, *O, *K, C)
    padded = (32, 30, 30, 8)
    a = win.col2im(cols, padded, (1, 1), (1, 1))
    b = col2im_add_at(cols, padded, (1, 1), (1, 1))
    assert np.allclose(a, b)
    report("col2im 3x3 taps (32, 28, 28, 8): loop over 9 taps", timed(lambda: win.col2im(cols, padded, (1, 1), (1, 1))))
    report("col2im 3x3 taps (32, 28, 28, 8): one np.add.at", timed(lambda: col2im_add_at(cols, padded, (1, 1), (1, 1)),
                                                                     repeat=2), "alternative, not used")
