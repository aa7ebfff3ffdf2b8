"""Part III's diagrams: the unrolled RNN (U, V, W), the LSTM cell and the GRU cell.

Each function draws on given axes (or a new `canvas`) and returns (fig, ax); a chapter
cell is one call and `plt.show()`. Letters as in chapter 9 and source 3 (the LSTM forum post):
U input -> hidden (Keras `kernel`), W hidden -> hidden (`recurrent_kernel`),
V hidden -> output (the `Dense` on every step).

- `unrolled_rnn(T, backward=False)`: the folded loop, then x_t -> h_t -> o_t -> L_t for
  t = 1..T; `backward=True` adds the gradient's way back (red): from every L_t down to
  h_t through V^T, and along the chain of hidden states through W^T.
- `lstm_cell()`: the four gates (f, i, g, o) reading [h_{t-1}, x_t], the cell state
  c as a straight carry track along the top, touched only by a multiply (f) and an add
  (i * g); h_t = o * tanh(c_t).
- `gru_cell()`: one state h; the update gate z mixes old and candidate, z h_{t-1} +
  (1 - z) h~, the reset gate r scales the recurrent part of the candidate (Keras's
  reset_after=True).
"""
from bricks.teaching.diagrams.draw import COLORS, arrow, box, canvas, label, node

__all__ = ["unrolled_rnn", "lstm_cell", "gru_cell"]


def _folded(ax, x0):
    """The RNN as a loop: x -> h (W on a self-loop) -> o, at horizontal position x0."""
    x = node(ax, (x0, 0.8), "$x$", fill=COLORS["input"])
    h = node(ax, (x0, 2.5), "$h$", fill=COLORS["hidden"])
    o = node(ax, (x0, 4.2), "$o$", fill=COLORS["output"])
    arrow(ax, x, h, "$U$", text_offset=(0.22, -0.1), color=COLORS["forward"])
    arrow(ax, h, o, "$V$", text_offset=(0.22, -0.1), color=COLORS["forward"])
    arrow(ax, (x0 + 0.3, 2.75), (x0 + 0.3, 2.25), color=COLORS["forward"], curve=-2.2)
    label(ax, (x0 + 1.05, 2.5), "$W$", color=COLORS["forward"], fontsize=11)
    label(ax, (x0 + 1.75, 2.5), "$=$", fontsize=16)


def unrolled_rnn(T=3, backward=False, ax=None, figsize=(7.5, 3.9)):
    """The RNN folded and unrolled over T steps, with a loss L_t at every step."""
    fig, ax = canvas(figsize, xlim=(-0.4, 3.6 + 2.2 * T), ylim=(0.2, 6.1), ax=ax)
    _folded(ax, 0.4)
    fwd, bwd = COLORS["forward"], COLORS["backward"]
    h_prev = node(ax, (3.0, 2.5), "$h_0$", fill=COLORS["hidden"])
    hs = [h_prev]
    for t in range(1, T + 1):
        cx = 3.0 + 2.2 * t
        x = node(ax, (cx, 0.8), f"$x_{t}$", fill=COLORS["input"])
        h = node(ax, (cx, 2.5), f"$h_{t}$", fill=COLORS["hidden"])
        o = node(ax, (cx, 4.0), f"$o_{t}$", fill=COLORS["output"])
        loss = box(ax, (cx, 5.45), f"$L_{t}$", width=0.8, height=0.6)
        label(ax, (cx + 0.85, 5.45), f"$y_{t}$", fontsize=11)
        arrow(ax, (cx + 0.6, 5.45), loss, color=COLORS["muted"], lw=1.0)
        arrow(ax, x, h, "$U$", text_offset=(0.2, -0.12), color=fwd)
        arrow(ax, h, o, "$V$", text_offset=(-0.22, -0.12), color=fwd)
        arrow(ax, o, loss, color=fwd)
        arrow(ax, hs[-1], h, "$W$", text_offset=(0.0, 0.05), color=fwd)
        if backward:
            arrow(ax, o, h, "$V^\\top$", curve=-0.5, color=bwd, lw=1.3, ls="--",
                  text_offset=(0.3, -0.15))
            arrow(ax, h, hs[-1], "$W^\\top$", curve=-0.45, color=bwd, lw=1.3, ls="--",
                  text_offset=(0.0, -0.55))
        hs.append(h)
    if backward:
        label(ax, (3.0 + 1.1 * (T + 1), 0.25),
              "red: $\\partial L/\\partial h_t$ collects $\\partial L_t/\\partial o_t\\,V^\\top$"
              " and what comes back from $h_{t+1}$ through $W^\\top$", color=bwd, fontsize=9)
    return fig, ax


