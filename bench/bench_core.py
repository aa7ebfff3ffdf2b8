"""Core training stack: Dense forward+backward, and one fit epoch of a small MLP."""
import numpy as np

import bricks
from run import timed


def run(report):
    bricks.set_random_seed(0)
    rng = np.random.default_rng(0)

    x = rng.normal(size=(256, 128))
    g = rng.normal(size=(256, 64))
    for activation in (None, "relu", "softmax"):
        layer = bricks.Dense(64, activation=activation)
        layer.forward(x)

        def step():
            layer.forward(x, training=True)
            layer.backward(g)

        report(f"Dense(64, {activation}) fwd+bwd (256, 128)", timed(step), "float64")

    x32, g32 = x.astype(np.float32), g.astype(np.float32)
    layer = bricks.Dense(64, activation="relu", dtype="float32")
    layer.forward(x32)
    report("Dense(64, relu) fwd+bwd (256, 128)", timed(lambda: (layer.forward(x32), layer.backward(g32))), "float32")

    xs = rng.normal(size=(2048, 20))
    ys = (xs[:, :1] * xs[:, 1:2] > 0).astype(np.float64)
    model = bricks.Sequential([bricks.Input((20,)), bricks.Dense(64, activation="relu"),
                               bricks.Dense(64, activation="relu"), bricks.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    report("fit 1 epoch: MLP 20-64-64-1, N=2048, batch 32, Adam",
           timed(lambda: model.fit(xs, ys, batch_size=32, epochs=1, verbose=0), repeat=3), "64 steps")
    report("predict: MLP 20-64-64-1, N=2048", timed(lambda: model.predict(xs, batch_size=256)))
