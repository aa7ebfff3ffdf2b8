"""The one place bricks builds its error messages.

Messages follow Keras: what was expected, then `Received: name=value`, and
always the name of the layer at fault, e.g.
`lstm_1: expected input of rank 3 (batch, timesteps, features). Received: x.shape=(32, 8)`.
"""
import numpy as np


def fail(owner, expected, **received):
    """Raise ValueError('<owner>: expected <expected>. Received: k=v, ...')."""
    who = getattr(owner, "name", owner)
    got = ", ".join(f"{k}={v!r}" for k, v in received.items())
    raise ValueError(f"{who}: expected {expected}. Received: {got}")


def as_float_array(owner, x, dtype=None, name="x"):
    """Convert `x` to a float ndarray, or raise a ValueError naming `owner`."""
    try:
        arr = np.asarray(x, dtype=dtype)
    except (TypeError, ValueError):
        fail(owner, "a numeric array", **{f"type({name})": type(x).__name__})
    if dtype is None and arr.dtype not in (np.float32, np.float64):
        if not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
            fail(owner, "a numeric array", **{f"{name}.dtype": str(arr.dtype)})
        arr = arr.astype(np.float64)
    return arr


def check_rank(owner, x, rank, layout, name="x"):
    """Raise unless `x.ndim` is `rank` (an int or a tuple of allowed ranks)."""
    ranks = (rank,) if isinstance(rank, int) else tuple(rank)
    if x.ndim not in ranks:
        want = " or ".join(str(r) for r in ranks)
        fail(owner, f"input of rank {want} {layout}", **{f"{name}.shape": tuple(x.shape)})


def check_axis(owner, x, axis, size, what, name="x"):
    """Raise unless `x.shape[axis] == size` (e.g. the channel count a layer was built for)."""
    if x.shape[axis] != size:
        fail(owner, f"{what} of size {size} on axis {axis}", **{f"{name}.shape": tuple(x.shape)})
