"""Animations that play in two places: on the static website and live in a kernel.

An animation in this book is a list of precomputed frames (snapshots of a
training run, positions of a sliding kernel, ...) and one drawing function
`draw(axes, frame, i)` that paints frame `i` on freshly cleared axes. The same
pair is shown two ways:

- `player(frames, draw)`: every frame rendered once to PNG and wrapped in a
  self-contained HTML/JavaScript player (`player_html`: an image, six buttons
  and a slider, about 40 lines of JavaScript). It plays, pauses and scrubs with
  no kernel and no network, so it works on the website and in a notebook alike.
  (matplotlib's `to_jshtml` does the same but draws every frame twice and loads
  its button icons from a CDN, which fails offline.)
- `live(simulate, draw, controls)`: ipywidgets for a running kernel. A Play
  button and a slider scrub the frames; changing a control (learning rate,
  spectral radius, ...) calls `simulate(**values)` again for new frames. Put
  the cell that shows it under the tag `remove-cell`: on the static site its
  controls would be dead, and the player stands in for it there.

Example:
    >>> frames = [np.sin(np.linspace(0, 6, 50) + p) for p in np.linspace(0, 3, 12)]
    >>> def draw(ax, y, i):
    ...     ax.plot(y); ax.set_title(f"frame {i}")
    >>> player(frames, draw)                       # shown on the site
    >>> live(lambda speed: [...], draw, {"speed": widgets.FloatSlider(...)})  # kernel only
"""

import numpy as np

__all__ = ["player", "live", "player_html", "thin", "MAX_FRAMES"]

MAX_FRAMES = 30
_count = [0]  # players made in this process  # more frames make heavy pages; `player` thins longer lists evenly

_PLAYER_JS = """
(function () {
  var root = document.getElementById("%(uid)s");
  var frames = JSON.parse(root.querySelector(".bricks-frames").textContent);
  var img = root.querySelector("img"), scrub = root.querySelector("input"),
      label = root.querySelector(".bricks-label"), timer = null, i = 0;
  function show(k) {
    i = Math.max(0, Math.min(frames.length - 1, k));
    img.src = frames[i]; scrub.value = i; img.dataset.frame = i;
    label.textContent = (i + 1) + " / " + frames.length;
  }
  function pause() { if (timer) { clearInterval(timer); timer = null; } }
  function play() {
    pause();
    if (i >= frames.length - 1) { show(0); }
    timer = setInterval(function () {
      if (i >= frames.length - 1) { pause(); } else { show(i + 1); }
    }, %(interval)d);
  }
  var acts = {first: function () { pause(); show(0); }, prev: function () { pause(); show(i - 1); },
              play: play, pause: pause, next: function () { pause(); show(i + 1); },
              last: function () { pause(); show(frames.length - 1); }};
  root.querySelectorAll("button").forEach(function (b) { b.onclick = acts[b.dataset.act]; });
  scrub.oninput = function () { pause(); show(parseInt(scrub.value, 10)); };
})();
"""

# Symbols every common font has (the media-control code points U+23EE.. often show as boxes).
_BUTTONS = [("first", "|&#x25C1;", "First frame"), ("prev", "&#x25C1;", "Previous frame"),
            ("play", "&#x25B6;", "Play"), ("pause", "||", "Pause"),
            ("next", "&#x25B7;", "Next frame"), ("last", "&#x25B7;|", "Last frame")]


def player_html(png_frames, interval=200, width=None):
    """The HTML of a self-contained player for a list of PNG images (bytes).

    One <img>, six buttons (first, previous, play, pause, next, last) and a range
    slider; the frames ride along as base64 data URLs in a JSON script tag, so the
    page needs no kernel, no server and no network.
    """
    import base64
    import hashlib
    import json

    urls = ["data:image/png;base64," + base64.b64encode(p).decode("ascii") for p in png_frames]
    _count[0] += 1  # two identical animations on one page still get distinct ids
    uid = f"bricks-player-{hashlib.sha1(''.join(urls).encode()).hexdigest()[:12]}-{_count[0]}"
    buttons = "".join(f'<button type="button" data-act="{a}" title="{t}" aria-label="{t}">{s}</button>'
                      for a, s, t in _BUTTONS)
    style = f' style="max-width:{width}px"' if width else ""
    return (f'<div class="bricks-player" id="{uid}">'
            f'<img src="{urls[0]}" alt="animation, frame 1 of {len(urls)}" data-frame="0"{style}>'
            f'<div class="bricks-controls">{buttons}'
            f'<input type="range" min="0" max="{len(urls) - 1}" value="0" aria-label="frame">'
            f'<span class="bricks-label">1 / {len(urls)}</span></div>'
            f'<script type="application/json" class="bricks-frames">{json.dumps(urls)}</script>'
            f'<script>{_PLAYER_JS % {"uid": uid, "interval": interval}}</script></div>')


