"""The fit loop: `Sequential.fit` repeats `train_on_batch` over shuffled mini-batches.

    for epoch in range(epochs):
        order = permutation(N)                         # a new shuffle every epoch
        for each batch idx of order:
            loss = model.train_on_batch(x[idx], y[idx])   # THE training step, in one place
        logs = epoch means of loss and metrics (+ val_loss, val_<metric> on held-out data)
        callbacks.on_epoch_end(epoch, logs)             # History records them

Every callback hook goes through one `CallbackList`. A loss that stops being finite
ends training with a message and nothing of that batch in the history.
"""
import numpy as np

from bricks import backend, errors, guards
from bricks.callbacks import CallbackList, History
from bricks.progbar import ProgbarLogger

__all__ = ["fit"]


def split_validation(model, x, y, validation_split, validation_data):
    """(x, y, x_val, y_val): validation_data checked, or the LAST samples held out (as Keras)."""
    if validation_data is not None:
        if len(validation_data) != 2:
            errors.fail(model, "validation_data=(x_val, y_val)",
                        **{"len(validation_data)": len(validation_data)})
        return (x, y, *model._check_xy(*validation_data, what="x_val"))
    if not validation_split:
        return x, y, None, None
    split = int(np.floor(len(x) * (1.0 - validation_split)))  # taken before any shuffling
    if not 0 < split < len(x):
        errors.fail(model, "a validation_split leaving samples on both sides",
                    validation_split=validation_split)
    return x[:split], y[:split], x[split:], y[split:]


def train_epoch(model, x, y, order, batch_size, callbacks):
    """One pass over x[order] in batches; returns (logs, stop_message or None)."""
    seen, total, mtotal = 0, 0.0, np.zeros(len(model.metric_fns))
    logs, batches = {}, -(-len(order) // batch_size)
    for batch, start in enumerate(range(0, len(order), batch_size)):
        idx = order[start:start + batch_size]  # (B,)
        callbacks.on_train_batch_begin(batch, {})
        value = model.train_on_batch(x[idx], y[idx])  # forward, loss, backward, update: all or nothing
        if not np.isfinite(value):  # the step was refused; model.step_fault says why
            return logs, model._nonfinite_message(value, batch, batches)
        seen += len(idx)
        total += value * len(idx)
        mtotal += np.array([fn(y[idx], model._last_pred) for fn in model.metric_fns]) * len(idx)
        logs = {"loss": total / seen, **dict(zip(model.metric_names, (mtotal / seen).tolist()))}
        callbacks.on_train_batch_end(batch, logs)
        if model.stop_training:
            break
    return logs, None


def validate(model, x_val, y_val, batch_size, logs):
    """Add val_loss and val_<metric> to `logs`; returns a stop message if val_loss is not finite."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        vloss, vscores = model._scores(x_val, y_val, batch_size)
    logs.update({"val_loss": vloss, **{f"val_{k}": v for k, v in zip(model.metric_names, vscores)}})
    return None if np.isfinite(vloss) else model._nonfinite_message(vloss, None, None)


def warn_divergence(model, history, loss, epoch, epochs):
    """Print (once) and keep in `history.warnings` a divergence the finite loss hides:
    weights beyond `guards.MAX_WEIGHT`, or a crossentropy stuck at its clip."""
    fault = guards.divergence(model, loss, model.loss)
    if fault is not None:
        lr = model.optimizer.current_learning_rate
        message = (f"{model.name}: warning at epoch {epoch + 1}/{epochs}: {fault}. Training goes on, "
                   f"but the run is diverging: try a lower learning rate (now {lr:g}) or clipnorm=0.5.")
        history.warnings.append(message)
        print(message)


def fit(model, x, y, batch_size=32, epochs=1, verbose=1, callbacks=None, validation_split=0.0,
        validation_data=None, shuffle=True, seed=None):
    """Train `model` (see `Sequential.fit` for the arguments); returns a History."""
    model._require_compiled("fit()")
    batch_size, epochs = guards.check_fit_arguments(model, batch_size, epochs, validation_split, verbose)
    x, y = model._check_xy(x, y)  # once, up front: finite, y in the loss's domain
    x, y, x_val, y_val = split_validation(model, x, y, validation_split, validation_data)
    model._resolve_metrics()
    n = len(x)
    history = model.history = History()
    params = {"epochs": epochs, "steps": -(-n // batch_size), "verbose": verbose}
    cbs = CallbackList(([ProgbarLogger(verbose)] if verbose else []) + list(callbacks or []) + [history],
                       model, params)
    rng = backend.make_rng(seed)
    model.stop_training, stop = False, None
    cbs.on_train_begin({})
    for epoch in range(epochs):
        model._epoch = (epoch, epochs)  # for the messages of a stop
        cbs.on_epoch_begin(epoch, {})
        order = rng.permutation(n) if shuffle else np.arange(n)  # (N,)
        logs, stop = train_epoch(model, x, y, order, batch_size, cbs)
        if stop is None and x_val is not None:
            stop = validate(model, x_val, y_val, batch_size, logs)
        if stop is None and logs and not history.warnings:  # a finite loss can hide divergence
            warn_divergence(model, history, logs["loss"], epoch, epochs)
        if stop is not None:
            break
        cbs.on_epoch_end(epoch, logs)
        if model.stop_training:
            break
    if stop is not None:
        history.stopped_reason, model.stop_training = stop, True
    cbs.on_train_end({})
    if stop is not None:
        print(stop)
    return history
