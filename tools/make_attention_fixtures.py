"""Record Keras 3's attention layers (outputs AND gradients) and a .keras model with MultiHeadAttention,
for tests/layers/test_attention_keras.py and tests/keras_format/test_keras_attention.py.

Keras is never a dependency of bricks: run this once in a throwaway environment, as
tools/make_keras_fixtures.py is run (the jax backend, for gradients)::

    python3 -m venv /tmp/kerasenv
    /tmp/kerasenv/bin/pip install keras==3.15.1 h5py numpy jax jaxlib
    KERAS_BACKEND=jax /tmp/kerasenv/bin/python tools/make_attention_fixtures.py          # record
    KERAS_BACKEND=jax /tmp/kerasenv/bin/python tools/make_attention_fixtures.py check    # Keras opens bricks's file

Writes tests/fixtures/keras/attention/:
    layers.npz      for each case: inputs, masks, Keras's weights, output, attention scores, and the
                    gradients of sum(output * g) for every input and weight (float64, jax x64)
    cases.json      each case's layer config and call arguments
    mha_model.keras a functional Keras model Input -> MultiHeadAttention(x, x) -> LayerNormalization
                    -> Flatten -> Dense, with mha_model.x.npy and Keras's prediction mha_model.y.npy
    manifest.json   versions, and the check: bricks's own .keras of that model reopened by Keras
"""
import json
import os
import pathlib
import sys
import zipfile

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "jax")
import jax

jax.config.update("jax_enable_x64", True)
import keras  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "fixtures" / "keras" / "attention"

CASES = {
    "attention_dot": ("Attention", {}, {}, ["q", "v", "k"], {}),
    "attention_scaled_concat_masked": ("Attention", {"use_scale": True, "score_mode": "concat"},
                                       {"use_causal_mask": True, "return_attention_scores": True},
                                       ["q", "v4", "k"], {"mask": ["qm", "vm"]}),
    "attention_dot_scaled_causal": ("Attention", {"use_scale": True}, {"use_causal_mask": True},
                                    ["q", "k"], {"mask": [None, "vm"]}),
    "additive_attention": ("AdditiveAttention", {}, {"return_attention_scores": True}, ["q", "v4", "k"],
                           {"mask": [None, "vm"]}),
    "mha_qvk": ("MultiHeadAttention", {"num_heads": 2, "key_dim": 3}, {}, ["q", "v", "k"], {}),
    "mha_value_dim_output_shape_causal": (
        "MultiHeadAttention", {"num_heads": 3, "key_dim": 2, "value_dim": 4, "output_shape": (5,), "use_bias": False},
        {"use_causal_mask": True, "return_attention_scores": True}, ["q", "v"], {}),
    "mha_attention_mask": ("MultiHeadAttention", {"num_heads": 2, "key_dim": 2},
                           {"return_attention_scores": True}, ["q", "v", "k"], {"attention_mask": "am"}),
    "mha_self_float32": ("MultiHeadAttention", {"num_heads": 2, "key_dim": 4, "dtype": "float32"},
                         {"use_causal_mask": True}, ["q", "q"], {}),
}


def arrays():
    rng = np.random.default_rng(0)
    a = {"q": rng.normal(size=(2, 4, 3)), "v": rng.normal(size=(2, 4, 5)), "v4": rng.normal(size=(2, 4, 6)),
         "k": rng.normal(size=(2, 4, 3)),
         "qm": np.array([[1, 1, 0, 1], [1, 1, 1, 1]], bool), "vm": np.array([[1, 0, 1, 1], [1, 1, 1, 0]], bool),
         "am": rng.random((2, 4, 4)) > 0.3}
    a["am"][0, 2] = False  # a query that may attend nowhere
    return a


