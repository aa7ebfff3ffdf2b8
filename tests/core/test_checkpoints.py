"""Complete checkpoints (issue 10, item 3): save, load, train on equals never having stopped;
arrays matched by name; shapes checked before allocating; every bad file named by load_model."""
import json
import zipfile

import numpy as np
import pytest

import bricks

OPTIMIZERS = {
    "adam+schedule+clipnorm": lambda: bricks.Adam(bricks.ExponentialDecay(0.05, 4, 0.5), clipnorm=1.0),
    "sgd+nesterov": lambda: bricks.SGD(0.05, momentum=0.9, nesterov=True),
    "rmsprop centered": lambda: bricks.RMSprop(0.01, momentum=0.5, centered=True),
    "adam amsgrad": lambda: bricks.Adam(0.01, amsgrad=True),
}


def make(optimizer):
    bricks.set_random_seed(0)
    model = bricks.Sequential([bricks.Input((3,)), bricks.Dense(8, "tanh"), bricks.BatchNormalization(),
                               bricks.Dense(1)])
    return model.compile(optimizer=OPTIMIZERS[optimizer](), loss="mse", metrics=["mae"])


def data():
    x = np.random.default_rng(1).standard_normal((96, 3))
    return x, np.sin(x[:, :1]) + 0.5 * x[:, 1:2]


@pytest.mark.parametrize("optimizer", sorted(OPTIMIZERS))
def test_resume_equals_the_uninterrupted_run(tmp_path, optimizer):
    x, y = data()
    straight = make(optimizer)
    straight.fit(x, y, epochs=3, batch_size=16, seed=1, verbose=0)
    straight.fit(x, y, epochs=3, batch_size=16, seed=2, verbose=0)
    resumed = make(optimizer)
    resumed.fit(x, y, epochs=3, batch_size=16, seed=1, verbose=0)
    path = resumed.save(tmp_path / "checkpoint.npz")
    resumed = bricks.load_model(path)
    assert resumed.optimizer.iterations == 18
    resumed.fit(x, y, epochs=3, batch_size=16, seed=2, verbose=0)
    diff = max(float(np.max(np.abs(a - b))) for a, b in zip(straight.get_weights(), resumed.get_weights()))
    assert diff <= 1e-12, diff  # weights and BN moving statistics alike
    assert resumed.optimizer.iterations == straight.optimizer.iterations == 36
    assert resumed.optimizer.current_learning_rate == straight.optimizer.current_learning_rate
    np.testing.assert_allclose(resumed.predict(x), straight.predict(x), rtol=0, atol=1e-12)


def _rewrite(path, out, edit_header=None, edit_arrays=None):
    with np.load(path, allow_pickle=False) as f:
        entries = dict(f)
    header = json.loads(str(entries.pop("__model__")))
    if edit_header:
        edit_header(header)
    if edit_arrays:
        edit_arrays(entries)
    np.savez(out, __model__=np.array(json.dumps(header)), **entries)
    return out


def _saved(tmp_path):
    x, y = data()
    model = make("sgd+nesterov")
    model.fit(x, y, epochs=1, verbose=0)
    return model, model.save(tmp_path / "m.npz")


def test_arrays_are_matched_by_name_not_position(tmp_path):
    bricks.set_random_seed(0)
    model = bricks.Sequential([bricks.Input((4,)), bricks.Dense(4, name="first"), bricks.Dense(4, name="second")])
    path = model.save(tmp_path / "two.npz")

    def swap(h):  # the same-shaped layers swapped in the architecture
        layers = h["model"]["config"]["layers"]
        layers[1], layers[2] = layers[2], layers[1]
    swapped = bricks.load_model(_rewrite(path, tmp_path / "swapped.npz", swap))
    assert [layer.name for layer in swapped.layers] == ["second", "first"]
    for name in ("first", "second"):  # each layer kept ITS kernel
        np.testing.assert_array_equal(swapped.get_layer(name).params["kernel"], model.get_layer(name).params["kernel"])


