"""Keras files in and out (bricks.keras_format), on fixtures made by real Keras (tools/make_keras_fixtures.py).

Keras is not installed here: the fixtures carry Keras's own predictions, and the manifest records
the check made at fixture time that Keras opens files bricks writes and predicts the same.
"""
import json
import pathlib
import zipfile

import h5py
import numpy as np
import pytest

import bricks
from bricks import keras_format

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "keras"
MANIFEST = json.loads((FIXTURES / "manifest.json").read_text())
FILES = [(name, f) for name, entry in MANIFEST["fixtures"].items() for f in entry["files"]]


def max_rel_diff(a, b):
    """max |a - b| / max |b|: the error relative to the output's scale."""
    return float(np.abs(np.asarray(a, np.float64) - b).max() / np.abs(b).max())


@pytest.mark.parametrize("name,fname", FILES, ids=[f for _, f in FILES])
def test_fixture_predicts_what_keras_predicted(name, fname):
    model = keras_format.load_model(FIXTURES / fname)
    x, y = np.load(FIXTURES / f"{name}.x.npy"), np.load(FIXTURES / f"{name}.y.npy")
    assert [type(layer).__name__ for layer in model.layers] == MANIFEST["fixtures"][name]["layers"]
    assert model.count_params() == MANIFEST["fixtures"][name]["params"]
    assert max_rel_diff(model.predict(x), y) < 1e-6


@pytest.mark.parametrize("name,fname", FILES, ids=[f for _, f in FILES])
def test_round_trip_is_exact(name, fname, tmp_path):
    model = keras_format.load_model(FIXTURES / fname)
    again = keras_format.load_model(keras_format.save_model(model, tmp_path / "m.keras"))
    assert again.get_config() == model.get_config()
    for w, v in zip(model.get_weights(), again.get_weights()):
        assert w.dtype == v.dtype and np.array_equal(w, v)
    x = np.load(FIXTURES / f"{name}.x.npy")
    assert np.array_equal(again.predict(x), model.predict(x))


def test_keras_opened_the_files_bricks_wrote():
    """Recorded by the fixture script, where Keras was installed."""
    checks = [r for e in MANIFEST["fixtures"].values() for r in e["keras_opens_bricks_file"].values()]
    checks += list(MANIFEST["bricks_built"].values())
    assert len(checks) == len(FILES) + 3
    assert all(r["ok"] and r["max_rel_diff"] < 1e-6 for r in checks)


def test_bricks_built_model_round_trips(tmp_path):
    bricks.set_random_seed(3)
    model = bricks.Sequential([bricks.Dense(5, "tanh", kernel_regularizer=bricks.L2(0.01), input_shape=(3,)),
                               bricks.BatchNormalization(), bricks.Dense(1)])
    again = keras_format.load_model(keras_format.save_model(model, tmp_path / "m"))  # ".keras" appended
    x = np.random.default_rng(0).normal(size=(4, 3))
    assert np.array_equal(again.predict(x), model.predict(x))
    assert again.regularization_loss() == model.regularization_loss() > 0
    assert again.dtype == np.float64 and again.layers[0].name == model.layers[0].name


# ---- what is refused, and how ---------------------------------------------------------------
def refused(path, *phrases):
    with pytest.raises(ValueError) as info:
        keras_format.load_model(path)
    message = str(info.value)
    assert str(path) in message and all(p in message for p in phrases), message
    return message


def test_functional_graph_is_refused():
    """Dense(1)(Dense(2)(x)) + Dense(1)(x): a second branch from the input, then a merge."""
    refused(FIXTURES / "refused_functional.keras", "expected a Sequential model, or a functional one that is a "
            "single chain of layers", "bricks has no graph of layers", "inputs=['input_layer")


def test_functional_chain_loads_as_sequential():
    model = keras_format.load_model(FIXTURES / "functional_chain.keras")
    assert type(model).__name__ == "Sequential" and len(model.layers) == 3


def test_unknown_layer_is_refused():
    refused(FIXTURES / "refused_unknown_layer.keras", "layer 'p_re_lu' (PReLU)", "a Keras layer bricks has",
            "class_name='PReLU'")


def test_argument_value_bricks_lacks_is_refused():
    refused(FIXTURES / "refused_argument.keras", "(LayerNormalization)", "rms_scaling=True")
    refused(FIXTURES / "refused_rnn_dropout.keras", "dropout=0.2", "not implemented in bricks")


