"""A failed training step leaves nothing behind (issue 22, item 2).

The property: whatever goes wrong at whatever point of a guarded step (an exception or a
KeyboardInterrupt raised at any line of bricks that the step executes), the weights, the
BatchNormalization statistics, the optimizer's slots and counters and every random stream
are exactly as they were before the step, and the next clean step gives the same numbers as
on a model that never failed. Faults are injected with a line tracer (sys.settrace): it
counts the lines of lib/bricks a clean step runs, then reruns the step once per line,
raising at that line.
"""
import copy
import pathlib
import sys

import numpy as np
import pytest

import bricks
from bricks import backend

LIB = str(pathlib.Path(bricks.__file__).parent)


def make_model(kind):
    bricks.set_random_seed(7)
    if kind == "dense copied":  # not packed (bricks.packing): the step is kept and checked array by array
        return copy.deepcopy(make_model("dense"))
    if kind == "dense":
        layers = [bricks.Input((3,)), bricks.Dense(5, "tanh", kernel_regularizer="l2"),
                  bricks.BatchNormalization(), bricks.Dropout(0.3), bricks.GaussianNoise(0.1), bricks.Dense(1)]
        optimizer = bricks.Adam(0.01, clipnorm=1.0)
    else:
        layers = [bricks.Input((4, 2)), bricks.LSTM(3), bricks.Dropout(0.2, seed=1), bricks.Dense(1)]
        optimizer = bricks.SGD(0.05, momentum=0.9)
    return bricks.Sequential(layers).compile(optimizer=optimizer, loss="mse")


def data(kind):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 4, 2) if kind == "lstm" else (8, 3))
    return x, rng.standard_normal((8, 1))


def state(model):
    """Everything a step may change, copied."""
    opt = model.optimizer
    slots = {k: {n: np.array(v, copy=True) for n, v in s.items()} for k, s in opt.slots.items()}
    streams = [(layer.seed_generator.get_state()[0], layer.seed_generator.get_state()[1:])
               for _, layer in model.walk() if hasattr(layer, "seed_generator")]
    glob = backend.get_rng_state()
    return ([w.copy() for w in model.get_weights()], slots, opt.iterations, streams, (glob[0], glob[1]),
            np.geterr())  # numpy's error state: the step silences it inside only


def assert_same(a, b):
    for u, v in zip(a[0], b[0]):
        np.testing.assert_array_equal(u, v)  # weights and moving statistics
    assert a[1].keys() == b[1].keys() and a[2] == b[2]  # slots by name, iterations
    for k in a[1]:
        assert a[1][k].keys() == b[1][k].keys()
        for n in a[1][k]:
            np.testing.assert_array_equal(a[1][k][n], b[1][k][n])
    assert len(a[3]) == len(b[3])
    for (gen_a, st_a), (gen_b, st_b) in zip(a[3], b[3]):
        assert gen_a is gen_b and st_a == st_b  # the same generator, at the same place
    assert a[4][0] is b[4][0] and a[4][1] == b[4][1]  # the global stream
    assert a[5] == b[5]  # a fault at the `with np.errstate` line itself skips its exit: undone too


class Fault:
    """A tracer raising `error` at the k-th line of lib/bricks executed (k=None: count only)."""

    def __init__(self, k=None, error=RuntimeError):
        self.k, self.error, self.lines = k, error, 0

    def __call__(self, frame, event, arg):
        if not frame.f_code.co_filename.startswith(LIB):
            return None
        if event == "line":
            self.lines += 1
            if self.lines == self.k:
                raise self.error(f"fault injected at line {self.k}")
        return self

    def run(self, fn):
        sys.settrace(self)
        try:
            return fn()
        finally:
            sys.settrace(None)


@pytest.mark.parametrize("kind, warm", [("dense", 0), ("dense", 2), ("dense copied", 2), ("lstm", 1)])
def test_a_fault_at_any_line_of_a_step_leaves_nothing_behind(kind, warm):
    x, y = data(kind)

    def warmed():  # a fresh model (every make_model reseeds) after `warm` clean steps
        model = make_model(kind)
        for _ in range(warm):  # warm=0: the step creates the optimizer's slots
            model.train_on_batch(x, y)
        return model

    probe, counter = warmed(), Fault()
    counter.run(lambda: probe.train_on_batch(x, y))
    assert counter.lines > 300  # the whole step was traced
    twin = warmed()
    twin_loss = twin.train_on_batch(x, y)  # the step of a model that never failed
    model = warmed()
    before = state(model)
    for k in range(1, counter.lines + 1):
        error = KeyboardInterrupt if k % 2 else RuntimeError
        with pytest.raises(error, match=f"fault injected at line {k}$"):
            Fault(k, error).run(lambda: model.train_on_batch(x, y))
        assert_same(state(model), before)
        assert backend._state["journal"] is None, k  # no random journal left running
    assert model.train_on_batch(x, y) == twin_loss  # random streams included
    for u, v in zip(model.get_weights(), twin.get_weights()):
        np.testing.assert_array_equal(u, v)


