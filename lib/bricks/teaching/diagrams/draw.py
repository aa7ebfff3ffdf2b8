"""Drawing primitives for the book's diagrams: labelled nodes, boxes, arrows, highlighted paths.

Every diagram in the book is drawn by code at build time (matplotlib, no pasted
images). A diagram is a `canvas` (axes in data units, no ticks, equal aspect),
some nodes placed on it, and arrows between them:

- `node(ax, (x, y), text)`: a labelled circle (a neuron, a value);
- `box(ax, (x, y), text)`: a labelled rounded rectangle (an operation, a layer, a gate);
- `arrow(ax, a, b, text=None)`: an arrow from node (or point) `a` to `b`, clipped at
  the nodes' outlines, with an optional label at its middle;
- `path(ax, [a, b, c, ...])`: arrows along a chain of nodes, drawn thick in the
  highlight colour, and the nodes' outlines highlighted too (a gradient's path).

Nodes are `Node` objects: they remember their centre, size and matplotlib patch, so
arrows start and end at the outline whatever the shapes. Colours come from
`COLORS` (forward, backward, highlight, ...) so every diagram in the book agrees.
Text is at least 9 pt (`MIN_FONTSIZE`), legible at the page width.

Example:
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> fig, ax = canvas(xlim=(0, 4), ylim=(0, 2))
    >>> x = node(ax, (0.5, 1), "$x$")
    >>> f = box(ax, (2, 1), "$\\\\sigma$")
    >>> y = node(ax, (3.5, 1), "$y$")
    >>> arrows = path(ax, [x, f, y])
    >>> len(arrows), round(x.center[0], 2)
    (2, 0.5)
"""
from dataclasses import dataclass, field

import numpy as np

__all__ = ["COLORS", "MIN_FONTSIZE", "Node", "canvas", "node", "box", "arrow", "path",
           "label", "highlight", "layer_column", "connect"]

MIN_FONTSIZE = 9  # pt: the smallest text legible at the page width (CONVENTIONS.md)

COLORS = {
    "node": "#f4f6f8",        # fill of an ordinary node
    "edge": "#4a5560",        # outlines and ordinary arrows
    "forward": "#1f5fa8",     # the forward pass (blue)
    "backward": "#c0392b",    # the backward pass, gradients (red)
    "highlight": "#e67e22",   # a path being discussed (orange)
    "input": "#dde7f3",       # fills by role
    "hidden": "#e8f1e4",
    "output": "#f7dcd4",
    "weight": "#fff4d6",
    "muted": "#b8c0c8",       # de-emphasised arrows
}


@dataclass
class Node:
    """A drawn node: centre (x, y), half-sizes, and its matplotlib patch (arrows clip to it)."""
    center: tuple
    half: tuple
    patch: object = field(repr=False)
    text: str = ""

    def side(self, where):
        """A point on the outline: 'left', 'right', 'top', 'bottom' (the middle of that side)."""
        dx, dy = {"left": (-1, 0), "right": (1, 0), "top": (0, 1), "bottom": (0, -1)}[where]
        return (self.center[0] + dx * self.half[0], self.center[1] + dy * self.half[1])


def _size(fontsize):
    return max(MIN_FONTSIZE, fontsize)


def canvas(figsize=(6.0, 3.0), xlim=(0, 10), ylim=(0, 5), dpi=100, ax=None):
    """A figure (or the given axes) ready for a diagram: data units, equal aspect, no axes drawn.

    Returns (fig, ax). Width at most 8 in keeps text legible on the page.
    """
    import matplotlib.pyplot as plt

    if figsize[0] > 8:
        raise ValueError(f"canvas: expected figsize width <= 8 in. Received: figsize={figsize}")
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize, dpi=dpi)
    else:
        fig = ax.figure
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig, ax


def node(ax, xy, text="", radius=0.35, fill=None, color=None, fontsize=11, lw=1.5):
    """A labelled circle centred at `xy`; returns its `Node`."""
    from matplotlib.patches import Circle

    patch = Circle(xy, radius, facecolor=fill or COLORS["node"], edgecolor=color or COLORS["edge"],
                   lw=lw, zorder=3)
    ax.add_patch(patch)
    if text:
        ax.text(xy[0], xy[1], text, ha="center", va="center", fontsize=_size(fontsize), zorder=4)
    return Node(tuple(xy), (radius, radius), patch, text)