def _op(ax, xy, text):
    """A small pointwise operation (multiply, add) on a track."""
    return node(ax, xy, text, radius=0.28, fill="white", fontsize=12)


def _gate(ax, xy, text):
    """A gate: a small layer (sigmoid or tanh of its pre-activation block)."""
    return box(ax, xy, text, width=1.3, height=0.62, fill=COLORS["weight"], fontsize=11)


def lstm_cell(ax=None, figsize=(7.5, 4.2)):
    """The LSTM cell: gates i, f, g, o; the cell state c along the top as a carry track."""
    fig, ax = canvas(figsize, xlim=(0, 12.4), ylim=(-0.1, 6.0), ax=ax)
    ax.add_patch(_frame((1.4, 0.75), 9.4, 4.75))
    carry, fwd = COLORS["highlight"], COLORS["forward"]
    c_in, c_out = (0.25, 4.7), (12.2, 4.7)
    keep, write = _op(ax, (3.0, 4.7), "$\\times$"), _op(ax, (5.3, 4.7), "$+$")
    arrow(ax, c_in, keep, color=carry, lw=3.5)
    arrow(ax, keep, write, color=carry, lw=3.5)
    arrow(ax, write, c_out, color=carry, lw=3.5)
    label(ax, (0.45, 5.15), "$c_{t-1}$", fontsize=11)
    label(ax, (11.9, 5.15), "$c_t$", fontsize=11)
    label(ax, (7.3, 5.75), "cell state: the carry track (no matrix product)", color=carry,
          fontsize=10)
    f = _gate(ax, (3.0, 2.4), "$f{=}\\sigma$")
    i = _gate(ax, (4.5, 2.4), "$i{=}\\sigma$")
    g = _gate(ax, (6.1, 2.4), "$g{=}\\tanh$")
    o = _gate(ax, (7.9, 2.4), "$o{=}\\sigma$")
    ig = _op(ax, (5.3, 3.55), "$\\times$")
    arrow(ax, f, keep, "$f$", text_offset=(0.2, -0.1), color=fwd)
    arrow(ax, i, ig, color=fwd)
    arrow(ax, g, ig, color=fwd)
    arrow(ax, ig, write, "$i\\,g$", text_offset=(0.32, -0.12), color=fwd)
    squash = box(ax, (9.3, 3.75), "tanh", width=0.95, height=0.55, fill="white", fontsize=10)
    show = _op(ax, (9.3, 2.4), "$\\times$")
    arrow(ax, (9.3, 4.7), squash, color=fwd)
    arrow(ax, squash, show, color=fwd)
    arrow(ax, o, show, color=fwd)
    h_out = node(ax, (11.6, 2.4), "$h_t$", fill=COLORS["hidden"])
    arrow(ax, show, h_out, color=fwd)
    _bus(ax, [f, i, g, o], x_from=1.0, y=1.2)
    h_in = node(ax, (0.6, 1.2), "$h_{t-1}$", radius=0.42, fill=COLORS["hidden"], fontsize=10)
    x_in = node(ax, (2.0, 0.25), "$x_t$", radius=0.3, fill=COLORS["input"], fontsize=10)
    arrow(ax, h_in, (1.45, 1.2), color=fwd)
    arrow(ax, x_in, (2.0, 1.2), color=fwd)
    label(ax, (6.9, 0.45), "$[a_i\\ a_f\\ a_g\\ a_o] = x_t U + h_{t-1} W + b$ (one product)",
          fontsize=10)
    return fig, ax


