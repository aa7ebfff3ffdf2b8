"""Live widgets for `bricks.teaching.visual` (a running kernel only; see `visual.live`).

Frames are drawn into a `widgets.Image` (PNG bytes), never through an Output widget:
an Output that is cleared and refilled while Play runs loses frames to JupyterLab's
Log Console when a control changes mid-play. A control change re-runs `simulate`
and shows the new run's last frame at once (or, while playing, the same frame
number of the new run, and Play goes on), so the picture always depends on the
control just moved. Every control gets a full label (description_width "initial").
"""
import time

__all__ = ["live", "explorer_widgets", "View"]


def _readable(name, w):
    """Give a control its full label: its description (or the argument name), never cut."""
    if hasattr(w, "description") and not w.description:
        w.description = name.replace("_", " ")
    style = getattr(w, "style", None)
    if style is not None and hasattr(style, "description_width"):
        style.description_width = "initial"
    return w


class View:
    """An Image with Play and a frame slider, showing one list of frames at a time."""

    def __init__(self, draw, figsize, nrows, ncols, interval, dpi):
        import ipywidgets as widgets

        from bricks.teaching import visual

        self.renderer = visual.Renderer(draw, figsize, nrows, ncols, dpi)
        self.frames, self.latency = [], None
        self.image = widgets.Image(format="png", width=str(self.renderer.width))
        self.image.layout.max_width = "100%"
        self.image.layout.height = "auto"
        self.play = widgets.Play(value=0, min=0, max=0, interval=interval, description="play")
        self.scrub = widgets.IntSlider(value=0, min=0, max=0, description="frame",
                                       style={"description_width": "initial"})
        widgets.jslink((self.play, "value"), (self.scrub, "value"))
        self.scrub.observe(lambda change: self.show(change["new"]), names="value")
        self.box = widgets.HBox([self.play, self.scrub])

    def show(self, i):
        if not self.frames:
            return
        i = max(0, min(len(self.frames) - 1, int(i)))
        self.image.value = self.renderer.png(self.frames[i], i)

    def set_frames(self, frames):
        """Switch to new frames: keep the frame number while playing, else show the last frame."""
        t0 = time.perf_counter()
        self.frames = list(frames)
        last = len(self.frames) - 1
        playing = bool(getattr(self.play, "playing", False))
        target = min(self.scrub.value, last) if playing else last
        self.play.max = self.scrub.max = max(last, 0)
        if self.scrub.value != target:
            self.scrub.value = target  # the observer draws it
        else:
            self.show(target)
        self.latency = time.perf_counter() - t0


def live(simulate, draw, controls=None, figsize=(6.0, 3.5), nrows=1, ncols=1, interval=200, dpi=None):
    """See `bricks.teaching.visual.live`."""
    import ipywidgets as widgets

    from bricks.teaching import visual

    controls = {name: _readable(name, w) for name, w in dict(controls or {}).items()}
    view = View(draw, figsize, nrows, ncols, interval, dpi or visual.DPI)
    status = widgets.Label(value="")

    def values():
        return {k: w.value for k, w in controls.items()}

    def on_control(_change):
        t0 = time.perf_counter()
        status.value = "running..."
        view.set_frames(simulate(**values()))
        status.value = f"{len(view.frames)} frames in {time.perf_counter() - t0:.1f} s"

    for w in controls.values():
        w.observe(on_control, names="value")
    view.frames = list(simulate(**values()))
    view.play.max = view.scrub.max = max(len(view.frames) - 1, 0)
    view.show(0)
    box = widgets.VBox([*controls.values(), view.box, view.image, status])
    box.view = view  # for tests: the Image and the latency of the last change
    return box


def explorer_widgets(simulate, draw, args, figsize=(6.0, 3.5), nrows=1, ncols=1, interval=200, dpi=None,
                     max_frames=12, spacing="even"):
    """The grid of `visual.explorer` as widgets: a slider or dropdown per argument; runs cached."""
    import ipywidgets as widgets

    from bricks.teaching import visual

    controls = {}
    for a in args:
        options = list(zip(a["values"], a["grid"]))
        kind = widgets.SelectionSlider if a["numeric"] and len(options) > 2 else widgets.Dropdown
        extra = {"continuous_update": False} if kind is widgets.SelectionSlider else {}
        controls[a["name"]] = kind(options=options, value=a["grid"][a["start"]], description=a["label"],
                                   **extra)
    cache = {}

    def cached(**setting):
        key = tuple(repr(setting[a["name"]]) for a in args)
        if key not in cache:
            cache[key] = visual.thin(simulate(**setting), max_frames, spacing)
        return cache[key]

    return live(cached, draw, controls, figsize=figsize, nrows=nrows, ncols=ncols, interval=interval, dpi=dpi)
