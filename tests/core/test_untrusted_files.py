"""Model files are input from strangers (issue 21): crafted HDF5 and zip files built here, bombs that
declare gigabytes but stay small on disk (nothing here inflates them), truncations, tampered fields,
failed writes. Each one gets a ValueError naming the file and what was wrong, within a small
memory peak; a failed save leaves the old file loadable and nothing else behind."""
import errno
import io
import json
import os
import shutil
import struct
import tracemalloc
import zipfile

import h5py
import numpy as np
import pytest

import bricks
from bricks import keras_format, saving

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "keras")
MiB = 2**20


def small_model(units=4, seed=0, compiled=True):
    bricks.set_random_seed(seed)
    model = bricks.Sequential([bricks.Input((3,)), bricks.Dense(units, "tanh", name="hidden"),
                               bricks.Dense(1, name="out")])
    if compiled:
        model.compile(optimizer=bricks.Adam(0.01), loss="mse", metrics=["mae"])
        x = np.random.default_rng(seed).standard_normal((16, 3))
        model.fit(x, x[:, :1], epochs=1, batch_size=8, verbose=0, seed=0)
    return model


def refused(load, path, *phrases, peak_mib=64):
    """load(path) raises a ValueError naming the file and every phrase, allocating < peak_mib."""
    tracemalloc.start()
    try:
        with pytest.raises(ValueError) as info:
            load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    message = str(info.value)
    assert os.path.basename(str(path)) in message, message
    assert all(p in message for p in phrases), message
    assert peak < peak_mib * MiB, (peak / MiB, message)
    return message


def rezip(src, dst, replace=None, extra=None):
    """Copy a zip archive, replacing members ({name: bytes}) and adding others."""
    replace = replace or {}
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as b:
        for name in a.namelist():
            b.writestr(name, replace.get(name, a.read(name)))
        for name, data in (extra or {}).items():
            b.writestr(name, data)
    return dst


def declare_size(path, member, size):
    """Make the zip's central directory claim `member` inflates to `size` bytes (a bomb on paper:
    the bytes on disk are unchanged, so nothing large is ever written or inflated)."""
    raw = bytearray(open(path, "rb").read())
    at = 0
    while (at := raw.find(b"PK\x01\x02", at)) >= 0:
        name_len = struct.unpack_from("<H", raw, at + 28)[0]
        if raw[at + 46:at + 46 + name_len].decode() == member:
            struct.pack_into("<I", raw, at + 24, size)
        at += 4
    open(path, "wb").write(bytes(raw))
    return path


def weights_h5(path):
    with zipfile.ZipFile(path) as z:
        return z.read("model.weights.h5")


def edit_weights(src, dst, edit):
    """A .keras copy whose model.weights.h5 went through edit(h5)."""
    buffer = io.BytesIO(weights_h5(src))
    with h5py.File(buffer, "a") as h5:
        edit(h5)
    return rezip(src, dst, {"model.weights.h5": buffer.getvalue()})


def edit_config(src, dst, edit):
    with zipfile.ZipFile(src) as z:
        config = json.loads(z.read("config.json"))
    edit(config)
    return rezip(src, dst, {"config.json": json.dumps(config)})


@pytest.fixture
def keras_file(tmp_path):
    return keras_format.save_model(small_model(), tmp_path / "m.keras")


# ---- HDF5 features that reach outside the file -------------------------------------------------------
def _external_storage(h5):
    del h5["layers/dense/vars/0"]
    h5.create_dataset("layers/dense/vars/0", shape=(3, 4), dtype="f8", external=[("/etc/passwd", 0, 96)])


def _external_link(h5):
    del h5["layers/dense/vars/0"]
    h5["layers/dense/vars/0"] = h5py.ExternalLink("/etc/other.h5", "/kernel")


def _soft_link(h5):
    del h5["layers/dense/vars/0"]
    h5["layers/dense/vars/0"] = h5py.SoftLink("/layers/dense_1/vars/0")


