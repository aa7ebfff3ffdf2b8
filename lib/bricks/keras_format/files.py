"""Open and write the two Keras file formats, with clear errors for anything else.

`.keras` (Keras 3): a zip archive with

    metadata.json       {"keras_version": ..., "date_saved": ...}
    config.json         {"class_name": "Sequential", "config": {"layers": [...]}, ...}
    model.weights.h5    HDF5, the weights laid out as `weights.slots` describes

`.h5` (Keras 2, or Keras 3's legacy `save("m.h5")`): one HDF5 file whose root attribute
`model_config` holds the same kind of JSON and whose group `model_weights` holds the weights.
"""
import datetime
import io
import json
import os
import zipfile

import h5py

from bricks import limits
from bricks.saving import atomic_file
from bricks.keras_format import compiling, reader, untrusted, weights, writer

__all__ = ["load_model", "save_model", "load_weights", "save_weights", "KERAS_VERSION"]

KERAS_VERSION = "3.15.1"  # the Keras release whose .keras layout the writer follows (and was tested with)


def _json(text, what, fail):
    """The JSON object in `text` (a dict), its length and depth checked first (bricks.limits)."""
    value = limits.parse_json(text, f"{fail.path}: {what}", what)
    if not isinstance(value, dict):
        fail(what, "a JSON object {\"class_name\": ..., \"config\": ...}", **{"JSON type": type(value).__name__})
    return value


def _members(archive, fail):
    """{name: ZipInfo}, every member's declared (uncompressed) size checked before anything is inflated."""
    infos = {info.filename: info for info in archive.infolist()}
    owner = f"{fail.path}: the archive"
    for name in ("config.json", "model.weights.h5"):
        if name not in infos:
            why = "the model's architecture" if name == "config.json" else "bricks reads HDF5 weights only"
            fail("the archive", f"a member {name!r} ({why})", members=sorted(infos)[:10])
    limits.check_bytes(owner, "member 'config.json'", infos["config.json"].file_size, "json_bytes")
    limits.check_bytes(owner, "member 'model.weights.h5'", infos["model.weights.h5"].file_size, "file_bytes")
    limits.check_bytes(owner, "its members together, uncompressed", sum(i.file_size for i in infos.values()),
                       "file_bytes")
    return infos


def load_keras(path, fail, compile=True):
    """Model from a Keras 3 .keras zip archive (compiled as its compile_config says, if any).

    The archive is untrusted input (see bricks.keras_format.untrusted and bricks.limits): the
    sizes its members declare are checked before they are inflated, config.json's length and
    depth before it is parsed, and the HDF5 weights refuse links, external storage and
    virtual datasets before any array is read.
    """
    if not zipfile.is_zipfile(path):
        fail("the file", "a .keras zip archive (config.json + model.weights.h5)", zip=False)
    try:
        with zipfile.ZipFile(path) as archive:
            _members(archive, fail)
            config = _json(archive.read("config.json"), "config.json", fail)
            raw = archive.read("model.weights.h5")  # at most its declared size: zipfile stops there
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError) as exc:  # truncated, damaged, odd method
        fail("the archive", "an intact zip archive", error=str(exc))
    compile_config = config.get("compile_config")
    if compile_config is not None and not isinstance(compile_config, dict):
        fail("config.json", "compile_config as a JSON object", compile_config=type(compile_config).__name__)
    with _open_h5(io.BytesIO(raw), "model.weights.h5", fail) as h5:
        untrusted.check_hdf5(h5, fail, "model.weights.h5")
        model = _build(config, fail, "config.json")
        weights.read_v3(h5, model, fail)
        if compile and compile_config:
            try:
                compiling.compile_from_keras(model, compile_config, fail)
            except (AttributeError, TypeError, KeyError, IndexError, OverflowError) as exc:
                fail("compile_config", "the types Keras writes (or load the model with compile=False)",
                     error=f"{type(exc).__name__}: {exc}")
            compiling.read_optimizer_state(h5, model, fail)
    return model


def _build(config, fail, what):
    """reader.build_model, with any slip on a malformed config (a number where a dict belongs)
    turned into the file's ValueError: a stranger's file never raises anything else."""
    try:
        return reader.build_model(config, fail)
    except (AttributeError, TypeError, KeyError, IndexError, OverflowError, RecursionError) as exc:
        fail(what, "a Keras configuration with the types Keras writes", error=f"{type(exc).__name__}: {exc}")


