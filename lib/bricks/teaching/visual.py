"""Animations that play in two places: on the static website and live in a kernel.

An animation in this book is a list of precomputed frames (snapshots of a
training run, positions of a sliding kernel, ...) and one drawing function
`draw(axes, frame, i)` that paints frame `i` on freshly cleared axes. The same
pair is shown three ways:

- `player(frames, draw)`: every frame rendered once (a palette PNG, a few kB) and
  wrapped in a self-contained HTML/JavaScript player: an image, six buttons and a
  frame slider. It plays with no kernel and no network, on the website and in a
  notebook alike.
- `explorer(simulate, draw, grid)`: `simulate(**setting) -> frames` run for every
  setting of the grid ({"learning_rate": [0.1, 1.0], "hidden": [2, 8]} is 4 runs),
  and one player with a control per argument that switches runs in the page. The
  reader changes the learning rate on the website and sees that run: no kernel.
  `explorer(..., live=True)` is the same grid as ipywidgets in a running kernel.
- `live(simulate, draw, controls)`: ipywidgets for a running kernel, any control
  (not just a grid); `simulate(**values)` re-runs on each change. Frames are drawn
  into a `widgets.Image`. Tag the cell `remove-cell`: on the static site its
  controls would be dead.

Legibility: a figure of width w inches is shown at w * 96 CSS px, CSS's own inch (one
point of text = 4/3 CSS px, as in any web page), or at w * dpi if its dpi is lower (never
upscaled), and shrinks to fit a narrower column. It is rendered at `dpi` (default 108).
Frames are drawn with the book's figure style (`LEGIBLE`), and any text a draw function
made smaller than 10 pt is raised to 10 pt: text of at least 10 pt, so at least 12.5 CSS px on a
desktop and about 8 on a 390 px phone for a 6-inch figure. Each player records the smallest text it
actually drew (every `draw_text` call of matplotlib's renderer), in CSS px at full width,
as `data-min-text`, so the site test can check it at the page's real width.

Which frames: `thin(frames, k, spacing)` keeps k frames spaced evenly, on a log
scale of the frame number ("log": early change is fast), or where a signal (a loss
per frame) changes most (`spacing=losses`); `spaced(n, k, spacing)` gives the
indices (e.g. the epochs to snapshot).

Example:
    >>> frames = [np.sin(np.linspace(0, 6, 50) + p) for p in np.linspace(0, 3, 3)]
    >>> def draw(ax, y, i):
    ...     ax.plot(y); ax.set_title(f"frame {i}")
    >>> shown = player(frames, draw, figsize=(3, 2))          # a notebook displays it
    >>> shown.frames, shown.min_text >= 10                    # distinct frames; text >= 10 pt
    (3, True)
    >>> shown = explorer(lambda speed: [np.sin(np.linspace(0, 6, 50) * speed)] * 2, draw,
    ...                  {"speed": [0.5, 2.0]}, figsize=(3, 2))
    >>> shown.runs, shown.frames                              # one run per setting
    (2, 4)
    >>> spaced(100, 5, "log").tolist()
    [0, 2, 9, 31, 99]
"""
import itertools
import time
import warnings

import numpy as np

from bricks.teaching import visual_html
from bricks.teaching.visual_html import player_html

__all__ = ["player", "explorer", "live", "player_html", "thin", "spaced", "render",
           "MAX_FRAMES", "EXPLORER_FRAMES", "DPI", "LEGIBLE", "MIN_TEXT_PT"]

MAX_FRAMES = 30       # a player keeps at most this many frames (heavier pages otherwise)
EXPLORER_FRAMES = 12  # per run of an explorer (it holds many runs)
DPI = 108             # image pixels per inch; shown at up to 96 CSS px per inch
CSS_PX_PER_IN = 96    # CSS's inch: a figure w inches wide is shown w * 96 CSS px wide at most
MAX_WIDTH_IN = 8      # 768 CSS px: a desktop column (720) shows it at 94 %
MIN_TEXT_PT = 10      # the smallest text a frame may draw, in pt (4/3 CSS px each at full width)
# The book's figure style: players, explorers, diagrams and plain matplotlib figures alike.
LEGIBLE = {"font.size": 11, "axes.titlesize": 11, "axes.labelsize": 11, "xtick.labelsize": 10,
           "ytick.labelsize": 10, "legend.fontsize": 10, "legend.title_fontsize": 10,
           "figure.titlesize": 12, "legend.framealpha": 0.9}


