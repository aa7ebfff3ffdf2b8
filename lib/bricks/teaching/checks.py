"""Self-checks for students: is my answer right, and if not, what differs?

Each helper prints one friendly verdict and returns True or False, so an exercise
cell can end with a check and a notebook can `assert` it:

    >>> from bricks.teaching.checks import check_array
    >>> x, dz = np.arange(8.0).reshape(4, 2), np.ones((4, 3))
    >>> my_dW1 = sum(np.outer(x[n], dz[n]) for n in range(4))    # a loop over the samples
    >>> check_array(my_dW1, x.T @ dz, "dW1")
    Correct: dW1 matches (shape (2, 3), max abs difference 0).
    True
    >>> check_array(my_dW1.T, x.T @ dz, "dW1")
    Not yet: dW1 has shape (3, 2), expected (2, 3). It is the transpose of what was expected: \
check the order of a matrix product.
    False

When the answer is wrong the verdict says how: a different shape (and whether the
transpose would fit), NaN or inf values, or the largest difference, where it is and
what was expected there, with hints for the usual slips (transposed, wrong sign,
scaled by a constant such as a forgotten 1/N). Gradients are compared with
centered finite differences (`bricks.teaching.gradcheck`) by their relative error

    rel_error(a, b) = ||a - b|| / (||a|| + ||b||),

which is below 1e-7 for a correct float64 gradient.

A "your turn" cell of a chapter defines a function whose body the student writes, then hands
it to `your_turn` with the id of an exercise of the instructor-side registry
`bricks.teaching.exercises` (the reference, several argument sets, the library functions the
answer must not merely call, the plausible slips: none of it in the notebook):

    sigmoid_grad = checks.your_turn(sigmoid_grad, "ch02.sigmoid_grad")

`your_turn` returns the function the rest of the notebook should use: the student's when it is
right on every argument set, the reference otherwise (also while the body is still the workshop
stub `raise NotImplementedError`), so an unsolved or wrong student notebook runs from top to
bottom and shows what the book shows. `scoreboard()` prints the notebook's verdicts.
"""
import copy
import itertools
import os
import re
import sys

import numpy as np

from bricks.teaching import gradcheck
from bricks.teaching.language import language

__all__ = ["check_shape", "check_array", "check_gradient", "check_layer_backward", "check_exercise", "your_turn",
           "scoreboard"]

_RESULTS = {}  # exercise id -> "right", "wrong" or "not done": the last verdict of this kernel


def _t(template, **fields):
    """`template` filled with `fields`, in the notebook's language (`bricks.teaching.language`).

    Every message of this module is written as an English template here; the Chinese edition's
    are in `bricks.teaching.checks_zh.MESSAGES`, keyed by the English one.
    """
    if language() != "zh":
        return template.format(**fields) if fields else template
    from bricks.teaching import checks_zh
    template = checks_zh.MESSAGES.get(template, template)
    text = template.format(**fields) if fields else template
    return re.sub(r"）[ ]+", "）", text)  # "dh0（第 4 个输出，共 4 个） 的": no space after a full-width bracket


def _zh(table, text):
    """A slip's name or an argument set's note in the notebook's language (`checks_zh.SLIPS`, `NOTES`)."""
    if text and language() == "zh":
        from bricks.teaching import checks_zh
        return getattr(checks_zh, table).get(text, text)
    return text


def _say(verbose, text):
    if callable(verbose):  # a collector (your_turn gathers the verdicts before printing)
        verbose(text)
    elif verbose:
        print(text)


def _as_array(value, name, verbose):
    """`value` as a float64 array, or None after explaining why it cannot be one."""
    if value is None:
        _say(verbose, _t("Not yet: {name} is None (did the function forget to `return`?).", name=name))
        return None
    try:
        raw = np.asarray(value)
        if np.iscomplexobj(raw):
            _say(verbose, _t("Not yet: {name} is complex ({dtype}), expected real numbers "
                             "(a square root of a negative number, or a 1j, slipped in?).", name=name, dtype=raw.dtype))
            return None
        arr = np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError):
        _say(verbose, _t("Not yet: {name} is a {kind}, not an array of numbers.", name=name, kind=type(value).__name__))
        return None
    return arr


def _fmt(shape):
    return str(tuple(int(d) for d in shape))


def check_shape(answer, expected_shape, name="answer", verbose=True):
    """Check that `answer` has shape `expected_shape`.

    Args:
        answer: an array (or anything with `.shape`, or a nested list).
        expected_shape: a tuple such as (4, 3).
        name: how the verdict calls the answer.
        verbose: print the verdict.
    Returns:
        True when the shapes match.
    """
    shape = getattr(answer, "shape", None)
    if shape is None:
        arr = _as_array(answer, name, verbose)
        if arr is None:
            return False
        shape = arr.shape
    shape, expected_shape = tuple(shape), tuple(expected_shape)
    if shape == expected_shape:
        _say(verbose, _t("Correct: {name} has shape {shape}.", name=name, shape=_fmt(shape)))
        return True
    hint = ""
    if shape[::-1] == expected_shape and len(shape) == 2:
        hint = _t(" It is the transpose of what was expected: check the order of a matrix product.")
    elif int(np.prod(shape)) == int(np.prod(expected_shape)):
        hint = _t(" Same number of entries: a reshape or a different axis order?")
    elif len(shape) != len(expected_shape):
        hint = _t(" It has {axes} axes, expected {expected}: a missing or extra axis (keepdims, batch)?",
                  axes=len(shape), expected=len(expected_shape))
    _say(verbose, _t("Not yet: {name} has shape {shape}, expected {expected}.", name=name, shape=_fmt(shape),
                     expected=_fmt(expected_shape)) + hint)
    return False


