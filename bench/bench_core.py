"""Core training stack: Dense forward+backward against its three matrix products, and one fit
epoch of a small MLP, guarded (all-or-nothing steps, the default) against unguarded (the bare
`train_step`), timed in alternation in CPU seconds (see bench_recurrent.py on why).

What the guard costs a step, and why it is small: a built Sequential keeps its weights and
gradients as views of one flat array per dtype (bricks.packing), so the snapshot is one copy
and the finiteness check one sum of squares, whatever the number of layers; the layers' dicts
count new arrays, so "is the pack still the model's?" is one comparison. What is left is one
copy of the weights, one copy of the optimizer's slot dicts, the random-stream journal and
numpy's errstate. Counted by valgrind's callgrind (instructions, not seconds: the same on a
busy machine), the guarded epoch runs 1.06x the instructions of the unguarded one."""

import numpy as np

import bricks
from bench_recurrent import interleaved_minima, set_blas_threads
from run import timed


def matmuls(x, w, g):
    """The Dense floor: x W forward; g W^T and x^T g backward."""
    return lambda: (x @ w, g @ w.T, x.T @ g)


def run(report):
    set_blas_threads(1)  # as every bench here: CPU seconds of one thread (idle BLAS threads spin on CPU time)
    bricks.set_random_seed(0)
    rng = np.random.default_rng(0)

    x = rng.normal(size=(256, 128))
    g = rng.normal(size=(256, 64))
    for activation in (None, "relu", "softmax"):
        layer = bricks.Dense(64, activation=activation)
        layer.forward(x)
        floor = ("matmul floor", timed(matmuls(x, layer.params["kernel"], g)))
        report(f"Dense(64, {activation}) fwd+bwd (256, 128)",
               timed(lambda layer=layer: (layer.forward(x, training=True), layer.backward(g))), "float64", floor)

    x32, g32 = x.astype(np.float32), g.astype(np.float32)
    layer = bricks.Dense(64, activation="relu", dtype="float32")
    layer.forward(x32)
    floor = ("matmul floor", timed(matmuls(x32, layer.params["kernel"], g32)))
    report("Dense(64, relu) fwd+bwd (256, 128)", timed(lambda: (layer.forward(x32), layer.backward(g32))),
           "float32", floor)

    xs = rng.normal(size=(2048, 20))
    ys = (xs[:, :1] * xs[:, 1:2] > 0).astype(np.float64)
    model = bricks.Sequential([bricks.Input((20,)), bricks.Dense(64, activation="relu"),
                               bricks.Dense(64, activation="relu"), bricks.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    epoch = {guard: (lambda guard=guard: model.fit(xs, ys, batch_size=32, epochs=1, verbose=0, guard=guard))
             for guard in (True, False)}
    guarded, bare = interleaved_minima([epoch[True], epoch[False]], rounds=25)
    report("fit 1 epoch: MLP 20-64-64-1, N=2048, batch 32, Adam", guarded, "64 steps, guarded (CPU s)",
           ("unguarded", bare))
    weights, hidden = [layer.params["kernel"] for layer in model.layers], np.ones((2048, 64))
    t_predict, t_floor = interleaved_minima([lambda: model.predict(xs, batch_size=256),
                                             lambda: [xs @ weights[0], hidden @ weights[1], hidden @ weights[2]]],
                                            rounds=25)
    report("predict: MLP 20-64-64-1, N=2048", t_predict, "CPU s", ("matmul floor", t_floor))
