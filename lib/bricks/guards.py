"""Nothing silently wrong: guards where data enters, and the all-or-nothing training step.

Where data enters (`fit`, `evaluate`, `predict`, `train_on_batch`), `check_finite` looks
at x and y once: one NaN or inf would turn every weight it touches into NaN, so it is
refused with the array, the first bad row and column, and the past-only repairs
(`bricks.quant.data.fill_forward`, `bricks.quant.data.drop_nonfinite`).

`guarded_step` runs the plain training step (`Trainer.train_step`) all or nothing: a
`Snapshot` keeps what a step can change (weights, BatchNormalization statistics, the
noise layers' random streams, the optimizer's slots and step count); the step is kept
only if its loss and every gradient are finite and it did not raise. Otherwise everything
is put back and `diagnose` says what went wrong: a data fault (the batch itself holds
NaN/inf, naming the row) or divergence (the loss, or which layer's gradient, stopped
being finite on clean data). A run can also diverge while
its loss stays finite; `divergence` reports weights beyond `MAX_WEIGHT` and a
crossentropy stuck at its clip (outputs saturated on the wrong side, gradient 0).

    >>> check_finite("fit", np.array([[1.0, np.nan]]), "x")
    Traceback (most recent call last):
    ValueError: fit: expected finite values in x (a NaN or inf spreads to every weight it \
touches; fill gaps from the past with bricks.quant.data.fill_forward(x), or drop those rows \
with bricks.quant.data.drop_nonfinite(x, y)). Received: row=0, column=1, value=nan, \
non_finite_values=1
"""
import contextlib
import copy
import math

import numpy as np

from bricks import backend, errors, optimizers, packing

__all__ = ["check_finite", "check_fit_arguments", "Snapshot", "guarded_step", "diagnose", "divergence", "MAX_WEIGHT"]

MAX_WEIGHT = 1e5  # |w| beyond this is taken as divergence (the book's trained weights stay below ~1e2)
REPAIRS = ("fill gaps from the past with bricks.quant.data.fill_forward(x), or drop those rows "
           "with bricks.quant.data.drop_nonfinite(x, y)")


def first_non_finite(a):
    """(row, column, value, count) of the first NaN/inf of `a` in row order, or None."""
    a = np.asarray(a)
    if not np.issubdtype(a.dtype, np.number) or np.issubdtype(a.dtype, np.integer):
        return None
    bad = ~np.isfinite(a)
    count = int(bad.sum())
    if not count:
        return None
    where = tuple(int(i) for i in np.argwhere(bad)[0])  # C order: the first bad row
    col = where[1] if len(where) == 2 else (where[1:] or None)
    return where[0] if where else None, col, float(a[where]), count


def check_finite(owner, a, name="x", first_row=0):
    """Raise a ValueError naming the first NaN/inf of `a` (row counted from `first_row`)."""
    found = first_non_finite(a)
    if found is None:
        return a
    row, col, value, count = found
    received = {"row": None if row is None else row + first_row}
    if col is not None:
        received["column"] = col
    errors.fail(owner, f"finite values in {name} (a NaN or inf spreads to every weight it touches; "
                f"{REPAIRS})", **received, value=value, non_finite_values=count)


def _positive_int(owner, name, value, low=1):
    ok = isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value >= low
    if not ok:
        errors.fail(owner, f"{name} an integer >= {low}", **{name: value})
    return int(value)


def check_fit_arguments(owner, batch_size, epochs, validation_split, verbose=1):
    """(batch_size, epochs) as ints, or a ValueError for what fit cannot honour."""
    batch_size = 32 if batch_size is None else _positive_int(owner, "batch_size", batch_size)
    epochs = _positive_int(owner, "epochs", epochs)
    errors.check_number(owner, "validation_split", validation_split, 0, 1, "[)")
    if verbose not in (0, 1, 2):
        errors.fail(owner, "verbose in (0, 1, 2)", verbose=verbose)
    return batch_size, epochs