def _hints(a, e, rtol, atol):
    """Names of the usual slips that would explain the difference between `a` and `e`."""
    close = lambda x, y: x.shape == y.shape and np.allclose(x, y, rtol=rtol, atol=atol)  # noqa: E731
    if close(-a, e):
        return _t(" It is exactly the negative of the expected value: a sign slip (gradient ascent vs descent?).")
    if a.ndim == 2 and close(a.T, e):
        return _t(" It equals the transpose of the expected value.")
    flat_e, flat_a = e.ravel(), a.ravel()
    big = np.abs(flat_e) > atol
    if big.any():
        ratio = flat_a[big] / flat_e[big]
        if np.allclose(ratio, ratio[0], rtol=1e-6) and ratio[0] != 0 and np.allclose(flat_a[~big], 0, atol=atol):
            return _t(" It is the expected value times {ratio:.6g}: a missing or extra constant factor "
                      "(1/N for a mean, 2 from a square, the learning rate?).", ratio=ratio[0])
    return ""


def check_array(answer, expected, name="answer", rtol=1e-7, atol=1e-9, verbose=True, say=None, hints=True):
    """Check an array (or a number) against the expected one, entry by entry.

    Passes when every entry satisfies |answer - expected| <= atol + rtol * |expected|
    (`numpy.allclose`). Otherwise the verdict names the shape mismatch, the NaN/inf entries,
    or the largest difference with its index, plus a hint for common slips.

    Args:
        answer: the student's value (array, list or scalar).
        expected: the reference value.
        name: how the verdict calls the answer.
        rtol, atol: the tolerances.
        verbose: print the verdict.
        say: instead of printing, hand the verdict to this function.
        hints: add the one-array hints (sign, transpose, constant factor).
    Returns:
        True when the answer is right.
    """
    verbose = say if say is not None else verbose
    a = _as_array(answer, name, verbose)
    e = np.asarray(expected, dtype=np.float64)
    if a is None:
        return False
    if a.shape != e.shape:
        if a.size == 1 and e.size == 1:
            a = a.reshape(e.shape)
        else:
            return check_shape(a, e.shape, name, verbose)
    fin = np.isfinite(e)
    bad = ~np.isfinite(a) & fin
    if bad.any():
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        count = int(bad.sum())
        if a.ndim:
            _say(verbose, _t("Not yet: {name} has {count} NaN/inf value(s) (first at index {first}): "
                             "an overflow, a log of 0 or a division by 0?", name=name, count=count, first=first))
        else:
            _say(verbose, _t("Not yet: {name} has {count} NaN/inf value(s): "
                             "an overflow, a log of 0 or a division by 0?", name=name, count=count))
        return False
    aa, ee = np.where(fin, a, 0.0), np.where(fin, e, 0.0)  # compare finite entries by value
    diff = np.abs(aa - ee)
    same_special = (a == e) | (np.isnan(a) & np.isnan(e))  # where expected is inf/NaN
    ok = np.where(fin, diff <= atol + rtol * np.abs(ee), same_special)
    worst = float(diff.max()) if diff.size else 0.0
    if ok.all():
        _say(verbose, _t("Correct: {name} matches (shape {shape}, max abs difference {worst:.2g}).",
                         name=name, shape=_fmt(a.shape), worst=worst))
        return True
    if a.ndim == 0:
        _say(verbose, _t("Not yet: {name} is {got:.8g}, expected {expected:.8g} (difference {worst:.3g}).",
                         name=name, got=float(a), expected=float(e), worst=worst)
             + (_hints(a, e, rtol, atol) if hints else ""))
        return False
    k = tuple(int(i) for i in np.unravel_index(int(np.argmax(diff)), a.shape))
    _say(verbose, _t("Not yet: {name} differs from the expected value in {count} of {size} entries; the largest "
                     "difference is {worst:.3g} at index {index}: got {got:.8g}, expected {expected:.8g}.",
                     name=name, count=int((~ok).sum()), size=a.size, worst=worst, index=k, got=a[k], expected=e[k])
         + (_hints(a, e, rtol, atol) if hints else ""))
    return False