def _virtual(h5):
    del h5["layers/dense/vars/0"]
    layout = h5py.VirtualLayout(shape=(3, 4), dtype="f8")
    layout[:] = h5py.VirtualSource("/tmp/other.h5", "kernel", shape=(3, 4))
    h5.create_virtual_dataset("layers/dense/vars/0", layout)


REACHING_OUT = {"external storage": (_external_storage, "external storage", "/etc/passwd"),
                "external link": (_external_link, "ExternalLink", "/etc/other.h5"),
                "soft link": (_soft_link, "SoftLink", "layers/dense/vars/0"),
                "virtual dataset": (_virtual, "virtual dataset", "/tmp/other.h5")}


@pytest.mark.parametrize("case", sorted(REACHING_OUT))
def test_a_keras_file_cannot_reach_other_files(tmp_path, keras_file, case):
    edit, *phrases = REACHING_OUT[case]
    bad = edit_weights(keras_file, tmp_path / "bad.keras", edit)
    refused(keras_format.load_model, bad, "model.weights.h5", "layers/dense/vars/0", *phrases)


@pytest.mark.parametrize("case", sorted(REACHING_OUT))
def test_a_legacy_h5_cannot_reach_other_files(tmp_path, case):
    bad = shutil.copy(os.path.join(FIXTURES, "dense_mlp.h5"), tmp_path / "bad.h5")
    with h5py.File(bad, "a") as h5:
        h5["layers/dense/vars/0"] = h5["layers/dense_1/vars/0"] = np.zeros((3, 4))
        REACHING_OUT[case][0](h5)
    refused(keras_format.load_model, bad, "layers/dense/vars/0", *REACHING_OUT[case][1:])
    model = small_model(compiled=False)  # and a weights file read into a hand-built model
    weights_only = tmp_path / "bad.weights.h5"
    with h5py.File(weights_only, "w") as h5:
        h5["layers/dense/vars/0"] = h5["layers/dense_1/vars/0"] = np.zeros((3, 4))
        REACHING_OUT[case][0](h5)
    before = model.get_weights()
    refused(lambda p: keras_format.load_weights(model, p), weights_only, *REACHING_OUT[case][1:])
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


# ---- sizes: declared, checked before anything is inflated or allocated ------------------------------
def test_zip_bombs_are_refused_from_the_sizes_they_declare(tmp_path, keras_file):
    for member, limit in (("config.json", "json_bytes"), ("model.weights.h5", "file_bytes")):
        bomb = declare_size(shutil.copy(keras_file, tmp_path / "bomb.keras"), member, 2**31 - 1)
        refused(keras_format.load_model, bomb, member, limit, "2,048.0 MiB")
    extra = declare_size(rezip(keras_file, tmp_path / "extra.keras", extra={"assets/big": b"0" * 100}),
                         "assets/big", 2**31 - 1)  # an unread member still counts in the total
    refused(keras_format.load_model, extra, "members together", "file_bytes")
    with bricks.limits.raised(json_bytes=2**32, file_bytes=2**32):  # raised on purpose: a size that lies
        bomb = declare_size(shutil.copy(keras_file, tmp_path / "lie.keras"), "config.json", 2**31 - 1)
        tracemalloc.start()
        keras_format.load_model(bomb)  # upward costs nothing: only the bytes really there are inflated
        assert tracemalloc.get_traced_memory()[1] < 16 * MiB
        tracemalloc.stop()
    with zipfile.ZipFile(keras_file) as z:
        short = len(z.read("config.json")) // 2
    bomb = declare_size(shutil.copy(keras_file, tmp_path / "short.keras"), "config.json", short)
    refused(keras_format.load_model, bomb, "an intact zip archive")  # downward: cut there, and the CRC fails


