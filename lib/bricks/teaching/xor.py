"""Chapter 1's toolbox: the logic gates as data, one neuron's line, and the search for a line.

A single neuron a = sigmoid(w1 x1 + w2 x2 + b) says "class 1" where a > 0.5, i.e. on
one side of the line w1 x1 + w2 x2 + b = 0. This module counts how many of the four
points of a gate a given line gets wrong, and searches every line (a fine grid of
angles and offsets) for the fewest errors: 0 for AND and OR, never below 1 for XOR.

Example:
    >>> X, y = gate("xor")
    >>> min_line_errors(X, y)[0]
    1
"""
import numpy as np

from bricks import errors

__all__ = ["GATES", "gate", "line_errors", "min_line_errors", "angle_sweep", "draw_line"]

_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)  # (4, 2)
GATES = {"and": np.array([0, 0, 0, 1]), "or": np.array([0, 1, 1, 1]), "xor": np.array([0, 1, 1, 0])}


def gate(name):
    """(X (4, 2), y (4,)): the truth table of 'and', 'or' or 'xor'."""
    key = str(name).lower()
    if key not in GATES:
        errors.fail("xor.gate", f"one of {sorted(GATES)}", name=name)
    return _INPUTS.copy(), GATES[key].copy()


def line_errors(X, y, w, b):
    """How many points the neuron with weights w = (w1, w2) and bias b misclassifies.

    Vectorized over lines: w may be (2,) or (L, 2) with b () or (L,); returns an int or (L,) ints.
    The neuron says 1 where w . x + b > 0 (sigmoid > 0.5).
    """
    w = np.asarray(w, dtype=np.float64)
    z = X @ np.atleast_2d(w).T + np.atleast_1d(b)  # (4, L)
    wrong = ((z > 0) != (y[:, None] == 1)).sum(axis=0)  # (L,)
    return int(wrong[0]) if w.ndim == 1 else wrong


def _lines(angles, offsets):
    theta = np.linspace(0.0, 2 * np.pi, angles, endpoint=False)  # (A,)
    w = np.stack([np.cos(theta), np.sin(theta)], axis=1)  # (A, 2) unit normals
    W = np.repeat(w, len(offsets), axis=0)  # (A*B, 2)
    B = np.tile(offsets, angles)  # (A*B,)
    return theta, W, B


def min_line_errors(X, y, angles=360, offsets=None):
    """Brute force over lines: the fewest errors any line makes, and the best (w, b) farthest from the points.

    Lines are w . x + b = 0 with unit normal w at `angles` evenly spaced directions
    (both orientations, since the angle covers 360 degrees) and offsets b on a grid.
    """
    offsets = np.linspace(-2.0, 2.0, 401) + 1e-3 if offsets is None else np.asarray(offsets)  # never through a point
    _, W, B = _lines(angles, offsets)
    wrong = line_errors(X, y, W, B)  # (A*B,)
    k = _widest(X, W, B, wrong == wrong.min())
    return int(wrong[k]), (W[k], float(B[k]))


def _widest(X, W, B, ok):
    """Index of the line among `ok` farthest from its nearest point (the clearest picture)."""
    margin = np.abs(X @ W.T + B).min(axis=0)  # (L,) distance of the nearest point (unit normals)
    return int(np.argmax(np.where(ok, margin, -1.0)))


def angle_sweep(X, y, frames=24, offsets=None):
    """For `frames` directions of the line, the best offset (farthest from the points among those with the
    fewest errors) and its error count: the frames of chapter 1's player.

    Returns a list of dicts: theta, w (2,), b, errors (the fewest at this angle).
    """
    offsets = np.linspace(-2.0, 2.0, 401) + 1e-3 if offsets is None else np.asarray(offsets)
    theta, W, B = _lines(frames, offsets)
    wrong = line_errors(X, y, W, B).reshape(frames, len(offsets))  # (A, B)
    out = []
    for i in range(frames):
        rows = slice(i * len(offsets), (i + 1) * len(offsets))
        k = i * len(offsets) + _widest(X, W[rows], B[rows], wrong[i] == wrong[i].min())
        out.append({"theta": float(theta[i]), "w": W[k], "b": float(B[k]), "errors": int(wrong[i].min())})
    return out


def draw_line(ax, X, y, w, b, title=None, lim=(-0.5, 1.5)):
    """The four points (circle: class 0, cross: class 1), the line w . x + b = 0 and its class-1 side shaded."""
    from matplotlib.colors import ListedColormap

    g = np.linspace(lim[0], lim[1], 101)
    xx, yy = np.meshgrid(g, g)  # (101, 101)
    side = (w[0] * xx + w[1] * yy + b > 0).astype(float)  # (101, 101) 1 on the class-1 side
    ax.imshow(side, origin="lower", extent=(lim[0], lim[1], lim[0], lim[1]), vmin=0, vmax=1,
              cmap=ListedColormap(["#dde7f3", "#f7dcd4"]), interpolation="nearest", aspect="auto")
    if abs(w[1]) > 1e-9:
        ax.plot(g, -(w[0] * g + b) / w[1], "k-", lw=2)
    elif abs(w[0]) > 1e-9:
        ax.axvline(-b / w[0], color="k", lw=2)
    else:  # w = 0: no line, the whole plane is on one side (a constant classifier)
        ax.text(0.5, 0.02, "w = 0: no line, one class everywhere", transform=ax.transAxes,
                ha="center", va="bottom", fontsize=9)
    wrong = (X @ np.asarray(w) + b > 0) != (y == 1)  # (4,)
    for cls, marker, color in ((0, "o", "#1f5fa8"), (1, "X", "#c0392b")):
        m = y == cls
        ax.scatter(X[m, 0], X[m, 1], s=140, marker=marker, c=color, edgecolors="k", zorder=3,
                   label=f"class {cls}")
    ax.scatter(X[wrong, 0], X[wrong, 1], s=420, facecolors="none", edgecolors="#e67e22", lw=2.5, zorder=4)
    ax.set_xlim(lim)
    ax.set_ylim(lim)
    ax.set_xticks([0, 1])  # few ticks: tick creation is most of a frame's drawing time
    ax.set_yticks([0, 1])
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title if title is not None else f"misclassified: {int(wrong.sum())}")