# ---- which frames ---------------------------------------------------------------------------
def spaced(n, k, spacing="even"):
    """k distinct indices into n frames, first and last always kept.

    spacing: "even"; "log" (dense at the start, where training changes fastest:
    round(geomspace(1, n, m)) - 1 with m grown until k distinct); or a signal, one
    number (or vector) per frame: indices where its cumulative change
    c_t = sum_{s<=t} |x_s - x_{s-1}| crosses k evenly spaced levels.
    """
    if n <= k:
        return np.arange(n)
    if isinstance(spacing, str) and spacing == "even":
        return np.unique(np.linspace(0, n - 1, k).round().astype(int))
    if isinstance(spacing, str) and spacing == "log":
        for m in range(k, 8 * n):
            idx = np.unique(np.geomspace(1, n, m).round().astype(int) - 1)
            if len(idx) >= k:
                return idx
        return np.arange(n)
    if isinstance(spacing, str):
        raise ValueError(f"spaced: expected spacing 'even', 'log' or one value per frame. "
                         f"Received: spacing={spacing!r}")
    signal = np.asarray(spacing, dtype=float).reshape(n, -1)  # (n, d)
    steps = np.linalg.norm(np.diff(signal, axis=0), axis=1)  # (n-1,)
    path = np.concatenate([[0.0], np.cumsum(steps)])  # (n,)
    if path[-1] == 0:
        return spaced(n, k, "even")
    idx = set(np.searchsorted(path, np.linspace(0, path[-1], k)).clip(0, n - 1).tolist()) | {0, n - 1}
    rest = [i for i in spaced(n, n, "even") if i not in idx]  # fill ties evenly
    extra = [rest[j] for j in np.linspace(0, len(rest) - 1, max(0, k - len(idx))).round().astype(int)]
    return np.array(sorted(idx | set(extra)))


def thin(frames, max_frames=MAX_FRAMES, spacing="even"):
    """Keep at most `max_frames` frames (first and last kept), chosen by `spaced(...)`."""
    frames = list(frames)
    if len(frames) <= max_frames:
        return frames
    return [frames[i] for i in spaced(len(frames), max_frames, spacing)]


