"""A wrong answer never changes what the rest of a chapter shows (issue 18, item 3).

Chapter 2a is the one where it used to: a caught mistake in `output_delta` still flowed into the
training loop and flipped the chapter's result, then a hidden assert failed. Here its your-turn
cells get known wrong answers; the notebook must still run top to bottom (its asserts hold on the
reference), every your-turn verdict must say "Not yet" and name the slip, and rerunning a
your-turn cell after Run All must work.
"""
import os
import pathlib
import re
import sys

import nbformat
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import notebooks  # noqa: E402

nbclient = pytest.importorskip("nbclient")

WRONG = {   # function name -> a wrong body (each a slip the registry lists)
    "softmax": "    e = np.exp(z - z.max(axis=0, keepdims=True))\n    return e / e.sum(axis=0, keepdims=True)\n",
    "output_delta": ("    if kind == \"squared_error\":\n        return (h2 - Y) * h2 * (1 - h2) / N\n"
                     "    return (h2 - Y) / N\n"),
    "softmax_ce": ("    p = np.exp(z - z.max(axis=1, keepdims=True))\n    p /= p.sum(axis=1, keepdims=True)\n"
                   "    return -np.sum(Y * np.log(p)) / len(z), p - Y\n"),
}
SOLUTION = re.compile(r"(def (\w+)\(.*?\n.*?# BEGIN SOLUTION\n)(.*?)(    # END SOLUTION)", re.S)


def test_wrong_answers_leave_chapter_2a_as_it_was(tmp_path):
    nb = notebooks.read(ROOT / "book" / "part1-bricks" / "02a-cross-entropy.md")
    changed = []
    for cell in nb.cells:
        if "your-turn" in cell.get("metadata", {}).get("tags", []):
            def swap(m):
                if m.group(2) in WRONG:
                    changed.append(m.group(2))
                    return m.group(1) + WRONG[m.group(2)] + m.group(4)
                return m.group(0)
            cell.source = SOLUTION.sub(swap, cell.source)
    assert sorted(changed) == sorted(WRONG)
    # after Run All, rerun every your-turn cell once more (a student fixing an answer does that)
    reruns = [nbformat.v4.new_code_cell(c.source) for c in nb.cells
              if "your-turn" in c.get("metadata", {}).get("tags", [])]
    nb.cells += reruns
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = str(ROOT / "lib")     # the kernel imports this checkout's bricks
    try:
        client.execute()      # raises CellExecutionError on any failing cell or assert
    finally:
        if old is None:
            os.environ.pop("PYTHONPATH")
        else:
            os.environ["PYTHONPATH"] = old
    text = "\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    for name in WRONG:
        assert f"Using the reference for {name}" in text, name
    assert text.count("It behaves like a known slip") >= 2 * len(WRONG)
