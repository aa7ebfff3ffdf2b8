"""How much a file or a configuration may make bricks read, inflate or allocate: one table.

A model file is input from a stranger. Before bricks inflates a zip member, parses a JSON
text, reads an HDF5 dataset, creates a weight or builds a layer, it compares the size the
file DECLARES with these limits, so a 2 MB file cannot ask for 2 GB:

    json_bytes     16 MiB   one JSON text (config.json, model_config, a .npz header)
    json_depth     64       nesting of that JSON (Keras configs nest about 10 deep)
    array_bytes   512 MiB   one array: a weight, an HDF5 dataset, a zip member of arrays
    file_bytes      1 GiB   everything inside one file, uncompressed (all zip members together)
    sample_bytes   64 MiB   one sample's output of one layer when a model is built (batch 1)

A model that really needs more raises a limit on purpose, for one block:

    >>> import bricks
    >>> wide = bricks.Sequential([bricks.Input((100_000,)), bricks.Dense(1000)])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ValueError: dense: expected kernel of shape (100000, 1000) within bricks.limits array_bytes=512.0 MiB ...
    >>> with bricks.limits.raised(array_bytes=2 * 2**30):   # allowed inside the block (not run here)
    ...     pass
    >>> bricks.limits.LIMITS["array_bytes"] == 512 * 2**20   # and the default is back
    True

or for the session, `bricks.limits.LIMITS["array_bytes"] = ...`. Exceeding a limit raises a
ValueError naming who asked (the file, the layer), what, the size asked for and the limit.
"""
import contextlib
import re

import numpy as np

from bricks import errors

__all__ = ["LIMITS", "raised", "check_bytes", "check_array", "check_sample", "json_depth"]

MiB = 2**20
LIMITS = {"json_bytes": 16 * MiB, "json_depth": 64, "array_bytes": 512 * MiB, "file_bytes": 1024 * MiB,
          "sample_bytes": 64 * MiB}


@contextlib.contextmanager
def raised(**limits):
    """`with raised(array_bytes=...):` the given limits inside the block, the old ones after."""
    unknown = sorted(set(limits) - set(LIMITS))
    if unknown:
        errors.fail("bricks.limits.raised", f"limits named in {sorted(LIMITS)}", unknown=unknown)
    old = dict(LIMITS)
    LIMITS.update(limits)
    try:
        yield LIMITS
    finally:
        LIMITS.clear()
        LIMITS.update(old)


def _size(n):
    return f"{n / MiB:,.1f} MiB" if n >= MiB else f"{n:,} bytes"


def check_bytes(owner, what, nbytes, limit="array_bytes"):
    """Raise unless `nbytes` (what `what` would take) is within LIMITS[limit]."""
    if nbytes > LIMITS[limit]:
        errors.fail(owner, f"{what} within bricks.limits {limit}={_size(LIMITS[limit])} (raise it on "
                    f"purpose with bricks.limits.raised({limit}=...))", size=_size(int(nbytes)))


def _elements(owner, what, shape):
    """The number of elements of `shape` (None counts 1), or a ValueError for a shape that is not one."""
    dims = [1 if d is None else d for d in shape]
    if not all(isinstance(d, (int, np.integer)) and not isinstance(d, bool) and d >= 0 for d in dims):
        errors.fail(owner, f"{what} with a shape of non-negative integers", shape=tuple(shape))
    return int(np.prod([float(d) for d in dims]))  # float: no integer overflow on a tampered shape


def check_array(owner, what, shape, dtype="float64"):
    """Raise unless an array of `shape` and `dtype` fits LIMITS["array_bytes"] (before allocating it)."""
    check_bytes(owner, f"{what} of shape {tuple(shape)}", _elements(owner, what, shape) * np.dtype(dtype).itemsize)


def check_sample(owner, shape, dtype="float64"):
    """Raise unless one sample of an output of `shape` (batch axis first) fits LIMITS["sample_bytes"]."""
    n = _elements(owner, "an output", tuple(shape)[1:])
    check_bytes(owner, f"one sample's output of shape {tuple(shape)}", n * np.dtype(dtype).itemsize, "sample_bytes")


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def json_depth(text):
    """The deepest nesting of [ and { in a JSON text, counted without parsing it (strings skipped)."""
    codes = np.frombuffer(_STRING.sub("", text).encode("utf-8", "surrogatepass"), dtype=np.uint8)  # (bytes,)
    step = np.isin(codes, (ord("["), ord("{"))).astype(np.int64) - np.isin(codes, (ord("]"), ord("}")))
    return int(np.cumsum(step).max(initial=0))


def parse_json(text, owner, what):
    """json.loads(text) after its length and depth are checked; a ValueError naming `what` otherwise."""
    import json
    if isinstance(text, (bytes, bytearray)):
        check_bytes(owner, f"{what} text", len(text), "json_bytes")
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as exc:
            errors.fail(owner, f"{what} as UTF-8 JSON text", error=str(exc))
    check_bytes(owner, f"{what} text", len(text.encode("utf-8", "surrogatepass")), "json_bytes")
    depth = json_depth(text)
    if depth > LIMITS["json_depth"]:
        errors.fail(owner, f"{what} nested at most bricks.limits json_depth={LIMITS['json_depth']} deep",
                    depth=depth)
    try:
        return json.loads(text)
    except ValueError as exc:
        errors.fail(owner, f"{what} as valid JSON", error=str(exc))