# ---- drawing frames -------------------------------------------------------------------------
def _figure(figsize, nrows, ncols, dpi):
    """A Figure outside pyplot (nothing is shown twice by the inline backend) and its axes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, dpi=dpi)
    FigureCanvasAgg(fig)
    return fig, fig.subplots(nrows, ncols, squeeze=True)


def _draw_measured(fig):
    """Draw the figure; return the sizes (pt) of every text the renderer drew."""
    renderer = fig.canvas.get_renderer()
    sizes, draw_text = [], renderer.draw_text

    def spy(gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if str(s).strip():
            sizes.append(prop.get_size_in_points())
        return draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)

    renderer.draw_text = spy
    try:
        fig.canvas.draw()
    finally:
        del renderer.draw_text
    return sizes


def _floor_text(fig, floor=MIN_TEXT_PT):
    """Raise every text of the figure smaller than `floor` pt to it (legends, ticks, labels, notes):
    one rule for every draw function, so no frame is illegible however it was written."""
    from matplotlib.text import Text

    for ax in fig.axes:
        ax.get_xticklabels(which="both")  # creates the tick labels with their current sizes
        ax.get_yticklabels(which="both")
    for text in fig.findobj(Text):
        if text.get_text().strip() and text.get_fontsize() < floor:
            text.set_fontsize(floor)


def _png(fig, colors=128):
    """The drawn figure as a palette PNG (up to `colors` colours; about 1/3 of matplotlib's)."""
    import io

    from PIL import Image

    rgb = Image.fromarray(np.asarray(fig.canvas.buffer_rgba())[..., :3])
    buf = io.BytesIO()
    # fast octree: 7 ms a frame (median cut with optimize: 37 ms) for 10 % larger files
    rgb.quantize(colors, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE).save(buf, format="PNG")
    return buf.getvalue()


def _clear(ax):
    """`ax.clear()`, keeping the axis' tick objects when clearing would rebuild them unchanged.

    A cleared Axes rebuilds every tick (two lines and two texts each) at the next draw, and its
    spines, set again, rebuild them once more: about a third of a frame. The ticks are kept
    when the tick settings (`tick_params`, the grid) after clearing equal those they were made
    with, so they are the ticks a fresh Axes would make; the spines keep their default position.
    """
    axes = (ax.xaxis, ax.yaxis)
    made_with = [(dict(axis._major_tick_kw), dict(axis._minor_tick_kw)) for axis in axes]
    spines = {name: spine._position for name, spine in ax.spines.items()}
    for axis in axes:
        axis.reset_ticks = _keep_ticks  # for the length of clear() only
    try:
        ax.clear()
    finally:
        for axis in axes:
            del axis.reset_ticks
    for axis, (major_kw, minor_kw) in zip(axes, made_with):
        if axis._major_tick_kw != major_kw or axis._minor_tick_kw != minor_kw:
            axis.reset_ticks()  # what clear() does: new ticks with the new settings
            axis.set_clip_path(ax.patch)
    for name, position in spines.items():
        if position == ("outward", 0.0):  # the default, which clear() would set again at draw
            ax.spines[name]._position = position


def _keep_ticks():
    pass


class Renderer:
    """Draws frames on one reused figure: `png(frame, i) -> bytes`; `.min_text` in pt so far."""

    def __init__(self, draw, figsize=(6.0, 3.5), nrows=1, ncols=1, dpi=DPI):
        import matplotlib

        if figsize[0] > MAX_WIDTH_IN:
            raise ValueError(f"player: expected a figure at most {MAX_WIDTH_IN} in wide (the text "
                             f"column; wider shrinks its text). Received: figsize={figsize}")
        self.draw, self.figsize, self.min_text, self.laid_out = draw, figsize, None, False
        self.px_per_in = min(CSS_PX_PER_IN, dpi)
        with matplotlib.rc_context(LEGIBLE):
            self.fig, self.axes = _figure(figsize, nrows, ncols, dpi)

    def png(self, frame, i):
        import matplotlib

        with matplotlib.rc_context(LEGIBLE):
            for ax in np.atleast_1d(self.axes).ravel():
                _clear(ax)
            self.draw(self.axes, frame, i)
            _floor_text(self.fig)
            if not self.laid_out:  # once: the layout stays put (and tight_layout costs a draw)
                self.fig.tight_layout()
                self.laid_out = True
            sizes = _draw_measured(self.fig)
        if sizes:
            self.min_text = min(sizes) if self.min_text is None else min(self.min_text, *sizes)
        return _png(self.fig)

    @property
    def width(self):
        """CSS px of the image at full size: 96 per inch (fewer if dpi is lower: never upscaled)."""
        return round(self.figsize[0] * self.px_per_in)

    @property
    def min_text_px(self):
        """The smallest text drawn so far, in CSS px at full size (None before any text)."""
        return None if self.min_text is None else self.min_text * self.px_per_in / 72


def render(frames, draw, figsize=(6.0, 3.5), nrows=1, ncols=1, dpi=DPI):
    """(list of PNG bytes, smallest text drawn in pt): the frames as `player` draws them."""
    r = Renderer(draw, figsize, nrows, ncols, dpi)
    return [r.png(f, i) for i, f in enumerate(frames)], r.min_text


def _warn_small(where, min_text):
    if min_text is not None and min_text < MIN_TEXT_PT:
        warnings.warn(f"{where}: the smallest text drawn is {min_text:.1f} pt, below {MIN_TEXT_PT} pt "
                      f"(illegible on the site); raise the fontsize of ticks, legends or labels",
                      stacklevel=3)


class Shown:
    """An HTML player (IPython displays it) that also says what it holds, for asserts and glue."""

    def __init__(self, text, runs, frames, min_text, seconds):
        self.data, self.runs, self.frames, self.min_text, self.seconds = text, runs, frames, min_text, seconds
        self.mb = len(text.encode()) / 1e6

    def _repr_html_(self):
        return self.data

    def __repr__(self):
        return (f"<player: {self.runs} run(s), {self.frames} distinct frames, {self.mb:.2f} MB, "
                f"smallest text {self.min_text} pt, {self.seconds:.1f} s>")


# ---- the players ----------------------------------------------------------------------------
def player(frames, draw, figsize=(6.0, 3.5), nrows=1, ncols=1, interval=200, dpi=DPI,
           max_frames=MAX_FRAMES, spacing="even"):
    """A self-contained HTML animation of `frames`, drawn by `draw(axes, frame, i)`.

    Args:
        frames: a sequence of frame data (anything `draw` understands).
        draw: paints one frame on cleared axes; `axes` is one Axes for a 1x1 grid,
            else the array that `plt.subplots(nrows, ncols)` returns.
        figsize, nrows, ncols: the figure, shown `figsize[0] * 96` CSS px wide (at most
            8 in: a desktop column is 7.5); dpi: image pixels per inch (below 96, shown at dpi px per inch).
        interval: milliseconds between frames.
        max_frames, spacing: longer frame lists are thinned (`thin`): "even", "log" or
            where a per-frame signal changes most.
    Returns:
        An HTML object (IPython shows it); `.min_text`, `.mb`, `.frames` for asserts.
    """
    t0 = time.perf_counter()
    frames = thin(frames, max_frames, spacing)
    if not frames:
        raise ValueError("player: expected at least one frame. Received: len(frames)=0")
    r = Renderer(draw, figsize, nrows, ncols, dpi)
    pngs = [r.png(f, i) for i, f in enumerate(frames)]
    _warn_small("player", r.min_text)
    text = player_html(pngs, interval, width=r.width, min_text=r.min_text_px)
    return Shown(text, 1, len(set(pngs)), r.min_text, time.perf_counter() - t0)


def _text(v):
    if isinstance(v, (tuple, list)):
        return ", ".join(_text(x) for x in v)
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def _grid_args(grid, labels, start):
    """Validated grid -> the explorer's per-argument descriptions (name, label, values, start)."""
    if not isinstance(grid, dict) or not grid:
        raise ValueError(f"explorer: expected grid as {{argument name: [values, ...]}}. Received: {grid!r}")
    labels, start, args = dict(labels or {}), dict(start or {}), []
    for name, values in grid.items():
        values = list(values)
        if not values:
            raise ValueError(f"explorer: expected at least one value for {name!r}. Received: []")
        first = start.get(name, values[0])
        if first not in values:
            raise ValueError(f"explorer: start value for {name!r} must be in the grid {values}. "
                             f"Received: {first!r}")
        numeric = all(isinstance(v, (int, float, np.number)) and not isinstance(v, bool) for v in values)
        args.append({"name": name, "label": labels.get(name, name.replace("_", " ")), "grid": values,
                     "values": [_text(v) for v in values], "numeric": numeric,
                     "start": values.index(first)})
    return args


def explorer(simulate, draw, grid, labels=None, start=None, live=False, figsize=(6.0, 3.5), nrows=1,
             ncols=1, interval=200, dpi=DPI, max_frames=EXPLORER_FRAMES, spacing="even"):
    """One player over a grid of settings, switched in the page: no kernel needed.

    `simulate(**setting) -> frames` runs for every setting in the cartesian product
    of `grid` ({argument name: [values]}); frames shared by runs are stored once.
    The page gets a control per argument (a slider for more than two numbers, else a
    select), the frame slider and Play. A control change keeps the frame number (and
    keeps playing), except at frame 1, where it shows the new run's last frame.

    Args:
        labels: {argument: text shown next to its control} (default: the name, "_" -> " ").
        start: {argument: value shown first} (default: each argument's first value).
        live: True gives the same grid as ipywidgets for a running kernel instead
            (runs computed on demand); tag that cell `remove-cell`.
        figsize, nrows, ncols, interval, dpi, max_frames, spacing: as in `player`
            (max_frames per run).
    Returns:
        An HTML object with `.runs`, `.frames`, `.mb`, `.min_text`, `.seconds`.
    """
    args = _grid_args(grid, labels, start)
    if live:
        from bricks.teaching import visual_live

        return visual_live.explorer_widgets(simulate, draw, args, figsize=figsize, nrows=nrows,
                                            ncols=ncols, interval=interval, dpi=dpi,
                                            max_frames=max_frames, spacing=spacing)
    t0 = time.perf_counter()
    r, urls, where, runs = Renderer(draw, figsize, nrows, ncols, dpi), [], {}, {}
    for combo in itertools.product(*[range(len(a["grid"])) for a in args]):
        setting = {a["name"]: a["grid"][j] for a, j in zip(args, combo)}
        frames = thin(simulate(**setting), max_frames, spacing)
        if not frames:
            raise ValueError(f"explorer: simulate returned no frames. Received: setting={setting}")
        run = []
        for i, frame in enumerate(frames):
            url = visual_html.data_url(r.png(frame, i))
            run.append(where.setdefault(url, len(where)))
        runs["|".join(map(str, combo))] = run
    urls = sorted(where, key=where.get)
    _warn_small("explorer", r.min_text)
    key = "|".join(str(a["start"]) for a in args)
    text = visual_html.explorer_html(urls, runs, args, key, interval, width=r.width, min_text=r.min_text_px)
    return Shown(text, len(runs), len(urls), r.min_text, time.perf_counter() - t0)


def live(simulate, draw, controls=None, figsize=(6.0, 3.5), nrows=1, ncols=1, interval=200, dpi=DPI):
    """Widgets for a running kernel: Play/scrub the frames; controls re-run `simulate`.

    Args:
        simulate: `simulate(**values) -> frames`, called with the controls' current
            values at start and whenever a control changes.
        draw: as in `player`.
        controls: {argument name: ipywidget} (e.g. FloatLogSlider for a learning
            rate); use `continuous_update=False` on sliders whose simulate is slow.
    A control change shows the new run's last frame at once (or keeps playing);
    frames are drawn into a `widgets.Image`; every control gets a full label.
    Returns:
        An `ipywidgets.VBox`; end the cell with it. Tag that cell `remove-cell`.
    """
    from bricks.teaching import visual_live

    return visual_live.live(simulate, draw, controls, figsize=figsize, nrows=nrows, ncols=ncols,
                            interval=interval, dpi=dpi)
