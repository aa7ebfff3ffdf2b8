"""What a web reader sees of each chapter's code: long lines and cells that should be hidden.

    python tools/cell_report.py          # a table per chapter, the offending cells listed
    python tools/cell_report.py --lines  # also where each long line is (code cell:line)
    python tools/cell_report.py --strict # exit 1 if any chapter has an offence

Three offences, each in a code cell the site shows (no `remove-input`, `remove-cell` or
`hide-input` tag):
- a line longer than 88 characters (the page column cuts it; format it);
- a cell of asserts only (every statement an `assert`): the check belongs in the notebook,
  nbval still runs it, but the reader needs the printed number, not the test; tag it
  `remove-input`;
- a plotting-helper cell: it only defines functions (and constants) and those functions
  draw (they call `ax.`, `plt.`, `fig.` or `axes.`): tag it `remove-input` too.
Also counted (no offence): `assert` lines still shown in mixed cells.
"""
import ast
import pathlib
import re
import sys

import notebooks

MAX_LINE = 88
HIDDEN = {"remove-input", "remove-cell", "hide-input"}
DRAWS = re.compile(r"\b(ax|axes|plt|fig|top|bottom|left|right)\b\s*(\[[^\]]*\])?\s*\.")


def _statements(source):
    """Top-level statements of a cell (IPython magics and shell lines blanked), or None."""
    lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()]
    try:
        return ast.parse("\n".join(lines)).body
    except SyntaxError:
        return None


def classify(source):
    """(long line numbers, assert-only?, plotting helper?, assert lines) of one code cell."""
    long = [k + 1 for k, line in enumerate(source.splitlines()) if len(line) > MAX_LINE]
    body = _statements(source)
    if not body:
        return long, False, False, 0
    asserts = sum(isinstance(s, ast.Assert) for s in body)
    assert_only = asserts == len(body)
    defs = [s for s in body if isinstance(s, (ast.FunctionDef, ast.ClassDef))]
    rest_ok = all(isinstance(s, (ast.FunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom, ast.Assign))
                  for s in body)
    helper = bool(defs) and rest_ok and all(DRAWS.search(ast.get_source_segment(source, d) or "") for d in defs)
    return long, assert_only, helper, asserts


def report(book="book"):
    """{chapter: {"cells", "long": [(cell, line, length)], "assert_only": [cell], "helpers": [cell],
    "assert_lines_shown"}} for every chapter under `book`; cells numbered from 1 among code cells."""
    out = {}
    for path in notebooks.chapters(book):
        nb, entry = notebooks.read(path), {"cells": 0, "long": [], "assert_only": [], "helpers": [],
                                           "assert_lines_shown": 0}
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            entry["cells"] += 1
            if HIDDEN & set(cell.metadata.get("tags", [])):
                continue
            long, assert_only, helper, asserts = classify(cell.source)
            lines = cell.source.splitlines()
            entry["long"] += [(entry["cells"], n, len(lines[n - 1])) for n in long]
            if assert_only:
                entry["assert_only"].append(entry["cells"])
            elif helper:
                entry["helpers"].append(entry["cells"])
            else:
                entry["assert_lines_shown"] += asserts
        out[str(pathlib.Path(path).relative_to(book))] = entry
    return out


def offences(entry):
    return len(entry["long"]) + len(entry["assert_only"]) + len(entry["helpers"])


def main(argv):
    book = pathlib.Path(__file__).resolve().parents[1] / "book"
    rows = report(book)
    print(f"{'chapter':44s} {'cells':>5s} {'>88':>4s} {'assert-only':>11s} {'helpers':>7s} {'asserts shown':>13s}")
    for name, e in rows.items():
        print(f"{name:44s} {e['cells']:5d} {len(e['long']):4d} {len(e['assert_only']):11d} "
              f"{len(e['helpers']):7d} {e['assert_lines_shown']:13d}")
        if e["long"] and "--lines" in argv:
            print("    lines over 88 characters (code cell:line): "
                  + ", ".join(f"{cell}:{line}" for cell, line, _ in e["long"]))
        if e["assert_only"]:
            print(f"    assert-only code cells to tag remove-input: {e['assert_only']}")
        if e["helpers"]:
            print(f"    plotting-helper code cells to tag remove-input: {e['helpers']}")
    total = sum(offences(e) for e in rows.values())
    print(f"cell_report: {total} offences in {sum(offences(e) > 0 for e in rows.values())} of {len(rows)} chapters")
    return 1 if "--strict" in argv and total else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
