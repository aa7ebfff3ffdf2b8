"""Every your-turn exercise of the book: the reference passes, every listed plausible mistake is caught.

The exercises live in `bricks.teaching.exercises` (one module per chapter): each has a reference,
several argument sets, the library functions an answer must not merely call, and at least five
plausible mistakes. Each mistake must be refused, with a message that names the slip; a few kinds
of slip must also be named by the generic hints alone (without the list of known slips).
"""
import numpy as np
import pytest
from bricks.teaching import checks, exercises

EXERCISES = exercises.all_exercises()
MISTAKES = [(ex, m) for ex in EXERCISES for m in ex.mistakes]


def _context(ex):
    return ex.test_context() if ex.test_context else {}


def test_the_registry_covers_the_book():
    assert len(EXERCISES) >= 40
    assert len({ex.id for ex in EXERCISES}) == len(EXERCISES)


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda e: e.id)
def test_reference_passes_and_cases_are_several(ex):
    ctx = _context(ex)
    cases = ex.cases_for(**ctx)
    assert len(cases) >= 2, f"{ex.id}: {len(cases)} argument set(s)"
    passed, lines = checks.check_exercise(ex.reference_for(**ctx), ex, ctx)
    assert passed is True, lines
    assert len(ex.mistakes) >= 5, f"{ex.id} lists {len(ex.mistakes)} mistakes"


@pytest.mark.filterwarnings("ignore::RuntimeWarning")   # a slip's overflow warns, as in a notebook
@pytest.mark.parametrize("ex, mistake", MISTAKES, ids=lambda v: getattr(v, "id", None) or getattr(v, "why", "")[:40])
def test_every_mistake_is_caught_and_named(ex, mistake):
    ctx = _context(ex)
    passed, lines = checks.check_exercise(mistake.fn, ex, ctx)
    text = "\n".join(lines)
    assert passed is False, f"{ex.id}: the mistake '{mistake.why}' passed: {text}"
    assert text.startswith("Not yet:"), text
    named = f"It behaves like a known slip: {mistake.why}."
    assert named in text, f"{ex.id}: '{mistake.why}' caught but not named: {text}"


def test_the_six_false_passes_of_issue_18_are_caught():
    from bricks.teaching.exercises import ch01, ch03, ch11  # noqa: F401  (registers them)
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    clip_always = lambda g, c: g * c / np.sqrt(np.sum(g * g))  # noqa: E731
    clip_value = lambda g, c: np.clip(g, -c, c)  # noqa: E731
    wrong = [("ch01.neuron_output", lambda X, w, b: sig(X.sum(axis=1) + b)),
             ("ch01.neuron_output", lambda X, w, b: sig(X @ w[::-1] + b)),
             ("ch01.predict_class", lambda X, w, b: (X @ w + b >= 0).astype(int)),
             ("ch11.receptive_field", lambda ks, ds: 1 + sum((ks[0] - 1) * d for d in ds)),
             ("ch03.clip_by_norm", clip_always),
             ("ch03.clip_by_norm", clip_value),
             ("ch04.dense_forward", lambda x, W, b: x @ W),
             ("ch04.dense_forward", lambda x, W, b: x @ W - b)]
    for exercise_id, fn in wrong:
        assert checks.check_exercise(fn, exercise_id)[0] is False, exercise_id


def test_answers_that_only_call_the_library_are_refused(capsys):
    import bricks
    from bricks.activations import softmax as lib_softmax

    def softmax(z):
        return lib_softmax(z)                   # through an alias

    def sigmoid_grad(z):
        a = bricks.activations.sigmoid(z)       # allowed: the sigmoid itself
        return bricks.activations.sigmoid_backward(np.ones_like(z), z, a)

    for fn, exercise_id in ((softmax, "ch02a.softmax"), (sigmoid_grad, "ch02.sigmoid_grad")):
        ref = exercises.get(exercise_id).reference
        assert checks.your_turn(fn, exercise_id) is ref
        out = capsys.readouterr().out
        assert "calls the library's" in out and "Using the reference" in out, out

    def mine(z):
        return bricks.activations.sigmoid(z) * (1 - bricks.activations.sigmoid(z))
    assert checks.your_turn(mine, "ch02.sigmoid_grad") is mine


def _first_line(fn, exercise_id, catalogue=False):
    passed, lines = checks.check_exercise(fn, exercise_id, catalogue=catalogue)
    assert passed is False
    return lines[0]


