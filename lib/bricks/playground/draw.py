"""Drawing the frames of a training run (see `bricks.playground.app.train`) for `bricks.teaching.visual`.

Every function has the signature `draw(axes, frame, i)` that `bricks.teaching.visual.player`
and `bricks.teaching.visual.live` expect; a frame carries a reference to its run, so no
other argument is needed. A frame with an "error" key (a CSV that failed to
validate, say) is drawn as its message instead.

    draw_training:   3 panels: decision surface, loss, accuracy        (chapter 3)
    draw_playground: 3 panels: decision surface, every hidden neuron, loss and accuracy
                     (training solid, test dashed, when the run has test points)
"""
import numpy as np

__all__ = ["draw_surface", "draw_loss", "draw_accuracy", "draw_neurons", "draw_curves", "draw_training",
           "draw_playground", "error_frame", "neuron_mosaic", "CLASS_COLORS"]

CLASS_COLORS = ("#1f5fa8", "#c0392b")  # label 0 blue, label 1 red, as the surface's colour map


def error_frame(message):
    """A frame that draws as a message (e.g. a CSV validation error in the live Playground)."""
    return {"error": str(message)}


def _message(axes, text):
    import textwrap

    axes = np.atleast_1d(axes).ravel()
    for ax in axes:
        ax.set_axis_off()
    axes[0].text(0.0, 0.5, "\n".join(textwrap.wrap(text, 60)), transform=axes[0].transAxes, fontsize=10,
                 color="#a00", va="center", ha="left")


def draw_surface(ax, frame, points=True):
    """P(label 1) over the plane (blue 0 ... red 1), the 0.5 contour, and the data
    (training points filled, test points hollow)."""
    run = frame["run"]
    g1, g2 = run.grid
    ax.imshow(frame["surface"], origin="lower", extent=(g1[0], g1[-1], g2[0], g2[-1]), cmap="RdBu_r",
              vmin=0, vmax=1, aspect="auto", alpha=0.75, interpolation="bilinear")
    if frame["surface"].min() < 0.5 < frame["surface"].max():
        ax.contour(g1, g2, frame["surface"], levels=[0.5], colors="k", linewidths=1.5)
    if points:
        for cls in (0, 1):
            m = run.y == cls
            ax.scatter(run.x[m, 0], run.x[m, 1], s=12, c=CLASS_COLORS[cls], edgecolors="k", linewidths=0.4)
            if run.x_test is not None:
                t = run.y_test == cls
                ax.scatter(run.x_test[t, 0], run.x_test[t, 1], s=12, facecolors="none",
                           edgecolors=CLASS_COLORS[cls], linewidths=0.9)
    ax.set_xlim(g1[0], g1[-1])
    ax.set_ylim(g2[0], g2[-1])
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("$x_1$", fontsize=10, labelpad=2)  # the two input features
    ax.set_ylabel("$x_2$", fontsize=10, labelpad=2)
    ax.set_title(f"epoch {frame['epoch']}", fontsize=10)


def _curve(ax, values, epochs, color, label, style="-"):
    ax.plot(np.arange(1, len(values) + 1), values, style, color=color, lw=1.5, label=label)
    ax.set_xlim(0, max(epochs, 1))
    ax.set_xticks([0, epochs])
    ax.set_xlabel("epoch", fontsize=10, labelpad=-8)


def draw_loss(ax, frame):
    """The training loss up to this frame's epoch, on the scale of the whole run."""
    run = frame["run"]
    top = max(run.losses) * 1.05 if run.losses else 1.0
    _curve(ax, frame["loss"], run.config["epochs"], "#333", "loss")
    ax.set_ylim(0, top)
    ax.set_yticks([0, round(top, 2)])
    last = f" = {frame['loss'][-1]:.3f}" if frame["loss"] else ""
    ax.set_title("loss" + last, fontsize=10)


def draw_accuracy(ax, frame):
    """The training accuracy up to this frame's epoch."""
    run = frame["run"]
    _curve(ax, frame["accuracy"], run.config["epochs"], "#2a7", "accuracy")
    ax.set_ylim(0.3, 1.02)
    ax.set_yticks([0.5, 1.0])
    last = f" = {frame['accuracy'][-1]:.2f}" if frame["accuracy"] else ""
    ax.set_title("accuracy" + last, fontsize=10)


