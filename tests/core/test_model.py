"""Sequential: build, gradients with penalties, fit on XOR, callbacks, divergence, summary, errors."""
import numpy as np
import pytest

import bricks
from bricks import Dense, Input, Sequential
from bricks.teaching.gradcheck import numerical_gradient, rel_error

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([[0.0], [1.0], [1.0], [0.0]])


def xor_model():
    return Sequential([Input((2,)), Dense(8, activation="tanh"), Dense(1, activation="sigmoid")])


def test_fit_solves_xor():
    model = xor_model().compile(optimizer=bricks.Adam(0.05), loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(XOR_X, XOR_Y, epochs=300, batch_size=4, verbose=0)
    loss = history.history["loss"]
    assert loss[-1] < 0.05 * loss[0]
    assert history.history["accuracy"][-1] == 1.0
    assert history.epoch == list(range(300))
    assert model.evaluate(XOR_X, XOR_Y) == pytest.approx([model.evaluate(XOR_X, XOR_Y, return_dict=True)["loss"], 1.0])
    assert np.array_equal(model.predict(XOR_X) > 0.5, XOR_Y > 0.5)


def test_gradients_with_penalties_match_finite_differences(rng):
    model = Sequential([
        Input((3,)),
        Dense(4, activation="tanh", kernel_regularizer=bricks.L2(0.1), bias_regularizer=bricks.L1(0.05)),
        Dense(2, activation="softmax", kernel_regularizer=bricks.L1L2(0.01, 0.02)),
    ]).compile(optimizer="sgd", loss="categorical_crossentropy")
    for _, layer, k in model.variables():
        layer.params[k][...] = rng.normal(size=layer.params[k].shape)  # biases off 0 (L1 kink)
    x, y = rng.normal(size=(5, 3)), np.eye(2)[rng.integers(0, 2, 5)]

    def full_loss():
        return model.loss(y, model.forward(x)) + model.regularization_loss()

    value = model.gradients(x, y)
    assert value == pytest.approx(full_loss())
    assert model.regularization_loss() > 0
    worst = max(rel_error(layer.grads[k], numerical_gradient(full_loss, layer.params[k]))
                for _, layer, k in model.variables())
    assert worst < 1e-7
    assert set(model.gradient_norms()) == {"sequential/dense/kernel", "sequential/dense/bias",
                                           "sequential/dense_1/kernel", "sequential/dense_1/bias"}


def test_nested_sequential_and_layer_protocol(rng):
    inner = Sequential([Dense(3, activation="tanh"), Dense(3)], name="block")
    model = Sequential([Input((3,)), inner, Dense(1)])
    assert model.count_params() == 12 + 12 + 4
    assert [p for p, _, _ in model.variables()][:2] == ["sequential/block/dense/kernel", "sequential/block/dense/bias"]
    weights = model.get_weights()
    assert [w.shape for w in weights] == [(3, 3), (3,), (3, 3), (3,), (3, 1), (1,)]
    errs = bricks.teaching.gradcheck.check_layer(model, rng.normal(size=(4, 3)))
    assert max(errs.values()) < 1e-7, errs
    model.set_weights([w * 0 for w in weights])
    assert np.all(model.predict(rng.normal(size=(2, 3))) == 0)


def test_lazy_build_add_and_shapes():
    model = Sequential()
    model.add(Dense(4, activation="relu"))
    model.add(Dense(2))
    assert not model.built
    model.compile(loss="mse")
    model.fit(np.ones((8, 5)), np.ones((8, 2)), epochs=1, verbose=0)
    assert model.built and model.input_shape == (None, 5) and model.output_shape == (None, 2)
    assert model.layers[0].params["kernel"].shape == (5, 4)
    assert isinstance(model.optimizer, bricks.RMSprop)  # Keras's default optimizer
    assert model.get_layer("dense_1") is model.layers[1] and model.get_layer(index=0) is model.layers[0]
    with pytest.raises(ValueError, match="EarlyStopping.*val_loss.*loss"):
        model.fit(np.ones((8, 5)), np.ones((8, 2)), epochs=2, verbose=0, callbacks=[bricks.EarlyStopping()])


def test_predict_in_batches_equals_one_forward(rng):
    model = xor_model()
    x = rng.normal(size=(70, 2))
    np.testing.assert_allclose(model.predict(x, batch_size=16), model.forward(x))


def test_rank3_model(rng):
    model = Sequential([Input((4, 3)), Dense(5, activation="relu"), Dense(2)]).compile(loss="mse", optimizer="adam")
    history = model.fit(rng.normal(size=(16, 4, 3)), rng.normal(size=(16, 4, 2)), epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2 and model.output_shape == (None, 4, 2)


def test_validation_and_history_keys(rng):
    x, y = rng.normal(size=(40, 3)), rng.normal(size=(40, 1))
    model = Sequential([Input((3,)), Dense(1)]).compile(optimizer="sgd", loss="mse", metrics=["mae"])
    h = model.fit(x, y, epochs=3, validation_split=0.25, verbose=0)
    assert list(h.history) == ["loss", "mae", "val_loss", "val_mae"]
    h = model.fit(x[:30], y[:30], epochs=2, validation_data=(x[30:], y[30:]), verbose=0)
    assert h.history["val_loss"][-1] == pytest.approx(model.evaluate(x[30:], y[30:])[0])


def test_validation_batch_size_changes_the_time_not_the_scores(rng):
    x, y = rng.normal(size=(40, 3)), rng.normal(size=(40, 1))
    histories = []
    for val_batch in (None, 3, 1000):
        model = Sequential([Input((3,)), Dense(2, "tanh", kernel_initializer=bricks.initializers.GlorotUniform(0)),
                            Dense(1, kernel_initializer=bricks.initializers.GlorotUniform(1))])
        model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
        histories.append(model.fit(x[:30], y[:30], epochs=3, batch_size=4, validation_data=(x[30:], y[30:]),
                                   validation_batch_size=val_batch, seed=0, verbose=0).history)
    for h in histories[1:]:
        assert h["loss"] == histories[0]["loss"]  # training untouched
        np.testing.assert_allclose(h["val_loss"], histories[0]["val_loss"], rtol=1e-12)
        np.testing.assert_allclose(h["val_mae"], histories[0]["val_mae"], rtol=1e-12)
    with pytest.raises(ValueError, match="batch_size an integer >= 1"):
        model.fit(x, y, validation_split=0.5, validation_batch_size=0, verbose=0)


def test_shuffle_is_seeded(rng):
    x, y = rng.normal(size=(32, 2)), rng.normal(size=(32, 1))
    runs = []
    for _ in range(2):
        bricks.set_random_seed(1)
        model = Sequential([Input((2,)), Dense(1)]).compile(optimizer="sgd", loss="mse")
        runs.append(model.fit(x, y, batch_size=5, epochs=3, verbose=0, seed=7).history["loss"])
    assert runs[0] == runs[1]


def test_early_stopping_restores_best_weights(rng):
    x, y = rng.normal(size=(20, 2)), rng.normal(size=(20, 1))
    model = Sequential([Input((2,)), Dense(1)]).compile(optimizer=bricks.SGD(0.1), loss="mse")
    val_scores, snapshots = [], []
    record = bricks.LambdaCallback(on_epoch_end=lambda e, logs: (val_scores.append(logs["val_loss"]),
                                                                  snapshots.append(model.get_weights())))
    # validation targets that later epochs fit worse: the best epoch is early
    stop = bricks.EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)
    h = model.fit(x, y, epochs=50, validation_data=(x[:5], -y[:5] * 3), callbacks=[record, stop], verbose=0)
    assert stop.stopped_epoch > 0 and len(h.epoch) < 50
    best = int(np.argmin(val_scores))
    assert stop.best_epoch == best and len(val_scores) == best + 3  # patience 2
    for w, b in zip(model.get_weights(), snapshots[best]):
        np.testing.assert_array_equal(w, b)


def test_non_finite_loss_stops_with_a_message(capsys):
    model = xor_model().compile(optimizer=bricks.SGD(learning_rate=1e6), loss="mse")
    model.layers[-1].activation = bricks.activations.get("linear")
    h = model.fit(XOR_X, XOR_Y * 1e3, epochs=100, batch_size=1, verbose=0)
    out = capsys.readouterr().out
    assert h.stopped_reason is not None and "not a finite number" in out
    for cure in ("lower learning rate", "schedule", "L2", "clipnorm"):
        assert cure in out
    assert len(h.epoch) < 100 and all(np.isfinite(v) for v in h.history.get("loss", []))
    assert model.stop_training


def test_callbacks_order_scheduler_and_terminate(rng):
    events = []
    cb = bricks.LambdaCallback(on_train_begin=lambda logs: events.append("train_begin"),
                               on_epoch_begin=lambda e, logs: events.append(f"epoch_begin {e}"),
                               on_batch_end=lambda b, logs: events.append(f"batch {b}"),
                               on_epoch_end=lambda e, logs: events.append(f"epoch_end {e}"),
                               on_train_end=lambda logs: events.append("train_end"))
    lr = bricks.LearningRateScheduler(lambda epoch, lr: 0.1 * 0.5**epoch)
    model = Sequential([Input((2,)), Dense(1)]).compile(optimizer="sgd", loss="mse")
    h = model.fit(rng.normal(size=(6, 2)), rng.normal(size=(6, 1)), batch_size=4, epochs=2, callbacks=[cb, lr],
                  verbose=0)
    assert events == ["train_begin", "epoch_begin 0", "batch 0", "batch 1", "epoch_end 0",
                      "epoch_begin 1", "batch 0", "batch 1", "epoch_end 1", "train_end"]
    assert h.history["learning_rate"] == [0.1, 0.05]
    term = bricks.TerminateOnNaN()
    term.set_model(model)
    term.on_batch_end(0, {"loss": float("nan")})
    assert model.stop_training


def test_verbose_output(rng, capsys):
    model = Sequential([Input((2,)), Dense(1)]).compile(optimizer="sgd", loss="mse")
    x, y = rng.normal(size=(8, 2)), rng.normal(size=(8, 1))
    model.fit(x, y, epochs=3, verbose=0)
    assert capsys.readouterr().out == ""
    model.fit(x, y, epochs=3, verbose=2)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and lines[2].startswith("Epoch 3/3 - loss: ")
    model.fit(x, y, epochs=3, verbose=1)
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.count("\r") == 3 and "Epoch 3/3 - loss" in out


def test_summary():
    lines = []
    xor_model().summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert lines[0] == 'Model: "sequential"'
    assert "Layer (type)" in text and "Output Shape" in text and "Param #" in text
    assert " dense (Dense)" in text and "(None, 8)" in text and "24" in text
    assert "dense_1 (Dense)" in text and "(None, 1)" in text
    assert "Total params: 33" in text and "Trainable params: 33" in text and "Non-trainable params: 0" in text
    assert "input_layer" not in text
    with pytest.raises(ValueError, match="sequential_1.*built"):
        Sequential([Dense(2)]).summary()


def test_errors(rng):
    model = Sequential([Input((2,)), Dense(1)], name="net").compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match=r"net.*same \(non-zero\) number of samples.*\(4, 2\).*\(3, 1\)"):
        model.fit(np.ones((4, 2)), np.ones((3, 1)), verbose=0)
    with pytest.raises(ValueError, match=r"net.*\(None, 2\).*\(4, 3\)"):
        model.fit(np.ones((4, 3)), np.ones((4, 1)), verbose=0)
    with pytest.raises(ValueError, match=r"net.*\(None, 2\).*\(4, 3\)"):
        model.predict(np.ones((4, 3)))
    with pytest.raises(ValueError, match="net.*compile"):
        Sequential([Input((2,)), Dense(1)], name="net").fit(np.ones((4, 2)), np.ones((4, 1)))
    with pytest.raises(ValueError, match="mean_squared_error"):
        model.fit(np.ones((4, 2)), np.ones((4, 3)), verbose=0)
    with pytest.raises(ValueError, match="net.*Input only as the first"):
        model.add(Input((2,)))
    with pytest.raises(RuntimeError):
        Sequential([Input((2,)), Dense(1)]).backward(np.ones((1, 1)))


def test_train_on_batch_and_float32(rng):
    bricks.set_floatx("float32")
    model = Sequential([Input((2,)), Dense(3, activation="relu"), Dense(1)]).compile(optimizer="adam", loss="mse")
    x, y = rng.normal(size=(16, 2)), rng.normal(size=(16, 1))
    first = model.train_on_batch(x, y)
    for _ in range(50):
        last = model.train_on_batch(x, y)
    assert last < first and model.optimizer.iterations == 51
    assert model.predict(x).dtype == np.float32


def test_verbose_in_a_notebook_is_one_display_updated_in_place(rng, monkeypatch, capsys):
    shown = []

    class Handle:
        def update(self, obj):
            shown[-1] = repr(obj)

    def display(obj, display_id=False):
        shown.append(repr(obj))
        return Handle()

    monkeypatch.setattr(bricks.progbar, "_kernel_display", lambda: display)
    model = Sequential([Input((2,)), Dense(1)]).compile(optimizer="sgd", loss="mse")
    model.fit(rng.normal(size=(8, 2)), rng.normal(size=(8, 1)), epochs=120, verbose=1)
    assert len(shown) == 1 and shown[0].startswith("Epoch 120/120 - loss: ")
    assert capsys.readouterr().out == ""