def check_gradient(f, grad_f, x, name="gradient", tol=1e-7, h=1e-5, verbose=True):
    """Compare your analytic gradient `grad_f(x)` with finite differences of `f` at `x`.

    Args:
        f: a function of one array returning a float (the loss).
        grad_f: your gradient: a function of the same array returning an array shaped like x.
        x: where to check (float64; keep it off kinks such as relu's 0).
        name: how the verdict calls the gradient.
        tol: the largest relative error that passes (1e-7 in float64).
        h: the finite-difference step.
        verbose: print the verdict.
    Returns:
        True when rel_error(analytic, numerical) < tol.
    """
    x = np.array(x, dtype=np.float64)
    try:
        analytic = grad_f(x.copy())
    except Exception as exc:  # a student's function may fail in any way: report, do not crash
        _say(verbose, _t("Not yet: grad_f raised {kind}: {exc}", kind=type(exc).__name__, exc=exc))
        return False
    a = _as_array(analytic, name, verbose)
    if a is None:
        return False
    if a.shape != x.shape:
        _say(verbose, _t("Not yet: {name} has shape {shape}, but a gradient is shaped like x: {expected}.",
                         name=name, shape=_fmt(a.shape), expected=_fmt(x.shape)))
        return False
    try:
        numeric = gradcheck.numerical_gradient(lambda: float(f(x)), x, h)  # (same shape as x)
    except Exception as exc:
        _say(verbose, _t("Not yet: f raised {kind}: {exc}", kind=type(exc).__name__, exc=exc))
        return False
    err = gradcheck.rel_error(a, numeric)
    if err < tol:
        _say(verbose, _t("Correct: {name} agrees with finite differences (rel_error {err:.2e} < {tol:.0e}).",
                         name=name, err=err, tol=tol))
        return True
    diff = np.abs(a - numeric)
    k = tuple(int(i) for i in np.unravel_index(int(np.argmax(diff)), diff.shape)) if diff.ndim else ()
    _say(verbose, _t("Not yet: {name} has rel_error {err:.2e} against finite differences (needs < {tol:.0e}); "
                     "the largest difference is at index {index}: yours {got:.8g}, numerical {numerical:.8g}.",
                     name=name, err=err, tol=tol, index=k, got=a[k], numerical=numeric[k])
         + _hints(a, numeric, 1e-5, 1e-8))
    return False


def check_layer_backward(layer, x, tol=1e-7, seed=0, training=False, verbose=True):
    """Check a layer's `backward` for the input and every weight (see `bricks.teaching.gradcheck.check_layer`).

    Args:
        layer: a bricks layer, yours or the library's (built on the first forward).
        x: an input batch, float64, small (finite differences loop over every entry).
        tol: the largest relative error that passes.
        seed: seed of the random upstream gradient.
        training: passed to forward (seed noise layers to make them repeatable).
        verbose: print one line per array.
    Returns:
        True when the input gradient and every weight gradient pass.
    """
    name = getattr(layer, "name", type(layer).__name__)
    try:
        errors = gradcheck.check_layer(layer, x, seed=seed, training=training)
    except Exception as exc:  # a half-written layer fails in many ways: explain, do not crash
        _say(verbose, _t("Not yet: checking {name} raised {kind}: {exc}", name=name, kind=type(exc).__name__, exc=exc))
        return False
    failing = {k: v for k, v in errors.items() if not v < tol}
    for k, v in errors.items():
        mark = "ok " if k not in failing else "BAD"
        what = _t("d input") if k == "x" else f"d {k}"
        _say(verbose, f"  {mark} {what:<28s} rel_error {v:.2e}")
    if failing:
        worst = max(failing, key=failing.get)
        _say(verbose, _t("Not yet: {name}.backward disagrees with finite differences for {parts} "
                         "(worst {worst}: {err:.2e}, needs < {tol:.0e}).",
                         name=name, parts=sorted(failing), worst=worst, err=failing[worst], tol=tol))
        return False
    _say(verbose, _t("Correct: {name}.backward matches finite differences for the input and {count} weight(s).",
                     name=name, count=len(errors) - 1))
    return True


def _output_label(name, i, n, outputs):
    """How a verdict calls part i of n of a returned tuple: "dh0 (output 4 of 4)" when named."""
    if len(outputs) == n:
        return _t("{name} (output {i} of {n})", name=outputs[i], i=i + 1, n=n)
    return f"{name}[{i}]"


def _key_label(name, key):
    """name[key], the key before a position: "gradients['W1'] (output 2 of 2)"."""
    base, sep, where = name.partition(_t(" (output "))  # the start of _output_label's position
    return f"{base}[{key!r}]{sep}{where}"


def _verdict(answer, expected, name, rtol, atol, outputs=()):
    """(ok, message, pairs) for `answer` vs `expected`, part by part for tuples, lists and dicts.

    `pairs` lists the (answer, expected) float arrays of equal shape, for the hints across cases.
    `outputs` names the parts of a returned tuple (the exercise's `outputs`).
    """
    if isinstance(expected, dict):
        if not isinstance(answer, dict) or set(answer) != set(expected):
            got = sorted(answer) if isinstance(answer, dict) else type(answer).__name__
            return False, _t("Not yet: {name} should be a dict with keys {keys}, got {got}.",
                             name=name, keys=sorted(expected), got=got), []
        results = [_verdict(answer[k], expected[k], _key_label(name, k), rtol, atol) for k in expected]
    elif isinstance(expected, (tuple, list)):
        if not isinstance(answer, (tuple, list)) or len(answer) != len(expected):
            got = _t("{count} values", count=len(answer)) if isinstance(answer, (tuple, list)) else _t("one value")
            named = _t(" ({names})", names=", ".join(outputs)) if len(outputs) == len(expected) else ""
            return False, _t("Not yet: {name} should return {count} values{named}, got {got}.",
                             name=name, count=len(expected), named=named, got=got), []
        n = len(expected)
        results = [_verdict(a, e, _output_label(name, i, n, outputs), rtol, atol)
                   for i, (a, e) in enumerate(zip(answer, expected))]
    else:
        lines = []
        ok = check_array(answer, expected, name, rtol=rtol, atol=atol, say=lines.append, hints=False)
        a = _as_array(answer, name, False)
        e = np.asarray(expected, dtype=np.float64)
        pairs = [(a.reshape(e.shape) if a.size == e.size == 1 else a, e)] if a is not None else []
        pairs = [(x, y) for x, y in pairs if x.shape == y.shape]
        return ok, (lines[0] if lines else ""), pairs
    bad = [r for r in results if not r[0]]
    pairs = [p for r in results for p in r[2]]
    if bad:
        return False, bad[0][1], pairs
    return True, results[0][1] if results else _t("Correct: {name} matches.", name=name), pairs


