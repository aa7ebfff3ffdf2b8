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
    """Convert `x` to a float ndarray, or raise a ValueError naming `owner` (complex refused)."""
    if dtype is None and type(x) is np.ndarray and x.dtype in (np.float64, np.float32):
        return x  # already one: the usual case inside a training step, answered without a conversion
    try:
        arr = np.asarray(x)
    except (TypeError, ValueError):
        fail(owner, "a numeric array", **{f"type({name})": type(x).__name__})
    if np.iscomplexobj(arr):
        fail(owner, "a real array (complex numbers are not supported; pass x.real or abs(x))",
             **{f"{name}.dtype": str(arr.dtype)})
    try:
        arr = np.asarray(arr, dtype=dtype)
    except (TypeError, ValueError):
        fail(owner, "a numeric array", **{f"{name}.dtype": str(arr.dtype)})
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


def check_grad_shape(owner, grad_output, expected):
    """Raise unless `grad_output` has the shape of the output the last forward returned.

    `expected` is a shape, or a list of shapes for a layer with several outputs (then
    `grad_output` is a list of the same length; None entries mean zero and pass).
    """
    if isinstance(expected, list):
        if not isinstance(grad_output, (list, tuple)) or len(grad_output) != len(expected):
            fail(owner, f"a list of {len(expected)} gradients, one per output, shaped {expected}",
                 grad_output=type(grad_output).__name__)
        for i, (g, shape) in enumerate(zip(grad_output, expected)):
            if g is not None and np.shape(g) != shape:
                fail(owner, f"grad_output[{i}] of shape {shape} (the shape of output {i} of the last forward)",
                     **{f"grad_output[{i}].shape": np.shape(g)})
        return
    try:
        shape = np.shape(grad_output)  # a list of equal arrays counts as their stack
    except ValueError:
        return  # a ragged list: the layer's own check says what it wanted
    if shape != expected:
        fail(owner, f"grad_output of shape {expected} (the shape of the output of the last forward)",
             **{"grad_output.shape": shape})


def check_number(owner, name, value, low=None, high=None, closed="[]"):
    """float(value), or a ValueError unless it is a finite real number within the bounds.

    `closed` says which ends are included, as in interval notation: "[)" means
    low <= value < high. `low`/`high` None: unbounded on that side.
    Example: `check_number(self, "momentum", momentum, 0, 1, "[)")` -> "momentum in [0, 1)".
    """
    lo_ok = {"[": lambda v: v >= low, "(": lambda v: v > low}[closed[0]]
    hi_ok = {"]": lambda v: v <= high, ")": lambda v: v < high}[closed[1]]
    if low is not None and high is not None:
        want = f"{name} in {closed[0]}{low}, {high}{closed[1]}"
    elif low is not None:
        want = f"{name} {'>=' if closed[0] == '[' else '>'} {low}"
    else:
        want = f"{name} {'<=' if closed[1] == ']' else '<'} {high}"
    real = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if real and isinstance(value, int) and abs(value) > 2**1023:  # beyond every float: not finite
        real = False
    if not (real and np.isfinite(float(value)) and (low is None or lo_ok(value)) and (high is None or hi_ok(value))):
        fail(owner, f"{want} (a finite number)" if not real or not np.isfinite(float(value)) else want,
             **{name: value})
    return float(value)
