"""Part I's diagrams: a neuron, the 2-3-2 network with a gradient's path, a computational graph.

Each function draws on given axes (or a new `canvas`) and returns (fig, ax), so a
chapter cell is one call and `plt.show()`. They are built from `draw`'s primitives.

- `neuron`: inputs, weights on the edges, the sum z = w . x + b, the sigmoid, the output.
- `network_232(path=None | "W2" | "W1")`: chapter 2's network x -> W1 -> h1 -> W2 -> h2 -> L;
  `path="W2"` highlights the chain L -> h2[0] -> z2[0] -> W2[0, 0] (three factors),
  `path="W1"` the longer chain to W1[0, 0], which runs back through *both* outputs
  and reuses the factors of the W2 path (as source 2, the Lego-bricks article, draws them).
- `computational_graph(values, grads)`: one neuron's loss L = (sigma(w x + b) - y)^2 / 2
  as a graph of elementary operations, forward values above the nodes (blue) and
  gradients dL/d(node) below them (red): the picture of reverse accumulation.
"""
from bricks.teaching.diagrams.draw import (COLORS, arrow, box, canvas, connect, label,
                                           layer_column, node, path)

__all__ = ["neuron", "network_232", "computational_graph"]


def neuron(ax=None, figsize=(6.0, 2.6)):
    """One neuron: x1, x2 -> (w1, w2, b) -> sum z -> sigmoid -> a."""
    fig, ax = canvas(figsize, xlim=(0, 10.5), ylim=(0.2, 4.2), ax=ax)
    x1 = node(ax, (0.7, 3.3), "$x_1$", fill=COLORS["input"])
    x2 = node(ax, (0.7, 1.1), "$x_2$", fill=COLORS["input"])
    one = node(ax, (3.2, 3.85), "$1$", radius=0.28, fill=COLORS["input"])
    s = box(ax, (4.4, 2.2), "$z=\\sum$", width=1.3, height=1.0, fill=COLORS["hidden"])
    f = box(ax, (6.6, 2.2), "$\\sigma$", width=1.0, height=1.0, fill=COLORS["hidden"])
    a = node(ax, (9.0, 2.2), "$a$", fill=COLORS["output"])
    arrow(ax, x1, s, "$w_1$", text_offset=(0, 0.05), color=COLORS["forward"])
    arrow(ax, x2, s, "$w_2$", text_offset=(0, 0.05), color=COLORS["forward"])
    arrow(ax, one, s, "$b$", text_offset=(0.25, -0.05), color=COLORS["forward"])
    arrow(ax, s, f, "$z$", color=COLORS["forward"])
    arrow(ax, f, a, "$a=\\sigma(z)$", color=COLORS["forward"])
    label(ax, (5.5, 0.55), "$z = w_1 x_1 + w_2 x_2 + b$,   class 1 when $a > 0.5$", fontsize=11)
    return fig, ax


def _network(ax):
    """Nodes and edges of the 2-3-2 network; returns (x, h1, h2, L, W1 edges, W2 edges)."""
    x = layer_column(ax, 1.0, ["$x_1$", "$x_2$"], y_mid=2.4, spacing=1.6,
                     fill=COLORS["input"])
    h1 = layer_column(ax, 4.0, [f"$h_{{1,{j}}}$" for j in range(3)], y_mid=2.4, spacing=1.4,
                      fill=COLORS["hidden"], radius=0.42, fontsize=10)
    h2 = layer_column(ax, 7.0, [f"$h_{{2,{k}}}$" for k in range(2)], y_mid=2.4, spacing=1.6,
                      fill=COLORS["output"], radius=0.42, fontsize=10)
    loss = box(ax, (9.4, 2.4), "$L$", width=0.9, height=0.8, fill=COLORS["weight"])
    e1 = connect(ax, x, h1)
    e2 = connect(ax, h1, h2)
    for o in h2:
        arrow(ax, o, loss, color=COLORS["muted"], lw=1.0)
    label(ax, (2.5, 4.75), "$W_1$  ($2\\times 3$)", fontsize=10)
    label(ax, (5.5, 4.75), "$W_2$  ($3\\times 2$)", fontsize=10)
    return x, h1, h2, loss, e1, e2