def test_an_npz_bomb_is_refused_before_its_members_are_read(tmp_path):
    path = small_model().save(tmp_path / "m.npz")
    with zipfile.ZipFile(path, "a") as z:
        z.writestr("junk.npy", b"0" * 100)
    declare_size(path, "junk.npy", 2**31 - 1)  # an unreferenced 2 GiB member
    refused(bricks.load_model, path, "members together", "file_bytes")
    path = small_model().save(tmp_path / "h.npz")  # a listed member whose .npy header declares 1.6 GB
    header = np.lib.format.header_data_from_array_1_0(np.zeros((1, 1)))
    fake = io.BytesIO()
    np.lib.format.write_array_header_1_0(fake, {**header, "shape": (20000, 10000)})
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    members["w0000.npy"] = fake.getvalue() + b"\0" * 64
    with zipfile.ZipFile(path, "w") as z:
        for n, data in members.items():
            z.writestr(n, data)
    refused(bricks.load_model, path, "w0000", "(20000, 10000)")


@pytest.mark.parametrize("layer, value, phrase", [
    ("Dense", {"units": 20_000_000}, "array_bytes"),
    ("Dense", {"units": 10**12}, "array_bytes"),
    ("UpSampling1D", {"size": 10**8}, "sample_bytes"),
    ("ZeroPadding1D", {"padding": 10**8}, "sample_bytes"),
])
def test_declared_layer_sizes_are_refused_before_allocating(tmp_path, layer, value, phrase):
    bricks.set_random_seed(0)
    model = bricks.Sequential([bricks.Input((6, 2)), bricks.Flatten() if layer == "Dense" else
                               getattr(bricks, layer)(), bricks.Dense(1)])
    path = keras_format.save_model(model, tmp_path / "m.keras")

    def grow(config):
        if layer == "Dense":
            config["config"]["layers"].insert(2, {"class_name": "Dense", "config": {"name": "huge", **value}})
        else:
            config["config"]["layers"][1]["config"].update(value)
    refused(keras_format.load_model, edit_config(path, tmp_path / "big.keras", grow), phrase, "bricks.limits")


def test_a_dataset_declaring_a_huge_shape_is_not_read(tmp_path, keras_file):
    def huge(h5):  # 20,000 x 10,000 float64 chunked and compressed: a few KB on disk
        del h5["layers/dense/vars/0"]
        h5.create_dataset("layers/dense/vars/0", shape=(20000, 10000), dtype="f8", chunks=(1000, 1000),
                          compression="gzip")
    refused(keras_format.load_model, edit_weights(keras_file, tmp_path / "big.keras", huge), "array_bytes",
            "(20000, 10000)")

    def wrong(h5):  # small, but not the shape the layer has: refused before reading
        del h5["layers/dense/vars/0"]
        h5.create_dataset("layers/dense/vars/0", shape=(300, 1000), dtype="f8", chunks=(100, 100), compression="gzip")
    refused(keras_format.load_model, edit_weights(keras_file, tmp_path / "wrong.keras", wrong),
            "weight 0 of shape (3, 4)", "(300, 1000)")


@pytest.mark.parametrize("text, phrases", [
    ("[" * 5000 + "]" * 5000, ("json_depth", "depth=5000")),
    ('["a list", "not an object"]', ("JSON object", "list")),
    ('"text"', ("JSON object", "str")),
    ("{not json", ("valid JSON",)),
    ('{"class_name": "Sequential", "config": [1, 2]}', ("the model (Sequential)", "config as a JSON object")),
    ('{"class_name": "Sequential", "config": {"layers": [1]}}', ("layer 0", "JSON object")),
    ('{"class_name": 7, "config": {}}', ("class_name given as text",)),
])
def test_bad_config_json_gets_a_named_message(tmp_path, keras_file, text, phrases):
    bad = rezip(keras_file, tmp_path / "bad.keras", {"config.json": text})
    refused(keras_format.load_model, bad, *phrases)


def test_a_long_json_text_is_refused_by_its_length(tmp_path, keras_file):
    with bricks.limits.raised(json_bytes=100):
        refused(keras_format.load_model, keras_file, "config.json", "json_bytes=100 bytes")
    assert bricks.limits.LIMITS["json_bytes"] == 16 * MiB