def _frame(xy, width, height):
    from matplotlib.patches import FancyBboxPatch

    return FancyBboxPatch(xy, width, height, boxstyle="round,pad=0.1", facecolor="#fbfbfb",
                          edgecolor=COLORS["muted"], lw=1.2, zorder=0)


def _bus(ax, gates, x_from, y):
    """A line at height y from x_from to the last gate, with an arrow up to every gate."""
    ax.plot([x_from, gates[-1].center[0]], [y, y], color=COLORS["forward"], lw=1.5, zorder=1)
    for gate in gates:
        arrow(ax, (gate.center[0], y), gate, color=COLORS["forward"])


def gru_cell(ax=None, figsize=(7.5, 4.2)):
    """The GRU cell (Keras): h_t = z h_{t-1} + (1 - z) h~, reset r inside the candidate."""
    fig, ax = canvas(figsize, xlim=(0, 12.4), ylim=(-0.1, 6.0), ax=ax)
    ax.add_patch(_frame((1.4, 0.75), 9.4, 4.75))
    track, fwd = COLORS["highlight"], COLORS["forward"]
    keep, mix = _op(ax, (4.4, 4.7), "$\\times$"), _op(ax, (8.1, 4.7), "$+$")
    arrow(ax, (0.25, 4.7), keep, color=track, lw=3.5)
    arrow(ax, keep, mix, color=track, lw=3.5)
    arrow(ax, mix, (12.2, 4.7), color=track, lw=3.5)
    label(ax, (0.45, 5.15), "$h_{t-1}$", fontsize=11)
    label(ax, (11.9, 5.15), "$h_t$", fontsize=11)
    label(ax, (7.0, 5.75), "one state: $h_t = z\\,h_{t-1} + (1-z)\\,\\tilde h$", color=track,
          fontsize=10)
    ax.plot([1.0, 1.0], [4.7, 1.2], color=fwd, lw=1.5, zorder=1)   # h_{t-1} down to the bus
    r = _gate(ax, (2.7, 2.4), "$r{=}\\sigma$")
    z = _gate(ax, (4.4, 2.4), "$z{=}\\sigma$")
    cand = _gate(ax, (8.1, 2.4), "$\\tilde h{=}\\tanh$")
    arrow(ax, z, keep, "$z$", text_offset=(0.2, -0.1), color=fwd)
    one_minus = box(ax, (6.3, 3.3), "$1-z$", width=0.95, height=0.55, fill="white", fontsize=10)
    new = _op(ax, (8.1, 3.7), "$\\times$")
    arrow(ax, z, one_minus, color=fwd)
    arrow(ax, one_minus, new, color=fwd)
    arrow(ax, cand, new, color=fwd)
    arrow(ax, new, mix, color=fwd)
    arrow(ax, r, cand, curve=0.3, color=fwd)
    label(ax, (6.3, 0.4), "reset: $\\tilde h = \\tanh(x_t U_h + r \\odot (h_{t-1} W_h + b_h))$",
          fontsize=10)
    _bus(ax, [r, z], x_from=1.0, y=1.2)
    arrow(ax, (4.4, 1.2), (8.1, 1.2), color=fwd)
    arrow(ax, (8.1, 1.2), cand, color=fwd)
    x_in = node(ax, (2.0, 0.25), "$x_t$", radius=0.3, fill=COLORS["input"], fontsize=10)
    arrow(ax, x_in, (2.0, 1.2), color=fwd)
    return fig, ax