class Snapshot:
    """What one training step can change, kept, and `restore` to put it back.

    That is every weight and state array of the model (BatchNormalization's moving
    statistics are updated by the forward pass, so they are copied with the weights), the
    optimizer's slots (momentum, Adam's moments and step counts) and `iterations`, and every
    random stream drawn from between `open()` and `close()` (Dropout's, the noise layers', the global one:
    backend.RandomJournal notes each before its first draw).

    The arrays of a built Sequential are views of one flat array per dtype (bricks.packing), so
    they are kept by one copy; a model whose pack no longer holds is kept array by array, the
    same code over a longer list. The update rules put new slot arrays in a state dict rather
    than write the old ones (optimizers.py), so a copy of each state dict keeps the slots. A
    subclass's own update may write its slots in place: its slots are copied too.
    """

    def __init__(self, model, optimizer):
        packed = getattr(model, "packed_weights", None)  # bricks.packing; a Sequential packs when built
        if packed is not None and packed.holds(model):
            self.arrays, self.entries, self.watched = packed.weights, packed.views, packed.watched
            self.checked = packed.flat  # the weights and the gradients, one array a dtype
        else:  # not packed (a copy), or arrays were put in its dicts since: one by one
            self.arrays, grads, self.entries, self.watched = _arrays(model)
            self.checked = self.arrays + grads
        self.model, self.puts = model, packing.put_count()
        self.saved = [w.copy() for w in self.arrays]
        self.optimizer, self.iterations = optimizer, optimizer.iterations
        self.slots = {path: dict(state) for path, state in optimizer.slots.items()}  # its arrays and counts
        if not optimizers.writes_new_slots(optimizer):  # a user's update or apply may write them in place
            self.slots = copy.deepcopy(self.slots)
        self.streams = backend.RandomJournal()

    def open(self):
        """Start noting the random streams the step draws from."""
        self.streams.start()

    def close(self):
        """Stop noting random streams (the step is over; again: nothing)."""
        self.streams.stop()

    def restore(self):
        """Put every weight, statistic, optimizer slot, counter and random stream back (and close)."""
        self.close()
        for d, key, array in self.entries:  # a step that put a new array in a dict: the old one goes back
            d[key] = array
        for w, saved in zip(self.arrays, self.saved):
            w[...] = saved
        self.optimizer.slots = {path: dict(state) for path, state in self.slots.items()}
        self.optimizer.iterations = self.iterations
        self.streams.restore()

    def all_finite(self):
        """True when every weight, state array and gradient is finite and no gradient's square
        overflows (|g| > 1e154 would make Adam's and RMSprop's g^2 inf while the weight stays finite).
        One sum of squares an array (a flat array, when packed), by BLAS, all added up: finite only
        if all of that holds. When it is not, or when the step put new arrays in the layers' dicts
        (a layer built during the step, a user's `self.grads["w"] = ...`), the model's arrays are looked
        at one by one: each gradient's sum of squares, each weight element by element (a weight's
        square may overflow while the weight is finite)."""
        if self.watched and packing.put_count() == self.puts:
            if math.isfinite(sum(map(np.vdot, self.checked, self.checked))):
                return True
        weights, grads, _, _ = _arrays(self.model)
        return all(math.isfinite(np.vdot(g, g)) for g in grads) and all(np.isfinite(w).all() for w in weights)


def _arrays(model):
    """(weights, grads, entries, watched) of `model`, array by array: its params and state arrays,
    its grads, (dict, key, array) for each weight, and whether every dict counts new arrays."""
    layers = [layer for _, layer in model.walk()]
    weights = [w for layer in layers for d in (layer.params, layer.state) for w in d.values()]  # Keras order
    grads = [g for layer in layers for g in layer.grads.values()]
    entries = [(d, k, d[k]) for layer in layers for d in (layer.params, layer.state) for k in d]
    watched = all(type(d) is packing.WeightDict for layer in layers for d in (layer.params, layer.state, layer.grads))
    return weights, grads, entries, watched


QUIET = {"over": "ignore", "invalid": "ignore", "divide": "ignore"}  # a refused step is told in words


