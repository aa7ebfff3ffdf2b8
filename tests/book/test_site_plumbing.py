"""tools/site_plumbing.py: what the website hides from a code cell, and what it must keep."""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "tools"))
import site_plumbing as sp  # noqa: E402


def test_asserts_and_keeps_go_the_code_and_its_output_stay():
    cell = ("y = f(x)                 # (N, 1)\n"
            "print(y.shape)\n"
            "assert y.shape == (4, 1)\n"
            "# the numbers the text quotes\n"
            "keep(n=len(y))\n"
            "glue(\"m\", float(y.mean()), display=False)\n")
    assert sp.shown_source(cell, sp.real_loads([cell])) == "y = f(x)                 # (N, 1)\nprint(y.shape)"


def test_a_loop_of_asserts_and_a_prose_only_value_go_a_used_value_stays():
    cell = ("err = check(a)\n"
            "ratio = err / 2\n"           # feeds only keep(): hidden
            "keep(ratio=ratio)\n"
            "for e in errs:\n"
            "    assert e < 1e-7, e\n"
            "np.testing.assert_allclose(a, b)\n"
            "print(err)\n")
    shown = sp.shown_source(cell, sp.real_loads([cell]))
    assert shown == "err = check(a)\nprint(err)"


def test_a_value_read_by_real_code_elsewhere_stays():
    cell = "best = min(errs)\nkeep(best=best)\n"
    later = "print(best)\n"
    assert sp.shown_source(cell, sp.real_loads([cell, later])) == "best = min(errs)"


def test_code_between_checks_keeps_its_blank_lines_and_functions():
    cell = "def f(x):\n    assert x > 0\n    return x\n\n\ndef g(x):\n    return f(x)\n\n\nassert g(1) == 1\n"
    assert sp.shown_source(cell, set()) == "def f(x):\n    assert x > 0\n    return x\n\n\ndef g(x):\n    return f(x)"


def test_an_attribute_assignment_or_a_magic_is_never_plumbing():
    cell = "%matplotlib inline\nmodel.lr = 0.1\nkeep(lr=model.lr)\n"
    assert sp.shown_source(cell, set()) == "%matplotlib inline\nmodel.lr = 0.1"


def test_a_cell_of_checks_only_has_no_code_left():
    cell = "# truth\nassert a == 1\nkeep(a=a)\n"
    assert not sp.has_code(sp.shown_source(cell, set()))


def test_every_chapter_parses_and_loses_its_asserts_on_the_site():
    book = pathlib.Path(__file__).resolve().parents[2] / "book"
    rows = sp.count(book)
    assert rows, "no chapter found"
    shown_before = sum(r[2] for r in rows.values())
    shown_after = sum(r[3] for r in rows.values())
    assert shown_after <= 0.1 * shown_before, (shown_before, shown_after)


def test_checks_inside_a_loop_go_the_loop_stays_a_def_is_untouched():
    cell = ("for k in ks:\n    y = f(k)\n    # shapes\n    assert y.shape == (2,)\n    print(y)\n"
            "if ok:\n    assert a\nelse:\n    print(b)\n")
    assert sp.shown_source(cell, set()) == ("for k in ks:\n    y = f(k)\n    print(y)\n"
                                            "if ok:\n    assert a\nelse:\n    print(b)")
