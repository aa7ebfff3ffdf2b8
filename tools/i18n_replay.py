"""Sphinx extension: build a second language from the first build's executed notebooks.

The English build executes every notebook inline (cells and the prose's ``{eval}`` roles in one
kernel, in reading order). With ``nb_replay = "record"`` it also writes, per page,
``<nb_replay_dir>/<docname>.json``: every cell's outputs, the notebook metadata, and the
``{eval}`` results in the order they were asked for. The Chinese build runs with
``nb_replay = "replay"``: no kernel starts; the same outputs and the same numbers are read back.
A page whose code changed since the record is an error naming the page and the cell (the two
builds must show the same executed code), never a silent mix.

Translated paragraphs (Sphinx's gettext ``msgstr``) are parsed by Sphinx in a fresh document that
has no kernel, so an ``{eval}`` role inside a translation could not be evaluated there. This
extension evaluates it from the values the page's own (English) paragraph produced at the same
source line: the Chinese page shows the English page's number, character for character.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import nbformat
from myst_nb import sphinx_ as nb_sphinx
from myst_nb.core.execute import NotebookClientBase, create_client
from docutils import frontend as docutils_frontend
from docutils import nodes as docutils_nodes
from myst_nb.ext.eval import EvalRoleAny
from sphinx import addnodes
from sphinx.errors import ExtensionError
from sphinx.transforms import i18n

EVAL_ROLE = re.compile(r"\{eval\}`([^`]*)`")   # the role as it stands in a msgstr

_app = None                # the Sphinx application (set in setup; one per process)
_eval_text: dict = {}      # {(source path, line, expression): rendered text} for this process


def _docname(source: str) -> str:
    """'/abs/book/part1-bricks/01-neuron.md' -> 'book/part1-bricks/01-neuron'."""
    return _app.env.path2doc(str(source))


def _replay_path(source: str) -> Path:
    return Path(_app.confdir, _app.config.nb_replay_dir, _docname(source) + ".json")


def _code_sources(notebook) -> list[str]:
    return [cell.source for cell in notebook.cells if cell.cell_type == "code"]


class RecordingClient:
    """Wraps the inline client: executes as usual and writes what the page showed."""

    def __init__(self, client, source: str):
        self._client, self._source = client, source
        self._evals: list = []   # [[expression, outputs], ...] in the order the prose asked

    def __getattr__(self, name):
        return getattr(self._client, name)

    def __enter__(self):
        self._client.__enter__()
        return self

    def __exit__(self, *exc):
        result = self._client.__exit__(*exc)
        notebook = self._client.notebook
        record = {"code": _code_sources(notebook),
                  "outputs": [[cell.get("execution_count"), cell.get("outputs", [])]
                              for cell in notebook.cells if cell.cell_type == "code"],
                  "metadata": notebook.metadata,
                  "glue": self._client.glue_data,
                  "exec_metadata": self._client.exec_metadata,
                  "evals": self._evals}
        path = _replay_path(self._source)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(record), encoding="utf-8")
        tmp.replace(path)                                   # atomic: a half record never exists
        return result

    def eval_variable(self, name: str):
        outputs = self._client.eval_variable(name)
        self._evals.append([name, outputs])
        return outputs


class ReplayClient(NotebookClientBase):
    """Serves a recorded page: the cells' outputs and the prose's numbers, without a kernel."""

    def start_client(self):
        path = _replay_path(self.path)
        if not path.is_file():
            raise ExtensionError(f"nb_replay: no record {path} for {self.path}; "
                                 "build the English site first (make book does)")
        record = json.loads(path.read_text(encoding="utf-8"))
        code = _code_sources(self.notebook)
        if code != record["code"]:
            first = next((i for i, (a, b) in enumerate(zip(code, record["code"])) if a != b),
                         min(len(code), len(record["code"])))
            raise ExtensionError(f"nb_replay: {self.path}: code cell {first + 1} differs from the "
                                 f"recorded build ({len(code)} code cells now, "
                                 f"{len(record['code'])} recorded); rebuild the English site")
        outputs = iter(record["outputs"])
        for cell in self.notebook.cells:
            if cell.cell_type == "code":
                count, cell.outputs = next(outputs)
                cell.execution_count = count
                cell.outputs = [nbformat.from_dict(o) for o in cell.outputs]
        self.notebook.metadata = nbformat.from_dict(record["metadata"])
        self._glue_data.update({k: nbformat.from_dict(v) for k, v in record["glue"].items()})
        self.exec_metadata = record["exec_metadata"]
        self._evals = list(record["evals"])

    def eval_variable(self, name: str):
        if not self._evals:
            raise ExtensionError(f"nb_replay: {self.path}: {{eval}}`{name}` was not recorded")
        recorded, outputs = self._evals.pop(0)
        if recorded != name:
            raise ExtensionError(f"nb_replay: {self.path}: the prose asks {{eval}}`{name}` where "
                                 f"the recorded build asked {{eval}}`{recorded}`")
        return [nbformat.from_dict(o) for o in outputs]


def create_client_for_build(notebook, source, nb_config, logger, read_fmt=None):
    """myst-nb's create_client, recording or replaying as nb_replay says."""
    mode = _app.config.nb_replay
    if mode == "replay":
        return ReplayClient(notebook, Path(source), nb_config, logger)
    client = create_client(notebook, source, nb_config, logger, read_fmt)
    return RecordingClient(client, source) if mode == "record" else client


