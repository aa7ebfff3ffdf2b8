"""The check phase of tools/make_keras_fixtures.py: Keras opens what bricks writes, bricks resumes what Keras saved.

Run by that script (it needs Keras, so it runs in the throwaway venv described there); each result
goes into tests/fixtures/keras/manifest.json, which tests/keras_format/test_keras_format.py reads.
"""
import json
import pathlib
import sys
import tempfile
import warnings

import numpy as np

import keras
from make_keras_fixtures import EXAMPLES, OUT, ROOT, chapter4_data, write_manifest

def check_optimizer_state():
    """Keras (jax) resumes training from the optimizer state bricks wrote: one train_on_batch must land
    where Keras's own step from its own file landed (recorded in the manifest)."""
    sys.path.insert(0, str(ROOT / "lib"))
    from bricks import keras_format
    manifest = json.loads((OUT / "manifest.json").read_text())
    with tempfile.TemporaryDirectory() as tmp:
        for path in sorted(OUT.glob("optimizer_*.keras")):
            step = np.load(path.with_suffix(".step.npz"))
            written = keras_format.save_model(keras_format.load_model(path), pathlib.Path(tmp) / path.name)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                model = keras.saving.load_model(written)
            model.train_on_batch(step["x"], step["y"])
            rel = max(float(np.abs(w - step[f"w{i}"]).max() / np.abs(step[f"w{i}"]).max())
                      for i, w in enumerate(model.get_weights()))
            manifest["optimizer_state"][path.stem]["keras_resumes_bricks_file"] = {
                "max_rel_diff": rel, "ok": rel < 1e-5 and not caught, "warnings": [str(w.message) for w in caught]}
            print(f"{path.name:32s} Keras resumes from bricks's file: max rel diff {rel:.2e}")
    write_manifest(manifest)
def bricks_models(bricks):
    """Models born in bricks (float64 by default, initializers given by name or object, no Input)."""
    bricks.set_random_seed(0)
    b = bricks
    return {
        "bricks_mlp_float64": (b.Sequential([b.Dense(6, "relu", kernel_initializer="he_normal",
                                                     kernel_regularizer=b.L2(1e-3), input_shape=(4,)),
                                             b.Dropout(0.2), b.Dense(2, "softmax")]), (4,)),
        "bricks_conv_float32": (b.Sequential([b.Input((12, 3), dtype="float32"),
                                              b.Conv1D(4, 3, padding="causal", dtype="float32"),
                                              b.BatchNormalization(dtype="float32"),
                                              b.GlobalMaxPooling1D(dtype="float32"), b.Dense(1, dtype="float32")]),
                                (12, 3)),
        "bricks_recurrent": (b.Sequential([b.Input((5, 3)), b.Bidirectional(b.LSTM(3, return_sequences=True)),
                                           b.GRU(2, reset_after=False), b.Dense(1)]), (5, 3)),
    }
def check_bricks_models(bricks, keras_format, tmp):
    """Keras opens files bricks wrote for models bricks built itself."""
    out = {}
    for name, (model, shape) in bricks_models(bricks).items():
        x = np.random.default_rng(1).normal(size=(4, *shape))
        ours = model.predict(x)
        written = keras_format.save_model(model, pathlib.Path(tmp) / f"{name}.keras")
        theirs = np.asarray(keras.saving.load_model(written).predict(x.astype(ours.dtype), verbose=0))
        rel = float(np.abs(theirs - ours).max() / np.abs(ours).max())
        # 1e-6 for float64 models too: Keras's numpy backend computes them in float32
        # (keras.ops.matmul of two float64 arrays returns float32 there)
        out[name] = {"dtype": str(ours.dtype), "max_rel_diff": rel, "ok": rel < 1e-6}
        print(f"{name:32s} bricks-built -> .keras -> Keras: max rel diff {rel:.2e} ({ours.dtype})")
    return out
def check_weights_file(keras_format, tmp):
    """bricks reads Keras's lstm.weights.h5 into its own LSTM model; Keras reads the one bricks writes."""
    reference = keras.saving.load_model(OUT / "lstm.keras")
    x = np.load(OUT / "lstm.x.npy")
    model = keras_format.load_model(OUT / "lstm.keras")
    for w in model.weight_arrays():
        w[...] = 0.0
    keras_format.load_weights(model, OUT / "lstm.weights.h5")
    ours = model.predict(x)
    written = keras_format.save_weights(model, str(pathlib.Path(tmp) / "lstm.bricks.weights.h5"))
    for v in reference.weights:
        v.assign(np.zeros(v.shape, "float32"))
    reference.load_weights(written)
    theirs = np.asarray(reference.predict(x, verbose=0))
    keras_y = np.load(OUT / "lstm.y.npy")
    out = {"bricks_reads_keras_weights": float(np.abs(ours - keras_y).max() / np.abs(keras_y).max()),
           "keras_reads_bricks_weights": float(np.abs(theirs - ours).max() / np.abs(ours).max())}
    out["ok"] = max(out.values()) < 1e-6
    print(f"lstm.weights.h5: bricks reads Keras's {out['bricks_reads_keras_weights']:.2e}, "
          f"Keras reads bricks's {out['keras_reads_bricks_weights']:.2e}")
    return out


