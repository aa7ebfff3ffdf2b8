"""save / load_model: one .npz (JSON + arrays, no pickle), identical predictions, clear errors."""
import json

import numpy as np
import pytest

import bricks
from bricks import Dense, Input, Sequential


def trained_model(rng):
    model = Sequential([Input((3,)), Dense(4, activation="tanh", kernel_regularizer=bricks.L2(0.01)),
                        Sequential([Dense(4, activation="relu"), Dense(4)], name="block"),
                        Dense(2, activation="softmax")])
    model.compile(optimizer=bricks.Adam(0.01), loss="categorical_crossentropy", metrics=["accuracy"])
    model.fit(rng.normal(size=(16, 3)), np.eye(2)[rng.integers(0, 2, 16)], epochs=2, verbose=0)
    return model


def test_save_load_identical_predictions(tmp_path, rng):
    model = trained_model(rng)
    path = model.save(tmp_path / "model.npz")
    loaded = bricks.load_model(path)
    x = rng.normal(size=(5, 3))
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]
    assert loaded.layers[0].kernel_regularizer.l2 == 0.01
    assert isinstance(loaded.optimizer, bricks.Adam) and loaded.loss.name == "categorical_crossentropy"
    assert loaded.metric_names == ["accuracy"]


def test_file_is_plain_npz_without_pickle(tmp_path, rng):
    path = trained_model(rng).save(tmp_path / "m")  # ".npz" appended
    assert path.endswith("m.npz")
    with np.load(path, allow_pickle=False) as data:
        header = json.loads(str(data["__model__"]))
        assert header["model"]["class_name"] == "Sequential"
        assert data["w0000"].shape == (3, 4)
        assert [w["layer"] for w in header["weights"]][2] == "sequential/block/dense_1"
    assert bricks.load_model(tmp_path / "m").count_params() == 3 * 4 + 4 + 2 * 20 + 10


def test_wrong_weight_shape_names_the_layer(tmp_path, rng):
    path = trained_model(rng).save(tmp_path / "model.npz")
    with np.load(path, allow_pickle=False) as data:
        entries = dict(data)
    header = json.loads(str(entries["__model__"]))
    header["model"]["config"]["layers"][1]["config"]["units"] = 5  # the file says 4
    entries["__model__"] = np.array(json.dumps(header))
    bad = tmp_path / "bad.npz"
    np.savez(bad, **entries)
    with pytest.raises(ValueError, match=r"load_model: expected the weights the file holds.*dense builds 'kernel' "
                                         r"of shape \(3, 5\), the file has shape \(3, 4\)"):
        bricks.load_model(bad)


def test_unbuilt_model_and_errors(tmp_path):
    path = Sequential([Dense(2)]).save(tmp_path / "unbuilt.npz")
    loaded = bricks.load_model(path)
    assert not loaded.built and loaded.layers[0].units == 2
    header = {"format": "bricks-npz-1", "weights": [], "compile": None,
              "model": {"class_name": "Sequential", "config": {"name": "m", "layers": [
                  {"class_name": "QuantumDense", "config": {}}]}}}
    np.savez(tmp_path / "unknown.npz", __model__=np.array(json.dumps(header)))
    with pytest.raises(ValueError, match="m: expected a known layer class.*QuantumDense"):
        bricks.load_model(tmp_path / "unknown.npz")
    np.savez(tmp_path / "other.npz", a=np.zeros(2))
    with pytest.raises(ValueError, match="load_model"):
        bricks.load_model(tmp_path / "other.npz")
