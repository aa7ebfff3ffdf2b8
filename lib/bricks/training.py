"""The trainer: compile, the training step, fit, evaluate, predict (Keras's `Trainer`, mixed into Sequential).

The step chapter 3 prints is `Trainer.train_step`: forward, loss, backward, update. `fit`
repeats it over shuffled mini-batches::

    for epoch in range(epochs):
        order = permutation(N)                            # a new shuffle every epoch
        for each batch idx of order:
            loss = model.train_step(x[idx], y[idx])       # inside guards.guarded_step unless guard=False
        logs = epoch means of loss and metrics (+ val_loss, val_<metric> on held-out data)
        callbacks.on_epoch_end(epoch, logs)               # History records them

Safety is a named option around the step, not inside it: with `guard=True` (the default)
`fit` and `train_on_batch` run each step through `bricks.guards.guarded_step`, which
snapshots what a step changes, checks the loss and gradients once, and puts everything
back if the step is not finite or raises (Ctrl-C included). The data are validated once,
where they enter (`fit`, `train_on_batch`, `evaluate`, `predict`). A loss that stops being
finite reaches the callbacks (TerminateOnNaN sees it), then ends training with a message
and nothing of that batch in the history.
"""
import numpy as np

from bricks import backend, errors, guards, losses, metrics as metrics_module, optimizers
from bricks.callbacks import CallbackList, History
from bricks.progbar import ProgbarLogger

__all__ = ["Trainer"]