def test_missing_and_non_finite_datasets_are_named(tmp_path, keras_file):
    def drop(h5):
        del h5["layers/dense/vars/1"]
    refused(keras_format.load_model, edit_weights(keras_file, tmp_path / "a.keras", drop),
            "weights of 'hidden'", "2 weight arrays", "arrays in file=1")

    def rename(h5):
        h5.move("layers/dense/vars/1", "layers/dense/vars/7")
    refused(keras_format.load_model, edit_weights(keras_file, tmp_path / "b.keras", rename),
            "weight 1 of shape (4,)", "missing")

    def nan(h5):
        h5["layers/dense_1/vars/0"][1, 0] = np.nan
    refused(keras_format.load_model, edit_weights(keras_file, tmp_path / "c.keras", nan),
            "finite values in weight 0", "first_at=(1, 0)")


# ---- the optimizer state of a .keras file -------------------------------------------------------------
@pytest.mark.parametrize("key, value, phrase", [
    ("0", np.int64(-5), "integer >= 0"), ("0", np.float64(3.5), "integer >= 0"),
    ("1", np.float32(np.nan), "finite values"), ("1", np.float32(-0.1), "> 0"),
    ("1", np.float32(np.inf), "finite values"), ("2", None, "missing"),
])
def test_keras_optimizer_state_is_validated(tmp_path, keras_file, key, value, phrase):
    def tamper(h5):
        del h5[f"optimizer/vars/{key}"]
        if value is not None:
            h5[f"optimizer/vars/{key}"] = value
        else:
            h5["optimizer/vars/99"] = np.zeros(1)  # the count stays, one slot is gone
    message = refused(keras_format.load_model, edit_weights(keras_file, tmp_path / "o.keras", tamper),
                      "optimizer state", phrase)
    assert "compile=False" in message
    keras_format.load_model(tmp_path / "o.keras", compile=False)  # the architecture and weights still load


# ---- truncations and tampered fields: always a named ValueError, never another exception --------------
def test_every_truncation_is_refused_with_a_message(tmp_path):
    model = small_model()
    sources = {".keras": keras_format.save_model(model, tmp_path / "m.keras"),
               ".npz": model.save(tmp_path / "m.npz"), ".h5": os.path.join(FIXTURES, "dense_mlp.h5")}
    rng = np.random.default_rng(0)
    for suffix, src in sources.items():
        raw = open(src, "rb").read()
        for cut in sorted({0, 1, 10, len(raw) - 1, *rng.integers(0, len(raw), 12).tolist()}):
            bad = tmp_path / f"cut{suffix}"
            bad.write_bytes(raw[:cut])
            with pytest.raises(ValueError) as info:
                bricks.load_model(bad)
            assert "cut" in str(info.value), (suffix, cut, str(info.value))


WRONG = ["accuracy", 3, -5, 1.5, float("nan"), None, [], {}, ["x"], {"a": 1}, True, "", 10**30]


