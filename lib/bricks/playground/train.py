"""Training runs for the Playground and chapter 3: a model, `fit`, and snapshots for animations.

A snapshot (a "frame") is taken before training and at a few evenly spaced epochs:
the epoch, the loss and accuracy so far (on the test points too, when `train` gets
some), the model's probability over a grid of the plane (the decision surface), each
hidden neuron's output over the same grid, and the number of dead ReLU units per layer.
`bricks.teaching.visual.player(run.frames, ...)` turns them into an animation.
The network sees the points through `features` (feature crosses such as x1^2 or
x1*x2, see `bricks.playground.features`); the frames are drawn over the plane (x1, x2).
"""
import numpy as np

from bricks import errors, initializers, optimizers
from bricks.callbacks import LambdaCallback
from bricks.layers.core import Dense, Input
from bricks.model import Sequential
from bricks.playground.features import cross_features, dead_units
from bricks.regularizers import L1L2

__all__ = ["Run", "build_model", "train", "plane_grid", "hidden_maps"]


def plane_grid(x, steps=40, margin=0.2):
    """A steps x steps grid over the box around `x`: (g1 (steps,), g2 (steps,), points (steps^2, 2))."""
    lo, hi = x.min(axis=0) - margin, x.max(axis=0) + margin  # (2,), (2,)
    g1, g2 = np.linspace(lo[0], hi[0], steps), np.linspace(lo[1], hi[1], steps)
    xx, yy = np.meshgrid(g1, g2)  # (steps, steps): rows follow x2, columns follow x1
    return g1, g2, np.stack([xx.ravel(), yy.ravel()], axis=1)  # (steps^2, 2)


def build_model(hidden=(4,), activation="tanh", learning_rate=0.03, l1=0.0, l2=0.0, optimizer="sgd",
                momentum=0.0, clipnorm=None, seed=0, loss="binary_crossentropy", output_activation="sigmoid",
                n_features=2):
    """A compiled binary classifier: Dense(w, activation) per hidden width, then Dense(1, output).

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
        n_features: the number of inputs (2, or more with feature crosses).
    """
    hidden = tuple(int(w) for w in hidden)
    if any(w <= 0 for w in hidden):
        errors.fail("playground.build_model", "positive hidden widths", hidden=hidden)
    reg = L1L2(l1=l1, l2=l2) if (l1 or l2) else None
    layers = [Input((int(n_features),))]
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
    """Each hidden neuron's output over a grid: a list (one per hidden layer) of (units, steps, steps).

    `points` are the grid's inputs as the model sees them, (steps^2, n_features).
    """
    maps, a = [], points  # (steps^2, n_features)
    for layer in model.layers[:-1]:
        a = layer.forward(a)  # (steps^2, units)
        maps.append(a.T.reshape(-1, steps, steps).copy())  # (units, steps, steps)
    return maps


class Run:
    """What `train` returns.

    Attributes:
        model, history (bricks History), x, y (the training points, (n, 2) and (n,)), config
            (the arguments of the run); x_test, y_test: the test points, or None;
        frames: list of dicts with epoch, loss, accuracy (and test_loss, test_accuracy: lists
            as long, when there are test points), surface (steps, steps) = P(label 1),
            neurons (list of (units, steps, steps) per hidden layer), dead (dead ReLU units
            per hidden layer, on the training points);
        grid: (g1, g2) coordinates of the surface; loss, accuracy: final, on (x, y);
        test_loss, test_accuracy: final, on the test points (NaN without them);
        dead: the final model's dead ReLU units per hidden layer (list of ints);
        stopped_reason: None, or fit's message when training stopped on a non-finite loss.
    """

    def __init__(self, model, history, frames, x, y, grid, config, test=None):
        self.model, self.history, self.frames = model, history, frames
        self.x, self.y, self.grid, self.config = x, y, grid, config
        self.x_test, self.y_test = test if test is not None else (None, None)
        self.stopped_reason = getattr(history, "stopped_reason", None)
        self.losses = list(history.history.get("loss", []))
        self.accuracies = list(history.history.get("accuracy", []))
        self.test_losses = list(history.history.get("val_loss", []))
        self.test_accuracies = list(history.history.get("val_accuracy", []))
        self.accuracy = self.accuracy_on(x, y)
        self.loss = self.losses[-1] if self.losses else float("nan")
        self.test_accuracy = self.accuracy_on(*test) if test is not None else float("nan")
        self.test_loss = self.test_losses[-1] if self.test_losses else float("nan")
        self.dead = [int(d.sum()) for d in dead_units(model, self.inputs(x))]

    def inputs(self, x):
        """Points x (n, 2) as the network sees them: the run's feature crosses, (n, k)."""
        return cross_features(x, self.config["features"])

    def accuracy_on(self, x, y):
        """The share of points (x (n, 2), y (n,)) on the right side of P = 0.5 (NaN if P is not finite)."""
        with np.errstate(all="ignore"):
            p = self.model.predict(self.inputs(x))[:, 0]  # (n,)
        return float(np.mean((p > 0.5) == (np.asarray(y) == 1))) if np.all(np.isfinite(p)) else float("nan")

    def __repr__(self):
        stop = f", stopped: {self.stopped_reason}" if self.stopped_reason else ""
        test = f" test_accuracy={self.test_accuracy:.3f}" if self.x_test is not None else ""
        return (f"<Run hidden={self.config['hidden']} epochs={len(self.losses)} loss={self.loss:.4g} "
                f"accuracy={self.accuracy:.3f}{test}{stop}>")


