"""Training runs for the Playground and chapter 3: a model, `fit`, and snapshots for animations.

A snapshot (a "frame") is taken before training and at a few evenly spaced epochs:
the epoch, the loss and accuracy so far, the model's probability over a grid of the
plane (the decision surface) and each hidden neuron's output over the same grid.
`bricks.teaching.visual.player(run.frames, ...)` turns them into an animation.
"""
import numpy as np

from bricks import errors, initializers, optimizers
from bricks.callbacks import LambdaCallback
from bricks.layers.core import Dense, Input
from bricks.model import Sequential
from bricks.regularizers import L1L2

__all__ = ["Run", "build_model", "train", "plane_grid", "hidden_maps"]


def plane_grid(x, steps=40, margin=0.2):
    """A steps x steps grid over the box around `x`: (g1 (steps,), g2 (steps,), points (steps^2, 2))."""
    lo, hi = x.min(axis=0) - margin, x.max(axis=0) + margin  # (2,), (2,)
    g1, g2 = np.linspace(lo[0], hi[0], steps), np.linspace(lo[1], hi[1], steps)
    xx, yy = np.meshgrid(g1, g2)  # (steps, steps): rows follow x2, columns follow x1
    return g1, g2, np.stack([xx.ravel(), yy.ravel()], axis=1)  # (steps^2, 2)


def build_model(hidden=(4,), activation="tanh", learning_rate=0.03, l1=0.0, l2=0.0, optimizer="sgd",
                momentum=0.0, clipnorm=None, seed=0, loss="binary_crossentropy", output_activation="sigmoid"):
    """A compiled binary classifier of two features: Dense(w, activation) per hidden width, Dense(1, output).

    Args:
        hidden: widths of the hidden layers, e.g. (8, 8); () gives logistic regression.
        activation: of the hidden layers ('tanh', 'relu', 'sigmoid', ...).
        learning_rate: a float or a schedule (bricks.ExponentialDecay, ...).
        l1, l2: weight penalties on every kernel (Keras's L1L2: l1 sum|W| + l2 sum W^2).
        optimizer: 'sgd' (with `momentum`), 'adam' or 'rmsprop'.
        clipnorm: clip each gradient array to this norm (None: no clipping).
        seed: seeds the initial weights (layer k uses seed + k), so runs are repeatable.
        loss, output_activation: binary_crossentropy with a sigmoid output (default), or e.g.
            'mse' with a linear output (None) that regresses the 0/1 label; metric accuracy
            (output > 0.5).
    """
    hidden = tuple(int(w) for w in hidden)
    if any(w <= 0 for w in hidden):
        errors.fail("playground.build_model", "positive hidden widths", hidden=hidden)
    reg = L1L2(l1=l1, l2=l2) if (l1 or l2) else None
    layers = [Input((2,))]
    for k, width in enumerate((*hidden, 1)):
        layers.append(Dense(width, activation=activation if k < len(hidden) else output_activation,
                            kernel_initializer=initializers.GlorotUniform(seed=seed + k),
                            kernel_regularizer=reg))
    kinds = {"sgd": lambda: optimizers.SGD(learning_rate, momentum=momentum, clipnorm=clipnorm),
             "adam": lambda: optimizers.Adam(learning_rate, clipnorm=clipnorm),
             "rmsprop": lambda: optimizers.RMSprop(learning_rate, clipnorm=clipnorm)}
    if optimizer not in kinds:
        errors.fail("playground.build_model", f"optimizer one of {sorted(kinds)}", optimizer=optimizer)
    model = Sequential(layers)
    model.compile(optimizer=kinds[optimizer](), loss=loss, metrics=["accuracy"])
    return model


def hidden_maps(model, points, steps):
    """Each hidden neuron's output over a grid: a list (one per hidden layer) of (units, steps, steps)."""
    maps, a = [], points  # (steps^2, 2)
    for layer in model.layers[:-1]:
        a = layer.forward(a)  # (steps^2, units)
        maps.append(a.T.reshape(-1, steps, steps).copy())  # (units, steps, steps)
    return maps


