"""Hide a chapter's plumbing from website readers; the notebook keeps and runs all of it.

    python tools/site_plumbing.py [--book book]     # per chapter: shown code lines, plumbing hidden

A chapter states its truth in `assert` lines and keeps the numbers its prose quotes with
`keep(...)`/`glue(...)` (bricks.teaching.prose). Both belong in the notebook, where nbval runs
them and a student can read them, but on the website they are noise between the code that
teaches and its output. This Sphinx extension (`sphinx.local_extensions` in _config.yml) edits
only what the site *shows*, after the notebook has run (so nothing is skipped at execution):

A top-level statement of a shown code cell is plumbing when it is
  - an `assert`, or a call of `np.testing.assert_*` (any function named `assert...`);
  - a call of `keep(...)`, `glue(...)` (the numbers for the prose);
  - a `for`/`if`/`with`/`while` whose whole body is plumbing (a loop of asserts); inside one
    that also does other work, its checks alone (never inside a `def`: that is shown code);
  - an assignment next to plumbing whose names only a keep/glue reads (a number computed for
    the prose alone; the prose shows its value).
Plumbing statements are dropped from the shown source, with the comment lines right above
them; a cell left with no code and no output disappears, one left with output shows only the
output (as `remove-input` would). A cell tagged `show-checks` is shown as written (for a
check the prose walks through). The code cell's outputs are never touched.
"""
import argparse
import ast
import pathlib
import re
import sys

MAGIC = re.compile(r"^\s*[%!]")
PLUMBING_CALLS = {"keep", "glue"}
KEEP_TAG = "show-checks"


def _parse(source):
    """The module AST of a cell (IPython magics and shell lines blanked), or None."""
    try:
        return ast.parse("\n".join("" if MAGIC.match(ln) else ln for ln in source.split("\n")))
    except SyntaxError:
        return None


def _call_name(node):
    f = node.func
    return f.id if isinstance(f, ast.Name) else getattr(f, "attr", "")


def is_check(stmt):
    """An assert, an assert_* call, a keep/glue call, or a block made only of these."""
    if isinstance(stmt, ast.Assert):
        return True
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        name = _call_name(stmt.value)
        return name in PLUMBING_CALLS or name.startswith("assert")
    if isinstance(stmt, (ast.For, ast.If, ast.With, ast.While)):
        body = stmt.body + getattr(stmt, "orelse", [])
        return all(is_check(s) for s in body)
    return False


def _targets(stmt):
    """Names an assignment binds (None if it is not a plain assignment to names)."""
    if isinstance(stmt, ast.Assign):
        targets = stmt.targets
    elif isinstance(stmt, (ast.AnnAssign, ast.AugAssign)) and stmt.value is not None:
        targets = [stmt.target]
    else:
        return None
    names = []
    for t in targets:
        for node in ast.walk(t):
            if isinstance(node, ast.Name):
                names.append(node.id)
            elif not isinstance(node, (ast.Tuple, ast.List, ast.Store, ast.Starred)):
                return None  # an attribute or item assignment changes an object: not plumbing
    return names


def _loads(node):
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _keeps(stmt):
    """Does the check `stmt` keep a number for the prose (a keep/glue call, or a block with one)?"""
    return any(isinstance(n, ast.Call) and _call_name(n) in PLUMBING_CALLS for n in ast.walk(stmt))


def real_loads(sources):
    """Names read by any statement that is not a check, over every code cell of a notebook."""
    names = set()
    for source in sources:
        tree = _parse(source)
        for stmt in (tree.body if tree else []):
            if not is_check(stmt):
                names |= _loads(stmt)
    return names


def plumbing_lines(source, read_elsewhere):
    """The 1-based line numbers of `source` that the site hides (statements and their comments).

    `read_elsewhere`: names that non-check code of the notebook reads (real_loads). An assignment
    next to plumbing whose names only a keep/glue of this cell reads (a number for the prose, not
    a value the reader needs) is plumbing too.
    """
    tree = _parse(source)
    if tree is None or not tree.body:
        return set()
    body = tree.body
    plumb = [is_check(s) for s in body]
    for_prose = set()
    for stmt, p in zip(body, plumb):
        if p and _keeps(stmt):
            for_prose |= _loads(stmt)
    changed = True
    while changed:  # assignments that only feed the prose's numbers, next to other plumbing
        changed = False
        for k, stmt in enumerate(body):
            if plumb[k]:
                continue
            names = _targets(stmt)
            if not names or not set(names) <= for_prose or set(names) & read_elsewhere:
                continue
            if (k > 0 and plumb[k - 1]) or (k + 1 < len(body) and plumb[k + 1]):
                plumb[k] = changed = True
                for_prose |= _loads(stmt)
    lines = source.split("\n")
    hidden = set()
    for k, stmt in enumerate(body):
        if not plumb[k]:
            hidden_stmts = list(_inner_checks(stmt))
        else:
            hidden_stmts = [stmt]
        for stmt in hidden_stmts:
            hidden |= _lines_with_comments(stmt, lines)
    return hidden