def _shapes(case):
    """'(2, 3), (3,), 0.5' for the arguments of a case."""
    def one(v):
        if hasattr(v, "shape") and getattr(v, "ndim", 0) > 0:
            return _fmt(v.shape)
        if isinstance(v, (list, tuple)) and len(v) > 4:
            return _t("a list of {count}", count=len(v))
        if isinstance(v, (list, tuple)):
            return "[" + ", ".join(one(x) for x in v) + "]"
        if callable(v):
            return getattr(v, "__name__", _t("a function"))
        text = repr(v.item() if hasattr(v, "item") else v)
        return text if len(text) <= 12 else text[:10] + "..."
    parts = [one(v) for v in case.args] + [f"{k}={one(v)}" for k, v in case.kwargs.items()]
    return ", ".join(parts)


def _cross_hints(failing_pairs, all_pairs, rtol, atol, product=True):
    """Hints that hold across every argument set: sign, transpose, one constant factor, a shift.

    `product`: the answer is made of numbers (a matrix product may have its factors swapped),
    not of booleans or integers (a mask, counts: rows and columns swapped)."""
    if not failing_pairs:
        return ""
    close = lambda x, y: x.shape == y.shape and np.allclose(x, y, rtol=max(rtol, 1e-7), atol=atol)  # noqa: E731
    nontrivial = [(a, e) for a, e in failing_pairs if np.abs(e).max(initial=0) > atol]
    if nontrivial and all(close(-a, e) for a, e in nontrivial):
        return _t(" It is exactly the negative of the expected value: a sign slip (a minus, or the two terms of "
                  "a difference swapped?).")
    if all(a.ndim == 2 and a.shape[0] == a.shape[1] and a.shape[0] > 1 and close(a.T, e) for a, e in failing_pairs):
        if not product:
            return _t(" It equals the transpose of the expected value: rows and columns swapped (which index is "
                      "the row?).")
        return _t(" It equals the transpose of the expected value: check which factor of the matrix product comes "
                  "first.")
    ratios = []
    for a, e in all_pairs:
        big = np.abs(e) > max(atol, 1e-12)
        if not np.allclose(a[~big], 0, atol=atol):
            ratios = None
            break
        ratios.extend((a[big] / e[big]).ravel().tolist())
    if ratios and len(ratios) > 1 and np.allclose(ratios, ratios[0], rtol=1e-6) and not np.isclose(ratios[0], 1.0) \
            and not np.isclose(ratios[0], -1.0) and ratios[0] != 0:
        return _t(" On every argument set it is the expected value times {ratio:.6g}: a missing or extra constant "
                  "factor (1/N for a mean, 2 from a square, the learning rate, a scale?).", ratio=ratios[0])
    if all(a.ndim == 0 for a, _ in failing_pairs):
        gaps = {round(float(a) - float(e), 9) for a, e in failing_pairs}
        if gaps in ({1.0}, {-1.0}):
            a, e = failing_pairs[0]
            return _t(" It is off by one ({got:g} instead of {expected:g}): a count that includes or leaves out "
                      "one end?", got=float(a), expected=float(e))
        return ""
    common = None
    for a, e in failing_pairs:
        found = set()
        if a.ndim and np.all(np.isfinite(a)):
            for axis in range(a.ndim):
                n = a.shape[axis]
                if n < 3:
                    continue
                take = lambda v, s: np.take(v, np.arange(s, s + n - 1), axis=axis)  # noqa: E731,B023
                if close(take(a, 0), take(e, 1)):
                    found.add((axis, 1))
                if close(take(a, 1), take(e, 0)):
                    found.add((axis, -1))
        common = found if common is None else common & found
    if common:
        axis, shift = sorted(common)[0]
        if shift == 1:
            return _t(" Along axis {axis} it is shifted by one: entry i holds the value expected at index i+1 "
                      "(everything one step early): an off-by-one in an index or a slice.", axis=axis)
        return _t(" Along axis {axis} it is shifted by one: entry i holds the value expected at index i-1 "
                  "(everything one step late): an off-by-one in an index or a slice.", axis=axis)
    return ""


def _is_product(expecteds):
    """False when every expected value is boolean or integer (a mask, counts): no matrix product to blame."""
    leaves = []

    def walk(v):
        if isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, (tuple, list)) and not all(np.isscalar(x) for x in v):
            for x in v:
                walk(x)
        else:
            leaves.append(np.asarray(v))
    try:
        for v in expecteds:
            walk(v)
    except (TypeError, ValueError):
        return True
    return not leaves or any(x.dtype.kind not in "biu" for x in leaves)


def _top_parts(value, expected):
    """{key: (answer part, expected part)} of a returned tuple, list or dict (key None: one value)."""
    if isinstance(expected, dict) and isinstance(value, dict):
        return {k: (value.get(k), e) for k, e in expected.items()}
    if isinstance(expected, (tuple, list)) and isinstance(value, (tuple, list)) and len(value) == len(expected):
        return dict(enumerate(zip(value, expected)))
    return {None: (value, expected)}


