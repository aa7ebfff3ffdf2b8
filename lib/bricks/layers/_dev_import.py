# DEV-ONLY tolerant import (coordinator removes before landing)
import importlib as _il, sys as _sys, warnings as _w
def _star(pkg, names, g):
    for n in names:
        try:
            m = _il.import_module(f"{pkg}.{n}")
        except Exception as e:  # half-written module of a parallel helper
            print(f"[bricks dev] skipped {pkg}.{n}: {type(e).__name__}: {e}", file=_sys.stderr)
            continue
        for k in getattr(m, "__all__", []):
            g[k] = getattr(m, k)
