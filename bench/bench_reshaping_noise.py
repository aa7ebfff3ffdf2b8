"""Forward + backward of the reshaping, noise and embedding layers on representative shapes."""
import numpy as np

import bricks
from bricks.layers import (AlphaDropout, Cropping1D, Cropping2D, Cropping3D, Dropout, Embedding, Flatten,
                           GaussianDropout, GaussianNoise, Reshape, UpSampling1D, UpSampling2D,
                           UpSampling3D, ZeroPadding1D, ZeroPadding2D, ZeroPadding3D)

try:
    from run import copy_floor, timed
except ImportError:  # run directly: python bench/bench_reshaping_noise.py
    import sys, pathlib  # noqa: E401
    sys.path.insert(0, str(pathlib.Path(__file__).parent))
    from run import copy_floor, timed

IMG, SEQ, VOL = (32, 28, 28, 8), (64, 60, 8), (8, 12, 12, 12, 4)


def _case(report, layer, x, training=False, note=""):
    upstream = np.ones_like(layer.forward(x, training=training))  # made once, outside the timing

    def step():
        layer.forward(x, training=training)
        layer.backward(upstream)

    shape = "x".join(str(d) for d in x.shape)
    floor = ("copy floor", copy_floor(x, upstream))
    report(f"{layer.name} {shape}{' train' if training else ''}", timed(step), note, floor)


def run(report):
    bricks.set_random_seed(0)
    rng = np.random.default_rng(0)
    img, seq, vol = rng.standard_normal(IMG), rng.standard_normal(SEQ), rng.standard_normal(VOL)
    _case(report, Flatten(), img)
    _case(report, Reshape((28 * 28, 8)), img)
    _case(report, Cropping1D((2, 2)), seq)
    _case(report, Cropping2D(((2, 2), (2, 2))), img)
    _case(report, Cropping3D(), vol)
    _case(report, ZeroPadding1D(2), seq)
    _case(report, ZeroPadding2D(2), img)
    _case(report, ZeroPadding3D(), vol)
    _case(report, UpSampling1D(), seq)
    _case(report, UpSampling2D(), img)
    _case(report, UpSampling3D(), vol)
    for layer in (Dropout(0.3, seed=0), AlphaDropout(0.1, seed=0), GaussianDropout(0.3, seed=0),
                  GaussianNoise(0.1, seed=0)):
        _case(report, layer, img, training=True, note="fresh noise each call")
    emb = Embedding(3000, 16)
    _case(report, emb, rng.integers(0, 3000, size=(64, 20)), note="np.add.at backward")


if __name__ == "__main__":
    run(lambda name, s, note="", floor=None: print(f"  {name:<40s} {s * 1e3:9.3f} ms  {note}"))