def _float_pair(a, e):
    """(a, e) as float arrays of one shape, or None."""
    try:
        a, e = np.asarray(a, dtype=np.float64), np.asarray(e, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return (a, e) if a.shape == e.shape else None


def _part_hints(outputs, expecteds, names, rtol, atol):
    """Hints about the parts of an answer, across the argument sets: outputs in another order,
    values outside the range every expected value keeps, differences only at the start or the end."""
    try:
        with np.errstate(all="ignore"):
            return (_order_hint(outputs, expecteds, names, rtol, atol)
                    or _part_shape_hints(outputs, expecteds, rtol, atol))
    except Exception:  # a hint must never turn a verdict into a crash
        return ""


def _close(a, e, rtol, atol):
    pair = _float_pair(a, e)
    return pair is not None and np.allclose(*pair, rtol=rtol, atol=atol, equal_nan=True)


def _order_hint(outputs, expecteds, names, rtol, atol):
    """'Outputs 1 and 2 are swapped ...' when every part is right but in another place, on every argument set."""
    perms = None
    for a, e in zip(outputs, expecteds):
        if not (isinstance(e, tuple) and isinstance(a, (tuple, list)) and len(a) == len(e) > 1):
            return ""
        n = len(e)
        if all(_close(x, y, rtol, atol) for x, y in zip(a, e)):
            continue  # right on this argument set
        match = [[_close(a[i], e[j], rtol, atol) for j in range(n)] for i in range(n)]
        candidates = itertools.permutations(range(n)) if n <= 6 else \
            (tuple(j if k == i else i if k == j else k for k in range(n)) for i in range(n) for j in range(i + 1, n))
        found = {p for p in candidates if p != tuple(range(n)) and all(match[i][p[i]] for i in range(n))}
        perms = found if perms is None else perms & found
        if not perms:
            return ""
    if not perms:
        return ""
    perm = min(perms)
    n = len(perm)
    order = _t("; return ({names}) in that order", names=", ".join(names)) if len(names) == n else ""
    moved = [i for i in range(n) if perm[i] != i]
    if len(moved) == 2:
        return _t(" Outputs {a} and {b} are swapped: each is right in the other's place{order}.",
                  a=moved[0] + 1, b=moved[1] + 1, order=order)
    return _t(" The outputs are right but in another order{order}.", order=order)


def _edges(a, e, rtol, atol):
    """{(axis, "first" or "last"): m} for every axis along which all the entries that differ lie in
    the first (last) m of its n positions (n >= 3, m <= n / 2)."""
    wrong = ~np.isclose(a, e, rtol=rtol, atol=atol, equal_nan=True)
    found = {}
    if not wrong.any():
        return found
    for axis in range(a.ndim):
        n = a.shape[axis]
        if n < 3:
            continue
        hit = np.flatnonzero(wrong.any(axis=tuple(k for k in range(a.ndim) if k != axis)))
        if hit[-1] + 1 <= n // 2:
            found[axis, "first"] = int(hit[-1] + 1)
        elif n - hit[0] <= n // 2:
            found[axis, "last"] = int(n - hit[0])
    return found


def _part_shape_hints(outputs, expecteds, rtol, atol):
    """The range and start/end hints for the first part that is wrong, across the argument sets."""
    parts = [_top_parts(a, e) for a, e in zip(outputs, expecteds)]
    wrong = [key for case in parts for key, (a, e) in case.items() if not _close(a, e, rtol, atol)]
    if not wrong:
        return ""
    first = wrong[0]  # the part the verdict's first line is about
    pairs = [_float_pair(*case[first]) for case in parts if first in case]
    if not pairs or any(p is None for p in pairs):
        return ""
    failing = [(a, e) for a, e in pairs if not np.allclose(a, e, rtol=rtol, atol=atol, equal_nan=True)]
    if not all(np.isfinite(a).all() for a, _ in failing):
        return ""  # the verdict names the NaN/inf values
    # the range every expected value keeps on every argument set (filling at least 80% of it, with
    # several distinct values, not all whole numbers: a squashing function's outputs, not counts)
    values = np.concatenate([e.ravel() for _, e in pairs])
    values = values[np.isfinite(values)]
    got = np.concatenate([a.ravel() for a, _ in failing])
    squashed = np.unique(values).size >= 6 and not np.all(values == np.round(values))
    for lo, hi, what in ((0.0, 1.0, _t("a sigmoid, a softmax, a probability, tanh'")),
                         (-1.0, 1.0, _t("tanh, a sine, a correlation"))):
        if squashed and got.size and values.min() >= lo and values.max() <= hi \
                and values.max() - values.min() >= 0.8 * (hi - lo):
            outside = got[(got < lo - atol) | (got > hi + atol)]
            if outside.size:
                worst = outside[np.argmax(np.abs(outside - (lo + hi) / 2))]
                return _t(" Every expected value lies in [{lo:g}, {hi:g}], yet yours reach {worst:.4g}: a function "
                          "bounded to that range ({what}) missing, or something added after it?",
                          lo=lo, hi=hi, worst=worst, what=what)
            break
    # the differences only at the start (end) of an axis whose length changes between the argument sets
    # (a time axis, not a fixed list of features), on at least two of them
    edges = [_edges(a, e, rtol, atol) for a, e in failing]
    common = set.intersection(*(set(x) for x in edges)) if len(edges) >= 2 else set()
    common = sorted(k for k in common if len({a.shape[k[0]] for a, _ in failing}) > 1)
    if common:
        (axis, side), m = common[0], edges[0][common[0]]
        along = "" if failing[0][0].ndim == 1 else _t(" along axis {axis}", axis=axis)
        if m == 1 and side == "first":
            return _t(" Only the first step{along} differs, the rest match, on every argument set: "
                      "the zero padding, or the range of a loop (where it starts or stops)?", along=along)
        if m == 1:
            return _t(" Only the last step{along} differs, the rest match, on every argument set: "
                      "the zero padding, or the range of a loop (where it starts or stops)?", along=along)
        if side == "first":
            return _t(" Only the first {m} steps{along} differ, the rest match, on every argument set: "
                      "the zero padding, or the range of a loop (where it starts or stops)?", m=m, along=along)
        return _t(" Only the last {m} steps{along} differ, the rest match, on every argument set: "
                  "the zero padding, or the range of a loop (where it starts or stops)?", m=m, along=along)
    return ""


class _Forbidden(Exception):
    """Raised inside the student's call when it reaches a forbidden library function."""


def _library_file(filename):
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # lib/bricks
    return os.path.abspath(filename).startswith(here + os.sep)


def _codes(obj):
    """The code objects of a function, or of every method a class defines itself (decorators unwrapped;
    a wrapper shared by every layer, such as base.py's, is left out)."""
    import inspect
    if isinstance(obj, type):
        home = getattr(sys.modules.get(obj.__module__), "__file__", None)
        out = []
        for v in vars(obj).values():
            v = inspect.unwrap(getattr(v, "__func__", v)) if callable(getattr(v, "__func__", v)) else v
            code = getattr(v, "__code__", None)
            if code is not None and (home is None or os.path.samefile(code.co_filename, home)):
                out.append(code)
        return out
    obj = inspect.unwrap(getattr(obj, "__func__", obj))
    return [obj.__code__] if hasattr(obj, "__code__") else []


def _call_watching(fn, forbidden, args, kwargs):
    """fn(*args, **kwargs); raises _Forbidden naming the first forbidden function fn calls directly.

    "Directly": called from code outside the library (the student's function or its helpers),
    so a library function the student may use that calls the forbidden one internally is fine.
    """
    codes = {c: spec for spec, obj in forbidden for c in _codes(obj)}
    builtins_ = {id(obj): spec for spec, obj in forbidden if not _codes(obj)}
    if not codes and not builtins_:
        return fn(*args, **kwargs)
    hit = []
    previous = sys.getprofile()

    def profile(frame, event, arg):
        if event == "call" and frame.f_code in codes and not hit:
            caller = frame.f_back
            if caller is None or not _library_file(caller.f_code.co_filename):
                hit.append(codes[frame.f_code])
        elif event == "c_call" and id(arg) in builtins_ and not hit:
            hit.append(builtins_[id(arg)])
        if previous is not None:
            previous(frame, event, arg)

    sys.setprofile(profile)
    try:
        result = fn(*args, **kwargs)
    finally:
        if sys.getprofile() is profile:
            sys.setprofile(previous)
    if hit:
        raise _Forbidden(hit[0])
    return result


def _run_cases(fn, exercise, cases, reference, forbidden=(), expecteds=None):
    """Run fn on every case; returns (first_problem_message or None, all_pairs, failing_pairs, outputs).

    `expecteds`, a list, receives the reference's value of every case."""
    problem, all_pairs, failing, outputs = None, [], [], []
    name = exercise.name
    for k, case in enumerate(cases, 1):
        expected = reference(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))
        if expecteds is not None:
            expecteds.append(expected)
        args, kwargs = copy.deepcopy(case.args), copy.deepcopy(case.kwargs)
        with np.errstate(all="ignore"):  # a NaN or an overflow is the verdict's to explain, not numpy's
            answer = _call_watching(fn, forbidden, args, kwargs)
        outputs.append(answer)
        ok, message, pairs = _verdict(answer, expected, name, exercise.rtol, exercise.atol, exercise.outputs)
        all_pairs += pairs
        if not ok:
            failing += [(a, e) for a, e in pairs
                        if not np.allclose(a, e, rtol=exercise.rtol, atol=exercise.atol, equal_nan=True)]
            if problem is None:
                detail = _shapes(case)
                if case.note:
                    detail = _t("{shapes}; {note}", shapes=detail, note=_zh("NOTES", case.note))
                where = _t("Not yet: on argument set {k} of {n} ({detail}):", k=k, n=len(cases), detail=detail)
                problem = message.replace(_t("Not yet:"), where, 1)
    return problem, all_pairs, failing, outputs


