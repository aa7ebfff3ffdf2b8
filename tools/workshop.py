"""`make workshop`: a student set and an instructor set of the book's notebooks.

    python tools/workshop.py [--book book] [--out workshop]

workshop/instructor/  every chapter under book/ as .ipynb (solutions included).
workshop/student/     the same notebooks with the solutions taken out:
  - in Markdown cells, every sphinx-exercise solution block is removed: a fenced
    ```{solution} label ... ``` (or :::{solution}) block, and everything between
    ```{solution-start}``` and ```{solution-end}``` (cells in between included);
    the {exercise} blocks stay, so the student still sees every question;
  - a code cell tagged `solution` becomes the stub `# Your answer here`;
  - every output and execution count is cleared.
Data files next to the notebooks (CSV, ...) are copied into both sets.
Prints the counts. The instructor notebooks are the ones `make test` runs through nbval.
"""
import argparse
import pathlib
import re
import shutil
import sys

import nbformat

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import notebooks as book_notebooks  # noqa: E402  (tools/notebooks.py: the chapters, MyST -> .ipynb)

STUB = "# Your answer here\n"
FENCE = re.compile(r"^\s*(`{3,}|:{3,})\s*\{(solution|solution-start|solution-end)\}")
SKIP_DIRS = {"_static", "_templates", ".ipynb_checkpoints", "_build"}


def _closes(line, fence):
    """Does `line` close a block opened by `fence` (same character, at least as long, nothing else)?"""
    s = line.strip()
    return len(s) >= len(fence) and set(s) == {fence[0]}


def strip_markdown(text, state):
    """Remove solution blocks from Markdown `text`; `state["gated"]` carries solution-start across cells.

    Returns (new_text, number_of_blocks_removed).
    """
    out, removed, lines, i = [], 0, text.splitlines(keepends=True), 0
    while i < len(lines):
        line = lines[i]
        m = FENCE.match(line)
        kind = m.group(2) if m else None
        if state["gated"]:  # inside {solution-start} ... {solution-end}: drop everything
            if kind == "solution-end":
                state["gated"] = False
                i = _skip_block(lines, i, m.group(1))
            else:
                i += 1
            continue
        if kind == "solution":
            removed += 1
            i = _skip_block(lines, i, m.group(1))
        elif kind == "solution-start":
            removed += 1
            state["gated"] = True
            i = _skip_block(lines, i, m.group(1))
        else:
            out.append(line)
            i += 1
    return "".join(out), removed


def _skip_block(lines, i, fence):
    """Index of the line after the fenced block that opens at line i."""
    j = i + 1
    while j < len(lines) and not _closes(lines[j], fence):
        j += 1
    return j + 1


def student_version(nb):
    """A copy of notebook `nb` with solutions removed and outputs cleared; returns (nb, counts)."""
    nb = nbformat.from_dict(nb)  # a deep copy
    cells, counts, state = [], {"blocks": 0, "code": 0}, {"gated": False}
    for cell in nb.cells:
        tags = list(cell.get("metadata", {}).get("tags", []))
        if cell.cell_type == "markdown":
            was_gated = state["gated"]
            text, n = strip_markdown(cell.source, state)
            counts["blocks"] += n
            if was_gated and not text.strip():
                continue
            if n and not text.strip():
                continue  # the cell held only a solution
            cell.source = re.sub(r"\n{3,}", "\n\n", text).strip("\n")
        elif state["gated"]:
            counts["code"] += cell.cell_type == "code"
            continue  # a cell inside {solution-start} ... {solution-end}
        elif cell.cell_type == "code" and "solution" in tags:
            cell.source = STUB
            cell.metadata["tags"] = [t for t in tags if t != "solution"] + ["exercise-answer"]
            counts["code"] += 1
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cells.append(cell)
    nb.cells = cells
    return nb, counts


def notebooks(book):
    """The chapters under `book`: MyST Markdown notebooks, and any plain .ipynb."""
    ipynb = [p for p in pathlib.Path(book).rglob("*.ipynb") if not SKIP_DIRS & set(p.parts)]
    return sorted(ipynb + book_notebooks.chapters(book))


def read(path):
    return nbformat.read(path, as_version=4) if path.suffix == ".ipynb" else book_notebooks.read(path)


def build(book="book", out="workshop", quiet=False):
    """Write out/student and out/instructor; return a dict of counts."""
    book, out = pathlib.Path(book), pathlib.Path(out)
    for sub in ("student", "instructor"):
        shutil.rmtree(out / sub, ignore_errors=True)
    totals = {"notebooks": 0, "student": 0, "instructor": 0, "blocks": 0, "code": 0, "data": 0}
    for path in notebooks(book):
        rel = path.relative_to(book).with_suffix(".ipynb")
        book_notebooks.write_ipynb(read(path), out / "instructor" / rel)
        nb, counts = student_version(read(path))
        book_notebooks.write_ipynb(nb, out / "student" / rel)
        totals["notebooks"] += 1
        totals["student"] += 1
        totals["instructor"] += 1
        totals["blocks"] += counts["blocks"]
        totals["code"] += counts["code"]
    for path in sorted(book.rglob("*")):  # data files the notebooks read
        rel = path.relative_to(book)
        if (path.is_file() and path.suffix not in {".ipynb", ".md"} and not SKIP_DIRS & set(rel.parts)
                and (book / rel.parts[0]).is_dir() and len(rel.parts) > 1):
            for sub in ("student", "instructor"):
                (out / sub / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, out / sub / rel)
            totals["data"] += 1
    if not quiet:
        print(f"workshop: {totals['student']} student notebooks in {out / 'student'} "
              f"({totals['blocks']} solution blocks and {totals['code']} solution code cells removed, outputs cleared)")
        print(f"workshop: {totals['instructor']} instructor notebooks in {out / 'instructor'} (unchanged originals)")
        if totals["data"]:
            print(f"workshop: {totals['data']} data file(s) copied into both sets")
        print(f"Students open theirs with `.venv/bin/jupyter lab {out / 'student'}`.")
    return totals


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--book", default="book")
    parser.add_argument("--out", default="workshop")
    args = parser.parse_args(argv)
    totals = build(args.book, args.out)
    return 0 if totals["notebooks"] else 1


if __name__ == "__main__":
    sys.exit(main())
