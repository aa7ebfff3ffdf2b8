"""The Playground engine (bricks.playground.app) and chapter 1's line search (bricks.teaching.xor)."""
import numpy as np
import pytest

import bricks
from bricks import playground as pg
from bricks.teaching import xor

# A setting per data set that reaches a sensible accuracy quickly (seeded, 200 points).
SETTINGS = {
    "xor": (dict(hidden=(8,), learning_rate=0.3, epochs=40, batch_size=10), 0.97),
    "circles": (dict(hidden=(8,), learning_rate=0.3, epochs=40, batch_size=10), 0.95),
    "moons": (dict(hidden=(8,), learning_rate=0.3, momentum=0.9, epochs=40, batch_size=10), 0.95),
    "blobs": (dict(hidden=(4,), learning_rate=0.3, epochs=20, batch_size=10), 0.9),
    "spirals": (dict(hidden=(16, 16), activation="relu", optimizer="adam", learning_rate=0.03, epochs=100,
                     batch_size=20), 0.9),
}


def _csv_text(x, y, header="x1,x2,label"):
    return header + "\n" + "\n".join(f"{a:.6f},{b:.6f},{int(c)}" for (a, b), c in zip(x, y)) + "\n"


# ---- data sets -------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(pg.DATASETS))
def test_dataset_shapes_labels_and_seed(name):
    x, y = pg.make_dataset(name, n=120, noise=0.05, seed=3)
    assert x.shape == (120, 2) and x.dtype == np.float64
    assert y.shape == (120,) and set(np.unique(y)) == {0, 1}
    assert 0.3 < y.mean() < 0.7  # both classes well represented
    assert np.abs(x).max() < 2.0  # about [-1, 1]^2
    x2, y2 = pg.make_dataset(name, n=120, noise=0.05, seed=3)
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(x, pg.make_dataset(name, n=120, noise=0.05, seed=4)[0])


def test_unknown_dataset_is_named():
    with pytest.raises(ValueError, match="playground.make_dataset.*spirals"):
        pg.make_dataset("spiral")


# ---- training on each built-in data set --------------------------------------------------------
@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_trains_on_each_dataset(name):
    kwargs, target = SETTINGS[name]
    x, y = pg.make_dataset(name, n=200, noise=0.05, seed=0)
    run = pg.train(x, y, snapshots=3, seed=0, steps=12, **kwargs)
    assert run.stopped_reason is None
    assert run.accuracy >= target, (name, run)
    assert run.losses[-1] < run.losses[0]
    assert len(run.frames) == 3 and run.frames[0]["epoch"] == 0 and run.frames[-1]["epoch"] == kwargs["epochs"]
    frame = run.frames[-1]
    assert frame["surface"].shape == (12, 12)
    assert [m.shape for m in frame["neurons"]] == [(w, 12, 12) for w in kwargs["hidden"]]
    assert np.all((frame["surface"] >= 0) & (frame["surface"] <= 1))


def test_trains_on_uploaded_csv(tmp_path):
    x, y = pg.make_dataset("circles", n=200, noise=0.05, seed=1)
    path = tmp_path / "my_points.csv"
    path.write_text(_csv_text(x, y).replace("x1,x2,label", "X1, x2 ,Label,comment"))  # case, spaces, extra column
    xr, yr = pg.read_csv(path)
    np.testing.assert_allclose(xr, x, atol=1e-6)
    np.testing.assert_array_equal(yr, y)
    run = pg.train(xr, yr, hidden=(8,), learning_rate=0.3, epochs=40, batch_size=10, snapshots=0, seed=0)
    assert run.accuracy >= 0.95


def test_a_finite_run_is_the_same_with_or_without_the_guard():
    x, y = pg.make_dataset("xor", n=60, noise=0.05, seed=2)
    (train_set, test_set) = pg.split(x, y, 0.5, seed=0)
    runs = [pg.train(*train_set, test=test_set, hidden=(4,), optimizer="adam", learning_rate=0.03, epochs=5,
                     snapshots=(1, 5), steps=8, seed=0, guard=guard) for guard in (True, False)]
    assert runs[0].losses == runs[1].losses and runs[0].test_losses == runs[1].test_losses
    for a, b in zip(runs[0].frames, runs[1].frames):
        np.testing.assert_array_equal(a["surface"], b["surface"])


@pytest.mark.parametrize("encoding", ["gbk", "utf-16", "utf-8-sig"])
def test_parse_csv_reads_what_excel_saves(encoding):
    """Excel's "CSV" in a Chinese Windows is GBK; "Unicode text" is UTF-16; "CSV UTF-8" has a BOM."""
    x, y = pg.make_dataset("xor", n=20, noise=0.1, seed=0)
    text = "x1,x2,label,备注\n" + "".join(f"{a},{b},{int(c)},样本\n" for (a, b), c in zip(x, y))
    xr, yr = pg.parse_csv(text.encode(encoding))
    np.testing.assert_allclose(xr, x)
    np.testing.assert_array_equal(yr, y)


