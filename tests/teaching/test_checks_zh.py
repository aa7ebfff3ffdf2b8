"""The your-turn checker in Chinese (bricks.teaching.checks_zh, bricks.teaching.language).

The Chinese notebooks keep the English code cells byte for byte, so the language comes from a
marker file, bricks-language.txt, that tools/i18n.py book writes at the root of the Chinese book
(and tools/workshop.py copies into the sets), found from the kernel's working directory or a
parent; BRICKS_LANGUAGE=zh|en overrides it. Every message template of checks.py, every slip's
name (`Mistake.why`) and every argument set's note has a Chinese entry, so a new slip fails here
until it is translated.
"""
import ast
import re
import string
import sys
from pathlib import Path

import numpy as np
import pytest

from bricks.teaching import checks, checks_zh, exercises, language

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))  # tools/workshop.py, tools/i18n.py
EXERCISES = exercises.all_exercises()


def _context(ex):
    return ex.test_context() if ex.test_context else {}


def _templates():
    """The English templates of checks.py: the string constants handed to `_t`."""
    tree = ast.parse((ROOT / "lib/bricks/teaching/checks.py").read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "_t" and node.args
                and isinstance(node.args[0], ast.Constant) and node.args[0].value not in found):
            found.append(node.args[0].value)
    return found


def _whys():
    return list(dict.fromkeys(m.why for ex in EXERCISES for m in [*ex.mistakes, *ex.accept]))


def _notes():
    return list(dict.fromkeys(c.note for ex in EXERCISES for c in ex.cases_for(**_context(ex)) if c.note))


def _fields(template):
    """The placeholders of a format string with their format specs, e.g. {('worst', '.2g'), ...}."""
    return sorted((name, spec) for _, name, spec, _ in string.Formatter().parse(template) if name is not None)


@pytest.fixture
def zh(monkeypatch):
    monkeypatch.setenv(language.ENV, "zh")


@pytest.fixture
def en(monkeypatch):
    monkeypatch.setenv(language.ENV, "en")


# --- the catalog is complete -------------------------------------------------------------------

def test_every_template_of_the_checker_has_chinese():
    templates = _templates()
    assert len(templates) > 50
    import workshop  # tools/workshop.py: the stub's TODO comment is the checker's text too
    missing = [t for t in [*templates, workshop.TODO] if t not in checks_zh.MESSAGES]
    assert not missing, "checks.py messages without Chinese in checks_zh.MESSAGES:\n" + "\n".join(map(repr, missing))
    unused = set(checks_zh.MESSAGES) - set(templates) - {workshop.TODO}
    assert not unused, f"checks_zh.MESSAGES entries no message uses (obsolete): {sorted(unused)}"


def _covers(found, catalog, what):
    """Every English text found has its Chinese in the catalog, and the catalog has nothing stale."""
    missing = [x for x in found if x not in catalog]
    assert not missing, (f"{what} without Chinese in bricks/teaching/checks_zh.py; add:\n"
                         + "\n".join(f"    {x!r}: '...'," for x in missing))
    unused = set(catalog) - set(found)
    assert not unused, f"checks_zh entries for {what} that nothing uses any more (obsolete): {sorted(unused)}"


def test_every_slip_has_chinese():
    whys = _whys()
    assert len(whys) > 300
    _covers(whys, checks_zh.SLIPS, "slips (Mistake.why), SLIPS")


def test_every_argument_set_note_has_chinese():
    _covers(_notes(), checks_zh.NOTES, "argument-set notes (Case.note), NOTES")


def test_translations_keep_placeholders_numbers_and_code():
    problems = []
    for english, chinese in checks_zh.MESSAGES.items():
        if _fields(english) != _fields(chinese):
            problems.append(f"placeholders differ: {english!r} -> {chinese!r}")
        if english.startswith("Not yet:") and not chinese.startswith("还不对："):
            problems.append(f"a 'Not yet:' verdict must start with '还不对：': {chinese!r}")
    # numbers, names_with_underscores, x[...], f(...) (not a plural's "(s)")
    code = re.compile(r"\d+(?:\.\d+)?|[A-Za-z_]\w*_\w+|\w+\[[^\]]*\]|\w+\((?!s\))[^()]*\)")
    for table in (checks_zh.MESSAGES, checks_zh.SLIPS, checks_zh.NOTES):
        for english, chinese in table.items():
            lost = [t for t in code.findall(english) if t not in chinese]
            if lost:
                problems.append(f"{lost} lost: {english!r} -> {chinese!r}")
            if not chinese.strip():
                problems.append(f"empty translation of {english!r}")
    assert not problems, "\n".join(problems)


