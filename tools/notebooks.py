"""The book's chapters are MyST Markdown notebooks (jupytext); this turns them into .ipynb.

    python tools/notebooks.py export OUT [--book book] [--trace]   # every chapter as OUT/<path>.ipynb
    python tools/notebooks.py canonical [--check]    # chapters in the form JupyterLab saves them

`make test` exports into _build/notebooks and runs nbval there (nbval reads only .ipynb);
`tools/postbuild.py` puts each chapter's .ipynb beside its page source for the download
button; `tools/workshop.py` writes the student and instructor sets from the same notebooks.
With `--trace` (what `make notebooks` uses) each exported chapter that shows library code
gets two harness cells (tools/shown_code.py) that record which shown functions ran.
A chapter is a `.md` file under book/ whose front matter names jupytext; other Markdown
(glossary, workshop guide, API pages) is prose only.
"""
import argparse
import pathlib
import re
import shutil
import sys

import jupytext
import nbformat

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import shown_code

SKIP_DIRS = {"_static", "_templates", ".ipynb_checkpoints", "_build"}


def is_notebook(path):
    """Does the Markdown file at `path` start with jupytext front matter?"""
    head = pathlib.Path(path).read_text(encoding="utf-8")[:400]
    return head.startswith("---") and "jupytext:" in head


def chapters(book="book"):
    """Every notebook under `book`, sorted by path."""
    book = pathlib.Path(book)
    return sorted(p for p in book.rglob("*.md")
                  if not SKIP_DIRS & set(p.relative_to(book).parts) and is_notebook(p))


def read(path):
    """The chapter at `path` as an nbformat notebook (no outputs)."""
    return jupytext.read(path)


# What JupyterLab (jupytext 1.19.6 + a Python 3 kernel) writes when it saves a chapter. A chapter
# committed in exactly this form keeps its bytes when a reader opens, runs and saves it.
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
LANGUAGE_INFO = {"name": "python", "pygments_lexer": "ipython3"}  # gives ```{code-cell} ipython3
# cell metadata JupyterLab adds that must never reach the file: jupyterlab-myst's evaluated
# {eval} results, collapsed headings, execution timing
CELL_METADATA_FILTER = "-user_expressions,-jp-MarkdownHeadingCollapsed,-execution"


def canonical_text(text):
    """The chapter `text` as JupyterLab would save it after Run All (jupytext, myst format).

    jupytext drops one trailing blank line of a code cell per round trip, so this repeats the
    round trip until the text is a fixed point."""
    for _ in range(5):
        new = _canonical_once(text)
        if new == text:
            return new
        text = new
    raise ValueError("notebooks: a chapter's text did not settle in 5 jupytext round trips")


GLOSSARY = pathlib.Path(__file__).resolve().parents[1] / "book" / "appendix" / "glossary.md"
TERMS_MARK = "<!-- The terms this chapter links, from book/appendix/glossary.md"
TERM_ROLE = re.compile(r"\{term\}`([^`]*)`")


def glossary_entries(path=GLOSSARY):
    """{term in lower case: its whole glossary entry (synonym lines and definition)}."""
    text = pathlib.Path(path).read_text(encoding="utf-8")
    body = text.split("```{glossary}", 1)[1].split("\n```", 1)[0]
    entries = {}
    for block in re.split(r"\n\s*\n", body):
        lines = [line for line in block.strip("\n").splitlines() if not line.startswith(":")]
        if not lines:
            continue
        for term in (line for line in lines if not line.startswith(" ")):
            entries[term.strip().lower()] = "\n".join(lines)
    return entries


def terms_cell(nb, entries):
    """A Markdown cell defining every glossary term the chapter links ({term}), or None.

    It makes the chapter's {term} links resolve in JupyterLab (jupyterlab-myst looks for the term
    in the notebook itself; without it each link is a dead "#"), and gives a reader there the
    chapter's terms at its end. Tagged remove-cell: the site links to the book's glossary."""
    used = []
    for cell in nb.cells:
        if cell.cell_type == "markdown" and TERMS_MARK not in cell.source:
            for role in TERM_ROLE.findall(cell.source):
                term = (role.rsplit("<", 1)[1].rstrip(">") if role.endswith(">") else role).strip().lower()
                if term in entries and entries[term] not in used:
                    used.append(entries[term])
    if not used:
        return None
    source = (f"{TERMS_MARK} (tools/notebooks.py canonical writes it; the site leaves it out) -->\n"
              "## Terms in this chapter\n\n```{glossary}\n" + "\n\n".join(used) + "\n```")
    return nbformat.v4.new_markdown_cell(source, metadata={"tags": ["remove-cell"]})