def _same_outputs(xs, ys, rtol, atol):
    try:
        return all(_verdict(x, y, "", rtol, atol)[0] for x, y in zip(xs, ys))
    except Exception:  # a mistake that fails on some case matches nothing
        return False


def _known_slip(exercise, cases, outputs):
    """The first registered mistake that behaves exactly like the answer on every case, or None."""
    import warnings
    with warnings.catch_warnings(), np.errstate(all="ignore"):  # the slips' own warnings are not the student's
        warnings.simplefilter("ignore")
        return _first_matching_slip(exercise, cases, outputs)


def _first_matching_slip(exercise, cases, outputs):
    for m in exercise.mistakes:
        try:
            theirs = [m.fn(*copy.deepcopy(c.args), **copy.deepcopy(c.kwargs)) for c in cases]
        except Exception:
            continue
        if _same_outputs(outputs, theirs, max(exercise.rtol, 1e-9), exercise.atol):
            return m
    return None


def _error_hint(exc):
    """A hint for the errors numpy raises on mismatched shapes."""
    text = str(exc)
    if "matmul" in text or "shapes" in text or "broadcast" in text or "dimension" in text:
        return _t(" A shape mismatch: write each factor's shape next to it, (N, H) @ (H, K) -> (N, K); "
                  "a missing or extra transpose?")
    return ""