def _subplots(nrows, ncols, figsize, dpi):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(nrows, ncols, figsize=figsize, dpi=dpi, squeeze=True)
    return fig, axes


def _clear(axes):
    for ax in np.atleast_1d(axes).ravel():
        ax.clear()


def thin(frames, max_frames=MAX_FRAMES):
    """Keep at most `max_frames` frames, evenly spaced, always keeping the first and the last."""
    frames = list(frames)
    if len(frames) <= max_frames:
        return frames
    keep = np.unique(np.linspace(0, len(frames) - 1, max_frames).round().astype(int))
    return [frames[i] for i in keep]


def player(frames, draw, figsize=(6.0, 3.5), nrows=1, ncols=1, interval=200, dpi=72,
           max_frames=MAX_FRAMES):
    """A self-contained HTML animation of `frames`, drawn by `draw(axes, frame, i)`.

    Args:
        frames: a sequence of frame data (anything `draw` understands).
        draw: paints one frame on cleared axes; `axes` is one Axes for a 1x1 grid,
            else the array that `plt.subplots(nrows, ncols)` returns.
        figsize, nrows, ncols, dpi: the figure; keep dpi modest so pages stay light.
        interval: milliseconds between frames.
        max_frames: longer frame lists are thinned evenly (first and last kept).
    Returns:
        An `IPython.display.HTML` object; end the cell with it to show the player.
    """
    import io

    import matplotlib.pyplot as plt
    from IPython.display import HTML

    frames = thin(frames, max_frames)
    if not frames:
        raise ValueError("player: expected at least one frame. Received: len(frames)=0")
    fig, axes = _subplots(nrows, ncols, figsize, dpi)
    pngs = []
    for i, frame in enumerate(frames):
        _clear(axes)
        draw(axes, frame, i)
        if i == 0:
            fig.tight_layout()  # once: the layout stays put and per frame it costs a draw
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi)  # one draw per frame
        pngs.append(buf.getvalue())
    plt.close(fig)
    return HTML(player_html(pngs, interval))


def live(simulate, draw, controls=None, figsize=(6.0, 3.5), nrows=1, ncols=1, interval=200, dpi=72):
    """Widgets for a running kernel: Play/scrub the frames; controls re-run `simulate`.

    Args:
        simulate: `simulate(**values) -> frames`, called with the controls' current
            values at start and whenever a control changes.
        draw: as in `player`.
        controls: {argument name: ipywidget} (e.g. FloatLogSlider for a learning
            rate); use `continuous_update=False` on sliders whose simulate is slow.
    Returns:
        An `ipywidgets.VBox`; end the cell with it. Tag that cell `remove-cell`.
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt
    from IPython.display import display

    controls = dict(controls or {})
    state = {"frames": list(simulate(**{k: w.value for k, w in controls.items()}))}
    play = widgets.Play(value=0, min=0, max=len(state["frames"]) - 1, interval=interval)
    scrub = widgets.IntSlider(value=0, min=0, max=len(state["frames"]) - 1, description="frame")
    widgets.jslink((play, "value"), (scrub, "value"))
    out = widgets.Output()

    def show(i):
        fig, axes = _subplots(nrows, ncols, figsize, dpi)
        draw(axes, state["frames"][i], i)
        fig.tight_layout()
        with out:
            out.clear_output(wait=True)
            display(fig)
        plt.close(fig)

    def on_frame(change):
        show(change["new"])

    def on_control(_change):
        state["frames"] = list(simulate(**{k: w.value for k, w in controls.items()}))
        last = len(state["frames"]) - 1
        play.max = scrub.max = last
        show(min(scrub.value, last))

    scrub.observe(on_frame, names="value")
    for w in controls.values():
        w.observe(on_control, names="value")
    show(0)
    return widgets.VBox([*controls.values(), widgets.HBox([play, scrub]), out])
