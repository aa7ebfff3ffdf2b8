"""bricks.teaching.visual: players, explorers (runs switched in the page), frame spacing, legibility."""
import json
import re

import numpy as np
import pytest

from bricks.teaching import visual, visual_html


def draw(ax, frame, i):
    ax.plot(frame)
    ax.set_title(f"frame {i}")


def _payload(html):
    return json.loads(re.search(r'class="bricks-frames">(.*?)</script>', html).group(1))


def test_player_is_self_contained_and_measures_its_text():
    frames = [np.sin(np.linspace(0, 6, 20) + p) for p in np.linspace(0, 3, 5)]
    shown = visual.player(frames, draw, figsize=(4, 2))
    html = shown._repr_html_()
    assert html.count("data:image/png;base64,") == 6  # the first <img> + the 5 frames
    assert 'width="384"' in html  # 4 in at 96 CSS px per inch
    assert shown.min_text == pytest.approx(10.0)  # tick labels, the LEGIBLE minimum
    assert 'data-min-text="13.3"' in html and "http" not in html  # 10 pt = 13.3 CSS px
    assert shown.runs == 1 and shown.frames == 5


def test_a_low_dpi_player_is_never_upscaled_and_a_wide_one_is_refused():
    shown = visual.player([np.arange(3)], draw, figsize=(4, 2), dpi=64)
    assert 'width="256"' in shown.data  # 64 px per inch: one image pixel per CSS px
    assert 'data-min-text="8.9"' in shown.data  # 10 pt at 64/72
    with pytest.raises(ValueError, match="at most 8 in wide"):
        visual.player([np.arange(3)], draw, figsize=(8.5, 3))


def test_small_text_is_raised_to_the_floor():
    def tiny(ax, frame, i):
        ax.plot(frame)
        ax.legend(["x"], fontsize=5)
        ax.tick_params(labelsize=6)
        ax.set_title("t", fontsize=7)

    shown = visual.player([np.arange(3)], tiny, figsize=(3, 2), dpi=40)
    assert shown.min_text == pytest.approx(visual.MIN_TEXT_PT)


def test_frames_are_drawn_as_on_freshly_cleared_axes():
    """Renderer keeps tick objects between frames (visual._clear); every pixel is as with ax.clear()."""
    import matplotlib

    def changing(axes, frame, i):  # settings that differ from frame to frame
        ax, other = axes
        ax.plot(frame, label="y")
        if i % 2:
            ax.tick_params(labelsize=12, direction="in")
            ax.grid(True)
            ax.spines["left"].set_position(("outward", 5))
            ax.set_yscale("log")
        if i == 2:
            ax.legend()
            ax.set_xticks([0, 5, 10])
        other.imshow(np.outer(frame, frame))
        other.set_title(f"frame {i}")

    frames = [np.linspace(1, 2 + i, 11) for i in range(5)]
    kept = visual.render(frames, changing, figsize=(4, 2), ncols=2)[0]
    fresh = visual.Renderer(changing, figsize=(4, 2), ncols=2)
    cleared = []
    for i, frame in enumerate(frames):  # what Renderer.png did before: ax.clear() every frame
        with matplotlib.rc_context(visual.LEGIBLE):
            for ax in fresh.axes:
                ax.clear()
            changing(fresh.axes, frame, i)
            visual._floor_text(fresh.fig)
            if i == 0:
                fresh.fig.tight_layout()
            fresh.fig.canvas.draw()
        cleared.append(visual._png(fresh.fig))
    assert kept == cleared


def test_explorer_precomputes_the_grid_and_stores_shared_frames_once():
    calls = []

    def simulate(speed, shape):
        calls.append((speed, shape))
        return [np.zeros(3)] + [np.sin(np.arange(8) * speed * t) * (shape == "wide") for t in (1, 2)]

    shown = visual.explorer(simulate, draw, {"speed": [0.5, 1.0, 2.0], "shape": ["wide", "flat"]},
                            labels={"speed": "speed (rad)"}, start={"shape": "flat"}, figsize=(3, 2), dpi=40)
    assert len(calls) == 6 and shown.runs == 6
    data = _payload(shown.data)
    assert set(data["runs"]) == {f"{i}|{j}" for i in range(3) for j in range(2)}
    assert data["key"] == "0|1"  # speed 0.5, shape "flat"
    # frame 0 ("flat" runs are all zeros but titled by frame number) is shared: stored once
    assert len(data["frames"]) == shown.frames < 18
    assert 'type="range" data-arg="0"' in shown.data and "<select data-arg=\"1\"" in shown.data
    assert "speed (rad)" in shown.data and "bricks-explorer" in shown.data