def test_truncated_archive_is_refused(tmp_path):
    data = (FIXTURES / "lstm.keras").read_bytes()
    (tmp_path / "cut.keras").write_bytes(data[:len(data) // 2])
    refused(tmp_path / "cut.keras", "a .keras zip archive")


def test_archive_without_config_is_refused(tmp_path):
    with zipfile.ZipFile(tmp_path / "bare.keras", "w") as archive:
        archive.writestr("model.weights.h5", b"")
    refused(tmp_path / "bare.keras", "a member 'config.json'", "members=['model.weights.h5']")


def test_damaged_member_is_refused(tmp_path):
    with zipfile.ZipFile(FIXTURES / "lstm.keras") as src, zipfile.ZipFile(tmp_path / "bad.keras", "w") as dst:
        dst.writestr("config.json", src.read("config.json"))
        dst.writestr("model.weights.h5", b"not hdf5 at all")
    refused(tmp_path / "bad.keras", "model.weights.h5: expected an HDF5 file")


def test_non_hdf5_h5_is_refused(tmp_path):
    (tmp_path / "notes.h5").write_text("these are not weights\n")
    refused(tmp_path / "notes.h5", "the file: expected an HDF5 file")


def test_weights_only_h5_is_refused(tmp_path):
    with h5py.File(tmp_path / "w.h5", "w") as h5:
        h5.create_dataset("kernel", data=np.zeros(3))
    refused(tmp_path / "w.h5", "a 'model_config' attribute")


def test_wrong_weight_shape_is_refused(tmp_path):
    with zipfile.ZipFile(FIXTURES / "dense_mlp.keras") as src, zipfile.ZipFile(tmp_path / "s.keras", "w") as dst:
        dst.writestr("config.json", src.read("config.json"))
        with h5py.File(tmp_path / "w.h5", "w") as h5:
            h5.create_dataset("layers/dense/vars/0", data=np.zeros((5, 8), np.float32))
            h5.create_dataset("layers/dense/vars/1", data=np.zeros(8, np.float32))
        dst.writestr("model.weights.h5", (tmp_path / "w.h5").read_bytes())
    refused(tmp_path / "s.keras", "weights of 'dense'", "weight 0 of shape (6, 8)", "(5, 8)")


def test_unknown_suffix_and_missing_file_are_refused(tmp_path):
    (tmp_path / "m.pt").write_bytes(b"")
    refused(tmp_path / "m.pt", "a file ending in .keras, .h5 or .hdf5")
    refused(tmp_path / "nothing.keras", "an existing file")


def test_residual_cannot_be_written(tmp_path):
    model = bricks.Sequential([bricks.Input((3,)), bricks.Residual([bricks.Dense(3)])])
    with pytest.raises(ValueError, match=r"\(Residual\): expected a layer Keras has"):
        keras_format.save_model(model, tmp_path / "r.keras")


# ---- a Keras 2 file's conventions ---------------------------------------------------------------
def keras2_file(path):
    """dense_mlp.h5 rewritten with Keras 2's conventions: batch_input_shape on the first layer and no
    InputLayer, dtype strings, initializers without module, weight names ending in ':0'."""
    with h5py.File(FIXTURES / "dense_mlp.h5") as src:
        config = json.loads(src.attrs["model_config"])
        arrays = {n: [np.asarray(src["model_weights"][n][w]) for w in src["model_weights"][n].attrs["weight_names"]]
                  for n in ("dense", "dense_1")}
    layers = config["config"]["layers"]
    first = layers.pop(0)["config"]
    layers[0]["config"]["batch_input_shape"] = first["batch_shape"]
    for spec in layers:
        spec["config"]["dtype"] = "float32"
        for key, value in spec["config"].items():
            if key.endswith("_initializer"):
                spec["config"][key] = {"class_name": value["class_name"], "config": {"seed": None}}
    config["config"]["dtype"] = "float32"
    with h5py.File(path, "w") as h5:
        h5.attrs["keras_version"], h5.attrs["backend"] = "2.15.0", "tensorflow"
        h5.attrs["model_config"] = json.dumps(config)
        for name, ws in arrays.items():
            group = h5.require_group(f"model_weights/{name}")
            group.attrs["weight_names"] = [f"{name}/kernel:0", f"{name}/bias:0"]
            for w, suffix in zip(ws, ("kernel:0", "bias:0")):
                group.create_dataset(f"{name}/{suffix}", data=w)
    return path


def test_keras2_conventions_load(tmp_path):
    model = keras_format.load_model(keras2_file(tmp_path / "k2.h5"))
    x, y = np.load(FIXTURES / "dense_mlp.x.npy"), np.load(FIXTURES / "dense_mlp.y.npy")
    assert max_rel_diff(model.predict(x), y) < 1e-6


# ---- the book's platform model ---------------------------------------------------------------------
def chapter4_test_windows():
    """The test windows of chapter 4's simulated up-day data (the same lines as the chapter)."""
    rng = np.random.default_rng(0)
    T, L = 4000, 10
    ret, vol = rng.normal(size=T), rng.normal(size=T)
    rng.uniform(size=T)  # the labels' draw, kept so nothing else shifts
    features = np.stack([ret, vol], axis=1)
    days = np.arange(L - 1, T - 1)
    X = np.stack([features[t - L + 1:t + 1] for t in days])
    return X[int(0.8 * len(X)):]


def test_platform_example_predicts_what_the_platform_predicted():
    model = keras_format.load_model(keras_format.EXAMPLES / "up_day.keras")
    proba = np.load(keras_format.EXAMPLES / "up_day.test_proba.npy")
    assert model.count_params() == 1217
    assert max_rel_diff(model.predict(chapter4_test_windows()), proba) < 1e-6


# ---- training configuration and optimizer state ---------------------------------------------------
@pytest.mark.parametrize("fname", ["dense_mlp.keras", "dense_mlp.h5"])
def test_compile_config_is_read(fname):
    model = keras_format.load_model(FIXTURES / fname)
    assert type(model.optimizer).__name__ == "Adam" and model.optimizer.clipnorm == 1.0
    assert np.isclose(model.optimizer.learning_rate, 1e-3)
    assert model.loss.name == "categorical_crossentropy" and model._metric_ids == ["accuracy"]
    assert keras_format.load_model(FIXTURES / fname, compile=False).optimizer is None


def test_compile_config_bricks_lacks_is_refused_unless_compile_false():
    path = FIXTURES / "refused_compile.keras"
    refused(path, "optimizer 'Adam'", "weight_decay=0.01", "compile=False")
    assert keras_format.load_model(path, compile=False).count_params() == 4


@pytest.mark.parametrize("name", ["adam", "sgd_nesterov", "rmsprop_centered"])
def test_training_resumes_from_keras_optimizer_state(name):
    """Keras trained a few steps, saved, then took one more step; bricks, from the file, takes the same one."""
    model = keras_format.load_model(FIXTURES / f"optimizer_{name}.keras")
    step = np.load(FIXTURES / f"optimizer_{name}.step.npz")
    assert model.optimizer.iterations == 12  # 3 epochs of 4 batches
    model.train_on_batch(step["x"], step["y"])
    for i, w in enumerate(model.get_weights()):
        assert max_rel_diff(w, step[f"w{i}"]) < 1e-5
    record = MANIFEST["optimizer_state"][f"optimizer_{name}"]
    assert record["keras_resumes_bricks_file"]["ok"] and not record["keras_resumes_bricks_file"]["warnings"]


@pytest.mark.parametrize("optimizer", [bricks.Adam, bricks.AdamW])
def test_optimizer_state_round_trip_is_exact(tmp_path, optimizer):
    bricks.set_random_seed(4)
    model = bricks.Sequential([bricks.Input((3,)), bricks.Dense(4, "tanh"), bricks.Dense(1)])
    model.compile(optimizer=optimizer(0.01), loss="mse")
    x, y = np.random.default_rng(1).normal(size=(8, 3)), np.ones((8, 1))
    model.fit(x, y, epochs=3, batch_size=4, verbose=0)
    again = keras_format.load_model(keras_format.save_model(model, tmp_path / "t.keras"))
    assert again.optimizer.iterations == model.optimizer.iterations == 6
    model.train_on_batch(x, y)
    again.train_on_batch(x, y)
    for w, v in zip(model.get_weights(), again.get_weights()):
        assert np.array_equal(w, v)


# ---- the suffix dispatch: bricks.load_model and model.save -----------------------------------------
def test_load_model_and_save_dispatch_on_the_suffix(tmp_path):
    for fname in ("lstm.keras", "lstm.h5"):
        model = bricks.load_model(FIXTURES / fname)
        assert max_rel_diff(model.predict(np.load(FIXTURES / "lstm.x.npy")), np.load(FIXTURES / "lstm.y.npy")) < 1e-6
    written = model.save(tmp_path / "m.keras")
    assert written.endswith(".keras") and zipfile.is_zipfile(written)
    assert np.array_equal(bricks.load_model(written).get_weights()[0], model.get_weights()[0])
    native = model.save(tmp_path / "m")  # bricks's own format stays the default
    with np.load(native, allow_pickle=False) as stored:
        assert native.endswith(".npz") and "__model__" in stored.files
    assert type(bricks.load_model(native)).__name__ == "Sequential"
    with pytest.raises(ValueError, match="a path ending in .keras"):
        model.save(tmp_path / "m.h5")


# ---- weights-only files ------------------------------------------------------------------------------
def lstm_by_hand():
    """The lstm fixture's architecture, written in bricks (float64)."""
    return bricks.Sequential([bricks.Input((6, 3)), bricks.LSTM(5, return_sequences=True),
                              bricks.LSTM(3, unit_forget_bias=False), bricks.Dense(1)])


def test_keras_weights_file_loads_into_a_model_built_by_hand(tmp_path):
    model = keras_format.load_weights(lstm_by_hand(), FIXTURES / "lstm.weights.h5")
    assert max_rel_diff(model.predict(np.load(FIXTURES / "lstm.x.npy")), np.load(FIXTURES / "lstm.y.npy")) < 1e-6
    again = keras_format.load_weights(lstm_by_hand(), keras_format.save_weights(model, str(tmp_path / "m.weights.h5")))
    assert all(np.array_equal(w, v) for w, v in zip(model.get_weights(), again.get_weights()))
    assert MANIFEST["weights_only"]["ok"]  # Keras's load_weights read the file bricks wrote (fixture script)


def test_weights_file_mismatch_and_suffix_are_refused(tmp_path):
    wrong = bricks.Sequential([bricks.Input((6, 3)), bricks.LSTM(4, return_sequences=True),
                               bricks.LSTM(3), bricks.Dense(1)])
    with pytest.raises(ValueError, match=r"lstm.weights.h5: weights of 'lstm_cell' \('layers/lstm/cell/vars'\)"):
        keras_format.load_weights(wrong, FIXTURES / "lstm.weights.h5")
    with pytest.raises(ValueError, match=r"a path ending in .weights.h5"):
        keras_format.save_weights(lstm_by_hand(), str(tmp_path / "m.h5"))


def test_keras2_weights_only_file_loads(tmp_path):
    with h5py.File(FIXTURES / "dense_mlp.h5") as src, h5py.File(tmp_path / "w.h5", "w") as dst:
        for name in ("dense", "dense_1"):
            group = src["model_weights"][name]
            names = [n.decode() if isinstance(n, bytes) else n for n in group.attrs["weight_names"]]
            out = dst.require_group(name)
            out.attrs["weight_names"] = [f"{name}/kernel:0", f"{name}/bias:0"]
            for n, suffix in zip(names, ("kernel:0", "bias:0")):
                out.create_dataset(f"{name}/{suffix}", data=np.asarray(group[n]))
        dst.attrs["layer_names"] = ["dense", "dense_1"]
    model = bricks.Sequential([bricks.Input((6,)), bricks.Dense(8, "relu"), bricks.Dropout(0.3),
                               bricks.Dense(3, "softmax")])  # other names: matched in order, as Keras 2 does
    keras_format.load_weights(model, tmp_path / "w.h5")
    x, y = np.load(FIXTURES / "dense_mlp.x.npy"), np.load(FIXTURES / "dense_mlp.y.npy")
    assert max_rel_diff(model.predict(x), y) < 1e-6


def test_activation_bricks_lacks_is_refused(tmp_path):
    """dense_activations.keras with one activation changed to gelu, which bricks does not have."""
    with zipfile.ZipFile(FIXTURES / "dense_activations.keras") as src:
        config = json.loads(src.read("config.json"))
        config["config"]["layers"][1]["config"]["activation"] = "gelu"
        with zipfile.ZipFile(tmp_path / "gelu.keras", "w") as dst:
            dst.writestr("config.json", json.dumps(config))
            dst.writestr("model.weights.h5", src.read("model.weights.h5"))
    refused(tmp_path / "gelu.keras", "layer 'dense_2' (Dense)", "activation='gelu'")


def test_keras2_functional_nodes():
    """Keras 2 writes a functional model's calls as [[name, node, tensor, kwargs]]."""
    from bricks.keras_format import reader
    layers = [{"class_name": "InputLayer", "name": "x", "inbound_nodes": [],
               "config": {"batch_input_shape": [None, 3], "dtype": "float32", "name": "x"}},
              {"class_name": "Dense", "name": "d", "inbound_nodes": [[["x", 0, 0, {}]]],
               "config": {"name": "d", "units": 2, "dtype": "float32"}}]
    spec = {"class_name": "Model", "config": {"name": "m", "layers": layers, "input_layers": [["x", 0, 0]],
                                               "output_layers": [["d", 0, 0]]}}
    model = reader.build_model(spec, reader.Refuser("k2.h5"))
    assert model.output_shape == (None, 2)
    layers[1]["inbound_nodes"].append([["x", 0, 0, {}]])  # the same layer called twice: a graph
    with pytest.raises(ValueError, match=r"k2.h5: the model: .*every layer called once.*layer='d', calls=2"):
        reader.build_model(spec, reader.Refuser("k2.h5"))
