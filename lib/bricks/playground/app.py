"""The Playground's engine: two-feature data sets, a CSV reader that explains itself, training runs.

Everything a playground notebook (or chapter 3) needs, so the notebooks stay thin:

- data sets in the spirit of TensorFlow Playground, seeded, points in about [-1, 1]^2,
  labels 0/1: `xor`, `circles`, `spirals`, `moons`, `blobs` (all in `DATASETS`);
- `parse_csv(text_or_bytes)` / `read_csv(path)`: a reader's own file with columns
  x1, x2, label, validated with messages that say what is wrong and where;
- `build_model(...)` and `train(...)`: a Sequential classifier trained with `fit`,
  with snapshots (decision surface, per-neuron activation maps, loss, accuracy, on the
  training and the test points, dead ReLU units) taken at a few epochs: the frames of the
  animations (`bricks.teaching.visual.player`);
- `split` (train/test), `cross_features` (x1^2, x1*x2, sin(x1), ... as inputs) and
  `dead_units` from `bricks.playground.features`;
- `draw_training`, `draw_playground` (from `bricks.playground.draw`) paint those frames.

Example:
    >>> x, y = make_dataset("circles", n=200, noise=0.05, seed=0)
    >>> train_set, test_set = split(x, y, test_fraction=0.5, seed=0)
    >>> run = train(*train_set, test=test_set, hidden=(), features=("x1^2", "x2^2"),
    ...             learning_rate=0.3, epochs=30, snapshots=0)
    >>> run.test_accuracy >= 0.95, run.stopped_reason
    (True, None)
"""
import csv
import io
import os

import numpy as np

from bricks import backend, errors

__all__ = ["CLASS_COLORS", "xor", "circles", "spirals", "moons", "blobs", "DATASETS", "make_dataset",
           "parse_csv", "read_csv", "CSV_COLUMNS", "MIN_ROWS", "plane_grid", "build_model",
           "train", "Run", "hidden_maps", "draw_surface", "draw_loss", "draw_accuracy", "draw_neurons",
           "draw_training", "draw_playground", "draw_curves", "error_frame", "neuron_mosaic", "parse_hidden",
           "uploaded_csv",
           "playground_frames", "controls", "FEATURES", "cross_features", "split", "dead_units"]

CSV_COLUMNS = ("x1", "x2", "label")
MIN_ROWS = 10  # fewer points than this cannot show a decision boundary


# ---- data sets: (x (n, 2) float64, y (n,) int 0/1) -----------------------------------
def xor(n=200, noise=0.0, seed=None):
    """Points uniform in [-1, 1]^2 away from the axes; label 1 where x1 and x2 have opposite signs."""
    rng = backend.make_rng(seed)
    x = rng.uniform(-1.0, 1.0, size=(n, 2))  # (n, 2)
    x += np.where(x > 0, 0.1, -0.1)  # keep a 0.1 gap around the axes
    x *= 1.0 / 1.1
    y = (x[:, 0] * x[:, 1] < 0).astype(int)  # (n,)
    return x + noise * rng.standard_normal((n, 2)), y