def test_a_tampered_size_is_refused_before_anything_is_allocated(tmp_path):
    _, path = _saved(tmp_path)

    def huge(h):
        h["model"]["config"]["layers"][1]["config"]["units"] = 10**11
    with pytest.raises(ValueError, match=r"load_model: expected the weights the file holds.*\(3, 100000000000\)"):
        bricks.load_model(_rewrite(path, tmp_path / "huge.npz", huge))  # was a MemoryError

    def wide(h):
        h["model"]["config"]["layers"][0]["config"]["shape"] = [10**11]
    with pytest.raises(ValueError, match=r"^load_model: expected"):
        bricks.load_model(_rewrite(path, tmp_path / "wide.npz", wide))


def test_save_refuses_what_it_could_not_read_back(tmp_path):
    class Cube:  # a custom activation object: not a name, not registered
        def forward(self, z):
            return z**3

        def backward(self, z, dy):
            return 3 * z**2 * dy

    odd = bricks.Sequential([bricks.Input((2,)), bricks.Dense(2, activation=Cube())])
    with pytest.raises(ValueError, match=r"^save_model: expected a configuration made of names.*layer='dense'"):
        odd.save(tmp_path / "odd.npz")
    model = bricks.Sequential([bricks.Input((2,)), bricks.Dense(2)])
    model.layers[0].params["kernel"] = model.layers[0].params["kernel"].astype(object)
    with pytest.raises(ValueError, match=r"^save_model: expected float32 or float64 arrays.*dtype='object'"):
        model.save(tmp_path / "object.npz")
    assert not list(tmp_path.glob("*.npz"))  # nothing half-written


