"""The Playground's explorable grid: runs precomputed over settings, switched in the page.

`bricks.teaching.visual.explorer(explorer_frames, draw_explorer, EXPLORER_GRID, ...)`
calls `explorer_frames(**setting)` for every setting of the grid (data set x network x
activation x learning rate) and shows one player with a control per setting, no kernel.
Every run trains on half of the 200 points (`split`, seeded) and reports its loss and
accuracy on the other half, the test points, which it never trains on.
"""
from bricks.playground.app import make_dataset, parse_hidden
from bricks.playground.draw import _message, draw_surface, error_frame
from bricks.playground.features import split
from bricks.playground.train import train

__all__ = ["EXPLORER_GRID", "EXPLORER_LABELS", "EXPLORER_SETUP", "explorer_run", "explorer_frames",
           "draw_explorer"]

EXPLORER_GRID = {
    "dataset": ["circles", "xor", "spirals"],
    "hidden": ["3", "8, 8"],
    "activation": ["tanh", "relu"],
    "learning_rate": [0.003, 0.03],
}
EXPLORER_LABELS = {"dataset": "data set", "hidden": "hidden layers", "activation": "activation",
                   "learning_rate": "learning rate (Adam)"}
# What every run of the grid shares: 200 points, noise 0.05, half held out; Adam, 40 epochs in
# batches of 20 (200 steps), snapshots after 10 and 40 epochs (the player opens on the first:
# a trained frame).
EXPLORER_SETUP = dict(n=200, noise=0.05, test_fraction=0.5, optimizer="adam", batch_size=20, epochs=40,
                      snapshots=(10, 40), steps=30, seed=0)


def explorer_run(dataset, hidden, activation, learning_rate, **overrides):
    """One run of the grid (a `Run`, with test points), from the settings' values."""
    s = {**EXPLORER_SETUP, **overrides}
    x, y = make_dataset(dataset, n=s["n"], noise=s["noise"], seed=s["seed"])
    train_set, test_set = split(x, y, s["test_fraction"], seed=s["seed"])
    return train(*train_set, test=test_set, hidden=parse_hidden(hidden), activation=activation,
                 learning_rate=learning_rate, optimizer=s["optimizer"], batch_size=s["batch_size"],
                 epochs=s["epochs"], snapshots=s["snapshots"], steps=s["steps"], seed=s["seed"],
                 guard=False)  # the grid's settings stay finite (the chapter asserts its results)


def explorer_frames(dataset, hidden, activation, learning_rate):
    """The frames of `explorer_run` (what `visual.explorer` calls for each setting)."""
    run = explorer_run(dataset, hidden, activation, learning_rate)
    return run.frames or [error_frame(run.stopped_reason or "no frames")]


def draw_explorer(ax, frame, i):
    """The decision surface (training points filled, test points hollow), titled with the
    epoch, the test loss and accuracy, the training accuracy and the dead ReLU units."""
    if "error" in frame:
        return _message(ax, frame["error"])
    draw_surface(ax, frame)
    ax.set_aspect("equal")
    if not frame["loss"]:
        ax.set_title("before training", fontsize=10)
        return
    dead = sum(frame.get("dead", ()))
    ax.set_title(f"epoch {frame['epoch']}: test accuracy {frame['test_accuracy'][-1]:.2f}, "
                 f"loss {frame['test_loss'][-1]:.2f}\ntraining accuracy {frame['accuracy'][-1]:.2f}"
                 + (f", {dead} dead ReLU unit{'s' * (dead > 1)}" if dead else ""), fontsize=10)
