"""The code the book shows is the code that runs: find it, and record whether it ran.

A chapter shows library code with a code cell (bricks/teaching/source.py; it renders on the site
and in JupyterLab, where a `literalinclude` rendered nothing)

    show_code("bricks.layers.core", "Dense.forward")

`shown_objects(chapter)` lists those (file, object) pairs; `resolve(file, name)` imports the
object; `tracer_cells(objects)` are two code cells that `tools/notebooks.py export --trace`
puts around a chapter for nbval: the first records, with a profile hook that looks only at
Python calls (and is removed once every shown function has run), which of the shown functions
are called while the chapter runs; the last writes
`<chapter>.shown.json`, {"Dense.forward": true, ...}. tests/book/test_book_code.py checks that
every shown object exists and, after `make notebooks`, that every one ran.
A shown class counts as run when any function defined in its body ran.
"""
import importlib
import inspect
import json
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]


SHOW_CODE = re.compile(r'^show_code\(\s*"([\w.]+)"\s*,\s*"([\w.]+)"\s*\)', re.M)


def module_file(module):
    """'bricks.layers.core' -> 'lib/bricks/layers/core.py' (or the package's __init__.py)."""
    base = ROOT / "lib" / pathlib.PurePosixPath(*module.split("."))
    path = base.with_suffix(".py") if base.with_suffix(".py").exists() else base / "__init__.py"
    return str(path.relative_to(ROOT))


def shown_objects(chapter):
    """[(library file relative to the repository, object name)] of every show_code call."""
    text = pathlib.Path(chapter).read_text(encoding="utf-8")
    return [(module_file(m.group(1)), m.group(2)) for m in SHOW_CODE.finditer(text)]


def module_name(path):
    """'lib/bricks/layers/core.py' -> 'bricks.layers.core'."""
    parts = pathlib.PurePosixPath(path).with_suffix("").parts
    if parts[0] != "lib":
        raise ValueError(f"shown code must live under lib/. Received: {path}")
    return ".".join(p for p in parts[1:] if p != "__init__")


def resolve(path, name):
    """The object `name` ('Dense.forward') of the module at `path`; AttributeError if absent."""
    obj = importlib.import_module(module_name(path))
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj


def code_objects(obj):
    """The code objects whose call means `obj` ran: a function's own, or a class body's functions."""
    if inspect.isclass(obj):
        funcs = [v for v in vars(obj).values() if inspect.isfunction(v)]
        funcs += [v.fget for v in vars(obj).values() if isinstance(v, property) and v.fget]
        funcs += [v.__func__ for v in vars(obj).values() if isinstance(v, (classmethod, staticmethod))]
        return [f.__code__ for f in funcs]
    return [inspect.unwrap(obj).__code__]


TRACE_START = '''# Test harness (not in the book): which shown library functions run in this chapter.
import sys as _sys
_sys.path.insert(0, {tools!r})
import shown_code as _shown
_SHOWN = {objects!r}
_TARGETS = {{c: name for path, name in _SHOWN for c in _shown.code_objects(_shown.resolve(path, name))}}
_RAN = set()
_WANTED = set(_TARGETS.values())
def _profile(frame, event, arg):
    if event == "call" and frame.f_code in _TARGETS:
        _RAN.add(_TARGETS[frame.f_code])
        if _RAN >= _WANTED:  # everything shown has run: stop paying for the hook
            _sys.setprofile(None)
_sys.setprofile(_profile)
'''

TRACE_END = '''# Test harness (not in the book): write which shown functions ran.
_sys.setprofile(None)
import json as _json
with open({out!r}, "w") as _f:
    _json.dump({{name: name in _RAN for _, name in _SHOWN}}, _f, indent=1)
'''


def tracer_cells(objects, out_json):
    """(first, last) code sources that record which of `objects` run, into `out_json`."""
    start = TRACE_START.format(tools=str(ROOT / "tools"), objects=list(objects))
    return start, TRACE_END.format(out=str(out_json))


def read_results(folder):
    """{chapter json path: {name: ran}} from a folder `export --trace` wrote and nbval ran."""
    return {str(p): json.loads(p.read_text()) for p in sorted(pathlib.Path(folder).rglob("*.shown.json"))}