def _known_slip_raising(exercise, cases, exc):
    """The first registered mistake that raises the same error as the answer on the same case."""
    import warnings
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return _first_slip_raising(exercise, cases, exc)


def _first_slip_raising(exercise, cases, exc):
    for m in exercise.mistakes:
        for c in cases:
            try:
                m.fn(*copy.deepcopy(c.args), **copy.deepcopy(c.kwargs))
            except Exception as theirs:
                if type(theirs) is type(exc) and str(theirs) == str(exc):
                    return m
                break
    return None


class _notebook_state_kept:
    """Leave the notebook as it was: bricks' global generator, its layer-name counters, numpy's legacy
    global generator. A check builds layers and draws numbers; the cells below must not notice."""

    def __enter__(self):
        from bricks import backend
        self.backend = backend
        self.rng = backend._state["rng"].bit_generator.state
        self.names = dict(backend._state["names"])
        self.np_state = np.random.get_state()
        return self

    def __exit__(self, *exc):
        self.backend._state["rng"].bit_generator.state = self.rng
        self.backend._state["names"].clear()
        self.backend._state["names"].update(self.names)
        np.random.set_state(self.np_state)


def check_exercise(fn, exercise, context=None, catalogue=True):
    """Check `fn` against a registered exercise; returns (passed, message lines).

    Every argument set must match the reference; an answer that calls one of the exercise's
    forbidden library functions is refused. A failing answer gets the hints that hold across
    the argument sets and, with `catalogue`, the name of the known slip it behaves like.
    The global random generators and bricks' layer-name counters are left as they were.
    """
    with _notebook_state_kept():
        return _check_exercise(fn, exercise, context, catalogue)


def _check_exercise(fn, exercise, context=None, catalogue=True):
    """Check `fn` against a registered exercise; returns (passed, message lines).

    Every argument set must match the reference; an answer that calls one of the exercise's
    forbidden library functions is refused. A failing answer gets the hints that hold across
    the argument sets and, with `catalogue`, the name of the known slip it behaves like.
    """
    from bricks.teaching import exercises as _exercises
    ex = _exercises.get(exercise) if isinstance(exercise, str) else exercise
    context = dict(context or {})
    reference = ex.reference_for(**context)
    cases = ex.cases_for(**context)
    name = ex.name
    forbidden = ex.forbidden_objects()  # outside the try: a registry slip must not read as the student's
    expecteds = []
    try:
        problem, all_pairs, failing, outputs = _run_cases(fn, ex, cases, reference, forbidden, expecteds)
    except NotImplementedError:
        return None, [_t("Not done yet: using the reference for {name}.", name=name)]
    except _Forbidden as exc:
        spec = exc.args[0]
        return False, [_t("Not yet: {name} calls the library's {function} ({module}), the very thing this exercise "
                          "asks you to write: write it with numpy (the check compares your answer with that function).",
                          name=name, function=spec.split(":")[-1], module=spec.split(":")[0])]
    except Exception as exc:  # a half-written body fails in many ways: explain, do not crash
        lines = [_t("Not yet: {name} raised {kind}: {exc}", name=name, kind=type(exc).__name__, exc=exc)
                 + _error_hint(exc)]
        slip = _known_slip_raising(ex, cases, exc) if catalogue else None
        if slip is not None:
            lines.append(_t("It behaves like a known slip: {why}.", why=_zh("SLIPS", slip.why)))
        return False, lines
    if problem is not None and ex.accept:
        for alt in ex.accept:
            try:
                alt_problem = _run_cases(fn, ex, cases, alt.fn)[0]
            except Exception:
                continue
            if alt_problem is None:
                return True, [_t("Correct: {name} matches on {n} argument sets, in another right form: {why}.",
                                 name=name, n=len(cases), why=_zh("SLIPS", alt.why))]
    if problem is None and ex.gradient is not None:
        for k, case in enumerate(cases, 1):
            try:
                errors = ex.gradient(fn, case)
            except Exception as exc:
                return False, [_t("Not yet: checking {name} against finite differences raised {kind}: {exc}",
                                  name=name, kind=type(exc).__name__, exc=exc)]
            bad = {part: err for part, err in errors.items() if not err < 1e-6}
            if bad:
                worst = max(bad, key=bad.get)
                return False, [_t("Not yet: on argument set {k}, {name} disagrees with finite differences for "
                                  "{parts} (worst {worst}: rel_error {err:.2e}, needs < 1e-06).",
                                  k=k, name=name, parts=sorted(bad), worst=worst, err=bad[worst])]
    if problem is None:
        worst = max((float(np.max(np.abs(a - e), initial=0)) for a, e in all_pairs
                     if np.all(np.isfinite(e))), default=0.0)
        shapes = sorted({_fmt(e.shape) for _, e in all_pairs})
        shown = ", ".join(shapes[:4]) + (", ..." if len(shapes) > 4 else "")
        if ex.gradient is not None:
            return True, [_t("Correct: {name} matches the reference and finite differences on {n} argument sets "
                             "(shapes {shapes}; max abs difference {worst:.2g}).",
                             name=name, n=len(cases), shapes=shown, worst=worst)]
        return True, [_t("Correct: {name} matches the reference on {n} argument sets "
                         "(shapes {shapes}; max abs difference {worst:.2g}).",
                         name=name, n=len(cases), shapes=shown, worst=worst)]
    transposed = "transpose" in problem or "转置" in problem  # check_shape's hint already says it
    hint = "" if transposed else _cross_hints(failing, all_pairs, ex.rtol, ex.atol, product=_is_product(expecteds))
    hint = hint or _part_hints(outputs, expecteds, ex.outputs, ex.rtol, ex.atol)
    lines = [problem + hint]
    slip = _known_slip(ex, cases, outputs) if catalogue else None
    if slip is not None:
        lines.append(_t("It behaves like a known slip: {why}.", why=_zh("SLIPS", slip.why)))
    return False, lines


