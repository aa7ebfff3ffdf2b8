"""Data guards and the all-or-nothing training step (issue 10, items 1-2, 6): the examples of the
issue, each now refused up front or rolled back with a message that says what happened."""
import numpy as np
import pytest

import bricks
from bricks import guards


@pytest.fixture
def xy(rng):
    x = rng.standard_normal((64, 3))
    return x, x[:, :1].copy()


def bn_model(optimizer="sgd", loss="mse"):
    model = bricks.Sequential([bricks.Input((3,)), bricks.Dense(4, "tanh"), bricks.BatchNormalization(),
                               bricks.Dense(1)])
    return model.compile(optimizer=optimizer, loss=loss)


def test_one_nan_in_x_is_refused_before_it_reaches_moving_mean(xy):
    x, y = xy
    model = bn_model()
    before = [w.copy() for w in model.get_weights()]
    bad = x.copy()
    bad[17, 2] = np.nan
    for call in (lambda: model.fit(bad, y, verbose=0), lambda: model.train_on_batch(bad, y),
                 lambda: model.evaluate(bad, y), lambda: model.predict(bad)):
        with pytest.raises(ValueError, match=r"sequential: expected finite values in x .*fill_forward.*"
                                             r"drop_nonfinite.*row=17, column=2, value=nan, non_finite_values=1"):
            call()
    for w, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(w, b)  # moving_mean included: untouched
    assert np.isfinite(model.predict(x)).all()


def test_bad_targets_and_validation_data_are_refused(xy):
    x, y = xy
    model = bn_model()
    y_inf = y.copy()
    y_inf[3, 0] = np.inf
    with pytest.raises(ValueError, match=r"finite values in y .*row=3, column=0, value=inf"):
        model.fit(x, y_inf, verbose=0)
    with pytest.raises(ValueError, match=r"finite values in x_val"):
        model.fit(x, y, validation_data=(np.full_like(x, np.nan), y), verbose=0)
    clf = bricks.Sequential([bricks.Input((3,)), bricks.Dense(1, "sigmoid")]).compile("sgd", "binary_crossentropy")
    with pytest.raises(ValueError, match=r"binary_crossentropy: expected targets y_true in \[0, 1\] .*\(y \+ 1\) / 2"
                                         r".*y_true.min\(\)=-1.0"):
        clf.fit(x, np.sign(x[:, :1]), verbose=0)  # -1/+1 labels: the loss would go negative
    with pytest.raises(ValueError, match=r"binary_crossentropy: expected targets"):
        bricks.losses.get("binary_crossentropy")(np.array([[-1.0]]), np.array([[0.3]]))
    with pytest.raises(ValueError, match=r"a real array y"):
        model.fit(x, y + 1j, verbose=0)


@pytest.mark.parametrize("kw, pattern", [
    ({"batch_size": -1}, r"batch_size an integer >= 1.*batch_size=-1"),
    ({"batch_size": 0}, r"batch_size an integer >= 1.*batch_size=0"),
    ({"batch_size": 2.5}, r".*batch_size=2.5"),
    ({"batch_size": True}, r".*batch_size=True"),
    ({"epochs": -1}, r"epochs an integer >= 1"),
    ({"epochs": 1.5}, r".*epochs=1.5"),
    ({"validation_split": 1.0}, r"validation_split in \[0, 1\)"),
    ({"validation_split": -0.1}, r"validation_split in \[0, 1\)"),
    ({"verbose": 3}, r"verbose in \(0, 1, 2\)"),
])
def test_fit_arguments_are_validated(xy, kw, pattern):
    with pytest.raises(ValueError, match=r"^sequential: expected " + pattern):
        bn_model().fit(*xy, **{"verbose": 0, **kw})


def test_predict_and_evaluate_batch_size(xy):
    model = bn_model()
    with pytest.raises(ValueError, match="batch_size an integer >= 1"):
        model.predict(xy[0], batch_size=0)
    with pytest.raises(ValueError, match="batch_size an integer >= 1"):
        model.evaluate(*xy, batch_size=-3)


def _state(model):
    opt = model.optimizer
    slots = {k: {n: (v.copy() if isinstance(v, np.ndarray) else v) for n, v in s.items()} for k, s in opt.slots.items()}
    return [w.copy() for w in model.get_weights()], slots, opt.iterations


def _assert_same(a, b):
    for u, v in zip(a[0], b[0]):
        np.testing.assert_array_equal(u, v)
    assert a[1].keys() == b[1].keys() and a[2] == b[2]
    for k in a[1]:
        for n in a[1][k]:
            np.testing.assert_array_equal(a[1][k][n], b[1][k][n])


def test_a_step_that_overflows_leaves_weights_slots_and_moving_stats_untouched(xy):
    x, y = xy
    model = bn_model(optimizer=bricks.SGD(0.01, momentum=0.9))
    model.train_on_batch(x, y)  # momentum slots exist now
    before = _state(model)
    model.optimizer.learning_rate = 1e308  # the next update overflows to inf
    value = model.train_on_batch(x, y * 1e6)
    assert np.isnan(value) and "the update made a weight not a finite number" in model.step_fault
    _assert_same(_state(model), before)  # moving_mean/variance, kernels, m, v, t, iterations


