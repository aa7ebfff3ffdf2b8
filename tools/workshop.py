"""`make workshop`: a student set and an instructor set of the book's notebooks.

    python tools/workshop.py [--book book] [--out workshop]

workshop/instructor/  every chapter under book/ as .ipynb (solutions included).
workshop/student/     the same notebooks with the solutions taken out:
  - in Markdown cells, every sphinx-exercise solution block is removed: a fenced
    ```{solution} label ... ``` (or :::{solution}) block, and everything between
    ```{solution-start}``` and ```{solution-end}``` (cells in between included);
    the {exercise} blocks stay, so the student still sees every question;
  - a code cell tagged `solution` becomes the stub `# Your answer here`;
  - in a code cell tagged `your-turn`, the lines between `# BEGIN SOLUTION` and
    `# END SOLUTION` become, at the marker's indentation,
        # TODO: your code here (the check below says what differs)
        raise NotImplementedError("your turn: <first paragraph of the function's docstring>")
    so the cell's `bricks.teaching.checks.your_turn(...)` says "Not done yet" and hands the
    reference function to the cells below: the unsolved notebook runs top to bottom.
    The markers must sit inside a function body (a stub at the top level would stop the
    notebook); markers in a cell without the tag are stubbed too, and reported;
  - every output and execution count is cleared.
Data files next to the notebooks (CSV, ...) are copied into both sets, and so is the language
marker `bricks-language.txt` at the book's root (tools/i18n.py book writes it for the Chinese
chapters: the checker then speaks Chinese, and the stub's TODO comment is written in Chinese).
Prints the counts. The instructor notebooks are the ones `make test` runs through nbval;
`make test` also runs the student set (unsolved) through nbval.

    python tools/workshop.py --count      # "your turn" cells per chapter, nothing written
    python tools/workshop.py --leaks      # build, then list solution lines found in the student set

A solution line is a line of a `# BEGIN SOLUTION` block of a chapter or a line of a reference
in the instructor-side registry `bricks.teaching.exercises` (comments and lines shorter than
12 characters left out): none may appear in a student notebook (`leaks`).

This module is also a Sphinx extension (`sphinx.local_extensions` in _config.yml): on the
website, the two marker lines are hidden from the code cells (the solution stays shown).
"""
import argparse
import ast
import pathlib
import re
import shutil
import sys
import textwrap

import nbformat

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import notebooks as book_notebooks  # noqa: E402  (tools/notebooks.py: the chapters, MyST -> .ipynb)

STUB = "# Your answer here\n"
FENCE = re.compile(r"^\s*(`{3,}|:{3,})\s*\{(solution|solution-start|solution-end)\}")
SKIP_DIRS = {"_static", "_templates", ".ipynb_checkpoints", "_build"}
BEGIN = re.compile(r"^([ \t]*)# BEGIN SOLUTION[ \t]*$")
END = re.compile(r"^[ \t]*# END SOLUTION[ \t]*$")
TODO = "# TODO: your code here (the check below says what differs)"


def _docstring_line(source, lineno):
    """First paragraph of the docstring of the innermost function around line `lineno` (1-based),
    as one line (a sentence that wraps onto a second line is not cut).

    Returns (found_a_function, text); text is "" when that function has no docstring.
    """
    magic = re.compile(r"^\s*[%!]")  # IPython magics and shell lines: blank them for ast
    try:
        tree = ast.parse("\n".join("" if magic.match(ln) else ln for ln in source.splitlines()))
    except SyntaxError:
        tree = ast.parse("")
    best = None
    for node in ast.walk(tree):
        if (isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                and node.lineno < lineno <= node.end_lineno
                and (best is None or node.lineno > best.lineno)):
            best = node
    if best is None:
        return False, ""
    doc = ast.get_docstring(best) or ""
    first = doc.strip().split("\n\n")[0]
    return True, " ".join(line.strip() for line in first.splitlines()) or f"write the body of {best.name}"


