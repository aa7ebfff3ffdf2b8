"""A Keras model with MultiHeadAttention, in and out of .keras files (keras_format/attention.py).

The fixture (tools/make_attention_fixtures.py, Keras 3.15.1): a functional model
Input -> MultiHeadAttention(x, x) -> LayerNormalization -> Flatten -> Dense, with Keras's prediction.
Its manifest records the reverse check, made where Keras was installed: bricks's own .keras of the
model opened by keras.saving.load_model and predicting the same.
"""
import json
import pathlib
import zipfile

import numpy as np

import bricks
from bricks import keras_format

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "keras" / "attention"
MANIFEST = json.loads((FIXTURES / "manifest.json").read_text())


def max_rel_diff(a, b):
    return float(np.abs(np.asarray(a, np.float64) - b).max() / np.abs(b).max())


def test_keras_mha_model_loads_and_predicts_the_same():
    model = keras_format.load_model(FIXTURES / "mha_model.keras")
    x, y = np.load(FIXTURES / "mha_model.x.npy"), np.load(FIXTURES / "mha_model.y.npy")
    assert [type(layer).__name__ for layer in model.layers] == ["MultiHeadAttention", "LayerNormalization",
                                                                 "Flatten", "Dense"]
    assert max_rel_diff(model.predict(x), y) < 1e-6  # float32; Keras runs a fused float32 attention


def test_mha_model_round_trip_is_exact_and_written_as_a_functional_chain(tmp_path):
    model = keras_format.load_model(FIXTURES / "mha_model.keras")
    path = keras_format.save_model(model, tmp_path / "m.keras")
    config = json.loads(zipfile.ZipFile(path).read("config.json"))
    assert config["class_name"] == "Functional"  # Keras's Sequential cannot call MultiHeadAttention(x, x)
    mha = config["config"]["layers"][1]
    assert mha["build_config"] == {"shapes_dict": {"query_shape": [None, 6, 4], "value_shape": [None, 6, 4]}}
    assert len(mha["inbound_nodes"][0]["args"]) == 2
    again = keras_format.load_model(path)
    x = np.load(FIXTURES / "mha_model.x.npy")
    assert np.array_equal(again.predict(x), model.predict(x))
    for w, v in zip(model.get_weights(), again.get_weights()):
        assert np.array_equal(w, v)


def test_keras_opened_the_file_bricks_wrote():
    check = MANIFEST["mha_model"]
    assert check["keras_class_of_bricks_file"] == "Functional"
    assert check["keras_predicts_bricks_file"] < 1e-6 and check["bricks_predicts_keras_file"] < 1e-6
    assert MANIFEST["bricks_built_attention_model"]["keras_predicts_bricks_file"] < 1e-6  # all three layers


def test_bricks_attention_models_round_trip(tmp_path):
    bricks.set_random_seed(0)
    model = bricks.Sequential([bricks.Input((5, 4)), bricks.Attention(use_scale=True, score_mode="concat"),
                               bricks.AdditiveAttention(), bricks.MultiHeadAttention(2, 3, output_shape=6),
                               bricks.GlobalAveragePooling1D(), bricks.Dense(1)])
    x = np.random.default_rng(0).normal(size=(3, 5, 4))
    again = keras_format.load_model(keras_format.save_model(model, tmp_path / "m.keras"))
    assert np.array_equal(again.predict(x), model.predict(x))
    assert [type(layer).__name__ for layer in again.layers] == [type(layer).__name__ for layer in model.layers]
