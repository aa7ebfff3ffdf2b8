"""Save and load a model as ONE .npz file: the architecture as JSON text plus every weight array.

Layout of the file (readable with plain `np.load(path, allow_pickle=False)`)::

    "__model__"   a 0-d unicode array: JSON {"format", "model": {"class_name", "config"},
                  "weights": [{"layer", "name", "shape"}, ...], "compile": {...} or null}
    "w0000", ...  the weight arrays, in get_weights() order (Keras order)

No pickle anywhere: the JSON names layer classes, which the layer registry maps back
to classes and `from_config` rebuilds, so every layer whose get_config is complete
round-trips, including Sequential models nested inside other layers.

Example:
    >>> import os, tempfile
    >>> model = bricks.Sequential([bricks.Input((2,)), bricks.Dense(3, activation="tanh"),
    ...                            bricks.Dense(1)])
    >>> x = np.random.default_rng(0).normal(size=(4, 2))
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = model.save(os.path.join(folder, "model.npz"))
    ...     same = bricks.load_model(path)
    >>> np.allclose(same.predict(x), model.predict(x))
    True
"""
import json
import os

import numpy as np

from bricks import errors, losses, optimizers
from bricks.layers.base import deserialize, serialize

__all__ = ["save_model", "load_model"]

FORMAT = "bricks-npz-1"
KERAS_SUFFIXES = (".keras", ".h5", ".hdf5")  # Keras's formats, handled by bricks.keras_format


def weight_entries(layer, prefix=""):
    """(path, owner layer, key, array) for every weight, in `weight_arrays()` order."""
    path = f"{prefix}{layer.name}/"
    out = [(path + k, layer, k, w) for k, w in list(layer.params.items()) + list(layer.state.items())]
    for sub in layer.sublayers:
        out += weight_entries(sub, path)
    return out


def _compile_config(model):
    if getattr(model, "loss", None) is None or getattr(model, "optimizer", None) is None:
        return None
    metric_ids = getattr(model, "_metric_ids", [])
    if not all(isinstance(m, str) for m in metric_ids):
        metric_ids = [m for m in metric_ids if isinstance(m, str)]
    return {"optimizer": optimizers.serialize(model.optimizer), "loss": losses.serialize(model.loss),
            "metrics": metric_ids}


def save_model(model, path):
    """Write `model` to `path` (".npz" is appended if missing); returns the path written.

    A path ending in ".keras" is written in Keras 3's format instead (bricks.keras_format).
    """
    path = os.fspath(path)
    if path.lower().endswith(".keras"):
        from bricks import keras_format  # h5py, imported only when a Keras file is asked for
        return keras_format.save_model(model, path)
    if path.lower().endswith(KERAS_SUFFIXES):
        errors.fail("save_model", "a path ending in .keras for Keras's format (legacy .h5 is read, not written)",
                    path=path)
    if not path.endswith(".npz"):
        path += ".npz"
    entries = weight_entries(model) if model.built else []
    header = {
        "format": FORMAT,
        "model": serialize(model),
        "weights": [{"layer": p.rsplit("/", 1)[0], "name": k, "shape": list(w.shape)} for p, _, k, w in entries],
        "compile": _compile_config(model),
    }
    arrays = {f"w{i:04d}": w for i, (_, _, _, w) in enumerate(entries)}
    np.savez(path, __model__=np.array(json.dumps(header)), **arrays)
    return path


def load_model(path, compile=True):
    """Rebuild a model saved by `save_model` (architecture, weights, and compile settings if any).

    A path ending in ".keras", ".h5" or ".hdf5" is read as a Keras file (bricks.keras_format).
    """
    path = os.fspath(path)
    if path.lower().endswith(KERAS_SUFFIXES):
        from bricks import keras_format
        return keras_format.load_model(path, compile=compile)
    if not os.path.exists(path) and os.path.exists(path + ".npz"):
        path += ".npz"
    with np.load(path, allow_pickle=False) as data:
        if "__model__" not in data.files:
            errors.fail("load_model", "a file written by model.save (with a '__model__' entry)", path=path)
        header = json.loads(str(data["__model__"]))
        arrays = [data[f"w{i:04d}"] for i in range(len(header["weights"]))]
    model = deserialize(header["model"], "load_model")
    entries = weight_entries(model) if model.built else []
    if len(entries) != len(arrays):
        errors.fail(model, f"{len(entries)} weight arrays", **{"arrays in file": len(arrays)})
    for (_, owner, key, w), stored, meta in zip(entries, arrays, header["weights"]):
        if stored.shape != w.shape:
            errors.fail(owner, f"weight '{key}' of shape {w.shape}",
                        **{f"{meta['layer']}/{meta['name']}.shape in file": stored.shape})
        w[...] = stored  # in place: layers keep their arrays
    if compile and header.get("compile") and hasattr(model, "compile"):
        c = header["compile"]
        model.compile(optimizer=optimizers.get(c["optimizer"]), loss=losses.get(c["loss"]), metrics=c["metrics"])
    return model
