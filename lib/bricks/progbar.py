"""ProgbarLogger: the one line of progress `fit(verbose=1 or 2)` prints (Keras's name and output).

In a terminal the line is redrawn with a carriage return; in a Jupyter kernel it is one text
display updated in place (IPython's display_id), so a saved notebook keeps only the last line.
"""
import sys

from bricks.callbacks import Callback


class ProgbarLogger(Callback):
    """Plain-text progress: verbose=1 rewrites one line in place, verbose=2 prints a line an epoch.

    No widgets. In a terminal the line is redrawn with a carriage return; in a Jupyter
    kernel it is one text display updated in place (IPython's display_id), so the saved
    notebook and the static site keep just the final line. With many epochs, verbose=1
    redraws about 50 times (every epoch up to 50 epochs).
    """

    def __init__(self, verbose=1, stream=None):
        super().__init__()
        self.verbose, self.stream = verbose, stream
        self._width, self._handle, self._pending = 0, None, None

    def _write(self, text, flush=True):
        stream = self.stream or sys.stdout
        stream.write(text)
        if flush:
            stream.flush()

    def on_train_begin(self, logs=None):
        self._width, self._handle, self._pending = 0, None, None

    def on_epoch_end(self, epoch, logs=None):
        epochs = self.params.get("epochs", epoch + 1)
        line = f"Epoch {epoch + 1}/{epochs}" + "".join(f" - {k}: {_fmt(v)}" for k, v in (logs or {}).items())
        if self.verbose == 2:
            self._write(line + "\n", flush=False)
            return
        every = max(1, epochs // 50)
        if epoch == 0 or (epoch + 1) % every == 0 or epoch + 1 == epochs:
            self._show(line)
        else:
            self._pending = line  # shown at the end if training stops before the next redraw

    def _show(self, line):
        self._pending = None
        display = None if self.stream is not None else _kernel_display()
        if display is not None:  # a notebook: one output, updated in place
            text = _PlainText(line)
            if self._handle is None:
                self._handle = display(text, display_id=True)
            else:
                self._handle.update(text)
            return
        self._write("\r" + line.ljust(self._width))
        self._width = len(line)

    def on_train_end(self, logs=None):
        if self.verbose == 1 and self._pending:
            self._show(self._pending)
        if self.verbose == 1 and self._width:
            self._write("\n")
        self._width, self._handle, self._pending = 0, None, None


class _PlainText:
    """A text/plain display object (what IPython shows for it is exactly the line)."""

    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return self.text


def _kernel_display():
    """IPython's `display` when running inside a Jupyter kernel, else None."""
    ipython = sys.modules.get("IPython")
    if ipython is None or "ipykernel" not in sys.modules:
        return None
    shell = ipython.get_ipython()
    if shell is None or not hasattr(shell, "kernel"):
        return None
    from IPython.display import display
    return display


def _fmt(v):
    return f"{v:.4f}" if isinstance(v, float) and 1e-3 <= abs(v) < 1e4 else f"{v:.4g}"
