"""The API pages (book/appendix/api-*.md): every module they document imports, and every
docstring, turned into reST by tools/sphinx_docstrings.py, parses without a warning.

A fast guard (seconds) for what `make book` (warnings are errors) would find in minutes.
"""
import importlib
import inspect
import io
import pathlib
import re
import sys

import pytest
from docutils.core import publish_doctree

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import sphinx_docstrings  # noqa: E402

PAGES = sorted((ROOT / "book" / "appendix").glob("api*.md"))
MODULES = sorted({m for p in PAGES for m in re.findall(r"\.\. automodule:: (\S+)", p.read_text(encoding="utf-8"))})


def _docstrings(module):
    """(qualified name, docstring) for the module, its public classes/functions and their members."""
    out = [(module.__name__, module.__doc__)]
    names = getattr(module, "__all__", None) or [n for n in vars(module) if not n.startswith("_")]
    for name in names:
        obj = getattr(module, name, None)
        if getattr(obj, "__module__", None) != module.__name__:
            continue
        out.append((f"{module.__name__}.{name}", obj.__doc__))
        if inspect.isclass(obj):
            for attr, member in vars(obj).items():
                if not attr.startswith("_"):
                    doc = getattr(member, "__doc__", None) if not isinstance(member, (staticmethod, classmethod)) \
                        else member.__func__.__doc__
                    if callable(member) or isinstance(member, (property, staticmethod, classmethod)):
                        out.append((f"{module.__name__}.{name}.{attr}", doc))
    return [(n, d) for n, d in out if d]


def test_api_pages_list_modules():
    assert PAGES and len(MODULES) >= 12, MODULES


@pytest.mark.parametrize("name", MODULES)
def test_docstrings_render_cleanly(name):
    from sphinx.util.docstrings import prepare_docstring

    module = importlib.import_module(name)
    problems = []
    for qualname, doc in _docstrings(module):
        rst = "\n".join(sphinx_docstrings.convert(prepare_docstring(doc)))
        rst = rst.replace(".. code-block::", ".. code::")  # plain docutils has `code`, not Sphinx's `code-block`
        stream = io.StringIO()
        publish_doctree(rst, settings_overrides={"warning_stream": stream, "report_level": 2,
                                                 "halt_level": 5, "syntax_highlight": "none"})
        if stream.getvalue():
            problems.append(f"{qualname}: {stream.getvalue().strip()}")
    assert not problems, "\n".join(problems)


def test_converter_escapes_prose_and_keeps_sections():
    doc = ["Dense layer: y = x * W + |b|, see `forward`.", "", "    dx = g * W^T", "", "Args:",
           "    units: size U.", "    use_bias: add b_.", "Input shape: (N, D).", "", "Example:",
           "    >>> Dense(3)"]
    rst = "\n".join(sphinx_docstrings.convert(doc))
    assert r"x \* W + \|b\|" in rst and "``forward``" in rst
    assert ".. code-block:: text" in rst and "dx = g * W^T" in rst  # the equation, verbatim
    assert "* ``units`` -- size U." in rst and ".. rubric:: Args" in rst
    assert "**Input shape:** (N, D)." in rst
    assert ".. code-block:: pycon" in rst and ">>> Dense(3)" in rst
