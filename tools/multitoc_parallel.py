"""Declare sphinx_multitoc_numbering safe for parallel reading.

jupyter-book loads sphinx_multitoc_numbering so that chapters are numbered
continuously across the parts of `_toc.yml` (Part III starts at chapter 9, not 1).
It only renumbers the toctree after every document is read, so it is safe with
`sphinx-build -j`, but it does not say so: Sphinx then falls back to a serial read
(one core executes all the notebooks) with a warning that `-W` turns into an
error. This extension marks it safe just before the documents are read.
"""


def _mark_safe(app, *args):
    ext = app.extensions.get("sphinx_multitoc_numbering")
    if ext is not None:
        ext.parallel_read_safe = ext.parallel_write_safe = True


def setup(app):
    app.connect("builder-inited", _mark_safe)
    app.connect("env-before-read-docs", _mark_safe)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
