"""LSTM and GRU forward+backward (batch 64, 60 steps, 8 features, 64 units) against two floors.

"matmul floor": the time of just the matrix products the algorithm needs, run bare
in the same order and shapes (x W once; per step h U, and dA U^T; X^T dA, H^T dA
and dA W^T once; GRU reset_after=False adds its second, dependent product per step).
"+exp floor": that plus the exponentials the gates need (one exp per gate element
and per tanh(c) element, every step; sigmoid and tanh are both computed from exp).
In float64 numpy's exp (about 5 ns an element on this CPU: numpy has no SIMD float64
exp without AVX-512; np.tanh is 13 ns) costs about 40% of the matmuls,
so a ratio near 1.3 to the matmul floor is out of reach in float64; the rest of the
gap is the cost of some 30 numpy calls per step (forward + backward, 2-5 microseconds
each on (H, N) blocks). The layers' fused loops (recurrent.py) fold x W + b into the
per-step product and form dW, dU, db with one per-step product (z_t dA_t^T), so they
do slightly more matmul work than this floor, in fewer, larger calls.

Measured and not taken (LSTM float32, on the AVX-512 machine of the README's table, where
the ratio is 1.5-1.6): fewer numpy calls per step (23 instead of 31: gates reordered so that
[i; f] * [g; c_{t-1}] is one multiply, tanh(c) without the exp form) gained within the noise
(0-3%); the elementwise backward work hoisted out of the loop into (T, 4H, N) passes was slower
(1.71 against 1.59: the per-step arrays stay in cache, the big passes do not); time-major
(K, T, N) storage so that dW is one product after the loop was slower (1.84): the strided per-step
writes cost more than the 60 small products they save.

Timing: the layer and its floors are timed in alternation and the minimum of each is
kept, on one BLAS thread, in CPU seconds of this process (time.process_time): on a
shared 2-core machine, wall-clock minima of a 20-ms task swing by 2x with the load,
CPU time much less. OpenBLAS's default of one thread per core makes these small
products several times slower whenever the other core is busy.
"""
import ctypes
import glob
import os
import time

import numpy as np

import bricks

N, T, D, H = 64, 60, 8, 64
ROUNDS = 25


def set_blas_threads(n):
    """Set numpy's OpenBLAS thread count at run time (threadpoolctl is not a dependency); True if done."""
    libs = glob.glob(os.path.join(os.path.dirname(np.__file__), "..", "numpy.libs", "libscipy_openblas*.so"))
    for path in libs:
        lib = ctypes.CDLL(path)
        for name in ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads", "openblas_set_num_threads"):
            if hasattr(lib, name):
                getattr(lib, name)(int(n))
                return True
    return False


def matmul_products(gates, dtype, reset_before=False):
    """A function running the bare matrix products of one forward+backward."""
    rng = np.random.default_rng(0)
    G = gates * H
    X = rng.standard_normal((T * N, D)).astype(dtype)
    W = rng.standard_normal((D, G)).astype(dtype)
    U = (rng.standard_normal((H, G)) * 0.1).astype(dtype)
    hs = rng.standard_normal((T + 1, N, H)).astype(dtype)
    dA = rng.standard_normal((T, N, G)).astype(dtype)
    out = np.empty((N, 2 * H if reset_before else G), dtype)
    dh = np.empty((N, H), dtype)
    Uf = U[:, :2 * H] if reset_before else U

    def products():
        X @ W  # (T N, G) input projection
        for t in range(T):
            np.dot(hs[t], Uf, out=out)  # (N, G) recurrent product
            if reset_before:  # the h block waits for r: a second, dependent product
                hs[t] @ U[:, 2 * H:]
        for t in range(T):
            np.dot(dA[t], U.T, out=dh)  # (N, H) back through U
            if reset_before:
                dA[t, :, 2 * H:] @ U[:, 2 * H:].T
        X.T @ dA.reshape(T * N, G)  # (D, G) dkernel
        hs[:-1].reshape(T * N, H).T @ dA.reshape(T * N, G)  # (H, G) drecurrent_kernel
        dA.reshape(T * N, G) @ W.T  # (T N, D) dx

    return products


def exps(n_exp, dtype):
    """T exp calls over (N, n_exp): the transcendental work of one forward (sigmoid and tanh use exp)."""
    a = np.random.default_rng(0).standard_normal((N, n_exp)).astype(dtype)
    out = np.empty_like(a)

    def run():
        for _ in range(T):
            np.exp(a, out=out)

    return run


def layer_pass(layer, dtype):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((N, T, D)).astype(dtype)
    dy = rng.standard_normal((N, H)).astype(dtype)

    def run():
        layer.forward(x)
        layer.backward(dy)

    return run


def interleaved_minima(fns, rounds=ROUNDS, clock=time.process_time):
    """Minimum time of each function, timing them in turn `rounds` times (after a warm-up)."""
    best = [np.inf] * len(fns)
    for fn in fns:
        fn()
    for _ in range(rounds):
        for i, fn in enumerate(fns):
            start = clock()
            fn()
            best[i] = min(best[i], clock() - start)
    return best


def run(report):
    one_thread = set_blas_threads(1)
    print(f"  (BLAS threads set to 1: {one_thread}; times are CPU seconds, min of {ROUNDS} interleaved runs)")
    cases = [("LSTM", lambda dt: bricks.LSTM(H, dtype=dt), 4, 5 * H, False),
             ("GRU", lambda dt: bricks.GRU(H, dtype=dt), 3, 3 * H, False),
             ("GRU reset_after=False", lambda dt: bricks.GRU(H, reset_after=False, dtype=dt), 3, 3 * H, True)]
    for name, make, gates, n_exp, reset_before in cases:
        for dtype in ("float64", "float32"):
            bricks.set_random_seed(0)
            t_layer, t_mm, t_exp = interleaved_minima([layer_pass(make(dtype), dtype),
                                                       matmul_products(gates, dtype, reset_before),
                                                       exps(n_exp, dtype)])
            report(f"{name} fwd+bwd N={N} T={T} D={D} H={H} {dtype}", t_layer,
                   f"+exp floor {(t_mm + t_exp) * 1e3:.2f} ms (x{t_layer / (t_mm + t_exp):.2f})",
                   ("matmul floor", t_mm))