def test_generic_hints_name_the_five_kinds_of_slip():
    """Sign, transpose, missing term, factor, shape: named without the list of known slips."""
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    sign = _first_line(lambda z: -sig(z) * (1 - sig(z)), "ch02.sigmoid_grad")
    assert "negative of the expected value" in sign
    def rows(x):
        return np.stack([x[:, 0] ** 2, x[:, 1] ** 2, x[:, 0] * x[:, 1], np.sin(x[:, 0]), np.sin(x[:, 1])])
    transpose = _first_line(rows, "playground.crosses")
    assert "transpose" in transpose
    factor = _first_line(lambda y, p: -np.mean(y * np.log10(p) + (1 - y) * np.log10(1 - p)), "ch04.binary_crossentropy")
    assert "times 0.434294" in factor
    shape = _first_line(lambda X, w, b: sig(X * w + b), "ch01.neuron_output")
    assert "has shape (4, 2), expected (4,)" in shape
    off = _first_line(lambda ks, ds: sum((k - 1) * d for k, d in zip(ks, ds)), "ch11.receptive_field")
    assert "off by one (30 instead of 31)" in off
    missing = "\n".join(checks.check_exercise(lambda do, da, h, V, W: (do @ V.T) * (1 - h ** 2), "ch09.bptt_step")[1])
    assert "the path from the future (da_next W^T) is missing" in missing


def test_a_factor_is_named_only_when_it_is_constant():
    # a sum instead of a mean: the factor is N, different on each argument set: no "constant factor"
    line = _first_line(lambda y, p: -np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)), "ch04.binary_crossentropy")
    assert "constant factor" not in line
    # an elementwise slip on non-constant inputs is not called a factor (issue 18: x1.105 for a sign slip)
    line = _first_line(lambda ws, gs, lr: [w + lr * g for w, g in zip(ws, gs)], "ch03.sgd_step")
    assert "factor" not in line


def test_a_shift_by_one_is_named_with_its_axis():
    ex = exercises.Exercise(id="t.shift", reference=lambda x: x,
                            cases=lambda: [np.arange(6.0) ** 2, np.arange(5.0) * 3 + 1])
    line = checks.check_exercise(lambda x: np.roll(x, -1) * np.r_[np.ones(len(x) - 1), 0], ex)[1][0]
    assert "shifted by one" in line and "i+1" in line


def test_adam_in_the_papers_form_passes():
    from bricks.teaching.exercises import ch03a
    passed, lines = checks.check_exercise(ch03a._paper_adam, "ch03a.adam_step")
    assert passed is True and "another right form" in lines[0]


def test_whole_pieces_are_checked_against_finite_differences():
    whole = [ex for ex in EXERCISES if ex.whole]
    assert len(whole) >= 10
    for ex in whole:
        if ex.gradient is None:
            continue
        for case in ex.cases_for(**_context(ex)):
            errors = ex.gradient(ex.reference_for(**_context(ex)), case)
            assert max(errors.values()) < 1e-7, (ex.id, errors)


def test_scoreboard_counts_the_last_verdict(capsys):
    checks._RESULTS.clear()

    def sigmoid_grad(z):
        raise NotImplementedError("your turn")

    checks.your_turn(sigmoid_grad, "ch02.sigmoid_grad")
    checks.your_turn(lambda d, W, h: (d @ W) * h * (1 - h), "ch02.hidden_delta")
    checks.your_turn(lambda d, W, h: (d @ W.T) * h * (1 - h), "ch02.hidden_delta")   # fixed and rerun
    capsys.readouterr()
    assert checks.scoreboard("ch02", counts=True) == (1, 2)
    out = capsys.readouterr().out
    assert "sigmoid_grad" in out and "not done" in out and "Your turns in ch02: 1 of 2 right." in out


def test_a_check_leaves_the_notebook_state_alone():
    import bricks
    from bricks import backend
    bricks.set_random_seed(3)
    before = (backend._state["rng"].bit_generator.state, dict(backend._state["names"]), np.random.get_state()[1].copy())
    for ex in EXERCISES:
        ctx = _context(ex)
        checks.check_exercise(ex.mistakes[0].fn, ex, ctx)
    after = (backend._state["rng"].bit_generator.state, dict(backend._state["names"]), np.random.get_state()[1])
    assert before[0] == after[0] and before[1] == after[1] and np.array_equal(before[2], after[2])


def _tuple_exercises():
    out = []
    for ex in EXERCISES:
        ctx = _context(ex)
        case = ex.cases_for(**ctx)[0]
        value = ex.reference_for(**ctx)(*case.args, **case.kwargs)
        if isinstance(value, tuple):
            out.append((ex, len(value)))
    return out


def test_every_returned_tuple_names_its_outputs():
    """Each exercise returning a tuple names its values (`outputs`), as its your-turn docstring lists them."""
    import pathlib
    import re
    found = _tuple_exercises()
    assert len(found) >= 20
    for ex, n in found:
        assert len(ex.outputs) == n, f"{ex.id} returns {n} values; outputs={ex.outputs}"
    # the chapters' docstrings "(dU, dW, db, dh0) of ...": the same names, in the same order
    book = pathlib.Path(__file__).resolve().parents[2] / "book"
    docs = {}
    for path in book.rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r'def (\w+)\(.*?\n\s+"""\((.*?)\)[ :]', text):
            for ex_id in re.findall(r"\b" + m.group(1) + r' = checks\.your_turn\(\s*\w+,\s*"([\w.]+)"', text):
                docs[ex_id] = m.group(2)
    compared = 0
    for ex, n in found:
        if ex.id not in docs:
            continue
        depth, items, item = 0, [], ""
        for ch in docs[ex.id]:
            depth += ch in "([{" and 1 or 0
            depth -= ch in ")]}" and 1 or 0
            if ch == "," and depth == 0:
                items.append(item.strip())
                item = ""
            else:
                item += ch
        items.append(item.strip())
        if len(items) != n:
            continue  # the docstring does not list the values
        compared += 1
        for name, item in zip(ex.outputs, items):
            word = re.match(r"[A-Za-z_]\w*(?=$| \()", item)   # "dx", "dx (N, T, D)", "h_t"
            if word:
                assert name == word.group(0), f"{ex.id}: outputs {ex.outputs} vs the docstring's ({docs[ex.id]})"
    assert compared >= 15


