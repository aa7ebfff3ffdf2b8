"""bricks.teaching.checks: the verdicts students see, right and wrong answers alike."""
import numpy as np
import pytest

import bricks
from bricks.teaching.checks import (check_array, check_gradient, check_layer_backward, check_shape,
                                    your_turn)


def test_check_shape(capsys):
    assert check_shape(np.zeros((4, 3)), (4, 3), "W1")
    assert "Correct: W1 has shape (4, 3)" in capsys.readouterr().out
    assert not check_shape(np.zeros((3, 4)), (4, 3), "W1")
    out = capsys.readouterr().out
    assert "Not yet: W1 has shape (3, 4), expected (4, 3)" in out and "transpose" in out
    assert not check_shape(np.zeros((4,)), (4, 1), "b")
    assert "reshape" in capsys.readouterr().out
    assert check_shape([[1, 2, 3]], (1, 3))
    assert not check_shape(np.zeros((2, 2, 2)), (4, 3))
    assert "axes" in capsys.readouterr().out


def test_check_array_correct(capsys, rng):
    x = rng.normal(size=(2, 3))
    assert check_array(x + 1e-12, x, "dW")
    assert "Correct: dW matches (shape (2, 3)" in capsys.readouterr().out
    assert check_array(0.25, np.float64(0.25), "loss")
    assert check_array([1.0, np.inf], [1.0, np.inf], "v")  # matching inf is equal


def test_check_array_where_it_differs(capsys):
    expected = np.array([[1.0, 2.0], [3.0, 4.0]])
    answer = expected.copy()
    answer[1, 0] = 3.5
    assert not check_array(answer, expected, "h")
    out = capsys.readouterr().out
    assert "1 of 4 entries" in out and "index (1, 0)" in out and "got 3.5, expected 3" in out


def test_check_array_hints(capsys):
    e = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert not check_array(-e, e, "g")
    assert "negative" in capsys.readouterr().out
    assert not check_array(e.T, e, "g")
    assert "transpose" in capsys.readouterr().out
    assert not check_array(e / 4, e, "g")
    assert "times 0.25" in capsys.readouterr().out
    assert not check_array(0.5, 0.25, "loss")
    assert "loss is 0.5, expected 0.25" in capsys.readouterr().out


def test_check_array_bad_values(capsys):
    assert not check_array([1.0, np.nan], [1.0, 2.0], "p")
    assert "NaN/inf" in capsys.readouterr().out
    assert not check_array(None, [1.0], "p")
    assert "None" in capsys.readouterr().out
    assert not check_array("abc", [1.0], "p")
    assert "not an array" in capsys.readouterr().out
    assert not check_array(np.ones((2, 3)), np.ones((3, 2)), "W")
    assert "shape (2, 3), expected (3, 2)" in capsys.readouterr().out
    assert not check_array([1.0, 2.0], [1.0, np.inf], "v")  # finite where inf is expected


def test_check_array_quiet(capsys):
    assert not check_array(1.0, 2.0, verbose=False)
    assert capsys.readouterr().out == ""


def test_check_gradient(capsys, rng):
    x = rng.normal(size=(3, 2))
    f = lambda v: float(np.sum(np.tanh(v) ** 2))  # noqa: E731
    grad = lambda v: 2 * np.tanh(v) * (1 - np.tanh(v) ** 2)  # noqa: E731
    assert check_gradient(f, grad, x, "dtanh2")
    assert "Correct: dtanh2 agrees with finite differences (rel_error" in capsys.readouterr().out
    assert not check_gradient(f, lambda v: -grad(v), x)
    out = capsys.readouterr().out
    assert "rel_error" in out and "negative" in out
    assert not check_gradient(f, lambda v: grad(v)[0], x)
    assert "shaped like x" in capsys.readouterr().out
    assert not check_gradient(f, lambda v: 1 / 0, x)
    assert "ZeroDivisionError" in capsys.readouterr().out


class _HalfGradDense(bricks.Dense):
    """A Dense whose kernel gradient is off by a factor 1/2: the check must catch it."""

    def backward(self, grad_output):
        dx = super().backward(grad_output)
        self.grads["kernel"] *= 0.5
        return dx


def test_check_layer_backward(capsys, rng):
    x = rng.normal(size=(4, 3))
    assert check_layer_backward(bricks.Dense(2, activation="tanh"), x)
    out = capsys.readouterr().out
    assert "Correct: dense.backward matches finite differences for the input and 2 weight(s)" in out
    assert not check_layer_backward(_HalfGradDense(2), x)
    out = capsys.readouterr().out
    assert "BAD d kernel" in out and "['kernel']" in out and "ok  d bias" in out