CORRUPTIONS = {
    "random bytes": lambda p, t: (t.write_bytes(b"\x00garbage" * 50), t)[1],
    "truncated": lambda p, t: (t.write_bytes(open(p, "rb").read()[:300]), t)[1],
    "plain npz": lambda p, t: np.savez(t, a=np.ones(3)) or t,
    "header not JSON": lambda p, t: _swap_header(p, t, "{not json"),
    "header a list": lambda p, t: _swap_header(p, t, "[1, 2]"),
    "unknown format": lambda p, t: _rewrite(p, t, lambda h: h.update(format="bricks-npz-9")),
    "weights not a list": lambda p, t: _rewrite(p, t, lambda h: h.update(weights=7)),
    "weight entry incomplete": lambda p, t: _rewrite(p, t, lambda h: h["weights"][0].pop("shape")),
    "array missing": lambda p, t: _rewrite(p, t, edit_arrays=lambda a: a.pop("w0001")),
    "array reshaped": lambda p, t: _rewrite(p, t, edit_arrays=lambda a: a.update(w0000=np.ones((2, 2)))),
    "array of ints": lambda p, t: _rewrite(p, t, edit_arrays=lambda a: a.update(w0000=a["w0000"].astype(int))),
    "pickled object array": lambda p, t: _rewrite(p, t, edit_arrays=lambda a: a.update(
        w0000=np.array([object()] * 24, dtype=object).reshape(3, 8))),
    "unknown layer class": lambda p, t: _rewrite(p, t, lambda h: h["model"]["config"]["layers"][1].update(
        class_name="Dense9")),
    "bad layer argument": lambda p, t: _rewrite(p, t, lambda h: h["model"]["config"]["layers"][1]["config"].update(
        units="eight")),
    "model config missing": lambda p, t: _rewrite(p, t, lambda h: h["model"].pop("config")),
    "weight renamed": lambda p, t: _rewrite(p, t, lambda h: h["weights"][0].update(name="kernal")),
    "slot of wrong shape": lambda p, t: _rewrite(p, t, edit_arrays=lambda a: a.update(s0000=np.ones(5))),
    "slot of unknown variable": lambda p, t: _rewrite(p, t, lambda h: h["optimizer_state"]["slots"][0].update(
        variable="nowhere/kernel")),
    "negative iterations": lambda p, t: _rewrite(p, t, lambda h: h["optimizer_state"].update(iterations=-4)),
    "unknown optimizer": lambda p, t: _rewrite(p, t, lambda h: h["compile"]["optimizer"].update(class_name="Nadam9")),
    # issue 21: checkpoints checked field by field
    "iterations -5": lambda p, t: _rewrite(p, t, lambda h: h["optimizer_state"].update(iterations=-5)),
    "iterations 2.5": lambda p, t: _rewrite(p, t, lambda h: h["optimizer_state"].update(iterations=2.5)),
    "learning rate NaN": lambda p, t: _rewrite(p, t, lambda h: h["compile"]["optimizer"]["config"].update(
        learning_rate=float("nan"))),
    "learning rate -1": lambda p, t: _rewrite(p, t, lambda h: h["compile"]["optimizer"]["config"].update(
        learning_rate=-1.0)),
    "learning rate inf": lambda p, t: _rewrite(p, t, lambda h: h["compile"]["optimizer"]["config"].update(
        learning_rate=float("inf"))),
    "one variable's slots deleted": lambda p, t: _rewrite(p, t, lambda h: h["optimizer_state"].update(
        slots=[s for s in h["optimizer_state"]["slots"] if not s["variable"].endswith("dense/kernel")])),
    "slot NaN": lambda p, t: _rewrite(p, t, edit_arrays=lambda a: a["s0000"].__setitem__(0, np.nan)),
    "kernel NaN": lambda p, t: _rewrite(p, t, edit_arrays=lambda a: a["w0000"].__setitem__((0, 0), np.nan)),
    "kernel inf": lambda p, t: _rewrite(p, t, edit_arrays=lambda a: a["w0000"].__setitem__((1, 1), -np.inf)),
    "metrics a string": lambda p, t: _rewrite(p, t, lambda h: h["compile"].update(metrics="accuracy")),
    "weight listed twice": lambda p, t: _rewrite(p, t, lambda h: h["weights"].append(dict(h["weights"][0]))),
    "shape of floats": lambda p, t: _rewrite(p, t, lambda h: h["weights"][0].update(shape=[3.0, 8.0])),
}


def _swap_header(path, out, text):
    with np.load(path, allow_pickle=False) as f:
        entries = dict(f)
    entries["__model__"] = np.array(text)
    np.savez(out, **entries)
    return out


@pytest.mark.parametrize("corruption", sorted(CORRUPTIONS))
def test_every_corrupt_or_tampered_file_gets_a_load_model_message(tmp_path, corruption):
    _, path = _saved(tmp_path)
    bad = CORRUPTIONS[corruption](path, tmp_path / "bad.npz")
    with pytest.raises(ValueError, match=r"^load_model: expected ") as info:
        bricks.load_model(bad)
    assert not isinstance(info.value.__cause__, MemoryError)


def test_a_version_1_file_still_loads_by_name(tmp_path):
    model, path = _saved(tmp_path)

    def v1(h):
        h["format"] = "bricks-npz-1"
        h.pop("optimizer_state")
        for w in h["weights"]:
            w.pop("array")
    old = bricks.load_model(_rewrite(path, tmp_path / "v1.npz", v1))
    x = data()[0]
    np.testing.assert_array_equal(old.predict(x), model.predict(x))
    assert old.optimizer.iterations == 0  # version 1 kept no optimizer state


def test_saving_draws_no_random_number(tmp_path):
    model, _ = _saved(tmp_path)
    bricks.set_random_seed(5)
    a = bricks.Dense(3).add_weight("k", (2, 3), "glorot_uniform")
    bricks.set_random_seed(5)
    model.save(tmp_path / "again.npz")
    b = bricks.Dense(3).add_weight("k", (2, 3), "glorot_uniform")
    np.testing.assert_array_equal(a, b)
    assert zipfile.is_zipfile(tmp_path / "again.npz")


