"""Save and load a model as ONE .npz file: the architecture as JSON text plus every array.

Layout of the file (readable with plain `np.load(path, allow_pickle=False)`)::

    "__model__"   a 0-d unicode array: JSON {"format": "bricks-npz-2",
                  "model": {"class_name", "config"},
                  "weights": [{"layer", "name", "shape", "array": "w0000"}, ...],
                  "compile": {"optimizer", "loss", "metrics"} or null,
                  "optimizer_state": {"iterations", "slots": [{"variable", "name",
                                      "array": "s0000" | "value": 3}, ...]} or null,
                  "noise_state": [{"layer": "sequential/dropout", "state": {PCG64 state}}, ...]}
    "w0000", ...  the weight arrays (params, then state such as moving_mean), Keras order
    "s0000", ...  the optimizer's slots (momentum, Adam's m and v), by variable path

A checkpoint is complete: the optimizer's class, config, step count (the schedule's
position) and every slot come back, and so does the position of every noise layer's
generator (Dropout, GaussianNoise, ...), so training resumes exactly where it stopped.
Saving is atomic (`atomic_file`): a full disk or a crash mid-save leaves the old file intact.

What a file can and cannot do (it is treated as input from a stranger): it cannot run code
(no pickle; the JSON names registered layer classes only) nor make bricks read other files.
Before anything is inflated or allocated, the sizes it declares (zip members, the JSON
header's length and depth, each array's .npy header, each weight a layer would create, each
layer's output) are checked against `bricks.limits`, which a user may raise on purpose.
Only the arrays the header lists are read; non-finite weights or optimizer slots, a variable
whose slots are missing and a field of the wrong type ("metrics": "accuracy") are refused.
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
import contextlib
import json
import os
import tempfile
import zipfile

import numpy as np

from bricks import backend, errors, limits, losses, optimizers
from bricks.layers.base import deserialize, serialize

__all__ = ["save_model", "load_model", "atomic_file"]

FORMAT = "bricks-npz-2"
READABLE = ("bricks-npz-1", "bricks-npz-2")  # version 1: arrays by position, no optimizer state
KERAS_SUFFIXES = (".keras", ".h5", ".hdf5")  # Keras's formats, handled by bricks.keras_format
FLOATS = (np.float32, np.float64)


def _open_partial(fd):
    """The temporary file `atomic_file` writes to (a seam: the full-disk test replaces it)."""
    return os.fdopen(fd, "w+b")


@contextlib.contextmanager
def atomic_file(path):
    """`with atomic_file(path) as f:` write a binary file whole or not at all.

    The bytes go to a temporary file beside `path` (same folder, so the rename cannot cross
    disks), which is flushed and fsync'ed, then renamed over `path` with os.replace (atomic on
    POSIX and Windows). If anything fails (a full disk, an exception in the writer), the
    temporary file is removed and `path` is left as it was: the old file still loads.
    """
    folder = os.path.dirname(os.path.abspath(path))
    fd, partial = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".partial", dir=folder)
    try:
        with _open_partial(fd) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(partial, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(partial)
        raise
    with contextlib.suppress(OSError, AttributeError):  # the rename itself durable (POSIX only)
        directory = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


def weight_entries(layer, prefix=""):
    """(path, owner layer, key, array) for every weight, in `weight_arrays()` order."""
    return [(path + k, owner, k, w) for path, owner in layer.walk(prefix)
            for k, w in (*owner.params.items(), *owner.state.items())]


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
    except Exception as e:
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
    # each weight's owner is its path p = '<owner path>/<k>' without '/<k>' (k may hold a '/': 'query/kernel')
    header = {
        "format": FORMAT,
        "model": _model_json(model),
        "weights": [{"layer": p[:-len(k) - 1], "name": k, "shape": list(w.shape), "array": f"w{i:04d}"}
                    for i, (p, _, k, w) in enumerate(entries)],
        "compile": compiled,
        "optimizer_state": _optimizer_state(model, arrays) if compiled else None,
        "noise_state": _noise_state(model),
    }
    text = _check_savable(model, header, arrays)
    with atomic_file(path) as f:
        np.savez(f, __model__=np.array(text), **arrays)
    return path


def _bad(path, expected, **received):
    errors.fail("load_model", expected, path=os.path.basename(path), **received)


# ---- reading: the file is untrusted input (sizes checked before reading, every field's type) ----
def _npy_header(path, archive, info, limit):
    """(shape, dtype) an .npy member declares, checked against its own size and bricks.limits."""
    limits.check_bytes("load_model", f"{os.path.basename(path)}: member {info.filename!r}", info.file_size, limit)
    with archive.open(info) as f:
        version = np.lib.format.read_magic(f)
        if version not in ((1, 0), (2, 0)):
            _bad(path, "arrays in .npy format 1.0 or 2.0", member=info.filename, version=version)
        read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, _, dtype = read_header(f)
    if dtype.hasobject:
        _bad(path, "numeric arrays (no pickled objects)", member=info.filename, dtype=str(dtype))
    nbytes = int(np.prod([float(d) for d in shape])) * dtype.itemsize
    if nbytes > info.file_size:  # a header declaring more than the member holds
        _bad(path, f"member {info.filename!r} holding the {nbytes:,} bytes its header declares for {tuple(shape)}",
             member_bytes=info.file_size)
    return shape, dtype


def _member(path, archive, infos, key, shape=None, limit="array_bytes"):
    """The array stored as `key`, its declared shape (== `shape` if given) checked before reading."""
    info = infos.get(key + ".npy")
    if info is None:
        _bad(path, f"the array {key!r} the header lists", members=sorted(infos)[:5])
    stored, dtype = _npy_header(path, archive, info, limit)
    if shape is not None and (tuple(stored) != tuple(shape) or dtype not in FLOATS):
        _bad(path, f"array {key!r} as a float array of shape {tuple(shape)}", stored=f"{dtype} {tuple(stored)}")
    with archive.open(info) as f:
        return np.lib.format.read_array(f, allow_pickle=False)


def _shape_list(value):
    return isinstance(value, list) and all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in value)


def _check_header(path, header):
    """Every field of the header has the type load_model reads (a string is not a list of metrics)."""
    if not isinstance(header, dict) or header.get("format") not in READABLE:
        _bad(path, f"a header of format {' or '.join(READABLE)}",
             format=header.get("format") if isinstance(header, dict) else type(header).__name__)
    if not isinstance(header.get("model"), dict) or not isinstance(header.get("weights"), list):
        _bad(path, "a header with 'model' (a dict) and 'weights' (a list)", keys=sorted(header))
    seen = set()
    for i, w in enumerate(header["weights"]):
        if not isinstance(w, dict) or not {"layer", "name", "shape"} <= set(w):
            _bad(path, "weight entries {layer, name, shape}", entry=i)
        w.setdefault("array", f"w{i:04d}")
        if not (isinstance(w["layer"], str) and isinstance(w["name"], str) and isinstance(w["array"], str)
                and _shape_list(w["shape"])):
            _bad(path, "a weight entry with text layer, name, array and a shape of ints >= 0", entry=i,
                 **{k: w[k] for k in ("layer", "name", "shape")})
        full = f"{w['layer']}/{w['name']}"
        if full in seen:
            _bad(path, "each weight listed once", weight=full)
        seen.add(full)
    c = header.get("compile")
    if c is not None:
        if not isinstance(c, dict) or not isinstance(c.get("optimizer"), (str, dict)):
            _bad(path, "compile as {optimizer, loss, metrics}", compile=c if not isinstance(c, dict) else sorted(c))
        opt = c["optimizer"]
        well_formed = (isinstance(opt, dict) and isinstance(opt.get("class_name"), str)
                       and isinstance(opt.get("config", {}), dict)
                       and isinstance(opt.get("config", {}).get("name", ""), str))
        if isinstance(opt, dict) and not well_formed:
            _bad(path, "an optimizer {class_name: text, config: {name: text, ...}}", optimizer=opt)
        if not isinstance(c.get("loss"), (str, dict, type(None))):
            _bad(path, "a loss given by name or {class_name, config}", loss=c.get("loss"))
        metrics = c.get("metrics", [])
        if not isinstance(metrics, list) or not all(isinstance(m, str) for m in metrics):
            _bad(path, "metrics as a list of names, e.g. ['accuracy']", metrics=metrics)
    for key in ("optimizer_state", "noise_state"):
        kinds = {"optimizer_state": dict, "noise_state": list}
        if header.get(key) is not None and not isinstance(header[key], kinds[key]):
            _bad(path, f"{key} as a JSON {kinds[key].__name__}", **{key: type(header[key]).__name__})


def _read(path):
    """(header, {array key: array}) of a bricks .npz file. Only the arrays the header lists are read,
    each after its declared shape and size are checked; every structural fault is named."""
    with zipfile.ZipFile(path) as archive:
        infos = {info.filename: info for info in archive.infolist()}
        name = os.path.basename(path)
        limits.check_bytes("load_model", f"{name}: its members together, uncompressed",
                           sum(i.file_size for i in infos.values()), "file_bytes")
        if "__model__.npy" not in infos:
            _bad(path, "a file written by model.save (with a '__model__' entry)", entries=sorted(infos)[:5])
        text = _member(path, archive, infos, "__model__", limit="json_bytes")
        if text.dtype.kind != "U" or text.ndim != 0:
            _bad(path, "'__model__' as one text", stored=f"{text.dtype} {text.shape}")
        header = limits.parse_json(str(text), "load_model", f"{name}: the '__model__' header")
        _check_header(path, header)
        arrays = {}
        for w in header["weights"]:
            arrays[w["array"]] = a = _member(path, archive, infos, w["array"], w["shape"])
            if not np.isfinite(a).all():
                _bad(path, f"finite values in {w['layer']}/{w['name']}", nonfinite=int((~np.isfinite(a)).sum()))
        slots = (header.get("optimizer_state") or {}).get("slots", [])
        for s in slots if isinstance(slots, list) else []:
            if isinstance(s, dict) and isinstance(s.get("array"), str):
                arrays[s["array"]] = _member(path, archive, infos, s["array"],
                                             s["shape"] if _shape_list(s.get("shape")) else None)
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
    for p, _, _, w in entries:
        if stored[p].shape != w.shape:
            _bad(path, f"{p} of shape {w.shape}", stored=stored[p].shape)
        w[...] = stored[p]  # in place: layers keep their arrays


def _restore_optimizer(path, model, state, arrays):
    """The optimizer's step count (the schedule's position) and every slot, by variable path;
    all checked (types, shapes, finite values, no variable's slots missing) before any is kept."""
    opt = model.optimizer
    variables = {p: layer.params[k] for p, layer, k in model.variables()}
    iterations = state.get("iterations")
    if not isinstance(iterations, int) or isinstance(iterations, bool) or iterations < 0:
        _bad(path, "optimizer iterations, an integer >= 0", iterations=iterations)
    if not isinstance(state.get("slots", []), list):
        _bad(path, "optimizer slots as a list", slots=type(state.get("slots")).__name__)
    slots = {}
    for s in state.get("slots", []):
        var, name = (s.get("variable"), s.get("name")) if isinstance(s, dict) else (None, None)
        if var not in variables or not isinstance(name, str):
            _bad(path, "optimizer slots {variable, name} of the model's variables", variable=var, name=name)
        if "shape" in s and s["shape"] != list(variables[var].shape):
            _bad(path, f"slot {name!r} of {var} declared with the variable's shape {list(variables[var].shape)}",
                 shape=s["shape"])
        if "array" in s:
            a = arrays.get(s["array"])
            if a is None or a.shape != variables[var].shape or a.dtype not in FLOATS:
                _bad(path, f"slot {name!r} of {var} as a float array of shape {variables[var].shape}",
                     stored=None if a is None else f"{a.dtype} {a.shape}")
            if not np.isfinite(a).all():
                _bad(path, f"finite values in slot {name!r} of {var}", nonfinite=int((~np.isfinite(a)).sum()))
            slots.setdefault(var, {})[name] = a.astype(variables[var].dtype, copy=True)
        elif isinstance(s.get("value"), int) and not isinstance(s["value"], bool) and 0 <= s["value"] <= iterations:
            slots.setdefault(var, {})[name] = s["value"]
        else:
            _bad(path, f"a slot with an array or an integer value in [0, iterations={iterations}]", variable=var,
                 name=name, value=s.get("value"))
    kinds = {frozenset(v) for v in slots.values()}
    if len(kinds) > 1 or (slots and set(slots) != set(variables)):  # one variable's slots deleted or partial
        names = sorted(set().union(*kinds))
        short = [v for v in variables if set(slots.get(v, ())) != set(names)]
        _bad(path, f"the slots {names} for every trainable variable (a checkpoint with some missing would "
             "silently restart them at zero)", incomplete=short[:5])
    opt.slots, opt.iterations = slots, iterations


def _noise_layers(layer, prefix=""):
    """(path, layer) of every layer that draws noise while it runs (it holds a seed_generator)."""
    return [(path[:-1], owner) for path, owner in layer.walk(prefix)
            if isinstance(getattr(owner, "seed_generator", None), backend.SeedGenerator)]


def _noise_state(model):
    """[{"layer", "state"}]: where each noise layer's generator is, so a resumed run draws the
    same masks as the uninterrupted one."""
    return [{"layer": p, "state": layer.seed_generator.rng.bit_generator.state} for p, layer in _noise_layers(model)]


def _restore_noise(path, model, saved):
    layers = dict(_noise_layers(model))
    for entry in saved:
        where = entry.get("layer") if isinstance(entry, dict) else None
        if where not in layers or not isinstance(entry.get("state"), dict):
            _bad(path, f"noise state of the model's noise layers {sorted(layers)}", layer=where)
        generator = layers[where].seed_generator.rng.bit_generator
        if entry["state"].get("bit_generator") != generator.state["bit_generator"]:
            _bad(path, f"a {generator.state['bit_generator']} generator state", layer=where,
                 bit_generator=entry["state"].get("bit_generator"))
        try:
            generator.state = entry["state"]
        except (TypeError, ValueError, KeyError, OverflowError) as e:
            _bad(path, "a valid generator state", layer=where, problem=f"{type(e).__name__}: {e}")


def _load_npz(path, compile):
    header, arrays = _read(path)
    with backend.expected_weights(_expected_shapes(header["weights"])):
        model = deserialize(header["model"], "load_model")  # add_weight checks each shape first
    _assign_weights(path, model, header, arrays)
    _restore_noise(path, model, header.get("noise_state") or [])
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
            UnicodeError, MemoryError, OverflowError, RecursionError) as e:
        _bad(path, "a readable .npz file written by model.save", problem=f"{type(e).__name__}: {e}")