def guarded_step(model, x, y):
    """`model.train_step(x, y)`, all or nothing; returns its loss, or NaN if it was refused.

    The step runs as written; then its loss, its gradients and the weights it wrote are checked
    once (`Snapshot.all_finite`: a non-finite gradient, one whose square overflows, or an update
    that overflowed). A step
    that is not finite is undone from a `Snapshot` taken before it, and `model.step_fault` says
    why (`diagnose`). A step that raises (a bad target, a bug, Ctrl-C) is undone the same way
    and the exception goes on. numpy's overflow warnings are silenced during the step only
    (`diagnose` says what went wrong instead; the caller's code around it warns as usual).
    """
    model.step_fault = None
    if not model.built:  # its weights are made before the snapshot, not inside the step
        model.build((None, *np.shape(x)[1:]))
    snapshot, quiet = Snapshot(model, model.optimizer), np.errstate(**QUIET)
    try:
        snapshot.open()
        with quiet:
            value = model.train_step(x, y)
            if math.isfinite(value) and snapshot.all_finite():
                snapshot.close()
                return value  # every line up to here is undone if it raises
            model.step_fault = diagnose(model, value, x, y)
    except BaseException:
        snapshot.restore()
        _leave(quiet)
        raise
    snapshot.restore()
    return float("nan")


def _leave(quiet):
    """Leave the np.errstate `quiet` if a fault skipped its exit (an interrupt at the `with` line,
    as the step returns): numpy warns in the caller's code again. Left already, or never entered: nothing."""
    with contextlib.suppress(RuntimeError, TypeError):  # numpy: the token was used / there is none
        quiet.__exit__(None, None, None)


def bad_gradient(model):
    """(path, what) of the first trainable array whose gradient is not finite, or whose square
    overflows (what Adam and RMSprop square), or None."""
    for path, layer, key in model.variables():
        g = layer.grads[key]
        if not np.isfinite(g).all():
            return path, f"{int((~np.isfinite(g)).sum())} values that are not a finite number"
        if not math.isfinite(np.vdot(g, g)):
            return path, f"values whose square overflows (|g| up to {np.max(np.abs(g)):.3g})"
    return None


def diagnose(model, value, x, y, batch=None, rows=None):
    """What made a step non-finite, in words: a data fault or divergence, and where.

    rows: the sample numbers of the batch in the training data (to name the bad sample).
    """
    for name, a in (("x", x), ("y", y)):
        found = first_non_finite(a)
        if found is not None:
            row, col, v, _ = found
            sample = row if rows is None else int(rows[row])
            return (f"a data fault: {name} of sample {sample}" + ("" if col is None else f", column {col},")
                    + f" is {v} ({REPAIRS})")
    grad = bad_gradient(model)
    if np.isfinite(value) and grad is not None:
        return f"divergence: the loss is finite ({value:.4g}) but the gradient of {grad[0]} has {grad[1]}"
    if np.isfinite(value):
        return "divergence: the update made a weight not a finite number (the step overflowed)"
    return (f"divergence: the loss is {value} (not a finite number) on finite data"
            + ("" if grad is None else f"; the first bad gradient is {grad[0]}'s"))


def _clip_loss(loss):
    """-log(EPSILON) for a crossentropy on probabilities (its largest per-sample loss), else None."""
    from bricks import losses
    probs = isinstance(loss, (losses.BinaryCrossentropy, losses.CategoricalCrossentropy))
    return float(-np.log(losses.EPSILON)) if probs and not getattr(loss, "from_logits", False) else None


def divergence(model, loss_value, loss=None):
    """A message when a run diverges with a finite loss (weights beyond MAX_WEIGHT, a
    crossentropy at its clip), else None."""
    for path, layer, key in model.variables():
        top = float(np.max(np.abs(layer.params[key]))) if layer.params[key].size else 0.0
        if top > MAX_WEIGHT:
            return (f"divergence: the weights grow without bound ({path} reached |w| = {top:.3g} > "
                    f"{MAX_WEIGHT:g}) while the loss stays finite ({loss_value:.4g})")
    clip = _clip_loss(loss)  # -log(epsilon): the largest loss a clipped crossentropy gives
    if clip is not None and loss_value >= 0.5 * clip:
        return (f"divergence: the loss {loss_value:.4g} sits at the crossentropy's clip (-log 1e-7 = {clip:.3g} "
                f"per sample): the outputs are saturated on the wrong side, where the gradient is 0")
    return None
