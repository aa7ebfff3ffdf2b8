"""Convolution and pooling: forward + backward times (float64; Conv2D also float32).

Each layer and its floor are timed in alternation, in CPU seconds on one BLAS thread
(`interleaved_minima`, see bench_recurrent.py on why): wall-clock minima of a few ms swing
by 2x on a shared 2-core machine, and a ratio is only as good as its two times.

Measured and not taken (Conv2D float32 at these sizes, on the AVX-512 machine of the README's
table, where the layer is 1.7-2.0x its floor): channels first with "flattened shifts" (each tap a
contiguous offset into the flat padded image, so im2col and col2im copy long runs) reached 1.58-1.77;
computing dx as a convolution of the shifted dy with the flipped kernel (no col2im) reached 2.66,
because its product has only C = 8 output rows. Channels last, im2col alone copies 24-float runs
(1.3 ms of a 3.6 ms floor), so 1.5 is out of reach for a numpy im2col on this machine.

The last cases time design choices. A conv's dx: one matmul + slice-add per
kernel tap (what bricks uses) against building all window gradients
(N, *O, *K, C) and scattering them (col2im). Scattering window gradients
(pooling's backward): one slice-add per tap (used) against one `np.add.at`.
"""
import numpy as np

import bricks
from bricks.layers import windows as win
from bricks.layers.conv import conv_input_grad
from bench_recurrent import interleaved_minima, set_blas_threads
from run import copy_floor, timed


def forward_backward(layer, x):
    def step():
        y = layer.forward(x, training=True)
        layer.backward(np.ones_like(y))
    return step


def im2col_matmuls(x, kernel, y):
    """A conv's floor: its three matrix products on the im2col shapes (windows built in advance):
    cols (N*O, K*C) @ W (K*C, F) forward; cols^T @ dy (dW) and dy @ W^T (the window gradients) backward."""
    rng = np.random.default_rng(1)
    F = kernel.shape[-1]
    rows = int(np.prod(y.shape[:-1]))  # N * output positions
    cols = rng.standard_normal((rows, int(np.prod(kernel.shape[:-1])))).astype(x.dtype)
    w = kernel.reshape(-1, F)
    dy = rng.standard_normal((rows, F)).astype(x.dtype)
    return lambda: (cols @ w, cols.T @ dy, dy @ w.T)


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


def layer_and_floor(layer, x, floor_fn, rounds=15):
    """(seconds of forward+backward, seconds of the floor), timed in alternation."""
    return interleaved_minima([forward_backward(layer, x), floor_fn], rounds=rounds)


def run(report):
    set_blas_threads(1)
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
        y = layer.forward(x)
        if "kernel" in layer.params and not isinstance(layer, bricks.Conv2DTranspose):
            seconds, floor = layer_and_floor(layer, x, im2col_matmuls(x, layer.params["kernel"], y))
            report(f"{name} fwd+bwd", seconds, "float64, CPU s", ("im2col matmul floor", floor))
        else:
            report(f"{name} fwd+bwd", timed(forward_backward(layer, x)), "float64", ("copy floor", copy_floor(x, y)))
    x32 = rng.standard_normal((32, 28, 28, 8)).astype(np.float32)
    conv32 = bricks.Conv2D(16, 3, padding="same", dtype="float32")
    y32 = conv32.forward(x32)
    seconds, floor = layer_and_floor(conv32, x32, im2col_matmuls(x32, conv32.params["kernel"], y32), rounds=25)
    report("Conv2D 16x3x3 same, x (32, 28, 28, 8) fwd+bwd", seconds, "float32, CPU s", ("im2col matmul floor", floor))

    dy = rng.standard_normal((32, 28, 28, 16))  # Conv2D case: dx of a 3x3 conv, 8 -> 16 channels
    kernel = rng.standard_normal((3, 3, 8, 16))
    args = (dy, kernel, (32, 28, 28, 8), (1, 1), (1, 1), [(1, 1), (1, 1)])

    def dx_col2im():
        dcols = (dy.reshape(-1, 16) @ kernel.reshape(-1, 16).T).reshape(32, 28, 28, 3, 3, 8)  # (N, *O, *K, C)
        return win.crop(win.col2im(dcols, (32, 30, 30, 8), (1, 1), (1, 1)), [(1, 1), (1, 1)])

    assert np.allclose(conv_input_grad(*args), dx_col2im())
    used = timed(lambda: conv_input_grad(*args))
    floor = ("its matmul", timed(lambda: dy.reshape(-1, 16) @ kernel.reshape(-1, 16).T))
    report("Conv2D dx (32, 28, 28, 8): matmul + slice-add per tap", used, "", floor)
    report("Conv2D dx (32, 28, 28, 8): window grads + col2im", timed(dx_col2im), "alternative, not used",
           ("the slice-add used", used))

    cols = rng.standard_normal((32, 28, 28, 3, 3, 8))  # Conv2D case: (N, *O, *K, C)
    padded = (32, 30, 30, 8)
    a = win.col2im(cols, padded, (1, 1), (1, 1))
    b = col2im_add_at(cols, padded, (1, 1), (1, 1))
    assert np.allclose(a, b)
    loop = timed(lambda: win.col2im(cols, padded, (1, 1), (1, 1)))
    report("col2im 3x3 taps (32, 28, 28, 8): loop over 9 taps", loop, "", ("copy floor", copy_floor(cols, a)))
    add_at = timed(lambda: col2im_add_at(cols, padded, (1, 1), (1, 1)), repeat=2)
    report("col2im 3x3 taps (32, 28, 28, 8): one np.add.at", add_at, "alternative, not used", ("the loop used", loop))