# --- the verdicts in Chinese, and in English unchanged ------------------------------------------

def _slip(exercise_id, words):
    ex = exercises.get(exercise_id)
    return ex, next(m for m in ex.mistakes if words in m.why)


def test_a_wrong_answer_is_told_in_chinese(zh, capsys):
    ex, slip = _slip("ch09.rnn_step", "the tanh is missing")
    used = checks.your_turn(slip.fn, "ch09.rnn_step")
    out = capsys.readouterr().out
    assert used is ex.reference
    lines = out.splitlines()
    assert lines[0].startswith("还不对：在第 1 组参数上（共 ") and "rnn_step" in lines[0], out
    assert lines[1] == "这和一个常见错误的表现完全相同：漏了 tanh。", out
    assert lines[2] == "下面改用 rnn_step 的参考实现，好让后面的单元格照常运行。", out
    assert not re.search(r"\b(Not yet|differs|expected|Using the reference|known slip)\b", out), out


def test_every_slip_is_named_in_chinese(zh):
    """A sample over the chapters: each slip caught is named by its Chinese name."""
    for ex in EXERCISES[::7]:
        ctx = _context(ex)
        m = ex.mistakes[0]
        with np.errstate(all="ignore"):
            passed, lines = checks.check_exercise(m.fn, ex, ctx)
        text = "\n".join(lines)
        assert passed is False and text.startswith("还不对："), text
        assert f"这和一个常见错误的表现完全相同：{checks_zh.SLIPS[m.why]}。" in text, text


def test_stub_right_answer_hints_and_scoreboard_in_chinese(zh, capsys):
    ex = exercises.get("ch02.sigmoid_grad")

    def stub(z):
        raise NotImplementedError("your turn")

    checks.your_turn(stub, "ch02.sigmoid_grad")
    assert capsys.readouterr().out == "还没写完：先用 sigmoid_grad 的参考实现。\n"
    checks.your_turn(ex.reference, "ch02.sigmoid_grad")
    assert capsys.readouterr().out.startswith("正确：sigmoid_grad 在 ")
    assert not checks.check_array(np.ones((3, 2)), np.ones((2, 3)), "dW")
    assert capsys.readouterr().out == ("还不对：dW 的形状是 (3, 2)，应为 (2, 3)。"
                                       "它正好是期望形状的转置：检查矩阵乘积中因子的顺序。\n")
    assert not checks.check_array(np.array([1.0, 2.0]) / 4, [1.0, 2.0], "g")
    assert "它是期望值乘以 0.25" in capsys.readouterr().out
    checks.scoreboard("ch02")
    out = capsys.readouterr().out
    assert "sigmoid_grad" in out and "对" in out and out.rstrip().endswith("题。")


def test_english_is_unchanged(en, capsys):
    ex, slip = _slip("ch09.rnn_step", "the tanh is missing")
    checks.your_turn(slip.fn, "ch09.rnn_step")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Not yet: on argument set 1 of ") and "rnn_step differs from the expected" in lines[0]
    assert lines[1] == "It behaves like a known slip: the tanh is missing."
    assert lines[2] == "Using the reference for rnn_step so that the cells below still run."


# --- the language: environment variable, marker file, the tools that write it -------------------

def test_language_from_the_marker_in_a_parent_folder(tmp_path, monkeypatch):
    monkeypatch.delenv(language.ENV, raising=False)
    chapter = tmp_path / "book" / "part3-sequences"
    chapter.mkdir(parents=True)
    monkeypatch.chdir(chapter)
    assert language.language() == "en"
    (tmp_path / "book" / language.MARKER).write_text("zh\n", encoding="utf-8")
    other = tmp_path / "book" / "part4-quant"
    other.mkdir()
    monkeypatch.chdir(other)        # a new folder is looked up afresh; a known one is cached
    assert language.language() == "zh"
    assert language.find_marker(chapter) == tmp_path / "book" / language.MARKER
    monkeypatch.setenv(language.ENV, "en")
    assert language.language() == "en"
    monkeypatch.setenv(language.ENV, "zh_CN")
    monkeypatch.chdir(tmp_path)
    assert language.language() == "zh"