def test_explorer_rejects_a_bad_grid():
    with pytest.raises(ValueError, match="expected grid as"):
        visual.explorer(lambda: [], draw, [])
    with pytest.raises(ValueError, match="at least one value for 'lr'"):
        visual.explorer(lambda lr: [], draw, {"lr": []})
    with pytest.raises(ValueError, match="start value for 'lr'"):
        visual.explorer(lambda lr: [], draw, {"lr": [1, 2]}, start={"lr": 3})
    with pytest.raises(ValueError, match="simulate returned no frames"):
        visual.explorer(lambda lr: [], draw, {"lr": [1]}, dpi=30)


def test_spaced_keeps_ends_and_follows_the_change():
    assert visual.spaced(5, 10).tolist() == [0, 1, 2, 3, 4]
    assert visual.spaced(100, 5).tolist() == [0, 25, 50, 74, 99]
    log = visual.spaced(100, 8, "log")
    assert log[0] == 0 and log[-1] == 99 and len(log) == 8 and np.all(np.diff(log) > 0)
    assert np.diff(log)[0] < np.diff(log)[-1]  # dense early
    loss = np.exp(-np.arange(100) / 5.0)  # all the change in the first ~15 frames
    idx = visual.spaced(100, 10, loss)
    assert len(idx) == 10 and idx[0] == 0 and idx[-1] == 99 and np.sum(idx < 20) >= 7
    assert visual.spaced(10, 4, np.ones(10)).tolist() == visual.spaced(10, 4).tolist()
    with pytest.raises(ValueError, match="spacing 'even', 'log'"):
        visual.spaced(10, 4, "fast")
    assert visual.thin(list("abcdefg"), 3) == ["a", "d", "g"]


def test_player_html_dedupes_frames():
    html = visual_html.player_html([b"a", b"b", b"a"])
    data = _payload(html)
    assert len(data["frames"]) == 2 and data["runs"][""] == [0, 1, 0]


def test_live_draws_into_an_image_and_shows_the_last_frame_on_change():
    widgets = pytest.importorskip("ipywidgets")

    def simulate(n):
        return [np.arange(3) * k * n for k in range(4)]

    slider = widgets.IntSlider(value=1, min=1, max=3)  # no description: gets the argument's name
    box = visual.live(simulate, draw, {"n": slider}, figsize=(3, 2), dpi=40)
    view = box.view
    assert isinstance(view.image, widgets.Image) and view.image.value
    assert slider.description == "n" and slider.style.description_width == "initial"
    first = view.image.value
    slider.value = 3
    assert view.scrub.value == 3 and view.image.value != first  # the last frame, not frame 0
    assert view.latency is not None


def test_explorer_live_uses_the_same_grid():
    widgets = pytest.importorskip("ipywidgets")
    runs = []

    def simulate(lr, act):
        runs.append((lr, act))
        return [np.arange(3) * lr * k for k in range(3)]

    box = visual.explorer(simulate, draw, {"lr": [0.1, 1.0, 10.0], "act": ["relu", "tanh"]}, live=True,
                          figsize=(3, 2), dpi=40)
    lr, act = box.children[0], box.children[1]
    assert isinstance(lr, widgets.SelectionSlider) and isinstance(act, widgets.Dropdown)
    assert lr.description == "lr" and list(lr.options) == [("0.1", 0.1), ("1", 1.0), ("10", 10.0)]
    lr.value = 10.0
    lr.value = 0.1  # cached: no new run
    assert runs == [(0.1, "relu"), (10.0, "relu")]