def _inner_checks(stmt):
    """The checks inside a loop, `if` or `with` that keeps other code (never inside a def)."""
    if not isinstance(stmt, (ast.For, ast.If, ast.With, ast.While)):
        return
    for body in (stmt.body, getattr(stmt, "orelse", [])):
        if all(is_check(inner) for inner in body):
            continue  # an empty block would not parse
        for inner in body:
            if is_check(inner):
                yield inner
            else:
                yield from _inner_checks(inner)


def _lines_with_comments(stmt, lines):
    hidden = set(range(stmt.lineno, stmt.end_lineno + 1))
    j = stmt.lineno - 1  # the comment lines directly above (no blank line between)
    while j >= 1 and lines[j - 1].strip().startswith("#"):
        hidden.add(j)
        j -= 1
    return hidden


def shown_source(source, read_elsewhere):
    """`source` without its plumbing; no blank lead, blank runs of at most two, no blank or comment tail."""
    hidden = plumbing_lines(source, read_elsewhere)
    if not hidden:
        return source
    kept = [ln for i, ln in enumerate(source.split("\n"), 1) if i not in hidden]
    out = []
    for ln in kept:
        if not ln.strip() and (not out or (not out[-1].strip() and not out[-2].strip())):
            continue  # no leading blank line, at most two blank lines in a row
        out.append(ln)
    while out and (not out[-1].strip() or out[-1].lstrip().startswith("#")):
        out.pop()
    return "\n".join(out)


def has_code(source):
    return any(ln.strip() and not ln.lstrip().startswith("#") for ln in source.split("\n"))


# --- Sphinx extension -----------------------------------------------------------------------------

def _notebook_sources(app, docname):
    """Every code cell's source of the document's notebook (hidden cells included), or None."""
    path = pathlib.Path(app.env.doc2path(docname))
    if path.suffix != ".md":
        return None
    text = path.read_text(encoding="utf-8")
    if "jupytext:" not in text[:400]:
        return None
    import jupytext
    return [c.source for c in jupytext.reads(text, fmt="md:myst").cells if c.cell_type == "code"]


def hide_plumbing(app, doctree):
    """doctree-read: drop plumbing from every shown code cell of a notebook page."""
    from docutils import nodes
    cells = [c for c in doctree.findall(nodes.container) if c.get("nb_element") == "cell_code"]
    if not cells:
        return
    sources = _notebook_sources(app, app.env.docname)
    if sources is None:
        return
    read = real_loads(sources)  # the prose reads a name too, but the prose shows its value
    for cell in cells:
        if KEEP_TAG in cell.get("cell_metadata", {}).get("tags", []):
            continue
        source_box = next((c for c in cell.children if isinstance(c, nodes.container)
                           and c.get("nb_element") == "cell_code_source"), None)
        if source_box is None:
            continue
        block = next(iter(source_box.findall(nodes.literal_block)), None)
        if block is None:
            continue
        text = block.astext()
        new = shown_source(text, read)
        if new == text:
            continue
        if has_code(new):
            block.rawsource = new
            block.children = [nodes.Text(new)]
        elif any(isinstance(c, nodes.container) and c.get("nb_element") == "cell_code_output"
                 for c in cell.children):
            cell.remove(source_box)
        else:
            cell.parent.remove(cell)


def setup(app):
    app.connect("doctree-read", hide_plumbing)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


# --- the count ------------------------------------------------------------------------------------

def count(book="book"):
    """{chapter: (shown code lines, of which hidden on the site, shown assert lines before, after)}."""
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
    import notebooks
    result = {}
    for path in notebooks.chapters(book):
        nb = notebooks.read(path)
        code = [c for c in nb.cells if c.cell_type == "code"]
        read = real_loads([c.source for c in code])
        lines = hidden = asserts_before = asserts_after = 0
        for c in code:
            tags = c.metadata.get("tags", [])
            if {"remove-cell", "remove-input", "remove_input", "remove_cell"} & set(tags):
                continue
            shown = [ln for ln in c.source.split("\n") if ln.strip() and not ln.lstrip().startswith("#")]
            after = shown_source(c.source, read) if KEEP_TAG not in tags else c.source
            kept = [ln for ln in after.split("\n") if ln.strip() and not ln.lstrip().startswith("#")]
            lines += len(shown)
            hidden += len(shown) - len(kept)
            asserts_before += sum(bool(re.match(r"\s*(assert\b|np\.testing\.assert)", ln)) for ln in shown)
            asserts_after += sum(bool(re.match(r"\s*(assert\b|np\.testing\.assert)", ln)) for ln in kept)
        result[str(path.relative_to(book))] = (lines, hidden, asserts_before, asserts_after)
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--book", default="book")
    args = parser.parse_args(argv)
    totals = [0, 0, 0, 0]
    print("shown code lines, hidden on the site, assert lines shown before -> after")
    for name, row in count(args.book).items():
        print(f"{row[0]:5d} {row[1]:5d}   {row[2]:4d} -> {row[3]:3d}   {name}")
        totals = [a + b for a, b in zip(totals, row)]
    print(f"{totals[0]:5d} {totals[1]:5d}   {totals[2]:4d} -> {totals[3]:3d}   all chapters")
    return 0


if __name__ == "__main__":
    sys.exit(main())
