"""Compute chapter 10's seed band into lib/bricks/teaching/tables/recurrent.json.

    python tools/recurrent_tables.py          # about two minutes on one core

adding_band: for each layer (SimpleRNN, LSTM, GRU) and seed, the training steps the chapter's
             adding-problem race needed to reach 90% held-out accuracy (None: not within its
             step budget).
short_sweep: the SimpleRNN's held-out accuracy curve (one score every EVERY steps) on shorter
             sequences, by length T, seed 0.
The race is the chapter's own code: this script runs the chapter's code cells, in order, up to
the one that defines `race` and `steps_to_solve`, then races every layer for every seed, so the
table cannot drift from the code the reader sees. The chapter runs seed 0 (and the shortest
sweep) live and checks them against the table; all the runs take longer than a notebook's 20 s.
"""
import json
import os
import pathlib
import platform
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as the chapter sets it, before numpy
os.environ.setdefault("MPLBACKEND", "Agg")  # the cells before the race draw figures
import numpy as np  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lib"))
sys.path.insert(0, str(ROOT / "tools"))
import notebooks  # noqa: E402

CHAPTER = ROOT / "book" / "part3-sequences" / "10-lstm-and-gru.md"
OUT = ROOT / "lib" / "bricks" / "teaching" / "tables" / "recurrent.json"
SEEDS, KINDS, SHORT_T = (0, 1, 2, 3, 4), ("SimpleRNN", "LSTM", "GRU"), (6, 8, 12)


def chapter_namespace(path, needs=("race", "steps_to_solve")):
    """Run the chapter's code cells in order until every name in `needs` is defined; their globals."""
    ns = {"__name__": "__chapter__"}
    for i, cell in enumerate(c for c in notebooks.read(path).cells if c.cell_type == "code"):
        exec(compile(cell.source, f"{path.name}, code cell {i}", "exec"), ns)
        if all(name in ns for name in needs):
            return ns
    raise RuntimeError(f"recurrent_tables: expected {path.name} to define {needs}. "
                       f"Received: none of its code cells defines {[n for n in needs if n not in ns]}")


if __name__ == "__main__":
    start = time.time()
    ch = chapter_namespace(CHAPTER)
    band = {}
    for kind in KINDS:
        for seed in SEEDS:
            steps = ch["steps_to_solve"](ch["race"](kind, seed)[1])
            band.setdefault(kind, []).append(steps)
            print(kind, seed, steps, flush=True)
    short = {str(T): ch["race"]("SimpleRNN", T=T)[1] for T in SHORT_T}
    print("short sweep", short, flush=True)
    table = {"meta": {"script": "tools/recurrent_tables.py", "chapter": str(CHAPTER.relative_to(ROOT)),
                      "numpy": np.__version__, "python": platform.python_version(),
                      "seeds": list(SEEDS), "steps": ch["STEPS"], "every": ch["EVERY"],
                      "seconds": round(time.time() - start)},
             "adding_band": band, "short_sweep": short}
    OUT.write_text(json.dumps(table, indent=1) + "\n")
    print("wrote", OUT, table["meta"]["seconds"], "s")