def circles(n=200, noise=0.0, seed=None):
    """A disk (radius < 0.5, label 1) inside a ring (0.7 < radius < 1, label 0)."""
    rng = backend.make_rng(seed)
    y = (np.arange(n) < n // 2).astype(int)  # (n,) half inside, half outside
    r = np.where(y == 1, rng.uniform(0.0, 0.5, n), rng.uniform(0.7, 1.0, n))  # (n,)
    angle = rng.uniform(0.0, 2 * np.pi, n)
    x = np.stack([r * np.cos(angle), r * np.sin(angle)], axis=1)  # (n, 2)
    return x + noise * rng.standard_normal((n, 2)), y


def spirals(n=200, noise=0.0, turns=1.75, seed=None):
    """Two interleaved spirals (label 0 and 1) winding `turns` times out to radius 1.

    As TensorFlow Playground's: the radius r is uniform in [0, 1] (so the arms are dense near
    the centre, where they are hardest to tell apart) and the angle is 2 pi turns r (+ pi for
    label 1), 1.75 turns by default.
    """
    rng = backend.make_rng(seed)
    y = np.arange(n) % 2  # (n,) alternate classes
    t = rng.uniform(0.0, 1.0, n)  # (n,) radius
    angle = 2 * np.pi * turns * t + np.pi * y  # the second spiral is the first turned by 180 degrees
    x = np.stack([t * np.cos(angle), t * np.sin(angle)], axis=1)  # (n, 2)
    return x + noise * rng.standard_normal((n, 2)), y


def moons(n=200, noise=0.0, seed=None):
    """Two interleaving half circles (as scikit-learn's make_moons), scaled into [-1, 1]^2."""
    rng = backend.make_rng(seed)
    y = (np.arange(n) >= n // 2).astype(int)  # (n,)
    angle = rng.uniform(0.0, np.pi, n)
    upper = np.stack([np.cos(angle), np.sin(angle)], axis=1)  # (n, 2) label 0
    lower = np.stack([1 - np.cos(angle), 0.5 - np.sin(angle)], axis=1)  # (n, 2) label 1
    x = np.where(y[:, None] == 0, upper, lower)
    x = (x - [0.5, 0.25]) / 1.5  # centre and shrink into about [-1, 1]
    return x + noise * rng.standard_normal((n, 2)), y


def blobs(n=200, noise=0.0, std=0.3, seed=None):
    """Two Gaussian blobs centred at (-0.5, -0.5) (label 0) and (0.5, 0.5) (label 1)."""
    rng = backend.make_rng(seed)
    y = (np.arange(n) >= n // 2).astype(int)  # (n,)
    centres = np.where(y[:, None] == 1, 0.5, -0.5)  # (n, 2)
    x = centres + (std + noise) * rng.standard_normal((n, 2))
    return x, y


DATASETS = {"xor": xor, "circles": circles, "spirals": spirals, "moons": moons, "blobs": blobs}


def make_dataset(name, n=200, noise=0.0, seed=0):
    """One of `DATASETS` by name: (x (n, 2), y (n,))."""
    if name not in DATASETS:
        errors.fail("playground.make_dataset", f"one of {sorted(DATASETS)}", name=name)
    return DATASETS[name](n=n, noise=noise, seed=seed)


# ---- the reader's own CSV ----------------------------------------------------------------
def parse_csv(data, min_rows=MIN_ROWS, source="the CSV"):
    """(x (n, 2), y (n,)) from CSV text or bytes with a header naming x1, x2 and label.

    Extra columns are ignored; column names are matched without case or spaces.
    Raises a ValueError naming the problem and its place: a missing column, a value
    that is not a finite number (with its row and column), a label other than 0/1,
    a single class, or fewer than `min_rows` rows.
    """
    who = "playground.parse_csv"
    if isinstance(data, (bytes, bytearray, memoryview)):  # UTF-8 (with or without BOM), UTF-16 or GBK (Excel)
        from bricks.quant.csv_reader import decode
        data, _ = decode(bytes(data), who)
    reader = csv.reader(io.StringIO(data))
    rows, lines = [], []  # non-blank rows and their line numbers in the file
    for row in reader:
        if any(c.strip() for c in row):
            rows.append(row)
            lines.append(reader.line_num)
    if not rows:
        errors.fail(who, f"{source} to have a header line x1,x2,label and data rows", rows=0)
    header = [c.strip().lower() for c in rows[0]]
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        hint = " (the file looks ';'-separated: save it comma-separated)" if ";" in rows[0][0] else ""
        errors.fail(who, f"{source} to have the columns {', '.join(CSV_COLUMNS)}{hint}; missing "
                    f"{', '.join(missing)}", columns=header)
    cols = [header.index(c) for c in CSV_COLUMNS]
    values = np.empty((len(rows) - 1, 3))  # (n, 3) x1, x2, label
    for r, row in enumerate(rows[1:], start=1):  # r: data row number, 1 = first after the header
        for j, (name, c) in enumerate(zip(CSV_COLUMNS, cols)):
            cell = row[c].strip() if c < len(row) else ""
            try:
                value = float(cell)
            except ValueError:
                value = np.nan
            if not np.isfinite(value):
                errors.fail(who, f"a finite number in column '{name}' at row {r} "
                            f"(line {lines[r]} of {source})", value=cell)
            values[r - 1, j] = value
    if len(values) < min_rows:
        errors.fail(who, f"at least {min_rows} data rows in {source}", rows=len(values))
    labels = values[:, 2]
    bad = np.flatnonzero((labels != 0) & (labels != 1))
    if bad.size:
        errors.fail(who, f"labels 0 or 1 in column 'label'; {bad.size} row(s) differ, the first "
                    f"at row {bad[0] + 1} (line {lines[bad[0] + 1]} of {source})", value=labels[bad[0]].item())
    if np.unique(labels).size < 2:
        errors.fail(who, f"both classes 0 and 1 in column 'label' of {source}",
                    labels=f"all {int(labels[0])}")
    return values[:, :2].copy(), labels.astype(int)


def read_csv(path, min_rows=MIN_ROWS):
    """`parse_csv` of the file at `path` (its messages name the file)."""
    with open(path, "rb") as f:
        return parse_csv(f.read(), min_rows=min_rows, source=os.path.basename(str(path)))


from bricks.playground.draw import (CLASS_COLORS, draw_accuracy, draw_curves, draw_loss,  # noqa: E402
                                    draw_neurons, draw_playground, draw_surface, draw_training,
                                    error_frame, neuron_mosaic)
from bricks.playground.features import FEATURES, cross_features, dead_units, split  # noqa: E402
from bricks.playground.train import Run, build_model, hidden_maps, plane_grid, train  # noqa: E402


# ---- the live Playground: widget values in, frames out ------------------------------------------
def parse_hidden(text):
    """'8, 8' -> (8, 8); '' or '0' -> () (no hidden layer). Raises a clear ValueError otherwise."""
    parts = [p for p in str(text).replace(";", ",").replace(" ", ",").split(",") if p]
    try:
        widths = tuple(int(p) for p in parts)
    except ValueError:
        errors.fail("playground", "hidden layer widths as whole numbers separated by commas, e.g. '8, 8'",
                    hidden=text)
    if widths == (0,):
        return ()
    if any(w <= 0 or w > 64 for w in widths) or len(widths) > 4:
        errors.fail("playground", "1 to 4 hidden layers of 1 to 64 neurons each, e.g. '8, 8'", hidden=text)
    return widths


def uploaded_csv(value):
    """(x, y) from the value of an ipywidgets.FileUpload (the last file uploaded), validated by parse_csv."""
    files = list(value.values()) if isinstance(value, dict) else list(value or ())
    if not files:
        errors.fail("playground", "a CSV file: press 'Upload' and choose a file with columns x1, x2, label",
                    files=0)
    last = files[-1]
    return parse_csv(last["content"], source=last.get("name", "the CSV"))


def playground_frames(dataset="xor", upload=(), noise=0.1, hidden="4, 4", activation="tanh", learning_rate=0.03,
                      l1=0.0, l2=0.0, batch_size=10, epochs=100, optimizer="sgd", n=200, seed=0, snapshots=25,
                      features=("x1", "x2"), test_fraction=0.5):
    """The frames of one Playground run from the controls' values; a problem (a bad CSV, bad widths)
    becomes a single frame that shows its message instead of an exception.

    `test_fraction` of the points are held out (`split`, seeded) and shown as test loss and
    accuracy; 0 trains on every point. `features`: the network's inputs (`FEATURES`)."""
    try:
        if dataset == "my CSV":
            x, y = uploaded_csv(upload)
        else:
            x, y = make_dataset(dataset, n=n, noise=noise, seed=seed)
        test = None
        if test_fraction:
            (x, y), test = split(x, y, test_fraction, seed=seed)
        run = train(x, y, hidden=parse_hidden(hidden), activation=activation, learning_rate=learning_rate,
                    l1=l1, l2=l2, batch_size=batch_size, epochs=epochs, optimizer=optimizer, seed=seed,
                    snapshots=snapshots, features=tuple(features) or ("x1", "x2"), test=test)
    except ValueError as e:
        return [error_frame(e)]
    return run.frames or [error_frame(run.stopped_reason or "no frames")]


def controls():
    """The Playground's ipywidgets, keyed by the arguments of `playground_frames`."""
    import ipywidgets as w

    slow = dict(continuous_update=False)
    rates = [0.0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1]
    return {
        "dataset": w.Dropdown(options=[*DATASETS, "my CSV"], value="spirals", description="data"),
        "upload": w.FileUpload(accept=".csv", multiple=False, description="CSV: x1,x2,label"),
        "noise": w.FloatSlider(value=0.05, min=0.0, max=0.5, step=0.05, description="noise", **slow),
        "test_fraction": w.FloatSlider(value=0.5, min=0.0, max=0.9, step=0.1, description="test share",
                                       **slow),
        "features": w.SelectMultiple(options=list(FEATURES), value=("x1", "x2"), rows=len(FEATURES),
                                     description="features"),
        "hidden": w.Text(value="16, 16", description="hidden", continuous_update=False),
        "activation": w.Dropdown(options=["tanh", "relu", "sigmoid", "linear"], value="relu",
                                 description="activation"),
        "learning_rate": w.FloatLogSlider(value=0.03, min=-4, max=0, description="learning rate", **slow),
        "optimizer": w.Dropdown(options=["sgd", "adam", "rmsprop"], value="adam", description="optimizer"),
        "l1": w.Dropdown(options=rates, value=0.0, description="L1"),
        "l2": w.Dropdown(options=rates, value=0.0, description="L2"),
        "batch_size": w.IntSlider(value=20, min=1, max=100, description="batch size", **slow),
        "epochs": w.IntSlider(value=100, min=10, max=300, step=10, description="epochs", **slow),
    }