class Run:
    """What `train` returns.

    Attributes:
        model, history (bricks History), x, y, config (the arguments of the run);
        frames: list of dicts with epoch, loss, accuracy, surface (steps, steps) = P(label 1),
            neurons (list of (units, steps, steps) per hidden layer);
        grid: (g1, g2) coordinates of the surface; loss, accuracy: final, on (x, y);
        stopped_reason: None, or fit's message when training stopped on a non-finite loss.
    """

    def __init__(self, model, history, frames, x, y, grid, config):
        self.model, self.history, self.frames = model, history, frames
        self.x, self.y, self.grid, self.config = x, y, grid, config
        self.stopped_reason = getattr(history, "stopped_reason", None)
        self.losses = list(history.history.get("loss", []))
        self.accuracies = list(history.history.get("accuracy", []))
        with np.errstate(all="ignore"):
            p = model.predict(x)[:, 0]  # (n,)
        self.accuracy = float(np.mean((p > 0.5) == (y == 1))) if np.all(np.isfinite(p)) else float("nan")
        self.loss = self.losses[-1] if self.losses else float("nan")

    def __repr__(self):
        stop = f", stopped: {self.stopped_reason}" if self.stopped_reason else ""
        return (f"<Run hidden={self.config['hidden']} epochs={len(self.losses)} loss={self.loss:.4g} "
                f"accuracy={self.accuracy:.3f}{stop}>")


def train(x, y, hidden=(4,), activation="tanh", learning_rate=0.03, l1=0.0, l2=0.0, batch_size=10,
          epochs=100, snapshots=25, optimizer="sgd", momentum=0.0, clipnorm=None, seed=0, steps=40,
          validation_data=None, loss="binary_crossentropy", output_activation="sigmoid"):
    """Build a model (see `build_model`), `fit` it on (x, y), snapshot it `snapshots` times.

    Args:
        x: (n, 2) features; y: (n,) labels 0/1.
        batch_size, epochs: as in `fit` (shuffled with `seed`).
        snapshots: number of frames, taken before training and at evenly spaced epochs
            (0: none, only the final model).
        steps: grid resolution of the surfaces.
        validation_data: optional (x_val, y_val) passed to `fit`.
        the others: as in `build_model`.
    Returns:
        A `Run`. If the loss stops being finite, fit stops and `run.stopped_reason` says so;
        the history and the frames hold only finite values.
    """
    x = errors.as_float_array("playground.train", x)
    y = np.asarray(y).reshape(-1)
    if x.ndim != 2 or x.shape[1] != 2 or len(x) != len(y):
        errors.fail("playground.train", "x of shape (n, 2) and y of shape (n,)",
                    **{"x.shape": x.shape, "y.shape": y.shape})
    config = dict(hidden=tuple(hidden), activation=activation, learning_rate=learning_rate, l1=l1, l2=l2,
                  batch_size=batch_size, epochs=epochs, optimizer=optimizer, momentum=momentum,
                  clipnorm=clipnorm, seed=seed, loss=loss, output_activation=output_activation)
    model = build_model(hidden, activation, learning_rate, l1, l2, optimizer, momentum, clipnorm, seed, loss,
                        output_activation)
    g1, g2, points = plane_grid(x, steps)
    target = y.astype(np.float64)[:, None]  # (n, 1)
    frames = []
    marks = set(np.unique(np.linspace(0, epochs, snapshots).round().astype(int)).tolist()) if snapshots else set()
    logs_so_far = {"loss": [], "accuracy": []}

    def snap(epoch):
        with np.errstate(all="ignore"):
            surface = model.predict(points)[:, 0].reshape(steps, steps)  # (steps, steps)
            neurons = hidden_maps(model, points, steps)
        if not np.all(np.isfinite(surface)):
            return  # weights blew up: keep the frames clean, fit reports the stop
        frames.append({"epoch": epoch, "surface": surface, "neurons": neurons,
                       "loss": list(logs_so_far["loss"]), "accuracy": list(logs_so_far["accuracy"])})

    def on_epoch_end(epoch, logs):
        if not np.isfinite(logs.get("loss", np.nan)):
            return  # fit stops after this epoch; nothing non-finite goes into the frames
        for k in logs_so_far:
            logs_so_far[k].append(float(logs.get(k, np.nan)))
        if epoch + 1 in marks:
            snap(epoch + 1)

    if 0 in marks:
        snap(0)
    history = model.fit(x, target, batch_size=batch_size, epochs=epochs, verbose=0, shuffle=True, seed=seed,
                        callbacks=[LambdaCallback(on_epoch_end=on_epoch_end)], validation_data=
                        None if validation_data is None else (validation_data[0],
                                                              np.asarray(validation_data[1]).reshape(-1, 1)))
    if frames and frames[-1]["epoch"] != len(history.history.get("loss", [])) and not history.stopped_reason:
        snap(len(history.history["loss"]))
    run = Run(model, history, frames, x, y, (g1, g2), config)
    for frame in frames:
        frame["run"] = run  # so that draw(axes, frame, i) needs nothing else
    return run
