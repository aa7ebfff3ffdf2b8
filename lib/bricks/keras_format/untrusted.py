"""A Keras file is input from a stranger: what it may and may not make bricks do.

HDF5 can point outside itself. A dataset may keep its bytes in another file ("external
storage": a `.keras` file whose Dense kernel is the first bytes of /etc/passwd), a link may
name an object in another file (an external link) or elsewhere by path (a soft link), and a
virtual dataset is stitched from other files' datasets. Keras writes none of these, so bricks
refuses a file that has any, naming the file and the object, before any dataset is read:

    >>> import io, h5py
    >>> from bricks.keras_format.reader import Refuser
    >>> buffer = io.BytesIO()
    >>> with h5py.File(buffer, "w") as h5:
    ...     _ = h5.create_dataset("layers/dense/vars/0", shape=(4,), dtype="u1", external=[("/etc/passwd", 0, 4)])
    >>> with h5py.File(buffer, "r") as h5:
    ...     check_hdf5(h5, Refuser("m.keras"), "model.weights.h5")   # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ValueError: m.keras: model.weights.h5: expected datasets stored inside the file (...). \
Received: dataset='layers/dense/vars/0', external_files=['/etc/passwd']

Sizes are read from the file's declarations and compared with `bricks.limits` first: every
dataset's shape against `array_bytes`, their sum against `file_bytes` (so a small compressed
dataset declaring 20,000 x 10,000 floats is refused without being inflated).
"""
import h5py
import numpy as np

from bricks import limits

__all__ = ["check_hdf5", "read_dataset", "json_attribute"]

NUMERIC = "fiub"  # float, int, unsigned, bool: the dtype kinds a weight or a step count may have


def check_hdf5(h5, fail, what="the file"):
    """Refuse links, external storage and virtual datasets; check each dataset's declared size."""
    found = []
    h5.visititems_links(lambda name, link: found.append((name, link)))  # never follows soft/external links
    total = 0
    for name, link in found:
        if isinstance(link, (h5py.ExternalLink, h5py.SoftLink)):
            target = f"{link.filename}:{link.path}" if isinstance(link, h5py.ExternalLink) else link.path
            fail(what, "no links (a Keras file has none; a link can reach into another file)",
                 link=name, kind=type(link).__name__, target=target)
        node = h5[name]
        if not isinstance(node, h5py.Dataset):
            continue
        if node.external:
            fail(what, "datasets stored inside the file (external storage reads other files)",
                 dataset=name, external_files=[str(e[0]) for e in node.external])
        if node.is_virtual:
            fail(what, "datasets stored inside the file (a virtual dataset maps other files' data)",
                 dataset=name, virtual_sources=sorted({s.file_name for s in node.virtual_sources()}))
        if node.dtype.kind not in NUMERIC:
            fail(what, "numeric datasets", dataset=name, dtype=str(node.dtype))
        owner = f"{fail.path}: {what}"
        limits.check_array(owner, f"dataset {name!r}", node.shape, node.dtype)
        total += int(np.prod([float(d) for d in node.shape])) * node.dtype.itemsize
    limits.check_bytes(f"{fail.path}: {what}", "all its datasets together", total, "file_bytes")


def read_dataset(node, key, shape, where, fail, label=None):
    """node[key] as an array of `shape`, checked BEFORE it is read; finite values only."""
    label = label or f"dataset {key!r}"
    ds = node.get(key) if node is not None else None
    if not isinstance(ds, h5py.Dataset):
        fail(where, f"{label} of shape {tuple(shape)}", **{"in file": "missing" if ds is None else "a group"})
    if ds.shape != tuple(shape):
        fail(where, f"{label} of shape {tuple(shape)}", **{"shape in file": ds.shape})
    value = np.asarray(ds[()])
    if value.dtype.kind == "f" and not np.isfinite(value).all():
        bad = np.argwhere(~np.isfinite(value))
        fail(where, f"finite values in {label}", nonfinite=len(bad),
             first_at=tuple(int(i) for i in bad[0]), value=float(value[tuple(bad[0])]))
    return value


def json_attribute(h5, name, fail, what="the file"):
    """The JSON root attribute `name` of an HDF5 file (None if absent), its size checked before reading."""
    if name not in h5.attrs:
        return None
    owner = f"{fail.path}: {what}"
    limits.check_bytes(owner, f"attribute {name!r}", h5.attrs.get_id(name).get_storage_size(), "json_bytes")
    text = h5.attrs[name]
    if isinstance(text, np.ndarray):
        text = text.item() if text.size == 1 else None
    if not isinstance(text, (str, bytes)):
        fail(what, f"attribute {name!r} as JSON text", **{"type": type(text).__name__})
    return limits.parse_json(text, owner, name)
