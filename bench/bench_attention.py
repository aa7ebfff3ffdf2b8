"""MultiHeadAttention forward+backward (self-attention, batch 64, 60 steps, 64 features, 4 heads of 16)
against two floors, as bench_recurrent.py measures the recurrent layers.

"matmul floor": the bare matrix products the algorithm needs, in the same shapes: forward, the three
projections x W (B*T, D) @ (D, N*H), the scores Q K^T and the mix P V per (batch, head), the output
projection; backward, two products for each of those six (a gradient for each factor): 18 in all.
"+exp floor": that plus the softmax's exponentials, one per score (B*N*T*T).
Timing: the layer and its floors in alternation, minimum of each, one BLAS thread, CPU seconds.
"""
import numpy as np

import bricks
from bench_recurrent import interleaved_minima, set_blas_threads

B, T, D, N, H = 64, 60, 64, 4, 16
ROUNDS = 25


def matmul_products(dtype):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((B * T, D)).astype(dtype)
    W = [rng.standard_normal((D, N * H)).astype(dtype) for _ in range(4)]
    Q, K, V = (rng.standard_normal((B, N, T, H)).astype(dtype) for _ in range(3))
    P = rng.standard_normal((B, N, T, T)).astype(dtype)
    C = rng.standard_normal((B * T, N * H)).astype(dtype)
    dy = rng.standard_normal((B * T, D)).astype(dtype)

    def products():
        for w in W[:3]:
            x @ w  # projections
        Q @ K.transpose(0, 1, 3, 2)  # scores (B, N, T, T)
        P @ V  # mix (B, N, T, H)
        C @ W[3].T  # output projection
        C.T @ dy, dy @ W[3]  # output: dWo, dC
        P.transpose(0, 1, 3, 2) @ V, V @ V.transpose(0, 1, 3, 2)  # dV = P^T dC, dP = dC V^T
        P.transpose(0, 1, 3, 2) @ Q, P @ K  # dK = dS^T Q, dQ = dS K
        for w in W[:3]:
            x.T @ C, C @ w.T  # projections: dW, dx

    return products


def exps(dtype):
    a = np.random.default_rng(0).standard_normal((B, N, T, T)).astype(dtype)
    out = np.empty_like(a)
    return lambda: np.exp(a, out=out)


def layer_pass(dtype):
    bricks.set_random_seed(0)
    layer = bricks.MultiHeadAttention(N, H, dtype=dtype)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((B, T, D)).astype(dtype)
    dy = rng.standard_normal((B, T, D)).astype(dtype)

    def run():
        layer.forward(x)
        layer.backward(dy)

    return run


def measure(dtype, rounds=ROUNDS):
    """(layer, matmul floor, exp) CPU seconds."""
    return interleaved_minima([layer_pass(dtype), matmul_products(dtype), exps(dtype)], rounds)


def run(report):
    one_thread = set_blas_threads(1)
    print(f"  (BLAS threads set to 1: {one_thread}; times are CPU seconds, min of {ROUNDS} interleaved runs)")
    for dtype in ("float64", "float32"):
        t_layer, t_mm, t_exp = measure(dtype)
        report(f"MultiHeadAttention fwd+bwd B={B} T={T} D={D} N={N} H={H} {dtype}", t_layer,
               f"+exp floor {(t_mm + t_exp) * 1e3:.2f} ms (x{t_layer / (t_mm + t_exp):.2f})", ("matmul floor", t_mm))


if __name__ == "__main__":
    import pathlib
    import sys
    sys.path.insert(0, str(pathlib.Path(__file__).parent))

    def _print(name, seconds, note="", floor=None):
        ratio = "" if floor is None else f"x{seconds / floor[1]:.2f} of {floor[0]} {floor[1] * 1e3:.2f} ms  "
        print(f"  {name:<58s} {seconds * 1e3:10.2f} ms  {ratio}{note}")

    run(_print)