NOISE = {"Dropout": lambda: bricks.Dropout(0.3, seed=1), "GaussianNoise": lambda: bricks.GaussianNoise(0.2, seed=2),
         "GaussianDropout": lambda: bricks.GaussianDropout(0.2),
         "AlphaDropout": lambda: bricks.AlphaDropout(0.2, seed=3)}


def _noisy():
    bricks.set_random_seed(0)
    layers = [bricks.Input((3,)), bricks.Dense(8, "tanh")] + [make() for make in NOISE.values()] + [bricks.Dense(1)]
    return bricks.Sequential(layers).compile(optimizer=bricks.Adam(0.01), loss="mse")


def test_resume_with_noise_layers_equals_the_uninterrupted_run(tmp_path):
    """Each noise layer's generator position is in the checkpoint: resumed == never stopped, exactly."""
    x, y = data()
    straight = _noisy()
    straight.fit(x, y, epochs=2, batch_size=16, seed=1, verbose=0)
    straight.fit(x, y, epochs=2, batch_size=16, seed=2, verbose=0)
    resumed = _noisy()
    resumed.fit(x, y, epochs=2, batch_size=16, seed=1, verbose=0)
    resumed = bricks.load_model(resumed.save(tmp_path / "noisy.npz"))
    resumed.fit(x, y, epochs=2, batch_size=16, seed=2, verbose=0)
    dw = max(float(np.max(np.abs(a - b))) for a, b in zip(straight.get_weights(), resumed.get_weights()))
    assert dw == 0.0, dw


def test_a_tampered_noise_state_is_refused(tmp_path):
    path = _noisy().save(tmp_path / "noisy.npz")
    for edit in (lambda h: h["noise_state"][0].update(layer="nowhere"),
                 lambda h: h["noise_state"][0]["state"].update(bit_generator="MT19937"),
                 lambda h: h["noise_state"][0]["state"]["state"].update(state=-1),
                 lambda h: h.update(noise_state="dropout")):
        with pytest.raises(ValueError, match=r"^load_model: expected"):
            bricks.load_model(_rewrite(path, tmp_path / "bad.npz", edit))


@pytest.mark.parametrize("name", ["a/b", "", 7])
def test_a_layer_name_with_a_slash_is_refused_at_construction(name):
    with pytest.raises(ValueError, match="without '/'"):
        bricks.Dense(2, name=name)


def _encoder(dropout):
    bricks.set_random_seed(0)
    return bricks.Sequential([bricks.Input((4, 6)), bricks.TransformerEncoder(8, 2, dropout=dropout),
                              bricks.Flatten(), bricks.Dense(1)]).compile(optimizer=bricks.Adam(0.01), loss="mse")


@pytest.mark.parametrize("dropout", [0.0, 0.3])
def test_a_transformer_encoder_saves_and_resumes_as_if_never_stopped(tmp_path, dropout):
    """MultiHeadAttention's weights are named 'query/kernel' (a '/' in the weight's name, not a layer's),
    and the encoder's two Dropout layers draw: the checkpoint holds both."""
    x = np.random.default_rng(1).standard_normal((32, 4, 6))
    y = x[:, :1, 0]
    straight = _encoder(dropout)
    straight.fit(x, y, epochs=2, batch_size=8, seed=1, verbose=0)
    straight.fit(x, y, epochs=1, batch_size=8, seed=2, verbose=0)
    resumed = _encoder(dropout)
    resumed.fit(x, y, epochs=2, batch_size=8, seed=1, verbose=0)
    resumed = bricks.load_model(resumed.save(tmp_path / "encoder.npz"))
    resumed.fit(x, y, epochs=1, batch_size=8, seed=2, verbose=0)
    for a, b in zip(straight.get_weights(), resumed.get_weights()):
        np.testing.assert_array_equal(a, b)
