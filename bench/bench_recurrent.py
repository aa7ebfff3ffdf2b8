"""LSTM and GRU forward+backward (batch 64, 60 steps, 8 features, 64 units) against two floors.

"matmul floor": the time of just the matrix products the algorithm needs, run bare in
the same order (x W once; per step h U and dA U^T; X^T dA, H^T dA and dA W^T once).
"+exp floor": that plus the exponentials the gates need (one exp per gate element
and one per tanh(c) element each step), since in float64 numpy's exp costs more
than the matmuls on a small CPU. The ratio layer / matmul floor is the number the
issue asks about; the difference to "+exp floor" is the price of numpy's small
elementwise calls (about 1-3 microseconds each, some 25 per step).
"""
import numpy as np

import bricks
from run import timed

N, T, D, H = 64, 60, 8, 64


def matmul_floor(gates, dtype, reset_before=False):
    """Best time of the bare matrix products one forward+backward of the layer performs."""
    rng = np.random.default_rng(0)
    G = gates * H
    X = rng.standard_normal((T * N, D)).astype(dtype)
    W = rng.standard_normal((D, G)).astype(dtype)
    U = rng.standard_normal((H, G)).astype(dtype) * 0.1
    hs = rng.standard_normal((T + 1, N, H)).astype(dtype)
    dA = rng.standard_normal((T, N, G)).astype(dtype)
    out = np.empty((N, G), dtype)
    dh = np.empty((N, H), dtype)

    def products():
        X @ W  # (T N, G) input projection
        for t in range(T):
            np.dot(hs[t], U, out=out)  # (N, G) recurrent product
            if reset_before:  # GRU reset_after=False: h block waits for r (a second product)
                hs[t] @ U[:, 2 * H:]
        for t in range(T):
            np.dot(dA[t], U.T, out=dh)  # (N, H) back through U
            if reset_before:
                dA[t, :, 2 * H:] @ U[:, 2 * H:].T
        X.T @ dA.reshape(T * N, G)  # (D, G) dkernel
        hs[:-1].reshape(T * N, H).T @ dA.reshape(T * N, G)  # (H, G) drecurrent_kernel
        dA.reshape(T * N, G) @ W.T  # (T N, D) dx

    return timed(products, repeat=7)


def exp_floor(n_exp, dtype):
    """Best time of T exp calls over (N, n_exp) arrays: the transcendental work per forward."""
    a = np.random.default_rng(0).standard_normal((N, n_exp)).astype(dtype)
    out = np.empty_like(a)

    def exps():
        for _ in range(T):
            np.exp(a, out=out)

    return timed(exps, repeat=7)


def layer_time(layer, dtype):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((N, T, D)).astype(dtype)
    dy = rng.standard_normal((N, H)).astype(dtype)
    layer.forward(x)

    def step():
        layer.forward(x)
        layer.backward(dy)

    return timed(step, repeat=7)


def run(report):
    cases = [("LSTM", lambda dt: bricks.LSTM(H, dtype=dt), 4, 5 * H, False),
             ("GRU", lambda dt: bricks.GRU(H, dtype=dt), 3, 3 * H, False),
             ("GRU reset_after=False", lambda dt: bricks.GRU(H, reset_after=False, dtype=dt), 3, 3 * H, True)]
    for name, make, gates, n_exp, reset_before in cases:
        for dtype in ("float64", "float32"):
            bricks.set_random_seed(0)
            t_layer = layer_time(make(dtype), dtype)
            t_mm = matmul_floor(gates, dtype, reset_before)
            t_exp = t_mm + exp_floor(n_exp, dtype)
            report(f"{name} fwd+bwd N={N} T={T} D={D} H={H} {dtype}", t_layer,
                   f"matmul floor {t_mm * 1e3:.2f} ms (x{t_layer / t_mm:.2f}), "
                   f"+exp floor {t_exp * 1e3:.2f} ms (x{t_layer / t_exp:.2f})")