def test_a_non_finite_gradient_is_refused_and_named(xy):
    x, y = xy
    model = bn_model(optimizer=bricks.SGD(0.1))
    model.train_on_batch(x, y)
    before = _state(model)
    step = guards.Snapshot(model, model.optimizer)
    bad = x.copy()
    bad[5, 1] = np.inf  # the case: tanh keeps the loss finite, inf * 0 makes the gradient NaN
    with np.errstate(invalid="ignore", over="ignore"):
        value = model.gradients(bad, y)
    assert np.isfinite(value) and guards.bad_gradient(model)[0] == "sequential/dense/kernel"
    why = guards.diagnose(model, value, bad, y, rows=np.arange(100, 164))
    assert why.startswith("a data fault: x of sample 105, column 1, is inf")
    step.restore()
    _assert_same(_state(model), before)
    assert guards.diagnose(model, value, x, y).startswith("divergence: the loss is finite")


def test_fit_stops_on_divergence_with_the_state_of_the_last_good_step(xy, capsys):
    x, y = xy
    model = bn_model(optimizer=bricks.SGD(1e150))
    h = model.fit(x * 1e100, y, epochs=3, batch_size=16, verbose=0)
    out = capsys.readouterr().out
    assert h.stopped_reason and "divergence" in h.stopped_reason and "those before this batch" in out
    assert all(np.isfinite(w).all() for w in model.get_weights())  # nothing NaN was kept
    assert all(np.isfinite(v) for v in h.history.get("loss", []))


def test_runaway_weights_with_a_finite_loss_are_reported(xy, capsys):
    x, y = xy  # the Adam(1e6): weights ~6e6, no word
    model = bricks.Sequential([bricks.Input((3,)), bricks.Dense(1)]).compile(bricks.Adam(1e6), "mse")
    h = model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    assert len(h.warnings) == 1 and "weights grow without bound" in h.warnings[0]
    assert "sequential/dense/kernel reached |w| =" in capsys.readouterr().out


def test_a_crossentropy_stuck_at_its_clip_is_reported(rng, capsys):
    x = rng.standard_normal((64, 3))
    y = (x[:, :1] > 0).astype(float)
    model = bricks.Sequential([bricks.Input((3,)), bricks.Dense(1, "sigmoid")]).compile(bricks.SGD(-1e3 * -1),
                                                                                         "binary_crossentropy")
    model.layers[0].params["kernel"][...] = -1e4 * np.array([[1.0], [0.0], [0.0]])  # confidently wrong
    h = model.fit(x, y, epochs=2, batch_size=64, verbose=0)
    assert h.warnings and "sits at the crossentropy's clip" in h.warnings[0]
    assert "gradient is 0" in capsys.readouterr().out


def test_a_healthy_run_gets_no_warning(xy):
    model = bn_model(optimizer=bricks.Adam(0.01))
    h = model.fit(*xy, epochs=3, verbose=0)
    assert h.warnings == [] and h.stopped_reason is None


def test_a_guarded_fit_leaves_numpys_warnings_on_for_callbacks_and_metrics(xy):
    """Only the step itself is silenced (a refused step is told in words); a callback's or a
    metric's division by zero still warns, as in an unguarded fit."""
    x, y = xy

    def log_zero(*args):
        np.log(np.zeros(1))  # the user's own code divides by zero
        return 0.0

    model = bricks.Sequential([bricks.Input((3,)), bricks.Dense(1)]).compile("sgd", "mse", metrics=[log_zero])
    for guard in (True, False):
        with pytest.warns(RuntimeWarning, match="divide by zero") as caught:
            model.fit(x, y, batch_size=32, epochs=1, verbose=0, guard=guard,
                      callbacks=[bricks.LambdaCallback(on_batch_end=log_zero)])
        assert len([w for w in caught if "divide by zero" in str(w.message)]) == 4, guard  # 2 batches x 2


@pytest.mark.parametrize("optimizer", ["adam", "rmsprop"])
def test_a_step_whose_squared_gradient_overflows_is_refused(optimizer):
    """A finite loss (~1e160) and a finite gradient (~1e160) whose square overflows: v becomes inf and
    the weight moves by m / sqrt(inf) = 0, a finite step. Kept, it stalls RMSprop's weight for good
    and makes every later Adam step NaN (each refused, blaming an innocent batch)."""
    bricks.set_random_seed(0)
    model = bricks.Sequential([bricks.Input((2,)), bricks.Dense(1)]).compile(optimizer, "mse")
    x, y = np.ones((4, 2)), np.zeros((4, 1))
    model.train_on_batch(x, y)
    assert np.isnan(model.train_on_batch(x * 1e80, y))
    assert "the gradient of sequential/dense/kernel has values whose square overflows" in model.step_fault
    assert all(np.isfinite(a).all() for s in model.optimizer.slots.values() for a in s.values())
