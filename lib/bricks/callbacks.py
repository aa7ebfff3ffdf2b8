"""Callbacks: code that `fit` calls at fixed moments (Keras names, arguments and defaults).

The hooks, in the order fit calls them::

    on_train_begin(logs)            before the first epoch
    on_epoch_begin(epoch, logs)     epoch counts from 0
    on_batch_begin / on_batch_end(batch, logs)   logs["loss"]: running mean over the epoch so far
    on_epoch_end(epoch, logs)       logs: loss, metrics, val_loss, val_<metric>
    on_train_end(logs)              after the last epoch (also after an early stop)

A callback reaches the model as `self.model` and may set `self.model.stop_training = True`.

Example: watch two points after every epoch, and stop when the loss stalls:
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(64, 2)); y = (x[:, :1] > 0).astype(float)
    >>> model = bricks.Sequential([bricks.Input((2,)), bricks.Dense(1, activation="sigmoid")])
    >>> model.compile(optimizer=bricks.Adam(0.1), loss="binary_crossentropy")
    <Sequential name='sequential' built=True params=3>
    >>> grid, snapshots = np.array([[1.0, 0.0], [-1.0, 0.0]]), []
    >>> cb = LambdaCallback(on_epoch_end=lambda epoch, logs: snapshots.append(model.predict(grid)))
    >>> stop = EarlyStopping(monitor="loss", min_delta=0.01, patience=5)
    >>> history = model.fit(x, y, epochs=200, verbose=0, callbacks=[cb, stop])
    >>> len(snapshots) == len(history.history["loss"]) < 200   # one per epoch, stopped early
    True
    >>> snapshots[-1].ravel().round(1)                          # both points classified
    array([1., 0.])
"""
import math

import numpy as np

from bricks import errors

__all__ = ["Callback", "CallbackList", "History", "EarlyStopping", "LearningRateScheduler", "TerminateOnNaN",
           "LambdaCallback", "ProgbarLogger"]


