"""Forward + backward of BatchNormalization, LayerNormalization and Residual on representative shapes."""
import numpy as np

import bricks
from bricks.layers import BatchNormalization, LayerNormalization, Residual

try:
    from run import copy_floor, timed
except ImportError:  # run directly: python bench/bench_normalization.py
    import sys, pathlib  # noqa: E401
    sys.path.insert(0, str(pathlib.Path(__file__).parent))
    from run import copy_floor, timed

IMG, SEQ, FEAT = (32, 28, 28, 8), (64, 60, 64), (256, 128)


def _case(report, layer, x, training=False, note=""):
    def step():
        y = layer.forward(x, training=training)
        layer.backward(np.ones_like(y))

    shape = "x".join(str(d) for d in x.shape)
    floor = ("copy floor", copy_floor(x, layer.forward(x, training=training)))
    report(f"{layer.name} {shape}{' train' if training else ''}", timed(step, repeat=10), note, floor)


def run(report):
    bricks.set_random_seed(0)
    rng = np.random.default_rng(0)
    img, seq, feat = rng.standard_normal(IMG), rng.standard_normal(SEQ), rng.standard_normal(FEAT)
    _case(report, BatchNormalization(), img, training=True)
    _case(report, BatchNormalization(), img, training=False)
    _case(report, BatchNormalization(), seq, training=True)
    _case(report, LayerNormalization(), seq)
    _case(report, LayerNormalization(), img)
    if hasattr(bricks, "Dense"):
        _case(report, Residual([bricks.Dense(128, activation="relu"), bricks.Dense(128)]), feat,
              note="2 x Dense(128) inside")
        _case(report, Residual([bricks.Dense(64, activation="relu"), bricks.Dense(64)]), seq,
              note="2 x Dense(64) inside, rank 3")


if __name__ == "__main__":
    def _print(name, seconds, note="", floor=None):
        print(f"  {name:<58s} {seconds * 1e3:10.2f} ms  {note}")

    run(_print)