def _raise_lines(indent, message, width=88):
    """`raise NotImplementedError("message")` at `indent`, wrapped to `width` characters."""
    quote = lambda t: '"' + t.replace("\\", "\\\\").replace('"', '\\"') + '"'  # noqa: E731
    line = f"{indent}raise NotImplementedError({quote(message)})"
    if len(line) <= width:
        return [line]
    inner = indent + "    "
    parts = textwrap.wrap(message, max(width - len(inner) - 3, 20), drop_whitespace=False)
    return [f"{indent}raise NotImplementedError("] + [inner + quote(p) for p in parts[:-1]] + \
        [inner + quote(parts[-1]) + ")"]


def stub_solutions(source, where="cell", todo=TODO):
    """Replace every `# BEGIN SOLUTION` ... `# END SOLUTION` block of `source` by a stub.

    `todo` is the comment line of the stub (TODO, or its Chinese in the Chinese edition).
    Returns (new_source, number_of_blocks). Raises ValueError naming `where` for a marker
    without its partner, nested markers, or markers outside a function body.
    """
    lines, out, n, i = source.splitlines(), [], 0, 0
    while i < len(lines):
        m = BEGIN.match(lines[i])
        if END.match(lines[i]):
            raise ValueError(f"{where}: '# END SOLUTION' at line {i + 1} without a '# BEGIN SOLUTION' before it")
        if not m:
            out.append(lines[i])
            i += 1
            continue
        j = i + 1
        while j < len(lines) and not END.match(lines[j]):
            if BEGIN.match(lines[j]):
                raise ValueError(f"{where}: nested '# BEGIN SOLUTION' at line {j + 1}")
            j += 1
        if j == len(lines):
            raise ValueError(f"{where}: '# BEGIN SOLUTION' at line {i + 1} has no '# END SOLUTION'")
        inside, text = _docstring_line(source, i + 1)
        if not inside:
            raise ValueError(f"{where}: the solution at line {i + 1} is not inside a function body: the "
                             "student's stub would stop the notebook (put it in a def checked by your_turn)")
        out += [m.group(1) + todo, *_raise_lines(m.group(1), f"your turn: {text}")]
        n, i = n + 1, j + 1
    return "\n".join(out) + ("\n" if source.endswith("\n") else ""), n


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


def student_version(nb, where="notebook", todo=TODO):
    """A copy of notebook `nb` with solutions removed and outputs cleared; returns (nb, counts).

    `where` names the notebook in error messages; `todo` is the stubs' comment line.
    """
    nb = nbformat.from_dict(nb)  # a deep copy
    cells, counts, state = [], {"blocks": 0, "code": 0, "your_turn": 0, "untagged": 0}, {"gated": False}
    for index, cell in enumerate(nb.cells):
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
        elif cell.cell_type == "code" and ("your-turn" in tags or "# BEGIN SOLUTION" in cell.source):
            cell.source, n = stub_solutions(cell.source, f"{where} cell {index}", todo)
            if "your-turn" not in tags:
                counts["untagged"] += 1
            elif n == 0:
                raise ValueError(f"{where} cell {index}: tagged your-turn but has no '# BEGIN SOLUTION'")
            counts["your_turn"] += "your-turn" in tags
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cells.append(cell)
    nb.cells = cells
    return nb, counts


def notebooks(book):
    """The chapters under `book`: MyST Markdown notebooks, and any plain .ipynb."""
    ipynb = [p for p in pathlib.Path(book).rglob("*.ipynb") if not SKIP_DIRS & set(p.relative_to(book).parts)]
    return sorted(ipynb + book_notebooks.chapters(book))


def read(path):
    return nbformat.read(path, as_version=4) if path.suffix == ".ipynb" else book_notebooks.read(path)


def language_of(book):
    """(marker path or None, the stubs' TODO line) of a book folder: Chinese under tools/i18n.py book's marker."""
    from bricks.teaching.language import MARKER, normalise

    marker = pathlib.Path(book) / MARKER
    if not marker.is_file():
        return None, TODO
    if normalise(marker.read_text(encoding="utf-8")) == "zh":
        from bricks.teaching.checks_zh import MESSAGES
        return marker, MESSAGES[TODO]
    return marker, TODO


