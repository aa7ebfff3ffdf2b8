"""`make bench`: time every layer's forward+backward, so a later change can be compared.

Each `bench/bench_<family>.py` defines `run(report)` and calls
`report(name, seconds, note="")` once per case; `timed(fn)` gives the best of
several runs. Numbers are wall-clock seconds on this machine: compare them only
with numbers taken on the same machine.
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


def main(pattern="bench_*.py"):
    print(f"numpy {np.__version__}, Python {platform.python_version()}, {platform.machine()}")
    rows = []

    def report(name, seconds, note=""):
        rows.append((name, seconds, note))
        print(f"  {name:<58s} {seconds * 1e3:10.2f} ms  {note}", flush=True)

    for path in sorted(HERE.glob(pattern)):
        print(f"\n{path.stem}")
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.run(report)
    print(f"\n{len(rows)} cases.")


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    main(*sys.argv[1:])