class RememberingEvalRole(EvalRoleAny):
    """The {eval} role, also remembering each rendered number by (source, line, expression).

    Its output is wrapped in <span class="nb-eval">, in both languages, so that a test can
    compare the numbers of the two editions of a page (tests/browser/test_site_zh.py).
    """

    def run(self):
        nodes, messages = super().run()
        text = "".join(node.astext() for node in nodes)
        _eval_text[(str(self.document["source"]), self.line, self.text)] = text
        return [docutils_nodes.inline("", "", *nodes, classes=["nb-eval"])], messages


def number_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    """{nb-number}`0.73`: a number an {eval} computed, put into a translated paragraph."""
    return [docutils_nodes.inline(rawtext, text, classes=["nb-eval"])], []


def _substitute_evals(source: str, source_path: str, source_line: int) -> str:
    """Replace each {eval}`expr` of a translated paragraph by the number its original showed."""
    path = source_path.split(":")[0]

    def number(match):
        expr = match.group(1)
        # The role's line lies within its paragraph, at or after the paragraph's first line: the
        # nearest recorded line from there is this paragraph's (an expression used in two
        # paragraphs may have two values; within one paragraph it has one).
        for line in range(source_line, source_line + 200):
            if (path, line, expr) in _eval_text:
                return "{nb-number}`%s`" % _eval_text[(path, line, expr)]
        raise ExtensionError(f"nb_replay: {path}:{source_line}: the translation uses "
                             f"{{eval}}`{expr}`, which its English paragraph does not")

    return EVAL_ROLE.sub(number, source)


_publish_msgstr = i18n.publish_msgstr


def publish_msgstr(app, source, source_path, source_line, config, settings):
    """Sphinx's publish_msgstr, with the paragraph's {eval} numbers already filled in."""
    return _publish_msgstr(app, _substitute_evals(source, source_path, source_line),
                           source_path, source_line, config, settings)


def translate_toc_captions(app, doctree):
    """The parts' captions in the sidebar, in the build's language.

    sphinx-external-toc inserts the toctrees (whose captions come from _toc.yml) after Sphinx's
    Locale transform has translated the page, so their captions stay English; their
    translations are messages of the root page's catalog, applied here.
    """
    if not app.config.language or app.config.language.startswith("en"):
        return
    captions = [node for node in doctree.findall(addnodes.toctree) if node.get("caption")]
    if not captions:
        return
    from babel.messages.pofile import read_po

    po = Path(app.confdir, app.config.locale_dirs[0], app.config.language, "LC_MESSAGES",
              app.config.root_doc + ".po")
    if not po.is_file():
        return
    with po.open("rb") as f:
        table = {m.id: m.string for m in read_po(f) if m.id and m.string and not m.fuzzy}
    for node in captions:
        node["caption"] = node["rawcaption"] = table.get(node["caption"], node["caption"])


_default_settings: dict = {}


def cached_default_settings(*components):
    """docutils' default settings, built once per parser (a copy each call).

    myst-parser builds a throwaway document, and with it docutils' whole option parser, for every
    paragraph it parses (``options.get("document", make_document())`` evaluates its default), and
    Sphinx parses every translated paragraph on its own: without this cache the option parser is
    most of the Chinese build's reading time.
    """
    if components not in _default_settings:
        _default_settings[components] = _get_default_settings(*components)
    return copy.copy(_default_settings[components])


_get_default_settings = docutils_frontend.get_default_settings


def setup(app):
    global _app
    _app = app
    app.add_config_value("nb_replay", "", "env")            # "", "record" or "replay"
    app.add_config_value("nb_replay_dir", "_build/replay", "env")
    nb_sphinx.create_client = create_client_for_build
    i18n.publish_msgstr = publish_msgstr
    docutils_frontend.get_default_settings = cached_default_settings
    app.connect("doctree-read", translate_toc_captions)
    app.add_role("eval", RememberingEvalRole(), override=True)
    app.add_role("nb-number", number_role)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