class Trainer:
    """compile / train_step / fit / evaluate / predict for a model that has forward, backward,
    variables(), regularization_loss() and add_regularization_grads() (a Sequential)."""

    def __init__(self):
        self.optimizer = self.loss = None
        self.metric_names, self.metric_fns, self._metric_ids = [], [], []
        self.stop_training = False  # a callback sets it to end fit after the current batch
        self.history = None  # the History of the last fit
        self.step_fault = None  # why the last guarded step was refused, in words (None: kept)
        self.last_pred = None  # outputs of the last training step (fit's batch metrics read them)
        self.epoch = (0, 1)  # (epoch, epochs) of the running fit, for its messages
        self.packed_weights = None  # bricks.packing.PackedWeights: the weights as views of flat arrays

    def compile(self, optimizer="rmsprop", loss=None, metrics=None):
        """Choose the optimizer, the loss and the metrics to report. Returns the model (chainable)."""
        self.optimizer = optimizers.get(optimizer)
        self.loss = None if loss is None else losses.get(loss)
        self.metric_names = [m if isinstance(m, str) else getattr(m, "__name__", "metric") for m in metrics or []]
        self._metric_ids = list(metrics or [])
        self.metric_fns = []
        return self

    # ---- the step --------------------------------------------------------------------
    def train_step(self, x, y):
        """One training step on a batch; returns its loss (data loss plus weight penalties)."""
        y_pred = self.forward(x, training=True)  # every layer in order
        loss = self.loss(y, y_pred) + self.regularization_loss()  # what fit reports as "loss"
        self.backward(self.loss.gradient(y, y_pred))  # every layer in reverse: fills layer.grads
        self.add_regularization_grads()  # the penalties' share of the gradients
        self.optimizer.apply(self.variables())  # clip, then update every weight in place
        self.last_pred = y_pred
        return float(loss)

    def gradients(self, x, y, training=True):
        """`train_step` without the update: forward, loss, backward; returns the loss.

        Afterwards every `layer.grads[key]` holds dL/dW for this batch, e.g. to plot
        gradient norms per layer (see `gradient_norms`).
        """
        self._require_compiled("gradients()")
        y_pred = self.forward(x, training=training)
        value = self.loss(y, y_pred) + self.regularization_loss()
        self.backward(self.loss.gradient(y, y_pred))
        self.add_regularization_grads()
        self.last_pred = y_pred
        return float(value)

    def gradient_norms(self):
        """{path: ||grad||} of every trainable array, from the last `gradients` call."""
        return {path: float(np.linalg.norm(layer.grads[k])) for path, layer, k in self.variables()}

    def train_on_batch(self, x, y, guard=True):
        """`train_step` on one batch after checking it (finite, y in the loss's domain).

        With guard=True the step is all or nothing (`bricks.guards.guarded_step`): a step
        whose loss or gradients are not finite, or that raises, leaves the weights, the
        BatchNormalization statistics, the noise layers' random streams and the optimizer's
        slots and step count as they were; `model.step_fault` says why, and NaN is returned.
        """
        self._require_compiled("train_on_batch()")
        x, y = self._check_xy(x, y)
        return guards.guarded_step(self, x, y) if guard else self.train_step(x, y)

    # ---- fit ---------------------------------------------------------------------------
    def fit(self, x, y, batch_size=32, epochs=1, verbose=1, callbacks=None, validation_split=0.0,
            validation_data=None, shuffle=True, seed=None, guard=True, validation_batch_size=None):
        """Train for `epochs` passes over (x, y) in shuffled mini-batches; returns a History.

        Args:
            x, y: inputs (N, ...) and targets (N, ...).
            batch_size: samples per update (None: 32).
            epochs: passes over the data.
            verbose: 0 silent, 1 one line updated in place, 2 one line per epoch.
            callbacks: a list of bricks.callbacks objects.
            validation_split: the fraction of the LAST samples held out (taken before shuffling).
            validation_data: (x_val, y_val), scored after every epoch.
            shuffle: reshuffle the training samples every epoch, with backend.make_rng(seed).
            guard: run every step through `bricks.guards.guarded_step` (all or nothing);
                False runs the bare `train_step`, as Keras does.
            validation_batch_size: samples per forward pass when scoring the validation data
                (None: batch_size, as Keras); the scores do not depend on it, only the time.
        Returns:
            History: history.history["loss"], ["val_loss"], ...; history.stopped_reason.
        """
        self._require_compiled("fit()")
        batch_size, epochs = guards.check_fit_arguments(self, batch_size, epochs, validation_split, verbose)
        val_batch_size = guards.check_fit_arguments(self, batch_size if validation_batch_size is None
                                                    else validation_batch_size, 1, 0.0)[0]
        x, y = self._check_xy(x, y)  # once, up front: finite, y in the loss's domain
        x, y, x_val, y_val = self._split_validation(x, y, validation_split, validation_data)
        self._resolve_metrics()
        history = self.history = History()
        params = {"epochs": epochs, "steps": -(-len(x) // batch_size), "verbose": verbose}
        cbs = CallbackList(([ProgbarLogger(verbose)] if verbose else []) + list(callbacks or []) + [history],
                           self, params)
        rng = backend.make_rng(seed)
        self.stop_training, stop = False, None
        cbs.on_train_begin({})
        for epoch in range(epochs):
            self.epoch = (epoch, epochs)
            cbs.on_epoch_begin(epoch, {})
            order = rng.permutation(len(x)) if shuffle else np.arange(len(x))  # (N,)
            logs, stop = self._train_epoch(x, y, order, batch_size, cbs, guard)
            if stop is None and x_val is not None:
                stop = self._validate(x_val, y_val, val_batch_size, logs)
            if stop is None and logs and not history.warnings:  # a finite loss can hide divergence
                self._warn_divergence(history, logs["loss"])
            if stop is not None:
                break
            cbs.on_epoch_end(epoch, logs)
            if self.stop_training:
                break
        if stop is not None:
            history.stopped_reason, self.stop_training = stop, True
        cbs.on_train_end({})
        if stop is not None:
            print(stop)
        return history

    def _train_epoch(self, x, y, order, batch_size, callbacks, guard):
        """One pass over x[order] in batches; returns (logs, stop message or None). Guarded, numpy's
        overflow warnings are off inside each step only (a refused step is told in words,
        guards.diagnose): callbacks and metrics warn as usual."""
        seen, total, mtotal = 0, 0.0, np.zeros(len(self.metric_fns))
        logs, batches = {}, -(-len(order) // batch_size)
        for batch, start in enumerate(range(0, len(order), batch_size)):
            idx = order[start:start + batch_size]  # (B,)
            callbacks.on_train_batch_begin(batch, {})
            xb, yb = x[idx], y[idx]
            value = guards.guarded_step(self, xb, yb) if guard else self.train_step(xb, yb)
            if not np.isfinite(value):  # the callbacks see it (TerminateOnNaN), then fit stops
                callbacks.on_train_batch_end(batch, {**logs, "loss": value})
                return logs, self._nonfinite_message(value, batch, batches, guard=guard)
            seen += len(idx)
            total += value * len(idx)
            mtotal += np.array([fn(yb, self.last_pred) for fn in self.metric_fns]) * len(idx)
            logs = {"loss": total / seen, **dict(zip(self.metric_names, (mtotal / seen).tolist()))}
            callbacks.on_train_batch_end(batch, logs)
            if self.stop_training:
                break
        return logs, None

    def _split_validation(self, x, y, validation_split, validation_data):
        """(x, y, x_val, y_val): validation_data checked, or the LAST samples held out (as Keras)."""
        if validation_data is not None:
            if len(validation_data) != 2:
                errors.fail(self, "validation_data=(x_val, y_val)", **{"len(validation_data)": len(validation_data)})
            return (x, y, *self._check_xy(*validation_data, what="x_val"))
        if not validation_split:
            return x, y, None, None
        split = int(np.floor(len(x) * (1.0 - validation_split)))  # taken before any shuffling
        if not 0 < split < len(x):
            errors.fail(self, "a validation_split leaving samples on both sides", validation_split=validation_split)
        return x[:split], y[:split], x[split:], y[split:]

    def _validate(self, x_val, y_val, batch_size, logs):
        """Add val_loss and val_<metric> to `logs`; returns a stop message if val_loss is not finite."""
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            vloss, vscores = self._scores(x_val, y_val, batch_size)
        logs.update({"val_loss": vloss, **{f"val_{k}": v for k, v in zip(self.metric_names, vscores)}})
        return None if np.isfinite(vloss) else self._nonfinite_message(vloss, None, None)

    def _warn_divergence(self, history, loss):
        """Print (once) and keep in `history.warnings` a divergence the finite loss hides:
        weights beyond `guards.MAX_WEIGHT`, or a crossentropy stuck at its clip."""
        fault = guards.divergence(self, loss, self.loss)
        if fault is not None:
            epoch, epochs = self.epoch
            lr = self.optimizer.current_learning_rate
            message = (f"{self.name}: warning at epoch {epoch + 1}/{epochs}: {fault}. Training goes on, "
                       f"but the run is diverging: try a lower learning rate (now {lr:g}) or gradient "
                       f"clipping (clipnorm=0.1 cures chapter 3's run).")
            history.warnings.append(message)
            print(message)

    def _nonfinite_message(self, value, batch, batches, guard=True):
        epoch, epochs = self.epoch
        where = f"epoch {epoch + 1}/{epochs}" + ("" if batch is None else f", batch {batch + 1}/{batches}")
        what = "loss" if batch is not None else "validation loss"
        fault = self.step_fault if batch is not None and guard else None
        kept = ("the weights, optimizer state and BatchNormalization statistics are those before this batch"
                if batch is not None and guard else "")
        if fault and fault.startswith("a data fault"):
            return f"{self.name}: training stopped at {where}: {fault}. {kept[0].upper()}{kept[1:]}."
        lr = self.optimizer.current_learning_rate
        why = fault or f"divergence: the {what} is {value} (not a finite number)"
        return (f"{self.name}: training stopped at {where}: {why}, so the weights have diverged; "
                f"{kept + ', ' if kept else ''}nothing from this point on was written to the history. "
                f"Try first: (1) a lower learning rate (now {lr:g}), e.g. {lr / 10:g}; (2) gradient clipping, "
                f"e.g. clipnorm=0.1 in the optimizer (what cures chapter 3's run). A decaying schedule helps "
                f"only if the rate falls before the weights blow up; L2/L1 penalties help a loss that creeps "
                f"up slowly, not a step that is too long (the book's chapter on training measures all four).")

    # ---- evaluate and predict ----------------------------------------------------------
    def evaluate(self, x, y, batch_size=None, verbose=0, return_dict=False):
        """The loss (with penalties) and metrics on (x, y): a float, or ``[loss, *metrics]`` like Keras."""
        self._require_compiled("evaluate()")
        x, y = self._check_xy(x, y)
        batch_size = guards.check_fit_arguments(self, batch_size, 1, 0.0)[0]
        self._resolve_metrics()
        loss, scores = self._scores(x, y, batch_size)
        if return_dict:
            return {"loss": loss, **dict(zip(self.metric_names, scores))}
        return [loss, *scores] if self.metric_fns else loss

    def predict(self, x, batch_size=None, verbose=0):
        """Outputs for x in inference mode (training=False), computed in batches of batch_size (32)."""
        x = errors.as_float_array(self, x)
        guards.check_finite(self, x, "x")
        self._check_has_layers()
        if not self.built:
            self.build((None, *x.shape[1:]))
        self.check_input(x)
        batch_size = guards.check_fit_arguments(self, batch_size, 1, 0.0)[0]
        if len(x) == 0:  # no samples: an empty array of the output's shape (Keras returns the same)
            shape = self.output_shape[1:]
            if None in shape:
                errors.fail(self, "at least one sample (the output's shape depends on the input)",
                            **{"x.shape": x.shape})
            return np.zeros((0, *shape), dtype=self.dtype)
        outs = [self.forward(x[i:i + batch_size], training=False) for i in range(0, len(x), batch_size)]
        return np.concatenate(outs, axis=0)

    def _scores(self, x, y, batch_size):
        """(loss, [metrics]) over x, y in batches of `batch_size`, batch means weighted by batch size."""
        n = len(x)
        total, mtotal = 0.0, np.zeros(len(self.metric_fns))
        for start in range(0, n, batch_size):
            xb, yb = x[start:start + batch_size], y[start:start + batch_size]
            pred = self.forward(xb, training=False)
            total += self.loss(yb, pred) * len(xb)
            mtotal += np.array([fn(yb, pred) for fn in self.metric_fns]) * len(xb)
        return float(total / n + self.regularization_loss()), (mtotal / n).tolist()

    # ---- checks where data enter ---------------------------------------------------------
    def _resolve_metrics(self):
        size = self.output_shape[-1] if self.output_shape else None
        self.metric_fns = [metrics_module.get(m, self.loss, size) for m in self._metric_ids]

    def _require_compiled(self, what):
        if self.loss is None or self.optimizer is None:
            errors.fail(self, f"compile(optimizer=..., loss=...) before {what}", loss=self.loss)

    def _check_has_layers(self):
        if not self.layers:  # Sequential([]) would return its input: refused, as Keras refuses it
            errors.fail(self, "at least one layer besides Input (an empty model has nothing to fit or predict)",
                        layers=[type(layer).__name__ for layer in self.sublayers])

    def _check_xy(self, x, y, what="x"):
        """x and y where data enters: numeric, same length, finite, y in the loss's domain."""
        self._check_has_layers()
        x = errors.as_float_array(self, x, name=what)
        y = np.asarray(y)
        if x.ndim == 0 or y.ndim == 0 or len(x) != len(y) or len(x) == 0:
            errors.fail(self, f"{what} and y with the same (non-zero) number of samples",
                        **{f"{what}.shape": x.shape, "y.shape": y.shape})
        if np.iscomplexobj(y):
            errors.fail(self, "a real array y (complex numbers are not supported)", **{"y.dtype": str(y.dtype)})
        guards.check_finite(self, x, what)
        guards.check_finite(self, y, "y" if what == "x" else f"y of {what}")
        if self.loss is not None:
            self.loss.check_targets(y)
        if not self.built:
            self.build((None, *x.shape[1:]))
        self.check_input(x)
        return x, y