def test_an_error_after_batchnorm_forward_moves_no_statistic():
    """The issue's cases: a y of the wrong shape, one-hot labels to the sparse loss; the
    exception comes after BatchNormalization's forward and Dropout's draw."""
    bricks.set_random_seed(0)
    model = bricks.Sequential([bricks.Input((3,)), bricks.Dense(4), bricks.BatchNormalization(),
                               bricks.Dropout(0.5), bricks.Dense(3, "softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    x = np.random.default_rng(0).standard_normal((6, 3))
    model.train_on_batch(x, np.array([0, 1, 2, 0, 1, 2]))
    before = state(model)
    with pytest.raises(ValueError):
        model.train_on_batch(x, np.eye(3)[[0, 1, 2, 0, 1, 2]] * 2.0)
    assert_same(state(model), before)


def test_terminate_on_nan_fires_inside_fit(capsys):
    x = np.random.default_rng(0).standard_normal((64, 3))
    model = bricks.Sequential([bricks.Input((3,)), bricks.Dense(1)]).compile(bricks.SGD(1e150), "mse")
    seen = []

    class Spy(bricks.TerminateOnNaN):
        def on_batch_end(self, batch, logs=None):
            seen.append(logs["loss"])
            super().on_batch_end(batch, logs)

    spy = Spy()
    history = model.fit(x * 1e100, x[:, :1], epochs=3, batch_size=16, verbose=0, callbacks=[spy])
    assert not np.isfinite(seen[-1]) and model.stop_training  # the callback saw the NaN and acted
    assert "Invalid loss, terminating training" in capsys.readouterr().out
    assert history.stopped_reason and all(np.isfinite(w).all() for w in model.get_weights())


def test_unguarded_fit_is_the_plain_step():
    x = np.random.default_rng(0).standard_normal((64, 3))
    runs = []
    for guard in (True, False):
        bricks.set_random_seed(0)
        model = bricks.Sequential([bricks.Input((3,)), bricks.Dense(4, "relu"), bricks.Dropout(0.2),
                                   bricks.Dense(1)]).compile("adam", "mse")
        runs.append(model.fit(x, x[:, :1], epochs=2, batch_size=16, verbose=0, guard=guard).history["loss"])
    assert runs[0] == runs[1]


class InPlaceMomentum(bricks.Optimizer):
    """A user's optimizer, written the natural way: its slot is created once and then written in place."""

    def update(self, w, dw, state, lr):
        m = state.setdefault("m", np.zeros_like(w))  # like w
        m *= 0.9
        m += dw
        w -= lr * m


class DampedSGD(bricks.SGD):
    """SGD's own update, and an apply of the user's that halves every velocity in place first."""

    def apply(self, variables):
        for state in self.slots.values():
            state["m"] *= 0.5  # like w
        super().apply(variables)


@pytest.mark.parametrize("optimizer", [lambda: InPlaceMomentum(0.1), lambda: DampedSGD(0.1, momentum=0.9)])
def test_a_refused_step_restores_a_custom_optimizer_that_writes_its_slots_in_place(optimizer):
    bricks.set_random_seed(0)
    model = bricks.Sequential([bricks.Input((2,)), bricks.Dense(1)]).compile(optimizer(), "mse")
    x, y = np.ones((4, 2)), np.zeros((4, 1))
    model.train_on_batch(x, y)  # the slots exist
    before = state(model)
    model.optimizer.learning_rate = 1e308
    assert np.isnan(model.train_on_batch(x * 1e300, y))  # refused: the update overflowed
    assert_same(state(model), before)  # the slots too, not only the weights


def test_random_journals_stopped_out_of_order_or_started_twice_leave_none_running():
    """Two journals that overlap without nesting (A starts, B starts, A stops, B stops); one
    started twice and stopped once (it must not become its own outer)."""
    a = backend.RandomJournal().start()
    b = backend.RandomJournal().start()
    try:
        a.stop()
        b.stop()
        assert backend._state["journal"] is None
        a.start()
        a.start()
        a.stop()
        assert backend._state["journal"] is None
        b.stop()  # not running: nothing
        assert backend._state["journal"] is None
    finally:
        backend._state["journal"] = None  # no leak into the other tests