def test_a_returned_tuple_is_named_by_its_outputs():
    ex = exercises.get("ch09.rnn_backward")
    slip = next(m for m in ex.mistakes if m.why.startswith("dh0 returned"))
    line = checks.check_exercise(slip.fn, ex)[1][0]
    assert "dh0 (output 4 of 4) differs" in line and "rnn_backward[3]" not in line
    short = checks.check_exercise(lambda *args: ex.reference(*args)[:3], ex)[1][0]
    assert "should return 4 values (dU, dW, db, dh0), got 3 values" in short
    grads = exercises.get("ch03b.loss_and_grads")

    def no_b2(params, X, y):
        loss, g = grads.reference(params, X, y)
        return loss, {**g, "b2": 0 * g["b2"] + 1}
    assert "gradients['b2'] (output 2 of 2) differs" in checks.check_exercise(no_b2, grads, _context(grads))[1][0]


def test_outputs_in_another_order_are_named():
    from bricks.teaching.exercises import ch10

    def swapped(a, c_prev):
        h, c = ch10.lstm_from_preactivation(a, c_prev)
        return c, h
    line = _first_line(swapped, "ch10.lstm_from_preactivation")
    assert "Outputs 1 and 2 are swapped: each is right in the other's place; return (h_t, c_t) in that order." in line
    attend = exercises.get("attn.attend_backward").reference
    rotated = _first_line(lambda *a: (lambda g: (g[1], g[2], g[0]))(attend(*a)), "attn.attend_backward")
    assert "The outputs are right but in another order; return (dq, dk, dv) in that order." in rotated


def test_a_value_outside_the_expected_range_is_named():
    """tanh's outputs lie in [-1, 1]: a bias added after it leaves that range (the slip list not consulted)."""
    line = _first_line(lambda x, h, U, W, b: np.tanh(x @ U + h @ W) + b, "ch09.rnn_step")
    assert "Every expected value lies in [-1, 1], yet yours reach" in line
    # gradients whose values happen to lie in [-1, 1] on these argument sets get no such hint
    assert "Every expected value" not in _first_line(lambda dh, z, hp, hc: dh * (hp - hc), "ch10.gru_update_gate_grad")
    assert "Every expected value" not in _first_line(lambda X, y, epochs: (np.ones(2), 2.0), "ch01.perceptron")


def test_differences_only_at_the_start_are_named():
    from bricks.teaching.exercises import ch11, part3
    wrap = next(m for m in exercises.get("ch11.causal_conv").mistakes if m.fn is ch11._wrapped)
    line = _first_line(wrap.fn, "ch11.causal_conv")
    assert "Only the first 4 steps differ, the rest match, on every argument set" in line
    line = _first_line(part3._loop(stop=0), "part3.lstm_bptt")
    assert "dx (output 1 of 4) differs" in line and "Only the first step along axis 1 differs" in line
    # a fixed list of features (the same length on every argument set) is not a time axis
    crosses = next(m for m in exercises.get("playground.crosses").mistakes if m.why == "cos instead of sin")
    assert "Only the" not in _first_line(crosses.fn, "playground.crosses")


def test_a_transposed_mask_is_not_blamed_on_a_matrix_product():
    line = _first_line(lambda T: np.triu(np.ones((T, T), bool)), "attn.causal_mask")
    assert "transpose" in line and "matrix product" not in line and "rows and columns swapped" in line
    line = _first_line(lambda q, k, s: (s * (q @ k.T)).T, "attn.scores")
    assert "matrix product" in line or "has shape" in line


def test_the_scoreboard_returns_its_counts_only_when_asked(capsys):
    checks._RESULTS.clear()
    checks.your_turn(exercises.get("attn.scores").reference, "attn.scores")
    checks.your_turn(exercises.get("part3.lstm_bptt").reference, "part3.lstm_bptt")
    capsys.readouterr()
    assert checks.scoreboard("attn", "part3") is None      # a notebook cell shows no stray tuple
    assert "Your turns in attn and part3: 2 of 2 right." in capsys.readouterr().out
    assert checks.scoreboard("attn", counts=True) == (1, 1)
    assert checks.scoreboard(counts=True) == (2, 2)
