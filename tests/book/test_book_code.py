"""The code the book shows is the code that runs.

Every `show_code("module", "object")` cell of a chapter (bricks/teaching/source.py) must name an
object that exists
(checked here, always) and that runs when its chapter runs: `make notebooks` exports the
chapters with tracer cells (tools/shown_code.py), nbval runs them, and then runs this file
with BRICKS_SHOWN_RESULTS=_build/notebooks, which checks every recorded object ran.
No chapter imports an underscore name from the library either.
"""
import os
import pathlib
import re
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import notebooks  # noqa: E402
import shown_code  # noqa: E402

CHAPTERS = notebooks.chapters(ROOT / "book")
SHOWN = [(chapter, path, name) for chapter in CHAPTERS for path, name in shown_code.shown_objects(chapter)]
RESULTS = os.environ.get("BRICKS_SHOWN_RESULTS")


def test_the_book_shows_library_code():
    assert len(SHOWN) >= 20, f"only {len(SHOWN)} show_code cells found"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.stem for c in CHAPTERS])
def test_no_chapter_uses_literalinclude(chapter):
    """Sphinx's literalinclude renders only on the site (jupyterlab-myst cannot read files): a
    reader in JupyterLab would see nothing where the code should be. show_code renders in both."""
    assert "{literalinclude}" not in chapter.read_text(encoding="utf-8"), (
        f"{chapter.name}: use a `show_code(\"bricks.module\", \"Object.method\")` cell "
        "(tagged remove-input) instead of a literalinclude")


@pytest.mark.parametrize("chapter, path, name", SHOWN, ids=[f"{c.stem}:{n}" for c, _, n in SHOWN])
def test_shown_object_exists(chapter, path, name):
    obj = shown_code.resolve(path, name)
    assert shown_code.code_objects(obj), f"{chapter.name}: {name} in {path} has no code"


@pytest.mark.skipif(not RESULTS, reason="set by `make notebooks` after nbval ran the traced chapters")
def test_every_shown_object_ran_in_its_chapter():
    results = shown_code.read_results(ROOT / RESULTS)
    expected = {}
    for chapter, _, name in SHOWN:
        expected.setdefault(chapter.relative_to(ROOT / "book").with_suffix("").as_posix(), set()).add(name)
    ran, missing = 0, []
    for chapter, names in expected.items():
        record = next((r for p, r in results.items() if p.endswith(chapter + ".shown.json")), None)
        assert record is not None, f"{chapter}: no trace recorded (did nbval run it?)"
        for name in sorted(names):
            ran += bool(record.get(name))
            if not record.get(name):
                missing.append(f"{chapter}: {name}")
    print(f"shown code: {len(SHOWN)} objects shown, {ran} of {len({(c, n) for c, _, n in SHOWN})} ran")
    assert not missing, "shown in the book but never run by its chapter:\n" + "\n".join(missing)


UNDERSCORE_IMPORT = re.compile(r"^\s*(from\s+bricks[\w.]*\s+import\s+.*\b_\w+|import\s+bricks\.[\w.]*\._\w+"
                               r"|from\s+bricks(\.\w+)*\._\w+)", re.M)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.stem for c in CHAPTERS])
def test_no_chapter_imports_a_private_name(chapter):
    text = chapter.read_text(encoding="utf-8")
    bad = [m.group(0).strip() for m in UNDERSCORE_IMPORT.finditer(text)]
    bad += re.findall(r"bricks(?:\.\w+)*\._[a-z]\w*", text)
    assert not bad, f"{chapter.name} uses private library names: {bad}"