def record():
    OUT.mkdir(parents=True, exist_ok=True)
    data, store, cases = arrays(), {}, {}
    for name, (cls, config, call, inputs, masks) in CASES.items():
        dtype = config.get("dtype", "float64")
        layer = getattr(keras.layers, cls)(**{"dtype": "float64", **config})
        xs = [data[i].astype(dtype) for i in inputs]
        extra = {}
        if "mask" in masks:
            extra["mask"] = [None if m is None else data[m] for m in masks["mask"]]
        if "attention_mask" in masks:
            extra["attention_mask"] = data[masks["attention_mask"]]

        def run(tv, xs):
            args = ([list(xs)] if cls != "MultiHeadAttention" else list(xs))
            out, _ = layer.stateless_call(tv, [], *args, **call, **extra)
            return out

        run_args = [list(xs)] if cls != "MultiHeadAttention" else list(xs)
        layer(*run_args, **call, **extra)  # build, with Keras's initializers
        tv = [v.value for v in layer.trainable_variables]
        out = run(tv, xs)
        y, scores = (out if isinstance(out, tuple) else (out, None))
        g = np.random.default_rng(1).normal(size=y.shape).astype(dtype)

        def loss(tv, xs):
            o = run(tv, xs)
            o = o[0] if isinstance(o, tuple) else o
            return (o * g).sum()

        dtv, dxs = jax.grad(loss, argnums=(0, 1))(tv, xs)
        p = f"{name}/"
        for i, x in enumerate(xs):
            store[p + f"x{i}"], store[p + f"dx{i}"] = x, np.asarray(dxs[i])
        for i, (w, dw) in enumerate(zip(tv, dtv)):
            store[p + f"w{i}"], store[p + f"dw{i}"] = np.asarray(w), np.asarray(dw)
        store[p + "y"], store[p + "g"] = np.asarray(y), g
        if scores is not None:
            store[p + "scores"] = np.asarray(scores)
        for k, m in extra.items():
            if k == "mask":
                for i, mi in enumerate(m):
                    if mi is not None:
                        store[p + f"mask{i}"] = mi
            else:
                store[p + k] = m
        config = {k: (list(v) if isinstance(v, tuple) else v) for k, v in config.items()}
        cases[name] = {"class_name": cls, "config": config,
                       "call": call, "n_inputs": len(xs), "weights": [v.path for v in layer.trainable_variables],
                       "masks": {k: ([None if m is None else True for m in v] if k == "mask" else True)
                                 for k, v in masks.items()}}
    np.savez_compressed(OUT / "layers.npz", **store)
    (OUT / "cases.json").write_text(json.dumps(cases, indent=1) + "\n")
    record_model()


def record_model():
    keras.utils.set_random_seed(0)
    x_in = keras.Input((6, 4), dtype="float32")
    h = keras.layers.MultiHeadAttention(2, 3, name="mha")(x_in, x_in)
    h = keras.layers.LayerNormalization()(h)
    y = keras.layers.Dense(2)(keras.layers.Flatten()(h))
    model = keras.Model(x_in, y)
    x = np.random.default_rng(2).normal(size=(3, 6, 4)).astype("float32")
    model.save(OUT / "mha_model.keras")
    np.save(OUT / "mha_model.x.npy", x)
    np.save(OUT / "mha_model.y.npy", np.asarray(model.predict(x, verbose=0)))
    _repack(OUT / "mha_model.keras")


def _repack(path):
    """zip deflate, members byte for byte (as make_keras_fixtures.py does)."""
    with zipfile.ZipFile(path) as z:
        members = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            z.writestr(name, data)


def check():
    """bricks loads Keras's file, saves it with its own writer; Keras opens that and predicts the same."""
    sys.path.insert(0, str(ROOT / "lib"))
    from bricks import keras_format
    model = keras_format.load_model(OUT / "mha_model.keras")
    x, y = np.load(OUT / "mha_model.x.npy"), np.load(OUT / "mha_model.y.npy")
    ours = model.predict(x)
    path = pathlib.Path("/tmp/bricks_mha_model.keras")
    keras_format.save_model(model, path)
    theirs = keras.saving.load_model(path)
    again = np.asarray(theirs.predict(x, verbose=0))
    scale = float(np.abs(y).max())
    manifest = {"keras": keras.__version__, "backend": keras.backend.backend(), "jax": jax.__version__,
                "cases": sorted(CASES),
                "mha_model": {"bricks_predicts_keras_file": float(np.abs(ours - y).max() / scale),
                              "keras_predicts_bricks_file": float(np.abs(again - y).max() / scale),
                              "keras_class_of_bricks_file": type(theirs).__name__,
                              "keras_layers_of_bricks_file": [type(layer).__name__ for layer in theirs.layers]}}
    import bricks  # a model bricks built, with all three attention layers: does Keras open it?
    bricks.set_random_seed(0)
    ours = bricks.Sequential([bricks.Input((5, 4)), bricks.Attention(use_scale=True, score_mode="concat"),
                              bricks.AdditiveAttention(), bricks.MultiHeadAttention(2, 3, output_shape=6),
                              bricks.GlobalAveragePooling1D(), bricks.Dense(1)], dtype="float32")
    x = np.random.default_rng(0).normal(size=(3, 5, 4)).astype("float32")
    keras_format.save_model(ours, path)
    theirs = np.asarray(keras.saving.load_model(path).predict(x, verbose=0))
    manifest["bricks_built_attention_model"] = {
        "keras_predicts_bricks_file": float(np.abs(theirs - ours.predict(x)).max() / np.abs(theirs).max())}
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    print(json.dumps(manifest, indent=1))


if __name__ == "__main__":
    if sys.argv[1:] != ["check"]:
        record()
    if sys.argv[1:] != ["record"]:
        check()
