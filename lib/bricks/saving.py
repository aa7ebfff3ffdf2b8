"""Save and load a model as ONE .npz file: the architecture as JSON text plus every array.

Layout of the file (readable with plain `np.load(path, allow_pickle=False)`)::

    "__model__"   a 0-d unicode array: JSON {"format": "bricks-npz-2",
                  "model": {"class_name", "config"},
                  "weights": [{"layer", "name", "shape", "array": "w0000"}, ...],
                  "compile": {"optimizer", "loss", "metrics"} or null,
                  "optimizer_state": {"iterations", "slots": [{"variable", "name",
                                      "array": "s0000" | "value": 3}, ...]} or null}
    "w0000", ...  the weight arrays (params, then state such as moving_mean), Keras order
    "s0000", ...  the optimizer's slots (momentum, Adam's m and v), by variable path

A checkpoint is complete: the optimizer's class, config, step count (the schedule's
position) and every slot come back, so training resumes exactly where it stopped.
`load_model` matches arrays by name (`sequential/dense/kernel`), never by position,
and checks every shape before anything is allocated; a corrupt or tampered file gets
a `load_model: ...` ValueError. `save` refuses what it could not read back (a weight
that is not float32/float64, a configuration that is not JSON or does not rebuild).
No pickle anywhere: the JSON names layer classes, which the layer registry maps back.

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
import zipfile

import numpy as np

from bricks import backend, errors, losses, optimizers
from bricks.layers.base import deserialize, serialize

__all__ = ["save_model", "load_model"]

FORMAT = "bricks-npz-2"
READABLE = ("bricks-npz-1", "bricks-npz-2")  # version 1: arrays by position, no optimizer state
KERAS_SUFFIXES = (".keras", ".h5", ".hdf5")  # Keras's formats, handled by bricks.keras_format
FLOATS = (np.float32, np.float64)


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


def _optimizer_state(model, arrays):
    """{"iterations", "slots"} of a compiled model's optimizer; slot arrays go into `arrays`."""
    opt, slots = model.optimizer, []
    for variable, state in opt.slots.items():
        for name, value in state.items():
            if isinstance(value, np.ndarray):
                key = f"s{len(slots):04d}"
                arrays[key] = value
                slots.append({"variable": variable, "name": name, "array": key, "shape": list(value.shape)})
            else:
                slots.append({"variable": variable, "name": name, "value": int(value)})
    return {"iterations": int(opt.iterations), "slots": slots}


def _expected_shapes(weights):
    """{(layer name, weight name): shape} for `backend.expected_weights`."""
    return {(w["layer"].rsplit("/", 1)[-1], w["name"]): tuple(w["shape"]) for w in weights}


def _model_json(model):
    """serialize(model), or a `save_model: ...` ValueError naming the layer whose config is not JSON."""
    try:
        spec = serialize(model)
        json.dumps(spec)
        return spec
    except (TypeError, ValueError, AttributeError) as whole:
        for layer in getattr(model, "sublayers", []):
            try:
                json.dumps(serialize(layer))
            except (TypeError, ValueError, AttributeError) as e:
                errors.fail("save_model", "a configuration made of names and numbers (register a custom "
                            "activation, initializer or regularizer, or pass its name)", layer=layer.name,
                            problem=f"{type(e).__name__}: {e}")
        errors.fail("save_model", "a JSON configuration", model=model.name, problem=str(whole))


def _check_savable(model, header, arrays):
    """The JSON text of `header`, or a `save_model: ...` ValueError for what load_model could not read."""
    for key, w in arrays.items():
        if w.dtype not in FLOATS:  # np.savez would pickle an object array; load refuses pickles
            errors.fail("save_model", "float32 or float64 arrays", array=key, dtype=str(w.dtype))
    try:
        text = json.dumps(header)
    except (TypeError, ValueError) as e:  # the model part passed: the compile settings did not
        errors.fail("save_model", "compile settings made of names and numbers (a registered loss and "
                    "optimizer)", problem=str(e))
    try:
        with backend.preserved_rng(), backend.expected_weights(_expected_shapes(header["weights"]), "save_model"):
            deserialize(json.loads(text)["model"], "save_model")  # what load_model will do, on a copy
    except Exception as e:  # noqa: BLE001  any failure here is a file that could not be read back
        errors.fail("save_model", "a model that load_model can rebuild from its configuration",
                    problem=f"{type(e).__name__}: {e}")
    return text