def test_parse_csv_accepts_bytes_with_bom_and_blank_lines():
    x, y = pg.make_dataset("blobs", n=20, seed=0)
    data = ("\ufeff" + _csv_text(x, y).replace("\n", "\n\n", 3)).encode("utf-8")
    xr, yr = pg.parse_csv(data)
    assert xr.shape == (20, 2) and yr.tolist() == y.tolist()


# ---- malformed CSV files: one clear message per kind ---------------------------------------------
GOOD = _csv_text(*pg.make_dataset("blobs", n=12, seed=0))


def _bad(kind):
    lines = GOOD.splitlines()
    if kind == "missing column":
        return GOOD.replace("x1,x2,label", "x1,y,label"), r"missing x2.*Received: columns=\['x1', 'y', 'label'\]"
    if kind == "semicolons":
        return GOOD.replace(",", ";"), r"';'-separated"
    if kind == "non-numeric":
        a, b, c = lines[4].split(",")
        lines[4] = f"{a},abc,{c}"
        return "\n".join(lines), r"finite number in column 'x2' at row 4 \(line 5 of my.csv\).*value='abc'"
    if kind == "empty cell":
        a, b, c = lines[7].split(",")
        lines[7] = f"{a},{b},"
        return "\n".join(lines), r"column 'label' at row 7 .*value=''"
    if kind == "not finite":
        lines[2] = "nan,0.5,1"
        return "\n".join(lines), r"column 'x1' at row 2"
    if kind == "labels not 0/1":
        a, b, c = lines[3].split(",")
        lines[3] = f"{a},{b},2"
        lines[9] = lines[9].rsplit(",", 1)[0] + ",-1"
        return "\n".join(lines), r"labels 0 or 1.*2 row\(s\) differ, the first at row 3 \(line 4 of my.csv\).*value=2"
    if kind == "too few rows":
        return "\n".join(lines[:6]), r"at least 10 data rows.*rows=5"
    if kind == "one class":
        return "x1,x2,label\n" + "\n".join(f"{i},{i},1" for i in range(12)), r"both classes.*all 1"
    if kind == "empty file":
        return "", r"header line x1,x2,label"
    if kind == "not text":
        return b"x1,x2,label\n\x81\x20\xff,2,0\n", r"text in UTF-8, UTF-16 or GB18030/GBK"
    raise KeyError(kind)


@pytest.mark.parametrize("kind", ["missing column", "semicolons", "non-numeric", "empty cell", "not finite",
                                  "labels not 0/1", "too few rows", "one class", "empty file", "not text"])
def test_malformed_csv_gets_a_clear_message(kind, tmp_path):
    data, pattern = _bad(kind)
    path = tmp_path / "my.csv"
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    with pytest.raises(ValueError, match=r"^playground.parse_csv: expected .*" + pattern):
        pg.read_csv(path)


# ---- explosions are caught, frames stay clean ---------------------------------------------------------
def test_exploding_run_stops_with_clean_history(capsys):
    x, y = pg.make_dataset("xor", n=200, noise=0.1, seed=0)
    run = pg.train(x, y, hidden=(16,), loss="mse", output_activation=None, learning_rate=3.0, batch_size=10,
                   epochs=30, snapshots=5, seed=0)
    assert run.stopped_reason is not None and "not a finite number" in run.stopped_reason
    assert len(run.losses) < 30 and np.all(np.isfinite(run.losses))
    for frame in run.frames:
        assert np.all(np.isfinite(frame["surface"])) and np.all(np.isfinite(frame["loss"]))
    assert "training stopped" in capsys.readouterr().out


def test_clipnorm_and_schedule_reach_the_optimizer():
    x, y = pg.make_dataset("xor", n=40, seed=0)
    schedule = bricks.ExponentialDecay(0.5, decay_steps=10, decay_rate=0.5)
    model = pg.build_model(hidden=(3,), learning_rate=schedule, clipnorm=0.3, l1=0.001, l2=0.01)
    assert model.optimizer.clipnorm == 0.3 and model.optimizer.learning_rate is schedule
    assert model.layers[0].kernel_regularizer.l1 == 0.001 and model.layers[0].kernel_regularizer.l2 == 0.01
    assert model.evaluate(x, y.reshape(-1, 1))[0] > 0