def _canonical_once(text):
    nb = jupytext.reads(text, fmt="md:myst")
    nb.cells = [c for c in nb.cells if not (c.cell_type == "markdown" and TERMS_MARK in c.source)]
    terms = terms_cell(nb, glossary_entries())
    if terms is not None:
        nb.cells.append(terms)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = dict(LANGUAGE_INFO)
    nb.metadata.setdefault("jupytext", {})["cell_metadata_filter"] = CELL_METADATA_FILTER
    return jupytext.writes(nb, fmt="md:myst")


def jupyterlab_save(text):
    """What a JupyterLab session writes back for the chapter `text`: kernel metadata added, every
    code cell run (outputs, counts, timing), every {eval} evaluated into cell metadata."""
    nb = jupytext.reads(text, fmt="md:myst")
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {**LANGUAGE_INFO, "version": "3.11.7", "mimetype": "text/x-python",
                                    "codemirror_mode": {"name": "ipython", "version": 3}}
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.execution_count = 1
            cell.outputs = [nbformat.v4.new_output("stream", text="ran\n")]
            cell.metadata["execution"] = {"iopub.status.busy": "2026-12-05T00:00:00Z"}
        elif "{eval}" in cell.source:
            cell.metadata["user_expressions"] = [{"expression": "x", "result": {"status": "ok"}}]
        if cell.cell_type == "markdown" and cell.source.startswith("#"):
            cell.metadata["jp-MarkdownHeadingCollapsed"] = True
    return jupytext.writes(nb, fmt="md:myst")


def canonical(book="book", check=False):
    """Rewrite every chapter in canonical form (or, with `check`, list those that are not)."""
    changed = []
    for path in chapters(book):
        text = path.read_text(encoding="utf-8")
        new = canonical_text(text)
        if new != text:
            changed.append(path)
            if not check:
                path.write_text(new, encoding="utf-8")
    return changed


def write_ipynb(nb, path):
    """Write `nb` as a plain .ipynb (the jupytext pairing metadata dropped)."""
    nb = nbformat.from_dict(nb)
    nb.metadata.pop("jupytext", None)
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def with_tracer(nb, chapter, ipynb_path):
    """`nb` with the shown-code tracer cells first and last (if the chapter shows code)."""
    objects = shown_code.shown_objects(chapter)
    if not objects:
        return nb
    first, last = shown_code.tracer_cells(objects, pathlib.Path(ipynb_path).with_suffix(".shown.json"))
    tag = {"tags": ["remove-cell", "test-harness"]}
    nb.cells = ([nbformat.v4.new_code_cell(first, metadata=tag)] + nb.cells
                + [nbformat.v4.new_code_cell(last, metadata=tag)])
    return nb


def export(out, book="book", runnable_folder=True, trace=False):
    """Write every chapter as out/<path>.ipynb; return the chapters' paths.

    With `runnable_folder`, `out` is emptied first and receives the book's conftest.py and data
    files too (a folder nbval can run); without it, only the .ipynb files are added to `out`.
    """
    book, out = pathlib.Path(book), pathlib.Path(out)
    if runnable_folder:
        shutil.rmtree(out, ignore_errors=True)
    paths = chapters(book)
    for path in paths:
        target = (out / path.relative_to(book).with_suffix(".ipynb")).resolve()
        nb = read(path)
        write_ipynb(with_tracer(nb, path, target) if trace else nb, target)
    for extra in book.rglob("*"):  # conftest.py (seconds per notebook) and data files the chapters read
        rel = extra.relative_to(book)
        wanted = extra.is_file() and extra.suffix not in {".md", ".ipynb"} and not SKIP_DIRS & set(rel.parts)
        if runnable_folder and wanted:
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(extra, out / rel)
    return paths


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["export", "canonical"])
    parser.add_argument("out", nargs="?")
    parser.add_argument("--check", action="store_true", help="canonical: only list, change nothing")
    parser.add_argument("--book", default="book")
    parser.add_argument("--trace", action="store_true", help="record which shown library code runs")
    args = parser.parse_args(argv)
    if args.command == "canonical":
        changed = canonical(args.book, check=args.check)
        verb = "not in the form JupyterLab saves" if args.check else "rewritten in the form JupyterLab saves"
        print(f"notebooks: {len(changed)} chapters {verb}" + "".join(f"\n  {p}" for p in changed))
        return 1 if (args.check and changed) else 0
    if not args.out:
        parser.error("export needs OUT")
    paths = export(args.out, args.book, trace=args.trace)
    print(f"notebooks: {len(paths)} chapters written as .ipynb into {args.out}")
    return 0 if paths else 1


if __name__ == "__main__":
    sys.exit(main())
