"""A chapter opened, run and saved in JupyterLab keeps its bytes (issue 17).

JupyterLab saves a chapter through jupytext with the kernel's metadata, the cells' outputs and
timings and jupyterlab-myst's evaluated {eval} results; `tools/notebooks.py jupyterlab_save`
does the same in process. Every chapter must come back byte for byte, so a reader who opens a
chapter never dirties the repository (`python tools/notebooks.py canonical` fixes a chapter that
fails). tests/browser/test_lab.py saves chapters in a real JupyterLab and checks the same bytes.
"""
import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import notebooks  # noqa: E402

CHAPTERS = notebooks.chapters(ROOT / "book")


def test_there_are_chapters():
    assert len(CHAPTERS) >= 20


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_saving_in_jupyterlab_keeps_the_bytes(path):
    text = path.read_text(encoding="utf-8")
    saved = notebooks.jupyterlab_save(text)
    if saved != text:
        import difflib
        diff = "\n".join(list(difflib.unified_diff(text.splitlines(), saved.splitlines(), "committed",
                                                   "after a JupyterLab save", lineterm="", n=0))[:20])
        pytest.fail(f"{path.relative_to(ROOT)} changes when saved in JupyterLab; run "
                    f"`python tools/notebooks.py canonical`:\n{diff}")


def test_the_simulated_save_is_not_a_no_op():
    """The check above could pass by accident if jupyterlab_save ignored its input's form."""
    text = CHAPTERS[0].read_text(encoding="utf-8").replace("```{code-cell} ipython3", "```{code-cell}")
    assert notebooks.jupyterlab_save(text) != text


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_is_canonical_with_its_terms_cell_current(path):
    """`canonical` also writes the chapter's terms cell from the glossary (its {term} links
    resolve in JupyterLab); a chapter whose terms or glossary changed must be rewritten."""
    text = path.read_text(encoding="utf-8")
    assert notebooks.canonical_text(text) == text, (
        f"{path.relative_to(ROOT)} is not canonical (a new {{term}} link or a glossary edit?): "
        "run `python tools/notebooks.py canonical`")


def test_the_terms_cell_defines_each_linked_term_once():
    text = (ROOT / "book/part1-bricks/01-neuron.md").read_text(encoding="utf-8")
    cell = text[text.index(notebooks.TERMS_MARK):]
    assert "\nXOR\n" in cell and "\nsigmoid\n" in cell and cell.count("\nsigmoid\n") == 1
    assert '+++ {"tags": ["remove-cell"]}' in text[:text.index(notebooks.TERMS_MARK)][-60:]