def test_i18n_book_writes_the_marker(tmp_path, monkeypatch):
    import i18n

    monkeypatch.setattr(i18n, "ROOT", tmp_path)        # a one-page book, no catalogs
    book = tmp_path / "book"
    (book / "part1").mkdir(parents=True)
    (book / "part1" / "01-x.md").write_text("# Title\n\n```{code-cell} ipython3\nx = 1\n```\n", encoding="utf-8")
    out = tmp_path / "zh" / "book"
    i18n.translate_book(out, book=book, po_dir=tmp_path / "no-catalogs")
    assert (out / language.MARKER).read_text(encoding="utf-8").strip() == "zh"
    monkeypatch.delenv(language.ENV, raising=False)
    monkeypatch.chdir(out / "part1")                   # where JupyterLab starts the chapter's kernel
    assert language.language() == "zh"


def test_the_chinese_workshop_sets_carry_the_marker_and_a_chinese_stub(tmp_path, monkeypatch, capsys):
    import nbformat
    import workshop

    book = tmp_path / "book"
    (book / "part1").mkdir(parents=True)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        'from bricks.teaching import checks\n'
        'def sigmoid_grad(s):\n    """dσ/dz from s."""\n    # BEGIN SOLUTION\n    return s * (1 - s)\n'
        '    # END SOLUTION\nsigmoid_grad = checks.your_turn(sigmoid_grad, "ch02.sigmoid_grad")\n',
        metadata={"tags": ["your-turn"]})]
    nbformat.write(nb, book / "part1" / "02-x.ipynb")
    (book / language.MARKER).write_text("zh\n", encoding="utf-8")
    workshop.build(book, tmp_path / "ws", quiet=True)
    for sub in ("student", "instructor"):
        assert (tmp_path / "ws" / sub / language.MARKER).read_text(encoding="utf-8").strip() == "zh"
    student = nbformat.read(tmp_path / "ws/student/part1/02-x.ipynb", as_version=4).cells[0].source
    assert "    # TODO: 在这里写你的代码（下面的检查会指出哪里不同）\n    raise NotImplementedError(" in student
    monkeypatch.delenv(language.ENV, raising=False)
    monkeypatch.chdir(tmp_path / "ws" / "student" / "part1")
    exec(compile(student, "<cell>", "exec"), {})
    assert capsys.readouterr().out == "还没写完：先用 sigmoid_grad 的参考实现。\n"


def test_the_chinese_checker_needs_no_glyph_the_site_lacks():
    """The site ships a CJK font cut to the book's characters (tools/cjk_font.py); the checker's
    Chinese uses only those, so a verdict printed in an executed output renders there too."""
    pytest.importorskip("fontTools")
    import cjk_font

    text = "".join(k + v for table in (checks_zh.MESSAGES, checks_zh.SLIPS, checks_zh.NOTES) for k, v in table.items())
    missing = sorted(set(cjk_font.CJK.findall(text)) - cjk_font.font_characters())
    assert not missing, f"characters of checks_zh.py missing from the site's font subset: {''.join(missing)}"


def test_a_nan_answer_is_explained_once_and_chinese_reads_cleanly(zh, capsys):
    """A student's log of an underflowed softmax: the verdict explains the NaN; numpy's own English
    RuntimeWarnings do not print beside it. No space after a full-width bracket, and an exception's
    English text is closed with a Chinese full stop before the hint."""
    import warnings
    ex = exercises.get("ch02a.softmax_ce")
    slip = next(m for m in ex.mistakes if "log-sum-exp" in m.why)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        checks.your_turn(slip.fn, "ch02a.softmax_ce")
    out = capsys.readouterr().out
    assert not [w for w in caught if issubclass(w.category, RuntimeWarning)], [str(w.message) for w in caught]
    assert "NaN/inf" in out and "log-sum-exp" in out and "） " not in out

    def raises(x_t, h_prev, U, W, b):
        return np.dot(x_t, np.ones((3, 3)))     # (N, D) @ (3, 3): numpy's English ValueError
    passed, lines = checks.check_exercise(raises, exercises.get("ch09.rnn_step"), {})
    assert not passed and "(dim 0)。形状不匹配" in lines[0], lines