def save_model(model, path):
    """Write `model` to `path` (".npz" is appended if missing); returns the path written.

    A path ending in ".keras" is written in Keras 3's format instead (bricks.keras_format).
    The file is written whole or not at all (a temporary file, then renamed).
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
    arrays = {f"w{i:04d}": np.asarray(w) for i, (_, _, _, w) in enumerate(entries)}
    compiled = _compile_config(model)
    header = {
        "format": FORMAT,
        "model": _model_json(model),
        "weights": [{"layer": p.rsplit("/", 1)[0], "name": k, "shape": list(w.shape), "array": f"w{i:04d}"}
                    for i, (p, _, k, w) in enumerate(entries)],
        "compile": compiled,
        "optimizer_state": _optimizer_state(model, arrays) if compiled else None,
    }
    text = _check_savable(model, header, arrays)
    tmp = path[:-4] + ".partial.npz"
    np.savez(tmp, __model__=np.array(text), **arrays)
    os.replace(tmp, path)
    return path


def _bad(path, expected, **received):
    errors.fail("load_model", expected, path=os.path.basename(path), **received)


def _read(path):
    """(header, {name: array}) of a bricks .npz file, every structural fault named."""
    with np.load(path, allow_pickle=False) as data:
        if "__model__" not in data.files:
            _bad(path, "a file written by model.save (with a '__model__' entry)", entries=sorted(data.files)[:5])
        header = json.loads(str(data["__model__"]))
        arrays = {k: data[k] for k in data.files if k != "__model__"}
    if not isinstance(header, dict) or header.get("format") not in READABLE:
        _bad(path, f"a header of format {' or '.join(READABLE)}",
             format=header.get("format") if isinstance(header, dict) else type(header).__name__)
    if not isinstance(header.get("model"), dict) or not isinstance(header.get("weights"), list):
        _bad(path, "a header with 'model' (a dict) and 'weights' (a list)", keys=sorted(header))
    for i, w in enumerate(header["weights"]):
        key = w.get("array", f"w{i:04d}") if isinstance(w, dict) else None
        if key is None or not {"layer", "name", "shape"} <= set(w):
            _bad(path, "weight entries {layer, name, shape}", entry=i)
        if key not in arrays:
            _bad(path, f"the array {key!r} the header lists", weight=f"{w['layer']}/{w['name']}")
        if arrays[key].shape != tuple(w["shape"]) or arrays[key].dtype not in FLOATS:
            _bad(path, f"{w['layer']}/{w['name']} as a float array of shape {tuple(w['shape'])}",
                 stored=f"{arrays[key].dtype} {arrays[key].shape}")
        w["array"] = key
    return header, arrays


def _assign_weights(path, model, header, arrays):
    """Fill every weight of `model` from the file's array of the SAME path (names, not positions)."""
    stored = {f"{w['layer']}/{w['name']}": arrays[w["array"]] for w in header["weights"]}
    entries = weight_entries(model) if model.built else []
    names = {p for p, _, _, _ in entries}
    extra = sorted(set(stored) - names)
    missing = [p for p in [p for p, _, _, _ in entries] if p not in stored]
    if missing or extra:
        _bad(path, "one stored array for each weight of the model", missing=missing[:5], unexpected=extra[:5])
    for p, owner, key, w in entries:
        if stored[p].shape != w.shape:
            _bad(path, f"{p} of shape {w.shape}", stored=stored[p].shape)
        w[...] = stored[p]  # in place: layers keep their arrays


def _restore_optimizer(path, model, state, arrays):
    """The optimizer's step count (the schedule's position) and every slot, by variable path."""
    opt = model.optimizer
    variables = {p: layer.params[k] for p, layer, k in model.variables()}
    iterations = state.get("iterations")
    if not isinstance(iterations, int) or iterations < 0:
        _bad(path, "optimizer iterations, an integer >= 0", iterations=iterations)
    slots = {}
    for s in state.get("slots", []):
        var, name = s.get("variable"), s.get("name")
        if var not in variables:
            _bad(path, "optimizer slots of the model's variables", variable=var)
        if "array" in s:
            a = arrays.get(s["array"])
            if a is None or a.shape != variables[var].shape or a.dtype not in FLOATS:
                _bad(path, f"slot {name!r} of {var} as a float array of shape {variables[var].shape}",
                     stored=None if a is None else f"{a.dtype} {a.shape}")
            slots.setdefault(var, {})[name] = a.astype(variables[var].dtype, copy=True)
        elif isinstance(s.get("value"), int):
            slots.setdefault(var, {})[name] = s["value"]
        else:
            _bad(path, "a slot with an array or an integer value", variable=var, name=name)
    opt.slots, opt.iterations = slots, iterations


def _load_npz(path, compile):
    header, arrays = _read(path)
    with backend.expected_weights(_expected_shapes(header["weights"])):
        model = deserialize(header["model"], "load_model")  # add_weight checks each shape first
    _assign_weights(path, model, header, arrays)
    c = header.get("compile")
    if compile and c and hasattr(model, "compile"):
        model.compile(optimizer=optimizers.get(c["optimizer"]), loss=losses.get(c["loss"]), metrics=c["metrics"])
        if header.get("optimizer_state"):
            _restore_optimizer(path, model, header["optimizer_state"], arrays)
    return model


def load_model(path, compile=True):
    """Rebuild a model saved by `save_model`: architecture, weights, compile settings and the
    optimizer's state (its step count and slots), so that training resumes where it stopped.

    A path ending in ".keras", ".h5" or ".hdf5" is read as a Keras file (bricks.keras_format).
    Raises:
        ValueError: `load_model: expected ...` for a corrupt, truncated or tampered file.
    """
    path = os.fspath(path)
    if path.lower().endswith(KERAS_SUFFIXES):
        from bricks import keras_format
        return keras_format.load_model(path, compile=compile)
    if not os.path.exists(path) and os.path.exists(path + ".npz"):
        path += ".npz"
    if not os.path.exists(path):
        raise FileNotFoundError(f"load_model: no file {path!r}")
    try:
        return _load_npz(path, compile)
    except ValueError as e:
        if str(e).startswith("load_model"):
            raise
        _bad(path, "a file whose model description rebuilds", problem=str(e))
    except (KeyError, TypeError, IndexError, AttributeError, OSError, EOFError, zipfile.BadZipFile,
            UnicodeError, MemoryError) as e:
        _bad(path, "a readable .npz file written by model.save", problem=f"{type(e).__name__}: {e}")
