"""tools/workshop.py (`make workshop`): the student set has no solutions, the instructor set is the book.

The instructor notebooks hold the same cells as the chapters under book/ (MyST Markdown, exported
to .ipynb by tools/notebooks.py, as `make test` does before nbval).
"""
import importlib.util
import pathlib
import re

import nbformat
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("workshop", ROOT / "tools" / "workshop.py")
workshop = importlib.util.module_from_spec(spec)
spec.loader.exec_module(workshop)

MARKED = re.compile(r"# BEGIN SOLUTION[ \t]*\n(.*?)^[ \t]*# END SOLUTION", re.M | re.S)
SOLUTION_BLOCK = re.compile(r"^(\s*)(`{3,}|:{3,})\s*\{solution\}.*?^\s*\2\s*$", re.M | re.S)


def _md(src):
    return nbformat.v4.new_markdown_cell(src)


def _code(src, tags=()):
    return nbformat.v4.new_code_cell(src, metadata={"tags": list(tags)} if tags else {})


YOUR_TURN = '''import numpy as np
from bricks.teaching import checks


def sigmoid_grad(z):
    """dσ/dz at z, "quoted".

    Longer explanation.
    """
    z = np.asarray(z)
    # BEGIN SOLUTION
    s = 1 / (1 + np.exp(-z))
    secret_your_turn = s * (1 - s)
    return secret_your_turn
    # END SOLUTION


def _ref(z):
    s = 1 / (1 + np.exp(-z))
    return s * (1 - s)


sigmoid_grad = checks.your_turn(sigmoid_grad, reference=_ref, args=(np.linspace(-3, 3, 7),),
                                name="sigmoid_grad")
'''


def _synthetic_book(root):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        _md("# Chapter\n\nText with $x$."),
        _code("x = 1\nprint(x)"),
        _md("## Exercises\n\n```{exercise}\n:label: ex1\nCompute the gradient.\n```\n\n"
            "````{solution} ex1\n:class: dropdown\nThe answer:\n\n```python\nsecret_grad = x.T @ delta\n```\n````\n\n"
            "Then try the next one."),
        _code("secret_answer = 42", tags=["solution"]),
        _md(":::{solution} ex1\nColon fenced secret_colon.\n:::"),
        _md("```{exercise-start}\n:label: ex2\n```\nQuestion two.\n```{exercise-end}\n```\n"
            "```{solution-start} ex2\n:class: dropdown\n```\nGated secret_gated text."),
        _code("secret_gated_code = 1"),
        _md("```{solution-end}\n```\nAfter the gated solution."),
        _code(YOUR_TURN, tags=["your-turn"]),
        _code("print(float(sigmoid_grad(np.zeros(1))[0]))"),
    ]
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="1\n")]
    nb.cells[1].execution_count = 3
    (root / "part1").mkdir(parents=True)
    nbformat.write(nb, root / "part1" / "01-test.ipynb")
    (root / "part1" / "prices.csv").write_text("date,close\n2020-01-02,1\n")
    return nb


