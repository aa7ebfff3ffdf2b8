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
    Not yet: dW1 has shape (3, 2), expected (2, 3). It is the transpose of what was expected: check the order of a matrix product.
    False

When the answer is wrong the verdict says how: a different shape (and whether the
transpose would fit), NaN or inf values, or the largest difference, where it is and
what was expected there, with hints for the usual slips (transposed, wrong sign,
scaled by a constant such as a forgotten 1/N). Gradients are compared with
centered finite differences (`bricks.teaching.gradcheck`) by their relative error

    rel_error(a, b) = ||a - b|| / (||a|| + ||b||),

which is below 1e-7 for a correct float64 gradient.

A "your turn" cell of a chapter defines a function whose body the student writes, then hands
it to `your_turn`, which compares it with a reference on given arguments and returns the
function the rest of the notebook should use: the student's when it is right, the reference
otherwise (also when the body is still the workshop stub `raise NotImplementedError`), so an
unsolved student notebook runs from top to bottom.
"""
import copy

import numpy as np

from bricks.teaching import gradcheck

__all__ = ["check_shape", "check_array", "check_gradient", "check_layer_backward", "your_turn"]


def _say(verbose, text):
    if verbose:
        print(text)


def _as_array(value, name, verbose):
    """`value` as a float64 array, or None after explaining why it cannot be one."""
    if value is None:
        _say(verbose, f"Not yet: {name} is None (did the function forget to `return`?).")
        return None
    try:
        raw = np.asarray(value)
        if np.iscomplexobj(raw):
            _say(verbose, f"Not yet: {name} is complex ({raw.dtype}), expected real numbers "
                          f"(a square root of a negative number, or a 1j, slipped in?).")
            return None
        arr = np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError):
        _say(verbose, f"Not yet: {name} is a {type(value).__name__}, not an array of numbers.")
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
        _say(verbose, f"Correct: {name} has shape {_fmt(shape)}.")
        return True
    hint = ""
    if shape[::-1] == expected_shape and len(shape) == 2:
        hint = " It is the transpose of what was expected: check the order of a matrix product."
    elif int(np.prod(shape)) == int(np.prod(expected_shape)):
        hint = " Same number of entries: a reshape or a different axis order?"
    elif len(shape) != len(expected_shape):
        hint = f" It has {len(shape)} axes, expected {len(expected_shape)}: a missing or extra axis (keepdims, batch)?"
    _say(verbose, f"Not yet: {name} has shape {_fmt(shape)}, expected {_fmt(expected_shape)}.{hint}")
    return False


def _hints(a, e, rtol, atol):
    """Names of the usual slips that would explain the difference between `a` and `e`."""
    close = lambda x, y: x.shape == y.shape and np.allclose(x, y, rtol=rtol, atol=atol)  # noqa: E731
    if close(-a, e):
        return " It is exactly the negative of the expected value: a sign slip (gradient ascent vs descent?)."
    if a.ndim == 2 and close(a.T, e):
        return " It equals the transpose of the expected value."
    flat_e, flat_a = e.ravel(), a.ravel()
    big = np.abs(flat_e) > atol
    if big.any():
        ratio = flat_a[big] / flat_e[big]
        if np.allclose(ratio, ratio[0], rtol=1e-6) and ratio[0] != 0 and np.allclose(flat_a[~big], 0, atol=atol):
            return (f" It is the expected value times {ratio[0]:.6g}: a missing or extra constant factor "
                    f"(1/N for a mean, 2 from a square, the learning rate?).")
    return ""


def check_array(answer, expected, name="answer", rtol=1e-7, atol=1e-9, verbose=True):
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
    Returns:
        True when the answer is right.
    """
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
        where = f" (first at index {first})" if a.ndim else ""
        _say(verbose, f"Not yet: {name} has {int(bad.sum())} NaN/inf value(s){where}: "
                      f"an overflow, a log of 0 or a division by 0?")
        return False
    aa, ee = np.where(fin, a, 0.0), np.where(fin, e, 0.0)  # compare finite entries by value
    diff = np.abs(aa - ee)
    same_special = (a == e) | (np.isnan(a) & np.isnan(e))  # where expected is inf/NaN
    ok = np.where(fin, diff <= atol + rtol * np.abs(ee), same_special)
    worst = float(diff.max()) if diff.size else 0.0
    if ok.all():
        _say(verbose, f"Correct: {name} matches (shape {_fmt(a.shape)}, max abs difference {worst:.2g}).")
        return True
    if a.ndim == 0:
        _say(verbose, f"Not yet: {name} is {float(a):.8g}, expected {float(e):.8g} "
                      f"(difference {worst:.3g}).{_hints(a, e, rtol, atol)}")
        return False
    k = tuple(int(i) for i in np.unravel_index(int(np.argmax(diff)), a.shape))
    _say(verbose, f"Not yet: {name} differs from the expected value in {int((~ok).sum())} of {a.size} entries; "
                  f"the largest difference is {worst:.3g} at index {k}: got {a[k]:.8g}, expected {e[k]:.8g}."
                  f"{_hints(a, e, rtol, atol)}")
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
        _say(verbose, f"Not yet: grad_f raised {type(exc).__name__}: {exc}")
        return False
    a = _as_array(analytic, name, verbose)
    if a is None:
        return False
    if a.shape != x.shape:
        _say(verbose, f"Not yet: {name} has shape {_fmt(a.shape)}, but a gradient is shaped like x: {_fmt(x.shape)}.")
        return False
    try:
        numeric = gradcheck.numerical_gradient(lambda: float(f(x)), x, h)  # (same shape as x)
    except Exception as exc:
        _say(verbose, f"Not yet: f raised {type(exc).__name__}: {exc}")
        return False
    err = gradcheck.rel_error(a, numeric)
    if err < tol:
        _say(verbose, f"Correct: {name} agrees with finite differences (rel_error {err:.2e} < {tol:.0e}).")
        return True
    diff = np.abs(a - numeric)
    k = tuple(int(i) for i in np.unravel_index(int(np.argmax(diff)), diff.shape)) if diff.ndim else ()
    _say(verbose, f"Not yet: {name} has rel_error {err:.2e} against finite differences (needs < {tol:.0e}); "
                  f"the largest difference is at index {k}: yours {a[k]:.8g}, numerical {numeric[k]:.8g}."
                  f"{_hints(a, numeric, 1e-5, 1e-8)}")
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
        _say(verbose, f"Not yet: checking {name} raised {type(exc).__name__}: {exc}")
        return False
    failing = {k: v for k, v in errors.items() if not v < tol}
    for k, v in errors.items():
        mark = "ok " if k not in failing else "BAD"
        what = "d input" if k == "x" else f"d {k}"
        _say(verbose, f"  {mark} {what:<28s} rel_error {v:.2e}")
    if failing:
        worst = max(failing, key=failing.get)
        _say(verbose, f"Not yet: {name}.backward disagrees with finite differences for {sorted(failing)} "
                      f"(worst {worst}: {failing[worst]:.2e}, needs < {tol:.0e}).")
        return False
    _say(verbose, f"Correct: {name}.backward matches finite differences for the input and "
                  f"{len(errors) - 1} weight(s).")
    return True