def box(ax, xy, text="", width=1.0, height=0.6, fill=None, color=None, fontsize=11, lw=1.5):
    """A labelled rounded rectangle centred at `xy`; returns its `Node`."""
    from matplotlib.patches import FancyBboxPatch

    pad = 0.08 * min(width, height)
    patch = FancyBboxPatch((xy[0] - width / 2 + pad, xy[1] - height / 2 + pad),
                           width - 2 * pad, height - 2 * pad, boxstyle=f"round,pad={pad}",
                           facecolor=fill or COLORS["weight"], edgecolor=color or COLORS["edge"],
                           lw=lw, zorder=3)
    ax.add_patch(patch)
    if text:
        ax.text(xy[0], xy[1], text, ha="center", va="center", fontsize=_size(fontsize), zorder=4)
    return Node(tuple(xy), (width / 2, height / 2), patch, text)


def _point(p):
    return p.center if isinstance(p, Node) else tuple(p)


def arrow(ax, a, b, text=None, color=None, lw=1.5, style="-|>", curve=0.0, fontsize=10,
          text_offset=(0.0, 0.12), text_color=None, ls="-", zorder=2):
    """An arrow from `a` to `b` (Nodes or (x, y) points), clipped at the nodes' outlines.

    `curve` bends it (the arc's rad, e.g. 0.3); `text` is written near its middle,
    shifted by `text_offset` (data units). Returns the FancyArrowPatch.
    """
    from matplotlib.patches import FancyArrowPatch

    color = color or COLORS["edge"]
    patch = FancyArrowPatch(_point(a), _point(b), arrowstyle=style, mutation_scale=12 + 2 * lw,
                            color=color, lw=lw, ls=ls, connectionstyle=f"arc3,rad={curve}",
                            patchA=a.patch if isinstance(a, Node) else None,
                            patchB=b.patch if isinstance(b, Node) else None,
                            shrinkA=2, shrinkB=2, zorder=zorder)
    ax.add_patch(patch)
    if text:
        (x0, y0), (x1, y1) = _point(a), _point(b)
        mx, my = (x0 + x1) / 2, (y0 + y1) / 2
        # an arc3 curve bulges by `curve` times the chord length, perpendicular to it
        mx, my = mx + curve * (y1 - y0) / 2, my - curve * (x1 - x0) / 2
        ax.text(mx + text_offset[0], my + text_offset[1], text, ha="center", va="bottom",
                fontsize=_size(fontsize), color=text_color or color, zorder=5)
    return patch


def highlight(item, color=None, lw=3.0):
    """Redraw a Node's outline (or an arrow) in the highlight colour, thicker."""
    patch = item.patch if isinstance(item, Node) else item
    patch.set_edgecolor(color or COLORS["highlight"]) if isinstance(item, Node) \
        else patch.set_color(color or COLORS["highlight"])
    patch.set_linewidth(lw)
    return item


def path(ax, nodes, color=None, lw=3.0, labels=None, curve=0.0, fontsize=10, style="-|>"):
    """Arrows along a chain of nodes, thick in the highlight colour, the nodes outlined too.

    `labels` (one per arrow, or None) are written on the arrows. Returns the arrows.
    """
    color = color or COLORS["highlight"]
    labels = labels or [None] * (len(nodes) - 1)
    if len(labels) != len(nodes) - 1:
        raise ValueError(f"path: expected {len(nodes) - 1} labels (one per arrow). "
                         f"Received: {len(labels)}")
    out = []
    for a, b, text in zip(nodes, nodes[1:], labels):
        out.append(arrow(ax, a, b, text=text, color=color, lw=lw, curve=curve, fontsize=fontsize,
                         style=style, zorder=2.5))
    for n in nodes:
        if isinstance(n, Node):
            highlight(n, color, lw=lw - 0.5)
    return out


def label(ax, xy, text, fontsize=10, color="black", ha="center", va="center", **kwargs):
    """Plain text at `xy` (at least MIN_FONTSIZE)."""
    return ax.text(xy[0], xy[1], text, fontsize=_size(fontsize), color=color, ha=ha, va=va,
                   zorder=5, **kwargs)


def layer_column(ax, x, texts, y_mid=2.5, spacing=1.2, fill=None, radius=0.35, fontsize=11):
    """A vertical column of labelled circles at `x`, centred on `y_mid`; returns the Nodes."""
    n = len(texts)
    ys = y_mid + spacing * (np.arange(n)[::-1] - (n - 1) / 2)  # top to bottom
    return [node(ax, (x, y), t, radius=radius, fill=fill, fontsize=fontsize)
            for y, t in zip(ys, texts)]


def connect(ax, left, right, color=None, lw=1.0, style="-|>"):
    """Every node of `left` to every node of `right` (a dense layer's edges).

    Returns {(i, j): arrow} so single edges can be highlighted later.
    """
    color = color or COLORS["muted"]
    return {(i, j): arrow(ax, a, b, color=color, lw=lw, style=style)
            for i, a in enumerate(left) for j, b in enumerate(right)}