def test_build_model_rejects_bad_arguments():
    with pytest.raises(ValueError, match="positive hidden widths"):
        pg.build_model(hidden=(4, 0))
    with pytest.raises(ValueError, match="optimizer one of"):
        pg.build_model(optimizer="adagrad")
    with pytest.raises(ValueError, match=r"x of shape \(n, 2\)"):
        pg.train(np.zeros((5, 3)), np.zeros(5))


def test_draw_functions_make_a_player():
    x, y = pg.make_dataset("moons", n=40, seed=0)
    run = pg.train(x, y, hidden=(3, 2), epochs=2, snapshots=2, steps=8)
    html = bricks.teaching.visual.player(run.frames, pg.draw_playground, figsize=(6, 2), ncols=3, dpi=30).data
    assert html.count("data:image/png;base64,") == 3  # 2 frames: the first <img> + the JSON list of 2
    assert pg.neuron_mosaic(run.frames[0]).shape == (2 * 10, 3 * 10 - 2)  # 2 layers of 8x8 tiles, gaps of 2
    err = bricks.teaching.visual.player([pg.error_frame("bad file")], pg.draw_training, ncols=3, dpi=30).data
    assert "bricks-player" in err


# ---- chapter 1: lines and gates ----------------------------------------------------------------------
def test_no_line_separates_xor_but_and_or_are_separable():
    assert xor.min_line_errors(*xor.gate("and"))[0] == 0
    assert xor.min_line_errors(*xor.gate("or"))[0] == 0
    assert xor.min_line_errors(*xor.gate("xor"))[0] == 1
    sweep = xor.angle_sweep(*xor.gate("xor"), frames=12)
    assert min(f["errors"] for f in sweep) == 1 and max(f["errors"] for f in sweep) == 2


def test_line_errors_by_hand():
    X, y = xor.gate("and")
    assert xor.line_errors(X, y, (1.0, 1.0), -1.5) == 0
    assert xor.line_errors(X, y, (1.0, 1.0), -0.5) == 2  # OR's line: (0,1) and (1,0) wrong for AND
    np.testing.assert_array_equal(xor.line_errors(X, y, np.array([[1.0, 1.0], [-1.0, -1.0]]), np.array([-1.5, 1.5])),
                                  [0, 4])
    with pytest.raises(ValueError, match="xor.gate"):
        xor.gate("nand")


# ---- the live Playground's glue --------------------------------------------------------------------------
def test_parse_hidden():
    assert pg.parse_hidden("8, 8") == (8, 8)
    assert pg.parse_hidden("4") == (4,)
    assert pg.parse_hidden("0") == ()
    for bad in ["eight", "8, 0", "100", "1,1,1,1,1"]:
        with pytest.raises(ValueError, match="hidden"):
            pg.parse_hidden(bad)


def test_playground_frames_from_an_upload_and_its_errors():
    x, y = pg.make_dataset("blobs", n=60, seed=0)
    upload = ({"name": "mine.csv", "content": memoryview(_csv_text(x, y).encode())},)  # ipywidgets 8 value
    frames = pg.playground_frames("my CSV", upload, hidden="3", epochs=5, snapshots=2)
    assert len(frames) == 2 and "surface" in frames[-1]
    bad = ({"name": "mine.csv", "content": memoryview(b"x1,x2\n1,2\n")},)
    (frame,) = pg.playground_frames("my CSV", bad)
    assert "missing label" in frame["error"] and "mine.csv" in frame["error"]
    (frame,) = pg.playground_frames("my CSV", ())
    assert "Upload" in frame["error"]
    (frame,) = pg.playground_frames("xor", hidden="a, b")
    assert "whole numbers" in frame["error"]


def test_controls_match_playground_frames():
    import inspect

    widgets = pg.controls()
    params = inspect.signature(pg.playground_frames).parameters
    assert set(widgets) <= set(params)
    frames = pg.playground_frames(**{k: w.value for k, w in widgets.items() if k != "epochs"}, epochs=3,
                                  snapshots=2)
    assert "surface" in frames[-1]


# ---- train/test split, feature crosses, dead ReLU units, the explorer grid ------------------------
def test_split_is_seeded_disjoint_and_complete():
    x, y = pg.make_dataset("xor", n=50, seed=0)
    (xa, ya), (xb, yb) = pg.split(x, y, test_fraction=0.3, seed=1)
    assert len(xa) == 35 and len(xb) == 15 and len(ya) == 35 and len(yb) == 15
    rows = {tuple(r) for r in np.vstack([xa, xb])}
    assert rows == {tuple(r) for r in x}  # every point once
    (xc, _), _ = pg.split(x, y, test_fraction=0.3, seed=1)
    np.testing.assert_array_equal(xa, xc)
    for bad in (0.0, 1.0, -0.2):
        with pytest.raises(ValueError, match="playground.split.*test_fraction"):
            pg.split(x, y, bad)