class Callback:
    """Base class: every hook does nothing."""

    def __init__(self):
        self.model = None
        self.params = {}

    def set_model(self, model):
        self.model = model

    def set_params(self, params):
        self.params = params

    def on_train_begin(self, logs=None):
        pass

    def on_train_end(self, logs=None):
        pass

    def on_epoch_begin(self, epoch, logs=None):
        pass

    def on_epoch_end(self, epoch, logs=None):
        pass

    def on_batch_begin(self, batch, logs=None):
        pass

    def on_batch_end(self, batch, logs=None):
        pass

    # Keras's train-batch names call the short ones
    def on_train_batch_begin(self, batch, logs=None):
        self.on_batch_begin(batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self.on_batch_end(batch, logs)


class CallbackList:
    """Several callbacks called as one, in order (Keras's CallbackList): what `fit` talks to.

    `callbacks.on_epoch_end(epoch, logs)` calls `on_epoch_end(epoch, logs)` on every callback;
    every hook of `Callback` works the same way.

    Example:
        >>> seen = []
        >>> cbs = CallbackList([LambdaCallback(on_epoch_end=lambda e, logs: seen.append(e))], model=None)
        >>> cbs.on_epoch_end(0, {"loss": 1.0}); seen
        [0]
    """

    HOOKS = {"on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end", "on_batch_begin",
             "on_batch_end", "on_train_batch_begin", "on_train_batch_end"}

    def __init__(self, callbacks, model, params=None):
        self.callbacks = list(callbacks)
        for cb in self.callbacks:
            if not isinstance(cb, Callback):
                errors.fail("fit", "callbacks that are bricks.callbacks.Callback objects",
                            **{"type(callback)": type(cb).__name__})
            cb.set_model(model)
            cb.set_params(dict(params or {}))

    def __getattr__(self, hook):
        if hook not in CallbackList.HOOKS:
            raise AttributeError(hook)

        def call(*args):
            for cb in self.callbacks:
                getattr(cb, hook)(*args)
        return call


class History(Callback):
    """Records the epoch logs: `history.history["loss"]` is a list with one float per epoch.

    `epoch` lists the epoch indices; `stopped_reason` is None, or the message of a
    stop (a non-finite loss) that ended training early; `warnings` lists what fit
    printed about a divergence the finite loss hides (bricks.guards.divergence).
    """

    def __init__(self):
        super().__init__()
        self.history, self.epoch, self.stopped_reason, self.warnings = {}, [], None, []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(v)

    def __repr__(self):
        return f"<History epochs={len(self.epoch)} keys={sorted(self.history)}>"


class EarlyStopping(Callback):
    """Stop when `monitor` has not improved by more than `min_delta` for `patience` epochs.

    Args:
        monitor: a log key, 'val_loss' by default ('loss' without validation data).
        min_delta: the smallest change that counts as an improvement.
        patience: epochs without improvement before stopping.
        mode: 'min', 'max' or 'auto' (max for accuracies, else min).
        restore_best_weights: at the end of training, set the weights of the best epoch.
        start_from_epoch: epochs of warm-up before improvements are tracked.
    Attributes after fit: stopped_epoch (0 if it never stopped), best, best_epoch.
    Unlike Keras, which only warns, a `monitor` missing from the epoch logs raises a
    ValueError listing the keys that are there (e.g. 'val_loss' without validation data).
    """

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        super().__init__()
        if mode not in ("auto", "min", "max"):
            errors.fail("EarlyStopping", "mode 'auto', 'min' or 'max'", mode=mode)
        if mode == "auto":
            mode = "max" if ("acc" in monitor or monitor.endswith("auc")) else "min"
        self.monitor, self.min_delta, self.patience, self.verbose = monitor, abs(min_delta), patience, verbose
        self.mode, self.baseline, self.restore_best_weights = mode, baseline, restore_best_weights
        self.start_from_epoch = start_from_epoch

    def _better(self, current, reference):
        if self.mode == "min":
            return current < reference - self.min_delta
        return current > reference + self.min_delta

    def on_train_begin(self, logs=None):
        self.wait, self.stopped_epoch, self.best_epoch = 0, 0, 0
        self.best = math.inf if self.mode == "min" else -math.inf
        self.best_weights = None

    def on_epoch_end(self, epoch, logs=None):
        current = (logs or {}).get(self.monitor)
        if current is None:
            errors.fail("EarlyStopping", f"the monitored key {self.monitor!r} in the epoch logs",
                        available=sorted(logs or {}))
        if epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
        self.wait += 1
        if self._better(current, self.best):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._better(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping (best {self.monitor} "
                  f"{self.best:.4g} at epoch {self.best_epoch + 1})")
        if self.restore_best_weights and self.best_weights is not None:
            self.model.set_weights(self.best_weights)


class LearningRateScheduler(Callback):
    """Set the optimizer's learning rate at each epoch start: lr = schedule(epoch, lr) (or schedule(epoch))."""

    def __init__(self, schedule, verbose=0):
        super().__init__()
        self.schedule, self.verbose = schedule, verbose

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        if callable(optimizer.learning_rate):
            errors.fail("LearningRateScheduler", "an optimizer with a float learning_rate",
                        learning_rate=optimizer.learning_rate)
        try:
            lr = self.schedule(epoch, float(optimizer.learning_rate))
        except TypeError:  # a schedule of the epoch only
            lr = self.schedule(epoch)
        optimizer.learning_rate = float(lr)
        if self.verbose:
            print(f"Epoch {epoch + 1}: LearningRateScheduler setting learning rate to {lr:.6g}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = float(self.model.optimizer.learning_rate)


class TerminateOnNaN(Callback):
    """Stop training as soon as a batch loss is NaN or infinite.

    `fit` passes a refused step's loss (NaN) to `on_train_batch_end` before it stops with
    its own message, so this callback sees it; with fit(guard=False) it is what stops Keras-style.
    """

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not np.isfinite(loss):
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True


class LambdaCallback(Callback):
    """A callback from plain functions, e.g. LambdaCallback(on_epoch_end=lambda epoch, logs: ...)."""

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_batch_begin=None, on_batch_end=None,
                 on_train_begin=None, on_train_end=None):
        super().__init__()
        for name, fn in (("on_epoch_begin", on_epoch_begin), ("on_epoch_end", on_epoch_end),
                         ("on_batch_begin", on_batch_begin), ("on_batch_end", on_batch_end),
                         ("on_train_begin", on_train_begin), ("on_train_end", on_train_end)):
            if fn is not None:
                setattr(self, name, fn)


from bricks.progbar import ProgbarLogger  # noqa: E402  (needs Callback above; exported here, as Keras)