def _legacy_compare(fn, reference, args, name, kwargs, rtol):
    args = args if isinstance(args, tuple) else (args,)
    kwargs = dict(kwargs or {})
    expected = reference(*copy.deepcopy(args), **copy.deepcopy(kwargs))
    try:
        answer = fn(*copy.deepcopy(args), **copy.deepcopy(kwargs))
    except NotImplementedError:
        return None, [_t("Not done yet: using the reference for {name}.", name=name)]
    except Exception as exc:
        return False, [_t("Not yet: {name} raised {kind}: {exc}", name=name, kind=type(exc).__name__, exc=exc)]
    ok, message, pairs = _verdict(answer, expected, name, rtol, 1e-9)
    if ok:
        return True, [message]
    return False, [message + _hints(*pairs[0], rtol, 1e-9) if pairs else message]


def your_turn(fn, reference, args=None, name=None, kwargs=None, rtol=1e-7, **context):
    """Check the student's `fn`; return the function the rest of the notebook should use.

    The book's form names a registered exercise (`bricks.teaching.exercises`):

        sigmoid_grad = checks.your_turn(sigmoid_grad, "ch02.sigmoid_grad")

    `fn` runs on every argument set of the exercise (each call on its own deep copy of the
    arguments, so an in-place slip cannot change the reference's input) and is compared with
    the reference (|fn - reference| <= atol + rtol |reference| entry by entry; tuples, lists and
    dicts part by part). Keyword arguments (`**context`) reach the exercise's argument sets
    when it needs the notebook's objects (a model, a table). Prints one verdict:

    - the body still raises NotImplementedError (the workshop stub):
      "Not done yet: using the reference for NAME." and returns the reference;
    - a wrong answer, an answer that only calls the library function the cell asks for, or any
      other exception: what differs, on which argument set, the slip it looks like, then
      "Using the reference for NAME ...", and returns the reference;
    - right: "Correct: ..." and returns `fn`.

    The older form `your_turn(fn, reference, args, name, kwargs=None, rtol=1e-7)` compares on the
    one argument set given (kept for cells written before the registry).

    Returns:
        `fn` when it is right, else the reference, so a wrong answer never changes what the
        cells below show.

    Example:
        >>> import numpy as np
        >>> def square(x):
        ...     '''x times x.'''
        ...     return x * x
        >>> f = your_turn(square, reference=np.square, args=(np.arange(3.0),), name="square")
        Correct: square matches (shape (3,), max abs difference 0).
        >>> f is square
        True
        >>> def square(x):
        ...     '''x times x.'''
        ...     raise NotImplementedError("your turn: x times x.")
        >>> f = your_turn(square, reference=np.square, args=(np.arange(3.0),), name="square")
        Not done yet: using the reference for square.
        >>> f is np.square
        True
    """
    if isinstance(reference, str):
        from bricks.teaching import exercises as _exercises
        ex = _exercises.get(reference)
        name, ref = ex.name, ex.reference_for(**context)
        passed, lines = check_exercise(fn, ex, context)
        _RESULTS[ex.id] = {True: "right", False: "wrong", None: "not done"}[passed]
    else:
        name, ref = name or getattr(fn, "__name__", "answer"), reference
        passed, lines = _legacy_compare(fn, reference, args, name, kwargs, rtol)
    for line in lines:
        print(line)
    if passed:
        return fn
    if passed is False:
        print(_t("Using the reference for {name} so that the cells below still run.", name=name))
    return ref


def scoreboard(*chapters, counts=False):
    """Print this kernel's your-turn verdicts, of the exercises whose ids start with one of `chapters`
    ("ch02" or "ch02."; none: every one); returns (right, checked) when `counts`, else None (so that
    a notebook cell ending with it shows no stray tuple).

    The last verdict of each exercise counts, so a corrected answer rerun replaces its first try.
    Whole pieces (a layer's backward, a loop) are marked. A chapter whose exercises have two
    prefixes names both: `scoreboard("attn", "part3")`.
    """
    from bricks.teaching import exercises as _exercises
    prefixes = tuple(c.rstrip(".") + "." for c in chapters if c is not None)
    rows = [(k, v) for k, v in _RESULTS.items() if not prefixes or k.startswith(prefixes)]
    right = sum(v == "right" for _, v in rows)
    for k, v in rows:
        whole = _t(" (a whole piece)") if _exercises.get(k).whole else ""
        status = {"right": _t("right"), "wrong": _t("wrong"), "not done": _t("not done")}[v]
        print(f"  {'ok ' if v == 'right' else '-- '} {k.split('.', 1)[1]:<26s} {status}{whole}")
    where = _t(" and ").join(p[:-1] for p in prefixes)
    if where:
        print(_t("Your turns in {chapter}: {right} of {n} right.", chapter=where, right=right, n=len(rows)))
    else:
        print(_t("Your turns: {right} of {n} right.", right=right, n=len(rows)))
    return (right, len(rows)) if counts else None