def build(book="book", out="workshop", quiet=False):
    """Write out/student and out/instructor; return a dict of counts."""
    book, out = pathlib.Path(book), pathlib.Path(out)
    for sub in ("student", "instructor"):
        shutil.rmtree(out / sub, ignore_errors=True)
    marker, todo = language_of(book)
    totals = {"notebooks": 0, "student": 0, "instructor": 0, "blocks": 0, "code": 0, "data": 0,
              "your_turn": 0, "untagged": 0}
    for path in notebooks(book):
        rel = path.relative_to(book).with_suffix(".ipynb")
        book_notebooks.write_ipynb(read(path), out / "instructor" / rel)
        nb, counts = student_version(read(path), str(rel), todo)
        book_notebooks.write_ipynb(nb, out / "student" / rel)
        totals["notebooks"] += 1
        totals["student"] += 1
        totals["instructor"] += 1
        totals["blocks"] += counts["blocks"]
        for key in ("code", "your_turn", "untagged"):
            totals[key] += counts[key]
    # into both sets: nbval's reporting (seconds per notebook, as in make test) and the checker's language
    for root_file in [book / "conftest.py", marker]:
        if root_file is not None and root_file.is_file():
            for sub in ("student", "instructor"):
                (out / sub).mkdir(parents=True, exist_ok=True)
                shutil.copy2(root_file, out / sub / root_file.name)
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
        print(f"workshop: {totals['your_turn']} your-turn cells stubbed (raise NotImplementedError)")
        if totals["untagged"]:
            print(f"workshop: WARNING {totals['untagged']} cell(s) with solution markers lack the your-turn tag")
        print(f"workshop: {totals['instructor']} instructor notebooks in {out / 'instructor'} (unchanged originals)")
        if totals["data"]:
            print(f"workshop: {totals['data']} data file(s) copied into both sets")
        print(f"Students open theirs with `.venv/bin/jupyter lab {out / 'student'}`.")
    return totals


MIN_LINE = 12  # shorter lines ("return c", "N = len(Y)") are not an answer on their own


def _code_line(line):
    """`line` without its comment and surrounding blanks ("" for a comment or a docstring quote)."""
    text = line.split("  #")[0].split("\t#")[0].strip()
    return "" if text.startswith(("#", '"""', "'''")) else text


def solution_lines(book="book"):
    """{normalised solution line: origin}: the chapters' solution blocks and the registry's references."""
    import inspect
    lines = {}
    for path in notebooks(book):
        for cell in read(path).cells:
            for block in re.findall(r"# BEGIN SOLUTION[ \t]*\n(.*?)^[ \t]*# END SOLUTION", cell.source, re.M | re.S):
                for line in block.splitlines():
                    text = _code_line(line)
                    if len(text) >= MIN_LINE:
                        lines.setdefault(text, str(path))
    try:
        from bricks.teaching import exercises
    except ImportError:  # the library is not on the path: the chapters' blocks only
        return lines
    for ex in exercises.all_exercises():
        ref = ex.reference_for(**(ex.test_context() if ex.test_context else {}))
        try:
            source = inspect.getsource(ref)
        except (OSError, TypeError):
            continue
        body = source.splitlines()[1:] if source.lstrip().startswith("def ") else source.splitlines()
        for line in body:
            text = _code_line(line)
            if len(text) >= MIN_LINE and not text.startswith(("from ", "import ")):
                lines.setdefault(text, ex.id)
    return lines


def _expressions(line):
    """The expressions a line states: after `lambda ...:`, after `return`, after `name =`, the whole line."""
    out = {line}
    if "lambda" in line and ":" in line.split("lambda", 1)[1]:
        out.add(line.split("lambda", 1)[1].split(":", 1)[1])
    if line.startswith("return "):
        out.add(line[len("return "):])
    m = re.match(r"^[\w\s,\[\]\.]+?=(?!=)(.*)$", line)
    if m:
        out.add(m.group(1))
    return {e.strip().rstrip(",").strip() for e in out}


