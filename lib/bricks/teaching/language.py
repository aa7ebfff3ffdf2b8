"""Which language the teaching helpers speak: English, or Chinese in the Chinese edition.

The Chinese notebooks (`make lab-zh`, `make workshop` -> workshop/zh/student, workshop/zh/instructor)
have the English code cells byte for byte, so no cell can say "speak Chinese". Instead
`tools/i18n.py book OUT` writes a marker file, `bricks-language.txt` holding `zh`, at the root of
OUT (and `tools/workshop.py` copies it into the sets it makes). JupyterLab starts a notebook's
kernel in the notebook's folder, so the helpers look for the marker in the working directory and
its parents:

    >>> language() in ("en", "zh")
    True

The environment variable `BRICKS_LANGUAGE` (`zh` or `en`) overrides the marker. Without either,
the helpers speak English.
"""
import functools
import os
import pathlib

__all__ = ["MARKER", "ENV", "language", "find_marker", "normalise"]

MARKER = "bricks-language.txt"
ENV = "BRICKS_LANGUAGE"


def normalise(text):
    """'zh' for zh, zh_CN, zh-Hans, 中文 ...; 'en' for anything else."""
    text = (text or "").strip().lower()
    return "zh" if text.startswith("zh") or text.startswith("中文") else "en"


def find_marker(start=None):
    """The nearest `bricks-language.txt` in `start` (default: the working directory) or a parent, or None."""
    here = pathlib.Path(start if start is not None else os.getcwd()).resolve()
    for folder in (here, *here.parents):
        path = folder / MARKER
        if path.is_file():
            return path
    return None


@functools.lru_cache(maxsize=8)
def _from_marker(cwd):
    path = find_marker(cwd)
    if path is None:
        return "en"
    try:
        return normalise(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return "en"


def language():
    """'zh' or 'en': `BRICKS_LANGUAGE` when set, else the marker's (looked up once per working directory)."""
    forced = os.environ.get(ENV, "").strip()
    if forced:
        return normalise(forced)
    try:
        cwd = os.getcwd()
    except OSError:  # the working directory was removed
        return "en"
    return _from_marker(cwd)