def test_student_set_synthetic(tmp_path):
    book = tmp_path / "book"
    _synthetic_book(book)
    totals = workshop.build(book, tmp_path / "ws", quiet=True)
    assert totals["student"] == totals["instructor"] == 1
    assert totals["blocks"] == 3 and totals["code"] == 2 and totals["data"] == 1
    assert totals["your_turn"] == 1 and totals["untagged"] == 0
    student = nbformat.read(tmp_path / "ws/student/part1/01-test.ipynb", as_version=4)
    text = "\n".join(c.source for c in student.cells)
    assert "secret" not in text and "{solution" not in text
    assert "Compute the gradient." in text and "Question two." in text  # exercises stay
    assert "Then try the next one." in text and "After the gated solution." in text
    assert workshop.STUB.strip() in text
    code = [c for c in student.cells if c.cell_type == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    assert (tmp_path / "ws/student/part1/prices.csv").is_file()
    nbformat.validate(student)
    stub = student.cells[-2].source
    assert "# BEGIN SOLUTION" not in stub and "your-turn" in student.cells[-2].metadata.tags
    assert ('    # TODO: your code here (the check below says what differs)\n'
            '    raise NotImplementedError("your turn: dσ/dz at z, \\"quoted\\".")\n') in stub
    instructor = nbformat.read(tmp_path / "ws/instructor/part1/01-test.ipynb", as_version=4)
    assert "secret_your_turn" in instructor.cells[-2].source


def _run_cells(sources, capsys):
    namespace = {}
    for src in sources:
        exec(compile(src, "<cell>", "exec"), namespace)
    return capsys.readouterr().out


def test_your_turn_cell_runs_unsolved_and_solved(tmp_path, capsys):
    """The student's stub makes the check say "Not done yet"; the next cell still runs."""
    book = tmp_path / "book"
    _synthetic_book(book)
    workshop.build(book, tmp_path / "ws", quiet=True)
    for which, verdict in (("student", "Not done yet: using the reference for sigmoid_grad."),
                           ("instructor", "Correct: sigmoid_grad matches")):
        nb = nbformat.read(tmp_path / "ws" / which / "part1/01-test.ipynb", as_version=4)
        out = _run_cells([c.source for c in nb.cells[-2:]], capsys)
        assert out.startswith(verdict) and out.endswith("0.25\n"), (which, out)


@pytest.mark.parametrize("source, message", [
    ("x = 1\n# BEGIN SOLUTION\nx = 2\n# END SOLUTION\n", "not inside a function body"),
    ("def f():\n    # BEGIN SOLUTION\n    return 1\n", "has no '# END SOLUTION'"),
    ("def f():\n    return 1\n    # END SOLUTION\n", "without a '# BEGIN SOLUTION'"),
    ("def f():\n    # BEGIN SOLUTION\n    # BEGIN SOLUTION\n    # END SOLUTION\n", "nested"),
])
def test_stub_solutions_errors(source, message):
    with pytest.raises(ValueError, match=message):
        workshop.stub_solutions(source, "ch.ipynb cell 3")


def test_stub_solutions_details():
    src = ("%time\nclass Gate:\n    def forward(self, x):\n        h = x\n"
           "        # BEGIN SOLUTION\n        return h\n        # END SOLUTION\n")
    new, n = workshop.stub_solutions(src)
    assert n == 1 and new.endswith('        raise NotImplementedError("your turn: write the body of forward")\n')
    # a first sentence that wraps onto a second docstring line is kept whole (not cut at the line's end)
    wrapped = ('def f(T, D):\n    """(T, D): sin on even features,\n    cos on odd ones.\n\n    More.\n    """\n'
               '    # BEGIN SOLUTION\n    return 1\n    # END SOLUTION\n')
    assert '"your turn: (T, D): sin on even features, cos on odd ones.")' in workshop.stub_solutions(wrapped)[0]
    assert new.startswith("%time\nclass Gate:\n    def forward(self, x):\n        h = x\n        # TODO:")
    nb = nbformat.v4.new_notebook()
    nb.cells = [_code("def f():\n    # BEGIN SOLUTION\n    return 1\n    # END SOLUTION\n")]
    stud, counts = workshop.student_version(nb)
    assert counts == {"blocks": 0, "code": 0, "your_turn": 0, "untagged": 1}  # stubbed, reported
    assert "return 1" not in stud.cells[0].source
    nb.cells = [_code("def f():\n    return 1\n", tags=["your-turn"])]
    with pytest.raises(ValueError, match="tagged your-turn but has no"):
        workshop.student_version(nb, "ch.ipynb")


def test_site_hides_the_markers():
    """The Sphinx hook drops the two marker lines from notebook code cells, nothing else."""
    from docutils import nodes
    from docutils.utils import new_document
    doc = new_document("test")
    code = "def f():\n    # BEGIN SOLUTION\n    return 1\n    # END SOLUTION"
    cell = nodes.container(nb_element="cell_code_source")
    cell += nodes.literal_block(code, code)
    doc += cell
    doc += nodes.literal_block(code, code)  # a code block in prose (the guide shows the markers)
    workshop._hide_markers(None, doc)
    blocks = list(doc.findall(nodes.literal_block))
    assert blocks[0].astext() == "def f():\n    return 1"
    assert blocks[1].astext() == code


def test_workshop_on_the_book(tmp_path, capsys):
    originals = workshop.notebooks(ROOT / "book")
    if not originals:
        pytest.skip("no notebooks under book/ yet")
    totals = workshop.build(ROOT / "book", tmp_path / "ws")
    out = capsys.readouterr().out
    assert f"{len(originals)} student notebooks" in out
    student = sorted((tmp_path / "ws/student").rglob("*.ipynb"))
    instructor = sorted((tmp_path / "ws/instructor").rglob("*.ipynb"))
    assert len(student) == len(instructor) == len(originals) == totals["student"]
    for path in originals:
        rel = path.relative_to(ROOT / "book").with_suffix(".ipynb")
        orig = workshop.read(path)
        instr = nbformat.read(tmp_path / "ws/instructor" / rel, as_version=4)
        assert [c.source for c in instr.cells] == [c.source for c in orig.cells], rel
        stud = nbformat.read(tmp_path / "ws/student" / rel, as_version=4)
        nbformat.validate(stud)
        stud_text = "\n".join(c.source for c in stud.cells)
        assert not re.search(r"\{solution(-start|-end)?\}", stud_text), rel
        assert not any("solution" in c.get("metadata", {}).get("tags", []) for c in stud.cells), rel
        assert all(not c.get("outputs") for c in stud.cells if c.cell_type == "code"), rel
        # No line of any solution (tagged code, or the body of a solution block) survives.
        secrets = [c.source for c in orig.cells if c.cell_type == "code"
                   and "solution" in c.get("metadata", {}).get("tags", [])]
        secrets += [m.group(0) for c in orig.cells if c.cell_type == "markdown"
                    for m in SOLUTION_BLOCK.finditer(c.source)]
        secrets += [m.group(1) for c in orig.cells if c.cell_type == "code"
                    for m in MARKED.finditer(c.source)]  # your-turn solutions
        public = "\n".join(SOLUTION_BLOCK.sub("", c.source) if c.cell_type == "markdown"
                            else MARKED.sub("", c.source)
                           for c in orig.cells if "solution" not in c.get("metadata", {}).get("tags", []))
        public_lines = {ln.strip() for ln in public.splitlines()}  # lines shown outside solutions too
        student_lines = {ln.strip() for ln in stud_text.splitlines()}
        for secret in secrets:
            for line in secret.splitlines():
                line = line.strip()
                if len(line) > 12 and line not in public_lines:
                    assert line not in student_lines, f"{rel}: solution line left: {line!r}"
        for i, cell in enumerate(stud.cells):  # every stubbed cell is still valid Python
            if cell.cell_type == "code" and "your-turn" in cell.get("metadata", {}).get("tags", []):
                assert "raise NotImplementedError(" in cell.source and '"your turn: ' in cell.source, (rel, i)
                compile(cell.source, f"{rel} cell {i}", "exec")


# ---- the workshop guide's list of common mistakes: every quoted verdict is what the check prints ----
def _mistakes():
    """{mistake: a function that makes it under the check that catches it} (the guide's order)."""
    import bricks
    import numpy as np
    from bricks.teaching import checks

    rng = np.random.default_rng(0)
    h1, delta2 = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))  # (N, 3), (N, 2)
    dw2 = h1.T @ delta2  # (3, 2)
    z = np.linspace(-2, 2, 5)
    sigmoid = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    ref_grad = lambda v: sigmoid(v) * (1 - sigmoid(v))  # noqa: E731

    def no_return(v):
        s = sigmoid(v)
        s * (1 - s)

    def softmax(v):
        e = np.exp(v)
        return e / e.sum(axis=1, keepdims=True)

    def stable(v):
        e = np.exp(v - v.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def overflow():
        with np.errstate(all="ignore"):
            checks.your_turn(softmax, stable, (np.array([[1000.0, 0.0], [1.0, 2.0]]),), "softmax")

    class MyDense(bricks.Dense):
        def backward(self, grad_output):
            dx = super().backward(grad_output)
            self.grads["bias"] = self.grads["bias"] * 0  # forgot the bias gradient
            return dx

    other = np.random.default_rng(1)
    x_train, x_test = other.normal(size=(6, 2)), other.normal(1.0, 2.0, size=(3, 2))

    def leaky(a, b):
        both = np.vstack([a, b])
        return (b - both.mean(axis=0)) / both.std(axis=0)

    def stub(v):
        raise NotImplementedError("your turn")

    return {
        "transposed": lambda: checks.check_array(delta2.T @ h1, dw2, "dW2"),
        "1/N": lambda: checks.check_array(h1.T @ delta2 * 4, dw2, "dW2"),
        "sign": lambda: checks.check_array(-dw2, dw2, "dW2"),
        "return": lambda: checks.your_turn(no_return, ref_grad, (z,), "sigmoid_grad"),
        "z for s": lambda: checks.your_turn(lambda v: sigmoid(v) * (1 - v), ref_grad, (z,), "sigmoid_grad"),
        "keepdims": lambda: checks.check_array(delta2.sum(axis=0), delta2.sum(axis=0, keepdims=True), "db2"),
        "overflow": overflow,
        "backward": lambda: checks.check_layer_backward(MyDense(2, activation="tanh", name="my_dense"),
                                                        np.random.default_rng(2).normal(size=(3, 2))),
        "leak": lambda: checks.your_turn(leaky, lambda a, b: (b - a.mean(axis=0)) / a.std(axis=0),
                                         (x_train, x_test), "scale_test"),
        "stub": lambda: checks.your_turn(stub, np.sin, (z,), "sigmoid_grad"),
    }


def test_guide_quotes_the_checks_word_for_word(capsys):
    import textwrap

    guide = (ROOT / "book" / "appendix" / "workshop.md").read_text(encoding="utf-8")
    section = guide.split("## Mistakes students commonly make", 1)[1].split("\n## ", 1)[0]
    quoted = [textwrap.dedent(b).strip("\n") for b in re.findall(r"```text\n(.*?)\n\s*```", section, re.S)]
    mistakes = _mistakes()
    assert len(quoted) == len(mistakes)
    tiny = re.compile(r"rel_error \d\.\d\de-1\d")  # float64 round-off: may differ in the last digits
    for (what, make), text in zip(mistakes.items(), quoted):
        make()
        printed = capsys.readouterr().out.rstrip("\n")
        assert tiny.sub("rel_error 1e-1x", printed) == tiny.sub("rel_error 1e-1x", text), \
            f"the guide's verdict for {what!r} differs from what the check prints:\n{printed}"


# Lines of the chapters' own exposition that coincide with a solution line or a reference's
# expression (up to variable names): the derivation a chapter shows, helpers, plotting code.
# Everything else that matches a solution is a leak.
EXPOSITION = {
    "return 1.0 / (1.0 + np.exp(-z))": "the sigmoid, defined in chapters 2 and 2a (chapter 1's answer)",
    "dL_dh2 = (h2 - Y) / N": "chapter 2's derivation, one factor at a time",
    "dL_dh1 = delta2 @ W2.T": "chapter 2's derivation, one factor at a time",
    "delta1 = (delta2 @ W2.T) * h1 * (1 - h1)": "chapter 2's gradients(), the derivation as one function",
    "delta1 = (delta2 @ V2.T) * h1 * (1 - h1)": "chapters 2 and 2a: the training loops",
    "d1 = (d2 @ A2.T) * a1 * (1 - a1)": "chapter 2's trained network",
    "p_up = 1 / (1 + np.exp(-logit))": "a sigmoid in chapter 4",
    "sigmoid = lambda a: 1 / (1 + np.exp(-a))": "a helper of chapter 10's diagrams",
    "c = f * c + i * g": "chapter 10's LSTM equations as code, the lesson the exercise practises",
    "h = z * h + (1 - z) * h_cand": "chapter 10's GRU equations as code",
    "alpha = lr * np.sqrt(1 - b2**t) / (1 - b1**t)": "chapter 14 reuses chapter 3a's Adam",
    "e = np.exp(s - s.max(axis=1, keepdims=True))": "the attention chapter reuses chapter 2a's softmax",
    "return e / e.sum(axis=1, keepdims=True)": "the attention chapter reuses chapter 2a's softmax",
    "for _ in range(steps):": "the header of every training loop (Part I's final assignment writes one too)",
    "losses.append(loss)": "every training loop records its loss (Part I's final assignment too)",
    'u = layernorm_forward(x, p["gamma"], p["beta"])': "8a's block_forward, given; its backward recomputes u",
}


@pytest.fixture(scope="module")
def book_student_set(tmp_path_factory):
    out = tmp_path_factory.mktemp("ws")
    workshop.build(ROOT / "book", out, quiet=True)
    return out / "student"


def test_the_book_student_set_has_no_solution_line(book_student_set):
    """No line of a solution block or of a registry reference reaches a student notebook."""
    lines = workshop.solution_lines(ROOT / "book")
    assert len(lines) > 150
    found = workshop.leaks(book_student_set, lines)
    leaked = [(pathlib.Path(p).name, line, origin) for p, line, origin in found if line not in EXPOSITION]
    assert not leaked, "\n".join(f"{p}: {line}  ({origin})" for p, line, origin in leaked)


def test_every_book_your_turn_cell_uses_the_registry(book_student_set):
    """A student's your-turn cell holds the stub and `name = checks.your_turn(name, "<id>")` only."""
    from bricks.teaching import exercises
    call = re.compile(r'^(\w+) = checks\.your_turn\(\1,\s*"([\w.]+)"(,\s*\w+=\w+)?\)$', re.M)
    n = 0
    for path in sorted(book_student_set.rglob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if "your-turn" not in cell.get("metadata", {}).get("tags", []):
                continue
            n += 1
            src = re.sub(r"\s*\n\s+", " ", cell.source.split("# END SOLUTION")[-1])  # join continued lines
            assert "reference=" not in cell.source and "args=" not in cell.source, (path.name, cell.source)
            ids = [m.group(2) for m in call.finditer(cell.source.replace(",\n", ", ").replace("(\n", "("))]
            assert ids or "checks.your_turn(" not in src, (path.name, cell.source)
            for exercise_id in ids:
                exercises.get(exercise_id)  # raises on an unknown id
    assert n >= 50


def test_every_chapter_scoreboard_counts_its_your_turns():
    """A chapter with your-turn cells ends with a scoreboard whose prefixes cover every exercise it checks
    (chapter 12's "attn.*" were once counted nowhere, chapter 13's sine_positions left out)."""
    checked = 0
    for path in sorted((ROOT / "book").rglob("*.md")):
        if "appendix" in path.parts:
            continue  # the workshop guide shows one your-turn cell as an example
        text = path.read_text(encoding="utf-8")
        ids = re.findall(r'checks\.your_turn\(\s*\w+,\s*"([\w.]+)"', text)
        if not ids:
            continue
        calls = re.findall(r"checks\.scoreboard\(([^)]*)\)", text)
        prefixes = [p.strip().strip('"') + "." for call in calls for p in call.split(",") if p.strip()]
        assert calls, f"{path.name}: {len(ids)} your-turn cells and no scoreboard"
        missing = [i for i in ids if not i.startswith(tuple(prefixes))]
        assert not missing, f"{path.name}: the scoreboard ({', '.join(calls)}) leaves out {missing}"
        checked += 1
    assert checked >= 20