def test_cross_features():
    x = np.array([[0.5, -2.0], [1.0, 3.0]])
    got = pg.cross_features(x, tuple(pg.FEATURES))
    want = np.stack([x[:, 0], x[:, 1], x[:, 0] ** 2, x[:, 1] ** 2, x[:, 0] * x[:, 1], np.sin(x[:, 0]),
                     np.sin(x[:, 1])], axis=1)
    np.testing.assert_allclose(got, want)
    with pytest.raises(ValueError, match="cross_features.*x1\\^2"):
        pg.cross_features(x, ("x3",))


def test_train_with_test_points_and_crosses():
    x, y = pg.make_dataset("circles", n=200, noise=0.05, seed=0)
    train_set, test_set = pg.split(x, y, 0.5, seed=0)
    plain = pg.train(*train_set, test=test_set, hidden=(), learning_rate=0.3, epochs=30, snapshots=0)
    crossed = pg.train(*train_set, test=test_set, hidden=(), features=("x1^2", "x2^2"), learning_rate=0.3,
                       epochs=30, snapshots=(0, 5, 30), steps=10)
    assert plain.test_accuracy < 0.75 < 0.95 <= crossed.test_accuracy  # logistic regression + crosses
    assert crossed.model.layers[0].params["kernel"].shape == (2, 1) and crossed.config["features"] == ("x1^2", "x2^2")
    assert [f["epoch"] for f in crossed.frames] == [0, 5, 30]
    last = crossed.frames[-1]
    assert len(last["test_loss"]) == len(last["test_accuracy"]) == len(last["loss"]) == 30
    assert last["test_accuracy"][-1] == pytest.approx(crossed.test_accuracy)
    assert crossed.test_loss == pytest.approx(crossed.test_losses[-1]) and np.isfinite(crossed.test_loss)
    assert last["surface"].shape == (10, 10) and crossed.x.shape == (100, 2)  # drawn over (x1, x2)
    assert "test_accuracy=" in repr(crossed)
    no_test = pg.train(*train_set, hidden=(2,), epochs=2, snapshots=2, steps=6)
    assert np.isnan(no_test.test_accuracy) and "test_loss" not in no_test.frames[-1]


def test_dead_units_are_counted():
    x, y = pg.make_dataset("blobs", n=40, seed=0)
    model = pg.build_model(hidden=(3, 2), activation="relu")
    model.layers[0].params["bias"][:] = [-100.0, 0.0, -100.0]  # two units below 0 for every point
    dead = pg.dead_units(model, x)
    assert dead[0].tolist() == [True, False, True] and len(dead) == 2
    assert pg.dead_units(pg.build_model(hidden=(3,), activation="tanh"), x)[0].sum() == 0
    run = pg.train(x, y, hidden=(4,), activation="relu", learning_rate=0.01, epochs=2, snapshots=2, steps=6)
    assert run.dead == [int(d.sum()) for d in pg.dead_units(run.model, x)]
    assert all(len(f["dead"]) == 1 for f in run.frames)


def test_harder_spirals():
    x, y = pg.make_dataset("spirals", n=400, noise=0.0, seed=0)
    r = np.hypot(x[:, 0], x[:, 1])
    angle = np.unwrap(np.arctan2(x[y == 0, 1], x[y == 0, 0])[np.argsort(r[y == 0])])
    assert abs(angle[-1] - angle[0]) / (2 * np.pi) > 1.7  # 1.75 turns, as TensorFlow Playground
    assert np.mean(r < 0.5) > 0.45  # radius uniform: half the points in the inner half


def test_explorer_grid_and_drawing():
    grid = pg.EXPLORER_GRID
    assert np.prod([len(v) for v in grid.values()]) >= 24 and set(pg.EXPLORER_LABELS) == set(grid)
    run = pg.explorer_run("xor", "3", "relu", 0.03, epochs=4, snapshots=(0, 2, 4), steps=8)
    assert run.x_test is not None and len(run.x) == len(run.x_test) == 100
    html = bricks.teaching.visual.player(run.frames, pg.draw_explorer, figsize=(4, 4), dpi=30).data
    assert html.count("data:image/png;base64,") == 4  # the first <img> + 3 frames
    frames = pg.playground_frames("circles", features=("x1^2", "x2^2"), hidden="0", test_fraction=0.5,
                                  epochs=3, snapshots=2)
    assert "test_loss" in frames[-1] and len(frames[-1]["run"].x) == 100
    assert "test_loss" not in pg.playground_frames("circles", test_fraction=0, epochs=2, snapshots=2)[-1]


def test_docstring_examples():
    import doctest

    from bricks.playground import app, features

    for module in (app, features):
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0 and result.attempted > 0, module.__name__