def _fields(value, path=()):
    """Every (path, value) leaf and node of a JSON value."""
    yield path, value
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _fields(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _fields(v, path + (i,))


def _set(tree, path, value):
    for k in path[:-1]:
        tree = tree[k]
    tree[path[-1]] = value


def test_tampered_npz_header_fields_load_correctly_or_are_refused_by_name(tmp_path):
    """Every field of the header set to values of the wrong type: load_model either refuses it
    with a `load_model: expected` ValueError, or the model it returns predicts finite numbers."""
    bricks.set_random_seed(0)
    model = bricks.Sequential([bricks.Input((3,)), bricks.Dense(2, name="hidden"), bricks.Dropout(0.5, seed=1),
                               bricks.Dense(1, name="out")]).compile(optimizer="adam", loss="mse", metrics=["mae"])
    x = np.random.default_rng(0).standard_normal((8, 3))
    model.fit(x, x[:, :1], epochs=1, verbose=0, seed=0)
    path = model.save(tmp_path / "m.npz")
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    header = json.loads(str(np.load(path)["__model__"]))
    rng, tried, outcomes = np.random.default_rng(0), 0, {"refused": 0, "loaded": 0}
    leaves = [p for p, _ in _fields(header) if p and p[0] != "model"]  # the layer configs: test_robust_layers
    cases = [(p, v) for p in leaves for v in WRONG]
    for i in rng.choice(len(cases), 100, replace=False):  # 100 of the ~1,000 (field, wrong value) pairs
        path_, value = cases[i]
        tampered = json.loads(json.dumps(header))
        _set(tampered, path_, value)
        text = io.BytesIO()
        np.lib.format.write_array(text, np.array(json.dumps(tampered)))
        bad = tmp_path / "bad.npz"
        with zipfile.ZipFile(bad, "w") as z:
            for n, data in members.items():
                z.writestr(n, text.getvalue() if n == "__model__.npy" else data)
        tried += 1
        try:
            same = bricks.load_model(bad)
        except ValueError as e:
            assert str(e).startswith("load_model: expected"), (path_, value, str(e))
            outcomes["refused"] += 1
        else:
            assert np.isfinite(same.predict(x)).all(), (path_, value)
            outcomes["loaded"] += 1
    assert tried == 100 and outcomes["refused"] >= 90, outcomes  # the others: valid values (amsgrad=True, ...)


# ---- atomic saves: a full disk mid-write leaves the old file loadable and nothing else behind -----------
class FullDisk(io.FileIO):
    """A file that takes `room` bytes, then fails as a full disk does (ENOSPC)."""

    room = 300

    def write(self, data):
        if self.tell() + len(data) > self.room:
            raise OSError(errno.ENOSPC, "No space left on device")
        return super().write(data)


SAVERS = {"npz": ("m.npz", lambda m, p: m.save(p), bricks.load_model),
          "keras": ("m.keras", keras_format.save_model, keras_format.load_model),
          "weights": ("m.weights.h5", keras_format.save_weights,
                      lambda p: keras_format.load_weights(small_model(compiled=False), p))}


@pytest.mark.parametrize("kind", sorted(SAVERS))
def test_a_full_disk_mid_save_keeps_the_old_file(tmp_path, monkeypatch, kind):
    name, save, load = SAVERS[kind]
    path = str(tmp_path / name)
    old = small_model(seed=0)
    save(old, path)
    x = np.random.default_rng(2).standard_normal((5, 3))
    expected, size = load(path).predict(x), os.path.getsize(path)
    monkeypatch.setattr(saving, "_open_partial", lambda fd: FullDisk(fd, "w+b"))
    with pytest.raises(OSError):
        save(small_model(seed=1), path)  # different weights, interrupted by the full disk
    monkeypatch.undo()
    assert os.listdir(tmp_path) == [name] and os.path.getsize(path) == size  # no partial file left
    np.testing.assert_array_equal(load(path).predict(x), expected)  # the old file, intact
    save(small_model(seed=1), path)  # with room, the new model replaces it
    assert not np.allclose(load(path).predict(x), expected) and os.listdir(tmp_path) == [name]


def test_tampered_keras_config_fields_load_correctly_or_are_refused_by_name(tmp_path, keras_file):
    """config.json's fields (layer configs included) set to values of the wrong type: a ValueError
    naming the file, or a model that predicts finite numbers; never another exception."""
    with zipfile.ZipFile(keras_file) as z:
        config = json.loads(z.read("config.json"))
    leaves = [p for p, _ in _fields(config) if p]
    cases = [(p, v) for p in leaves for v in WRONG]
    rng, outcomes = np.random.default_rng(2), {"refused": 0, "loaded": 0}
    x = np.random.default_rng(0).standard_normal((4, 3))
    for i in rng.choice(len(cases), 40, replace=False):
        path_, value = cases[i]
        tampered = json.loads(json.dumps(config))
        _set(tampered, path_, value)
        bad = rezip(keras_file, tmp_path / "bad.keras", {"config.json": json.dumps(tampered)})
        try:
            model = keras_format.load_model(bad)
        except ValueError as e:
            assert "bad.keras" in str(e), (path_, value, str(e))
            outcomes["refused"] += 1
        else:
            shape = [d or 1 for d in model.input_shape[1:]]  # the tampered file may declare another input
            assert np.isfinite(model.predict(np.resize(x, (4, *shape)))).all(), (path_, value)
            outcomes["loaded"] += 1
    assert outcomes["refused"] >= 15, outcomes  # the rest: harmless fields (names, module, build_config)
