"""Two fixes to how the website names its pages (a Sphinx extension, `sphinx.local_extensions`).

1. The notebook in the download menu. sphinx-book-theme lists a page's `.ipynb` in its ⬇ menu
   only when launch buttons (Binder, Colab) are configured, which an offline book never does.
   Every chapter page here is a notebook: `tools/postbuild.py` writes it to
   `_sources/<page>.ipynb` (tools/notebooks.py), and this names that file to the theme, so the
   menu offers `.ipynb` first, then the `.md` source and `.pdf`.

2. Sub-pages numbered as chapters of their own. A page listed under a chapter in _toc.yml
   (`02a-cross-entropy` under chapter 2) would be numbered as the chapter's next section,
   "2.12", after the chapter's own sections 2.1-2.11. It is numbered "2a" instead, the letter of
   its file name (or a, b, ... in _toc.yml order), and its sections "2a.1", "2a.2", ...; its
   figures are "2a.1", ... too. Chapter numbers do not move, so the prose's "chapter 3" stays true.
"""
import re

SUBPAGE = re.compile(r"(?:^|/)\d+([a-z]+)-[^/]*$")


def is_notebook_page(app, docname):
    """Is the document a MyST Markdown notebook (jupytext front matter)?"""
    path = app.env.doc2path(docname)
    if not str(path).endswith(".md"):
        return False
    with open(path, encoding="utf-8") as f:
        head = f.read(400)
    return head.startswith("---") and "jupytext:" in head


def offer_notebook(app, pagename, templatename, context, doctree):
    """html-page-context, before the theme builds its header buttons: name the page's .ipynb."""
    if doctree is not None and pagename in app.env.found_docs and is_notebook_page(app, pagename):
        context["ipynb_source"] = pagename + ".ipynb"


def subpage_numbers(env):
    """{docname: new first number} for every document numbered as a section of another document."""
    subpages = {}
    for docname, secnums in env.toc_secnumbers.items():
        top = secnums.get("")
        if top and len(top) == 2:
            subpages.setdefault(top[0], []).append((top[1], docname))
    new = {}
    for chapter, pages in subpages.items():
        for k, (_, docname) in enumerate(sorted(pages)):
            m = SUBPAGE.search(docname)
            new[docname] = (f"{chapter}{m.group(1) if m else chr(ord('a') + k)}", len(env.toc_secnumbers[docname][""]))
    return new


def renumber(env):
    """Give each sub-page its own number ("2a") in the section numbers, the toc and the title."""
    from docutils import nodes
    for docname, (label, depth) in subpage_numbers(env).items():
        secnums = env.toc_secnumbers[docname]
        for anchor, number in secnums.items():
            if number:
                secnums[anchor] = (label,) + tuple(number[depth:])
        for ref in env.tocs[docname].findall(nodes.reference):
            if ref.get("secnumber"):
                ref["secnumber"] = [label] + list(ref["secnumber"][depth:])
        title = env.titles.get(docname)
        if title is not None and title.get("secnumber"):
            title["secnumber"] = [label] + list(title["secnumber"][depth:])


def _wrap_numbering(app):
    """Renumber after every other numbering: sphinx_multitoc_numbering patches TocTreeCollector's
    method, and sphinx_external_toc's collector subclass renumbers again after it."""
    from sphinx.environment.collectors.toctree import TocTreeCollector
    try:
        from sphinx_external_toc.collectors import TocTreeCollectorWithStyles as collector
    except ImportError:
        collector = TocTreeCollector
    assign = collector.assign_section_numbers
    if getattr(assign, "_bricks_subpages", False):
        return

    def assign_section_numbers(self, env):
        changed = assign(self, env)
        renumber(env)
        return changed

    assign_section_numbers._bricks_subpages = True
    collector.assign_section_numbers = assign_section_numbers


def setup(app):
    app.connect("builder-inited", _wrap_numbering)
    app.connect("html-page-context", offer_notebook, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