def check_platform(keras_format, tmp):
    """The chapter's model: bricks reproduces the platform's predictions, Keras reopens bricks's copy."""
    X_test = chapter4_data()[2].astype("float32")
    model = keras_format.load_model(EXAMPLES / "up_day.keras")
    ours, theirs = model.predict(X_test), np.load(EXAMPLES / "up_day.test_proba.npy")
    written = keras_format.save_model(model, pathlib.Path(tmp) / "up_day.bricks.keras")
    back = np.asarray(keras.saving.load_model(written).predict(X_test, verbose=0))
    out = {"bricks_vs_platform": float(np.abs(ours - theirs).max() / np.abs(theirs).max()),
           "keras_on_bricks_file": float(np.abs(back - ours).max() / np.abs(ours).max())}
    out["ok"] = max(out.values()) < 1e-6
    info = json.loads((EXAMPLES / "up_day.json").read_text())  # the chapter prints this check
    (EXAMPLES / "up_day.json").write_text(json.dumps({**info, "checked_in_keras": out}, indent=1) + "\n")
    print(f"up_day.keras: bricks vs platform {out['bricks_vs_platform']:.2e}, "
          f"Keras on bricks's copy {out['keras_on_bricks_file']:.2e}")
    return out
def check_bricks_resumes(keras_format):
    """bricks loads Keras's optimizer state and takes the step Keras took."""
    out = {}
    for path in sorted(OUT.glob("optimizer_*.keras")):
        model, step = keras_format.load_model(path), np.load(path.with_suffix(".step.npz"))
        model.train_on_batch(step["x"], step["y"])
        rel = max(float(np.abs(w - step[f"w{i}"]).max() / np.abs(step[f"w{i}"]).max())
                  for i, w in enumerate(model.get_weights()))
        out[path.stem] = {"bricks_resumes_keras_file": {"max_rel_diff": rel, "ok": rel < 1e-5}}
        print(f"{path.name:32s} bricks resumes from Keras's file: max rel diff {rel:.2e}")
    return out
def check():
    """bricks loads each fixture, writes it as .keras; Keras opens that file and must predict the same."""
    sys.path.insert(0, str(ROOT / "lib"))
    import bricks
    from bricks import keras_format
    manifest = json.loads((OUT / "manifest.json").read_text())
    with tempfile.TemporaryDirectory() as tmp:
        manifest["bricks_built"] = check_bricks_models(bricks, keras_format, tmp)
        for name, entry in manifest["fixtures"].items():
            x = np.load(OUT / f"{name}.x.npy")
            for fname in entry["files"]:
                model = keras_format.load_model(OUT / fname)
                ours = model.predict(x)
                keras_y = np.load(OUT / f"{name}.y.npy")
                entry.setdefault("bricks_loads_keras_file", {})[fname] = {
                    "max_rel_diff": float(np.abs(ours - keras_y).max() / np.abs(keras_y).max())}
                written = pathlib.Path(tmp) / f"{name}.bricks.keras"
                keras_format.save_model(model, written)
                with warnings.catch_warnings(record=True) as caught:  # what loading says, not predicting
                    warnings.simplefilter("always")
                    reopened = keras.saving.load_model(written)
                theirs = np.asarray(reopened.predict(x, verbose=0))
                rel = float(np.abs(theirs - ours).max() / np.abs(ours).max())
                entry.setdefault("keras_opens_bricks_file", {})[fname] = {
                    "max_rel_diff": rel, "ok": rel < 1e-6 and not caught, "warnings": [str(w.message) for w in caught]}
                print(f"{fname:32s} bricks -> .keras -> Keras: max rel diff {rel:.2e}")
        manifest["platform"] = check_platform(keras_format, tmp)
        manifest["weights_only"] = check_weights_file(keras_format, tmp)
        manifest["optimizer_state"] = check_bricks_resumes(keras_format)
    manifest["bricks_written_check"] = "keras.saving.load_model on files written by bricks.keras_format"
    write_manifest(manifest)
    bad = [n for n, e in manifest["fixtures"].items() for r in e["keras_opens_bricks_file"].values() if not r["ok"]]
    bad += [n for n, r in manifest["bricks_built"].items() if not r["ok"]]
    bad += [] if manifest["platform"]["ok"] else ["up_day"]
    bad += [] if manifest["weights_only"]["ok"] else ["lstm.weights.h5"]
    if bad:
        raise SystemExit(f"Keras does not reproduce bricks's predictions for {bad}")
