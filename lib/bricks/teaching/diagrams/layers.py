"""Part II's diagrams: a convolution kernel on a series, resizing layers, a residual block.

Each function draws on given axes (or a new `canvas`) and returns (fig, ax).

- `conv_taps(k, dilation, t, causal)`: a series as a row of cells, the k taps
  w_0 .. w_{k-1} of output y_t under the inputs they read (Keras's order: the last tap
  on the newest input), and the output row below; with `causal=True` the left padding
  zeros are drawn as hatched cells.
- `resize_ops(values)`: what UpSampling1D(2), ZeroPadding1D((1, 2)) and
  Cropping1D((1, 2)) do to the same short series, one row pair each (input above,
  output below, lines from each output cell to the input it copies).
- `residual_block()`: y = x + F(x), the skip path drawn around two layers.
"""
import numpy as np

from bricks.teaching.diagrams.draw import COLORS, arrow, box, canvas, label, node

__all__ = ["conv_taps", "resize_ops", "residual_block"]


def _cell(ax, x, y, text, fill="white", hatch=None, color=None, lw=1.2, size=0.8):
    """A square cell of the given size centred at (x, y) with its text."""
    from matplotlib.patches import Rectangle

    ax.add_patch(Rectangle((x - size / 2, y - size / 2), size, size, facecolor=fill,
                           edgecolor=color or COLORS["edge"], hatch=hatch, lw=lw, zorder=2))
    if text != "":
        label(ax, (x, y), text, fontsize=10)


def _row(ax, values, y, x0=0.0, fill="white", step=1.0, fmt="{:g}"):
    """A row of cells; returns their centres' x."""
    xs = x0 + step * np.arange(len(values))
    for x, v in zip(xs, values):
        _cell(ax, x, y, fmt.format(v) if v is not None else "", fill=fill)
    return xs


def conv_taps(k=3, dilation=1, t=6, T=10, causal=True, ax=None, figsize=(7.5, 2.8)):
    """The taps of output y_t: w_j multiplies x[t - dilation (k-1-j)] (padded, causal)."""
    pad = dilation * (k - 1) if causal else 0
    fig, ax = canvas(figsize, xlim=(-1.6 - pad, T + 0.2), ylim=(-0.9, 3.4), ax=ax)
    for p in range(pad):                                       # the causal padding zeros
        _cell(ax, -pad + p, 2.2, "0", fill="white", hatch="///", color=COLORS["muted"])
    _row(ax, [f"$x_{{{i}}}$" for i in range(T)], 2.2, fmt="{}", fill=COLORS["input"])
    taps = [t - dilation * (k - 1 - j) for j in range(k)]      # input positions read
    for j, pos in enumerate(taps):
        _cell(ax, pos, 2.2, "", fill="none", color=COLORS["highlight"], lw=3.0)
        label(ax, (pos, 3.05), f"$w_{{{j}}}$", color=COLORS["highlight"], fontsize=11)
    _row(ax, [""] * T, 0.0, fill=COLORS["output"], fmt="{}")
    label(ax, (t, 0.0), f"$y_{{{t}}}$", fontsize=10)
    for pos in taps:
        arrow(ax, (pos, 1.75), (t, 0.45), color=COLORS["highlight"], lw=1.4)
    label(ax, (-1.0 - pad, 2.2), "input", ha="right", fontsize=10)
    label(ax, (-1.0 - pad, 0.0), "output", ha="right", fontsize=10)
    newest = "the last tap reads the newest input"
    label(ax, (T / 2 - 0.5, -0.75), f"$k = {k}$, dilation $d = {dilation}$: {newest}",
          fontsize=10)
    return fig, ax


def _resize_pair(ax, top, bottom, sources, y, title, shift=0.0):
    """Input row at y + 1.3, output row at y (shifted), a line from each output to its source."""
    label(ax, (-1.3, y + 0.65), title, ha="right", fontsize=10)
    xin = _row(ax, top, y + 1.3, fill=COLORS["input"])
    xout = _row(ax, bottom, y, x0=shift, fill=COLORS["output"])
    for xo, src in zip(xout, sources):
        if src is not None:
            arrow(ax, (xin[src], y + 0.88), (xo, y + 0.42), color=COLORS["forward"], lw=1.0)
    return xin, xout


def resize_ops(values=(1, 2, 3, 4, 5), ax=None, figsize=(7.5, 5.2)):
    """UpSampling1D(2), ZeroPadding1D((1, 2)), Cropping1D((1, 2)) on one series."""
    v = list(values)
    n = len(v)
    if n < 4:
        raise ValueError(f"resize_ops: expected at least 4 values. Received: len(values)={n}")
    fig, ax = canvas(figsize, xlim=(-6.4, 2 * n - 0.4), ylim=(-0.7, 8.6), ax=ax)
    _resize_pair(ax, v, [x for x in v for _ in range(2)], [i // 2 for i in range(2 * n)], 6.2,
                 "UpSampling1D(2)")
    _resize_pair(ax, v, [0] + v + [0, 0], [None] + list(range(n)) + [None, None], 3.1,
                 "ZeroPadding1D((1, 2))", shift=-1.0)
    _resize_pair(ax, v, v[1:n - 2], list(range(1, n - 2)), 0.0, "Cropping1D((1, 2))", shift=1.0)
    return fig, ax


def residual_block(ax=None, figsize=(7.0, 2.8)):
    """x -> Dense -> activation -> Dense -> (+) -> y, with the identity skip around them."""
    fig, ax = canvas(figsize, xlim=(0, 11.2), ylim=(0.2, 4.2), ax=ax)
    fwd = COLORS["forward"]
    x = node(ax, (0.7, 1.5), "$x$", fill=COLORS["input"])
    f1 = box(ax, (3.0, 1.5), "Dense", width=1.6, height=0.8, fill=COLORS["hidden"])
    act = box(ax, (5.0, 1.5), "relu", width=1.2, height=0.8, fill=COLORS["hidden"])
    f2 = box(ax, (7.0, 1.5), "Dense", width=1.6, height=0.8, fill=COLORS["hidden"])
    add = node(ax, (8.9, 1.5), "$+$", radius=0.32, fill="white", fontsize=12)
    y = node(ax, (10.5, 1.5), "$y$", fill=COLORS["output"])
    for a, b in [(x, f1), (f1, act), (act, f2), (f2, add), (add, y)]:
        arrow(ax, a, b, color=fwd)
    arrow(ax, x, add, "identity: $\\partial y / \\partial x = I + \\partial F / \\partial x$",
          curve=-0.45, color=COLORS["highlight"], lw=2.5, text_offset=(0.0, 0.12), fontsize=10)
    label(ax, (5.0, 0.55), "$F(x)$: the layers learn only the change", fontsize=10)
    label(ax, (10.5, 0.75), "$y = x + F(x)$", fontsize=10)
    return fig, ax