def canonical(expression):
    """`expression` with its variable names numbered by first use: `(d2 @ w2.T) * a1` -> `( v0 @ v1 . T ) * v2`.

    Attribute names (after a dot), keywords, builtins and `np` stay; returns "" when it does not tokenize,
    has fewer than 7 tokens or no arithmetic or comparison (too plain to be an answer: `np.zeros((N, H))`).
    """
    import builtins
    import io
    import keyword
    import tokenize
    try:
        skip = (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT)
        toks = [t for t in tokenize.generate_tokens(io.StringIO(expression).readline) if t.type not in skip]
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return ""
    names, out, prev = {}, [], None
    for t in toks:
        s = t.string
        if (t.type == tokenize.NAME and not keyword.iskeyword(s) and not hasattr(builtins, s)
                and s not in ("np", "math") and prev != "."):
            s = names.setdefault(s, f"v{len(names)}")
        out.append(s)
        prev = t.string
    ops = {"+", "-", "*", "/", "@", "**", ">", "<", ">=", "<="}
    if len(out) < 7 or not ops & set(out) or out[0] in ("for", "if", "while", "with", "elif"):
        return ""
    return " ".join(out)


def leaks(student_dir, lines):
    """[(notebook, student line, origin)] for every solution line or expression found in a student notebook.

    A line leaks when it equals a solution line, or when one of its expressions (after `return`,
    `name =` or `lambda ...:`) is a solution's expression up to the names of the variables, so
    `reference=lambda d2, w2, a1: (d2 @ w2.T) * a1 * (1 - a1)` counts as the solution line
    `return (delta2 @ W2.T) * h1 * (1 - h1)`.
    """
    shapes = {}
    for line, origin in lines.items():
        for expr in _expressions(line):
            key = canonical(expr)
            if key:
                shapes.setdefault(key, origin)
    found = []
    for path in sorted(pathlib.Path(student_dir).rglob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            for raw in cell.source.splitlines():
                text = _code_line(raw)
                if not text:
                    continue
                if text in lines and re.search(r"[-+*/@<>(]", text):  # not a bare lookup: `H = W.shape[0]`
                    found.append((str(path), text, lines[text]))
                    continue
                hit = next((shapes[k] for k in map(canonical, _expressions(text)) if k and k in shapes), None)
                if hit:
                    found.append((str(path), text, hit))
    return found


def your_turn_counts(book="book"):
    """{chapter path relative to `book`: number of code cells tagged your-turn}."""
    book = pathlib.Path(book)
    return {str(p.relative_to(book)): sum("your-turn" in c.get("metadata", {}).get("tags", [])
                                          for c in read(p).cells if c.cell_type == "code")
            for p in notebooks(book)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--book", default="book")
    parser.add_argument("--out", default="workshop")
    parser.add_argument("--count", action="store_true", help="print your-turn cells per chapter")
    parser.add_argument("--leaks", action="store_true", help="build, then list solution lines in the student set")
    args = parser.parse_args(argv)
    if args.leaks:
        build(args.book, args.out, quiet=True)
        found = leaks(pathlib.Path(args.out) / "student", solution_lines(args.book))
        for where, line, origin in found:
            print(f"{where}: {line}    ({origin})")
        print(f"{len(found)} solution line(s) in the student set")
        return 1 if found else 0
    if args.count:
        counts = your_turn_counts(args.book)
        for rel, n in counts.items():
            print(f"{n:3d}  {rel}{'  (fewer than two)' if n < 2 else ''}")
        print(f"{sum(counts.values()):3d}  your-turn cells in {len(counts)} notebooks")
        return 0
    totals = build(args.book, args.out)
    return 0 if totals["notebooks"] else 1


# --- Sphinx extension: hide the solution markers in the website's code cells -------------------

def _hide_markers(app, doctree):
    """Drop the `# BEGIN SOLUTION` / `# END SOLUTION` lines from notebook code cells."""
    from docutils import nodes
    for cell in doctree.findall(nodes.container):
        if cell.get("nb_element") != "cell_code_source":
            continue
        for block in cell.findall(nodes.literal_block):
            text = block.astext()
            kept = [ln for ln in text.split("\n") if not (BEGIN.match(ln) or END.match(ln))]
            if len(kept) != text.count("\n") + 1:
                block.rawsource = "\n".join(kept)
                block.children = [nodes.Text(block.rawsource)]


def setup(app):
    app.connect("doctree-read", _hide_markers)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":
    sys.exit(main())