class _Recorder:
    """Collects the frames of a run: the epoch-end logs so far and snapshots of the model."""

    def __init__(self, model, points, inputs, steps, has_test):
        self.model, self.points, self.inputs, self.steps, self.has_test = model, points, inputs, steps, has_test
        self.frames, self.logs = [], {k: [] for k in ("loss", "accuracy", "val_loss", "val_accuracy")}

    def snap(self, epoch):
        """Append a frame for `epoch` (skipped when the surface is not finite: weights blew up)."""
        with np.errstate(all="ignore"):
            surface = self.model.predict(self.points)[:, 0].reshape(self.steps, self.steps)  # (steps, steps)
            neurons = hidden_maps(self.model, self.points, self.steps)
            dead = [int(d.sum()) for d in dead_units(self.model, self.inputs)]
        if not np.all(np.isfinite(surface)):
            return  # keep the frames clean; fit reports the stop
        frame = {"epoch": epoch, "surface": surface, "neurons": neurons, "dead": dead,
                 "loss": list(self.logs["loss"]), "accuracy": list(self.logs["accuracy"])}
        if self.has_test:
            frame.update(test_loss=list(self.logs["val_loss"]), test_accuracy=list(self.logs["val_accuracy"]))
        self.frames.append(frame)

    def on_epoch_end(self, epoch, logs, marks):
        if not np.isfinite(logs.get("loss", np.nan)):
            return  # fit stops after this epoch; nothing non-finite goes into the frames
        for k in self.logs:
            self.logs[k].append(float(logs.get(k, np.nan)))
        if epoch + 1 in marks:
            self.snap(epoch + 1)


def _marks(snapshots, epochs):
    """The epochs to snapshot: `snapshots` evenly spaced ones (an int), or the listed epochs."""
    if np.ndim(snapshots):
        return {int(e) for e in snapshots if 0 <= int(e) <= epochs}
    return set(np.unique(np.linspace(0, epochs, snapshots).round().astype(int)).tolist()) if snapshots else set()


def train(x, y, hidden=(4,), activation="tanh", learning_rate=0.03, l1=0.0, l2=0.0, batch_size=10,
          epochs=100, snapshots=25, optimizer="sgd", momentum=0.0, clipnorm=None, seed=0, steps=40,
          validation_data=None, loss="binary_crossentropy", output_activation="sigmoid",
          features=("x1", "x2"), test=None, guard=True):
    """Build a model (see `build_model`), `fit` it on (x, y), snapshot it `snapshots` times.

    Args:
        x: (n, 2) points; y: (n,) labels 0/1.
        batch_size, epochs: as in `fit` (shuffled with `seed`).
        snapshots: number of frames, taken before training and at evenly spaced epochs
            (0: none, only the final model); or a list of the epochs to snapshot (0 = before
            training), e.g. (0, 3, 10, 30, 100) where the change happens early.
        steps: grid resolution of the surfaces.
        features: what the network sees, names from `bricks.playground.features.FEATURES`
            (default the two coordinates; e.g. ("x1", "x2", "x1^2", "x2^2", "x1*x2")).
        test: optional held-out points (x_test (m, 2), y_test (m,)), never trained on: their
            loss and accuracy are recorded every epoch (`validation_data` is its old name).
        guard: as in `fit` (all-or-nothing steps); False for runs known to stay finite.
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
    test = test if test is not None else validation_data
    if test is not None:
        test = (errors.as_float_array("playground.train", test[0]), np.asarray(test[1]).reshape(-1))
    features = tuple(features)
    config = dict(hidden=tuple(hidden), activation=activation, learning_rate=learning_rate, l1=l1, l2=l2,
                  batch_size=batch_size, epochs=epochs, optimizer=optimizer, momentum=momentum,
                  clipnorm=clipnorm, seed=seed, loss=loss, output_activation=output_activation,
                  features=features)
    inputs = cross_features(x, features)  # (n, k)
    model = build_model(hidden, activation, learning_rate, l1, l2, optimizer, momentum, clipnorm, seed, loss,
                        output_activation, n_features=inputs.shape[1])
    g1, g2, points = plane_grid(x, steps)  # points (steps^2, 2)
    rec = _Recorder(model, cross_features(points, features), inputs, steps, test is not None)
    marks = _marks(snapshots, epochs)
    if 0 in marks:
        rec.snap(0)
    val = None if test is None else (cross_features(test[0], features), test[1].reshape(-1, 1))
    history = model.fit(inputs, y.astype(np.float64)[:, None], batch_size=batch_size, epochs=epochs, verbose=0,
                        shuffle=True, seed=seed, validation_data=val, validation_batch_size=256,  # one pass
                        guard=guard,
                        callbacks=[LambdaCallback(on_epoch_end=lambda e, logs: rec.on_epoch_end(e, logs, marks))])
    done = len(history.history.get("loss", []))
    if rec.frames and rec.frames[-1]["epoch"] != done and not history.stopped_reason:
        rec.snap(done)
    frames = rec.frames
    run = Run(model, history, frames, x, y, (g1, g2), config, test)
    for frame in frames:
        frame["run"] = run  # so that draw(axes, frame, i) needs nothing else
    return run
