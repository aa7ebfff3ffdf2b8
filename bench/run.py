"""`make bench`: time every layer's forward+backward, so a later change can be compared.

Each `bench/bench_<family>.py` defines `run(report)` and calls
`report(name, seconds, note="", floor=(label, seconds))` once per case; `timed(fn)` gives
the best of several runs. Every case is measured against a floor taken in the same run:
the bare matrix products it needs (Dense, Conv, recurrent), the unguarded step (the
guarded fit), or `copy_floor`: writing its output and its input gradient once (layers that
only move or scale memory). Seconds are this machine's; the ratios travel better.
"""
import importlib.util
import pathlib
import platform
import sys
import time

import numpy as np

HERE = pathlib.Path(__file__).parent


def timed(fn, repeat=5, number=1):
    """Best wall-clock seconds of `number` calls of fn(), over `repeat` tries (after one warm-up)."""
    fn()
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - start) / number)
    return best


def copy_floor(x, y):
    """Best seconds to write y (what forward writes) and x (what backward writes, dx) once each."""
    x, y = np.asarray(x), np.asarray(y)
    bx, by = np.empty_like(x), np.empty_like(y)
    return timed(lambda: (np.copyto(by, y), np.copyto(bx, x)), repeat=7)


def main(pattern="bench_*.py"):
    print(f"numpy {np.__version__}, Python {platform.python_version()}, {platform.machine()}")
    rows = []

    def report(name, seconds, note="", floor=None):
        rows.append((name, seconds, note, floor))
        ratio = "" if floor is None else f"x{seconds / floor[1]:.2f} of {floor[0]} {floor[1] * 1e3:.2f} ms  "
        print(f"  {name:<58s} {seconds * 1e3:10.2f} ms  {ratio}{note}", flush=True)

    for path in sorted(HERE.glob(pattern)):
        print(f"\n{path.stem}")
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.run(report)
    print(f"\n{len(rows)} cases, {sum(r[3] is not None for r in rows)} against a floor.")


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    main(*sys.argv[1:])