def neuron_mosaic(frame, gap=2, per_row=8):
    """All hidden neurons' maps tiled into one image, each map scaled to [0, 1] (NaN between tiles).

    Each hidden layer takes ceil(units / per_row) rows of tiles; the first layer is at the bottom.
    """
    maps = frame["neurons"]
    if not maps:
        return None
    steps = maps[0].shape[-1]
    tile = steps + gap
    width = min(per_row, max(m.shape[0] for m in maps))  # tiles per row
    rows = [-(-m.shape[0] // width) for m in maps]  # tile rows per layer
    mosaic = np.full((sum(rows) * tile + (len(maps) - 1) * gap - gap, width * tile - gap), np.nan)
    top = 0
    for layer, nrows in zip(maps, rows):  # bottom-up with origin="lower"
        for c, m in enumerate(layer):
            lo, hi = m.min(), m.max()
            scaled = (m - lo) / (hi - lo) if hi > lo else np.full_like(m, 0.5)  # (steps, steps)
            r0, c0 = top + (c // width) * tile, (c % width) * tile
            mosaic[r0:r0 + steps, c0:c0 + steps] = scaled
        top += nrows * tile + gap  # an extra gap between layers
    return mosaic


def draw_neurons(ax, frame):
    """Each hidden neuron's output over the plane, one small map each (rows: layers, bottom = first)."""
    mosaic = neuron_mosaic(frame)
    ax.set_xticks([])
    ax.set_yticks([])
    if mosaic is None:
        ax.set_title("no hidden layer", fontsize=10)
        return
    ax.imshow(mosaic, origin="lower", cmap="RdBu_r", vmin=0, vmax=1, interpolation="nearest")
    widths = [m.shape[0] for m in frame["neurons"]]
    dead = sum(frame.get("dead", ()))
    ax.set_title(f"hidden neurons ({' + '.join(map(str, widths))})" + (f", {dead} dead" if dead else ""),
                 fontsize=10)
    ax.set_frame_on(False)


def draw_training(axes, frame, i):
    """Chapter 3's frame: decision surface, loss curve, accuracy curve (three axes)."""
    if "error" in frame:
        return _message(axes, frame["error"])
    draw_surface(axes[0], frame)
    draw_loss(axes[1], frame)
    draw_accuracy(axes[2], frame)


def draw_playground(axes, frame, i):
    """The Playground's frame: decision surface, hidden-neuron maps, loss and accuracy together."""
    if "error" in frame:
        return _message(axes, frame["error"])
    draw_surface(axes[0], frame)
    draw_neurons(axes[1], frame)
    draw_curves(axes[2], frame)


def draw_curves(ax, frame):
    """Loss (black) and accuracy (green) by epoch: training solid, test dashed (if any)."""
    run, epochs = frame["run"], frame["run"].config["epochs"]
    _curve(ax, frame["loss"], epochs, "#333", "loss")
    _curve(ax, frame["accuracy"], epochs, "#2a7", "accuracy")
    test = "test_loss" in frame
    if test:
        _curve(ax, frame["test_loss"], epochs, "#333", "test loss", "--")
        _curve(ax, frame["test_accuracy"], epochs, "#2a7", "test acc.", "--")
    top = max(run.losses + run.test_losses) * 1.05 if run.losses else 1.05
    ax.set_ylim(0, max(1.05, top))
    # below the axes, never on the curves (two columns: loss | accuracy)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, fontsize=10, frameon=False,
              handlelength=1.6, columnspacing=1.0)
    if not frame["loss"]:
        title = "before training"
    elif test:
        title = f"test loss {frame['test_loss'][-1]:.3f}, acc {frame['test_accuracy'][-1]:.2f}"
    else:
        title = f"loss {frame['loss'][-1]:.3f}, acc {frame['accuracy'][-1]:.2f}"
    ax.set_title(title, fontsize=10)
