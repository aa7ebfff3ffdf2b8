"""Every number in a chapter's prose is kept in a code cell above the paragraph that shows it.

The prose shows computed numbers with `{eval}` (bricks/teaching/prose.py), which both the site
(myst-nb, inline execution) and JupyterLab (jupyterlab-myst) evaluate when they reach the
paragraph, in the kernel as it is at that point: a number kept only further down is an error
there (myst-nb's warning fails the site build; JupyterLab shows a KeyError). The site build
finds these after minutes; this test finds them statically in a second.

For `{eval}`num("name:fmt")``: some code cell above keeps `name` (`keep(name=...)`,
`glue("name", ...)`, a `"name":` key of a dict passed to keep/glue, or an f-string key such as
`glue(f"ch03_h{n}_loss", ...)` whose pattern matches). For `{eval}`f"{name:fmt}"``: some code cell
above assigns `name`. And every `{eval}` is one of the two spellings the site allows.

A cell tagged `remove-cell` does not count: the site executes inline and never runs it (myst-nb
drops removed cells before executing), so a number computed only there is a NameError on the site
although it renders in JupyterLab. Hide such a cell with `remove-input` instead.
"""
import pathlib
import re
import sys

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import notebooks  # noqa: E402

EVAL = re.compile(r"\{eval\}`([^`]*)`")
NUM = re.compile(r'^num\("([A-Za-z0-9_]+)(?::[^"]*)?"\)$')
FSTR = re.compile(r'^f"\{([A-Za-z_][A-Za-z0-9_]*)(?::[^"{}]*)?\}"$')
ALLOWED = re.compile(yaml.safe_load((ROOT / "_config.yml").read_text())["sphinx"]["config"]["nb_eval_name_regex"])
FKEY = re.compile(r'(?:glue|keep)\(\s*f"([^"]+)"')  # glue(f"ch03_h{name}_loss", ...)


def kept_somehow(name, code):
    """Is `name` kept by the code above (literal key, keyword, or an f-string key pattern)?"""
    if re.search(rf'["\']{name}["\']|\b{name}\s*=', code):
        return True
    for template in FKEY.findall(code):
        pattern = re.sub(r"\\\{[^}]*\\\}", ".+", re.escape(template))
        if re.fullmatch(pattern, name):
            return True
    return False


def problems(path):
    nb = notebooks.read(path)
    code_above, found = "", []
    for cell in nb.cells:
        if cell.cell_type == "code":
            if not {"remove-cell", "remove_cell"} & set(cell.metadata.get("tags", [])):
                code_above += cell.source + "\n"
            continue
        for expr in EVAL.findall(cell.source):
            if not ALLOWED.match(expr):
                found.append(f"{{eval}}`{expr}`: not a spelling the site allows "
                             f"(f\"{{name:fmt}}\" or num(\"name:fmt\"))")
            elif (m := NUM.match(expr)) and not kept_somehow(m.group(1), code_above):
                found.append(f"{{eval}}`{expr}`: {m.group(1)!r} is not kept in any code cell above")
            elif (m := FSTR.match(expr)) and not re.search(
                    rf"\b{m.group(1)}\b\s*(=|,.*=|\bin\b)|def {m.group(1)}\b|import .*\b{m.group(1)}\b"
                    rf"|for .*\b{m.group(1)}\b", code_above):
                found.append(f"{{eval}}`{expr}`: {m.group(1)!r} is not assigned in any code cell above")
    return found


@pytest.mark.parametrize("path", notebooks.chapters(ROOT / "book"), ids=lambda p: p.stem)
def test_every_prose_number_is_computed_above_it(path):
    found = problems(path)
    assert not found, f"{path.relative_to(ROOT)}:\n  " + "\n  ".join(found)


def test_the_check_catches_a_number_kept_below_its_paragraph(tmp_path):
    chapter = tmp_path / "c.md"
    chapter.write_text((ROOT / "book/part1-bricks/01-neuron.md").read_text().replace(
        "# A neuron is a brick\n",
        '# A neuron is a brick\n\nEarly: {eval}`num("never_kept:.2f")` and {eval}`f"{nowhere:.1f}"`, '
        '{eval}`len(x)`.\n', 1))
    found = problems(chapter)
    assert len(found) == 3 and "never_kept" in found[0] and "nowhere" in found[1] and "allows" in found[2], found