def test_check_layer_backward_reports_exceptions(capsys):
    layer = bricks.Dense(2)
    layer.forward(np.zeros((1, 3)))  # built for 3 features
    assert not check_layer_backward(layer, np.zeros((2, 4)))
    assert "Not yet: checking dense raised ValueError" in capsys.readouterr().out


@pytest.mark.parametrize("fn", [check_array, check_shape])
def test_helpers_return_plain_bools(fn):
    assert fn(np.ones(2), np.ones(2) if fn is check_array else (2,), verbose=False) is True


def _ref_sigmoid_grad(z):
    s = bricks.activations.sigmoid(z)
    return s * (1 - s)


def test_your_turn_right_answer_is_kept(capsys):
    def sigmoid_grad(z):
        """dσ/dz at z."""
        s = 1 / (1 + np.exp(-z))
        return s * (1 - s)

    got = your_turn(sigmoid_grad, _ref_sigmoid_grad, (np.linspace(-3, 3, 7),), "sigmoid_grad")
    assert got is sigmoid_grad
    assert capsys.readouterr().out.startswith("Correct: sigmoid_grad matches (shape (7,)")


def test_your_turn_stub_uses_the_reference(capsys):
    def sigmoid_grad(z):
        """dσ/dz at z."""
        raise NotImplementedError("your turn: dσ/dz at z.")

    got = your_turn(sigmoid_grad, _ref_sigmoid_grad, (np.zeros(3),), "sigmoid_grad")
    assert got is _ref_sigmoid_grad
    assert capsys.readouterr().out == "Not done yet: using the reference for sigmoid_grad.\n"


def test_your_turn_wrong_answer_says_what_differs(capsys):
    got = your_turn(lambda z: -_ref_sigmoid_grad(z), _ref_sigmoid_grad, (np.linspace(-1, 1, 3),), "g")
    assert got is _ref_sigmoid_grad
    out = capsys.readouterr().out
    assert "Not yet: g differs" in out and "negative" in out and "Using the reference for g" in out


def test_your_turn_other_exceptions_and_kwargs(capsys):
    def scaled(x, scale=1.0):
        return x * scale

    assert your_turn(lambda x, scale: x @ x.T, scaled, (np.ones(3),), "s", kwargs={"scale": 2.0}) is scaled
    out = capsys.readouterr().out
    assert "Not yet: s" in out and "Using the reference for s" in out
    assert your_turn(lambda x, scale: 1 / 0, scaled, (np.ones(3),), "s", kwargs={"scale": 2.0}) is scaled
    assert "Not yet: s raised ZeroDivisionError" in capsys.readouterr().out
    mine = lambda x, scale: 2 * x  # noqa: E731
    assert your_turn(mine, scaled, np.ones(3), "s", kwargs={"scale": 2.0}) is mine  # one bare argument


def test_your_turn_tuples_dicts_and_inplace(capsys):
    ref = lambda x: (x.sum(), {"dW": 2 * x})  # noqa: E731
    assert your_turn(lambda x: (x.sum(), {"dW": x + x}), ref, (np.ones(2),), "bw") is not ref
    assert your_turn(lambda x: (x.sum(),), ref, (np.ones(2),), "bw") is ref
    assert "should return 2 values, got 1 values" in capsys.readouterr().out
    assert your_turn(lambda x: (x.sum(), {"dw": 2 * x}), ref, (np.ones(2),), "bw") is ref
    assert "keys ['dW']" in capsys.readouterr().out

    def in_place(x):  # mutates its input: the reference still sees the original
        x *= 3
        return x

    x = np.ones(2)
    assert your_turn(in_place, lambda v: 3 * v, (x,), "triple") is in_place
    assert np.all(x == 1)
    assert your_turn(lambda v: v * (1 + 1e-6), lambda v: v, (x,), "close", rtol=1e-5) is not None
    assert capsys.readouterr().out.count("Correct") == 2


def test_your_turn_docstring_example():
    import doctest

    from bricks.teaching import checks

    runner = doctest.DocTestRunner()
    for test in doctest.DocTestFinder().find(checks.your_turn, "your_turn", globs={"your_turn": your_turn}):
        runner.run(test)
    assert runner.summarize(verbose=False).failed == 0 and runner.tries == 7