def network_232(path_to=None, ax=None, figsize=(6.5, 3.3)):
    """Chapter 2's 2-3-2 network; `path_to` None, "W2" or "W1" highlights a gradient's chain.

    The highlighted edges are the weight being differentiated (W2[0, 0], or W1[0, 0])
    and the nodes the chain rule passes through on the way back from L.
    """
    if path_to not in (None, "W2", "W1"):
        raise ValueError(f"network_232: expected path_to None, 'W2' or 'W1'. "
                         f"Received: path_to={path_to!r}")
    fig, ax = canvas(figsize, xlim=(0.2, 10.2), ylim=(0.1, 5.1), ax=ax)
    x, h1, h2, loss, e1, e2 = _network(ax)
    back = COLORS["backward"]
    if path_to == "W2":
        path(ax, [h1[0], h2[0], loss], color=COLORS["highlight"])
        label(ax, (5.5, 3.75), "$W_2[0,0]$", color=COLORS["highlight"])
        label(ax, (9.0, 3.6), "$\\partial L/\\partial h_2$", color=back)
        label(ax, (3.4, 0.35), "$\\partial z_2/\\partial W_2 = h_1$", color=back)
        label(ax, (7.0, 0.35), "$\\partial h_2/\\partial z_2 = h_2(1-h_2)$", color=back)
    elif path_to == "W1":
        path(ax, [x[0], h1[0], h2[0], loss], color=COLORS["highlight"])
        path(ax, [h1[0], h2[1], loss], color=COLORS["highlight"])
        label(ax, (2.3, 3.75), "$W_1[0,0]$", color=COLORS["highlight"])
        label(ax, (8.4, 0.35), "$\\delta_2$ (reused)", color=back)
        label(ax, (5.5, 3.75), "$\\delta_2 W_2^\\top$", color=back)
        label(ax, (4.0, 0.35), "$\\times\\, h_1(1-h_1)$, then $\\times\\, x_0$", color=back)
    return fig, ax


_GRAPH = {  # name: (x, y, text, kind); the graph of L = (sigmoid(w x + b) - y)^2 / 2
    "w": (0.8, 3.4, "$w$", "leaf"), "x": (0.8, 1.6, "$x$", "leaf"),
    "b": (1.9, 0.6, "$b$", "leaf"), "y": (7.1, 0.6, "$y$", "leaf"),
    "u": (2.6, 2.5, "$\\times$", "op"), "z": (4.4, 2.5, "$+$", "op"),
    "a": (6.2, 2.5, "$\\sigma$", "op"), "L": (8.6, 2.5, "$\\frac{1}{2}(a-y)^2$", "op"),
}
_EDGES = [("w", "u"), ("x", "u"), ("u", "z"), ("b", "z"), ("z", "a"), ("a", "L"), ("y", "L")]


def computational_graph(values=None, grads=None, ax=None, figsize=(7.0, 3.0)):
    """One neuron's loss as a graph of operations; forward values (blue) and gradients (red).

    `values` and `grads` map node names (w, x, b, y, u = w x, z, a, L) to numbers;
    each node is labelled with its value above (blue) and dL/d(node) below (red).
    """
    values, grads = dict(values or {}), dict(grads or {})
    fig, ax = canvas(figsize, xlim=(-0.6, 10.0), ylim=(0.0, 4.2), ax=ax)
    drawn = {}
    for name, (x, y, text, kind) in _GRAPH.items():
        if kind == "leaf":
            drawn[name] = node(ax, (x, y), text, radius=0.34, fill=COLORS["input"])
        else:
            width = 1.6 if name == "L" else 0.8
            drawn[name] = box(ax, (x, y), text, width=width, height=0.75, fill=COLORS["hidden"])
    for a, b in _EDGES:
        arrow(ax, drawn[a], drawn[b], color=COLORS["edge"])
    for name, n in drawn.items():  # value above (leaves: left of) each node, dL/d(node) below
        (x, y), (hx, hy) = n.center, n.half
        leaf = _GRAPH[name][3] == "leaf"
        at_value = (x - hx - 0.08, y + 0.17) if leaf else (x, y + hy + 0.22)
        at_grad = (x - hx - 0.08, y - 0.17) if leaf else (x, y - hy - 0.22)
        ha = "right" if leaf else "center"
        if name in values and name != "L":
            label(ax, at_value, f"{values[name]:.3g}", color=COLORS["forward"], ha=ha)
        if name in grads:
            label(ax, at_grad, f"{grads[name]:.3g}", color=COLORS["backward"], ha=ha)
    if "L" in values:
        label(ax, (8.6, 3.3), f"L = {values['L']:.3g}", color=COLORS["forward"], fontsize=10)
    label(ax, (5.2, 3.9), "forward: values (blue)    backward: $\\partial L/\\partial$node (red)",
          fontsize=10)
    return fig, ax