def _compare(answer, expected, name, rtol):
    """check_array on `answer` vs `expected`, part by part for tuples, lists and dicts."""
    if isinstance(expected, dict):
        if not isinstance(answer, dict) or set(answer) != set(expected):
            got = sorted(answer) if isinstance(answer, dict) else type(answer).__name__
            print(f"Not yet: {name} should be a dict with keys {sorted(expected)}, got {got}.")
            return False
        return all([_compare(answer[k], expected[k], f"{name}[{k!r}]", rtol) for k in expected])
    if isinstance(expected, (tuple, list)):
        if not isinstance(answer, (tuple, list)) or len(answer) != len(expected):
            got = f"{len(answer)} values" if isinstance(answer, (tuple, list)) else "one value"
            print(f"Not yet: {name} should return {len(expected)} values, got {got}.")
            return False
        return all([_compare(a, e, f"{name}[{i}]", rtol) for i, (a, e) in enumerate(zip(answer, expected))])
    return check_array(answer, expected, name, rtol=rtol)


def your_turn(fn, reference, args, name, kwargs=None, rtol=1e-7):
    """Check the student's `fn` against `reference` on `args`; return the function to use next.

    Calls `fn(*args, **kwargs)` and `reference(*args, **kwargs)` (each on its own deep copy of
    the arguments, so an in-place slip cannot change the other's input) and compares the results
    with `check_array` (|fn - reference| <= 1e-9 + rtol * |reference| entry by entry; tuples,
    lists and dicts of arrays part by part). Prints one verdict:

    - the body still raises NotImplementedError (the workshop stub):
      "Not done yet: using the reference for NAME." and returns `reference`;
    - a wrong answer, or any other exception: what differs (check_array's message) or what was
      raised, then "Using the reference for NAME ...", and returns `reference`;
    - right: "Correct: ..." and returns `fn`.

    Args:
        fn: the student's function.
        reference: a correct function with the same signature.
        args: the positional arguments, a tuple (any other value is the one argument).
        name: how the verdicts call the function.
        kwargs: keyword arguments for both calls (default none).
        rtol: the relative tolerance of the comparison.
    Returns:
        `fn` when its result matches the reference's, else `reference`.

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
    args = args if isinstance(args, tuple) else (args,)
    kwargs = dict(kwargs or {})
    expected = reference(*copy.deepcopy(args), **copy.deepcopy(kwargs))
    try:
        answer = fn(*copy.deepcopy(args), **copy.deepcopy(kwargs))
    except NotImplementedError:
        print(f"Not done yet: using the reference for {name}.")
        return reference
    except Exception as exc:  # a half-written body fails in many ways: explain, do not crash
        print(f"Not yet: {name} raised {type(exc).__name__}: {exc}")
        print(f"Using the reference for {name} so that the cells below still run.")
        return reference
    if _compare(answer, expected, name, rtol):
        return fn
    print(f"Using the reference for {name} so that the cells below still run.")
    return reference
