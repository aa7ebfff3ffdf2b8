"""What the site shows of each chapter's code (tools/cell_report.py): a report for the authors.

Lines over 88 characters (the column cuts them), cells of asserts only and plotting-helper cells
not tagged `remove-input`. The test prints the table and fails when the counts exceed a ratchet
(today's); it becomes `cell_report.offences == 0` once the chapters comply.
"""
import importlib.util
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
spec = importlib.util.spec_from_file_location("cell_report", ROOT / "tools" / "cell_report.py")
cell_report = importlib.util.module_from_spec(spec)
spec.loader.exec_module(cell_report)


def test_classify_finds_long_lines_asserts_and_plot_helpers():
    long, assert_only, helper, asserts = cell_report.classify("x = 1\n" + "y = " + "1 + " * 30 + "1\n")
    assert long == [2] and not assert_only and not helper and asserts == 0
    assert cell_report.classify("assert x == 1\nassert (y >\n        2)\n")[1:] == (True, False, 2)
    src = "def draw(ax, f, i):\n    ax.plot(f)\n\n\nCOLORS = ['r']\n"
    assert cell_report.classify(src)[1:3] == (False, True)
    assert cell_report.classify("def f(x):\n    return x\n")[2] is False
    assert cell_report.classify("%matplotlib inline\nassert True\n")[1] is True


# A ratchet: the counts when it was set (2026-12-05, 23:20 UTC, 27 chapters, after four new
# chapters and 16 whole-piece exercises landed). Lower them as chapters comply; a change that adds
# an offence fails here (python tools/cell_report.py --lines says where). The assert lines are
# counted in the notebooks; the site hides them (tools/site_plumbing.py: 2 shown there).
MAX_OFFENCES, MAX_ASSERT_LINES_SHOWN = 192, 239


def test_report_every_chapter(capsys):
    rows = cell_report.report(ROOT / "book")
    assert rows and all(e["cells"] > 0 for e in rows.values())
    total = sum(cell_report.offences(e) for e in rows.values())
    shown = sum(e["assert_lines_shown"] for e in rows.values())
    with capsys.disabled():
        print(f"\ncells: {total} offences (lines > 88, untagged assert-only or plot-helper cells) in "
              f"{sum(cell_report.offences(e) > 0 for e in rows.values())} of {len(rows)} chapters; "
              f"{shown} assert lines still shown (python tools/cell_report.py --lines says where)")
    assert total <= MAX_OFFENCES, f"{total} cell offences, more than the {MAX_OFFENCES} allowed"
    assert shown <= MAX_ASSERT_LINES_SHOWN, f"{shown} assert lines shown, more than {MAX_ASSERT_LINES_SHOWN}"