def _open_h5(source, what, fail):
    try:
        return h5py.File(source, "r")
    except OSError as exc:
        fail(what, "an HDF5 file", error=str(exc))


def load_h5(path, fail, compile=True):
    """Model from a legacy .h5 file (root attribute model_config, group model_weights), checked
    as untrusted input first (bricks.keras_format.untrusted)."""
    with _open_h5(path, "the file", fail) as h5:
        untrusted.check_hdf5(h5, fail)
        config = untrusted.json_attribute(h5, "model_config", fail)
        if config is None:
            fail("the file", "a Keras model file with a 'model_config' attribute (a weights-only "
                 ".h5 has none)", attributes=sorted(h5.attrs))
        if not isinstance(config, dict):
            fail("model_config", "a JSON object {class_name, config}", **{"JSON type": type(config).__name__})
        model = _build(config, fail, "model_config")
        weights.read_legacy(h5, model, fail)
        training = untrusted.json_attribute(h5, "training_config", fail) if compile else None
    if training is not None:
        if not isinstance(training, dict):
            fail("training_config", "a JSON object", **{"JSON type": type(training).__name__})
        training["optimizer"] = training.pop("optimizer_config", None) or "rmsprop"
        compiling.compile_from_keras(model, training, fail)
    return model


def load_model(path, compile=True):
    """A bricks Sequential model from a Keras `.keras` or legacy `.h5` file (chosen by the suffix).

    With compile=True a file that carries a training configuration (optimizer, loss, metrics)
    comes back compiled, as `keras.saving.load_model` does, with its optimizer's state.
    """
    path = os.fspath(path)
    fail = reader.Refuser(path)
    if not os.path.exists(path):
        fail("load_model", "an existing file", path=path)
    if path.lower().endswith(".keras"):
        return load_keras(path, fail, compile)
    if path.lower().endswith((".h5", ".hdf5")):
        return load_h5(path, fail, compile)
    fail("load_model", "a file ending in .keras, .h5 or .hdf5", path=path)


def save_model(model, path):
    """Write `model` as a Keras 3 .keras archive that `keras.saving.load_model` opens; returns the path."""
    path = os.fspath(path)
    if not path.lower().endswith(".keras"):
        path += ".keras"
    fail = reader.Refuser(path)
    config = writer.model_config(model, fail)
    training = compiling.keras_compile_config(model)
    if training is not None:
        config["compile_config"] = training
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as h5:
        weights.write_v3(h5, model)
        compiling.write_optimizer_state(h5, model)
    meta = {"keras_version": KERAS_VERSION, "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
            "producer": "bricks"}
    with atomic_file(path) as f, zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED) as archive:  # whole or not at all
        archive.writestr("metadata.json", json.dumps(meta))
        archive.writestr("config.json", json.dumps(config))
        archive.writestr("model.weights.h5", buffer.getvalue())
    return path


def load_weights(model, path):
    """Fill a built bricks model's weights from a Keras weights file: Keras 3's `save_weights`
    (`m.weights.h5`, the layout of model.weights.h5) or Keras 2's (layer groups at the root).
    The architecture is the caller's: each layer's arrays must match in number and shape."""
    path = os.fspath(path)
    fail = reader.Refuser(path)
    if not os.path.exists(path):
        fail("load_weights", "an existing file", path=path)
    if not model.built:
        fail("load_weights", "a built model (give it an Input first)", built=False)
    before = model.get_weights()
    try:
        with _open_h5(path, "the file", fail) as h5:
            untrusted.check_hdf5(h5, fail)
            if "layers" in h5 or "vars" in h5:
                weights.read_v3(h5, model, fail)
            else:
                weights.read_legacy(h5, model, fail)
    except BaseException:
        model.set_weights(before)  # a refused file leaves the model's weights as they were
        raise
    return model


def save_weights(model, path):
    """Write a Keras 3 weights file (`m.weights.h5`) that Keras's `model.load_weights` reads."""
    path = os.fspath(path)
    if not path.endswith(".weights.h5"):
        reader.Refuser(path)("save_weights", "a path ending in .weights.h5 (Keras 3's rule)", path=path)
    writer.model_config(model, reader.Refuser(path))  # refuses what Keras has no layer for
    buffer = io.BytesIO()  # HDF5 in memory first: a failed write then surfaces as the OSError it is
    with h5py.File(buffer, "w") as h5:
        weights.write_v3(h5, model)
    with atomic_file(path) as f:  # whole or not at all
        f.write(buffer.getbuffer())
    return path
