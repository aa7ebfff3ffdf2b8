"""BPTT with a loss at every step (bricks.teaching.bptt): finite differences, paths, Keras."""
import numpy as np
import pytest

import bricks
from bricks.teaching import bptt
from bricks.teaching.gradcheck import numerical_gradient, rel_error


@pytest.fixture
def problem():
    params = bptt.init_params(D=3, H=4, K=3, seed=0)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 6, 3))                           # (N, T, D)
    y = np.eye(3)[rng.integers(0, 3, (2, 6))]                    # (N, T, K) one-hot
    h0 = 0.5 * rng.standard_normal((2, 4))
    return params, x, y, h0


def test_every_gradient_matches_finite_differences(problem):
    params, x, y, h0 = problem
    _, cache = bptt.rnn_forward(x, y, params, h0)
    grads = bptt.rnn_backward(cache)

    def loss():
        return bptt.rnn_forward(x, y, params, h0)[0]

    arrays = {**params, "x": x, "h0": h0}
    for name, arr in arrays.items():
        assert rel_error(grads[name], numerical_gradient(loss, arr)) < 1e-7, name


def test_double_sum_over_paths_equals_the_recursion(problem):
    params, x, y, h0 = problem
    _, cache = bptt.rnn_forward(x, y, params, h0)
    dW, sizes = bptt.dW_by_paths(cache)
    assert rel_error(dW, bptt.rnn_backward(cache)["W"]) < 1e-12
    assert np.all(np.triu(sizes, 1) == 0) and np.all(np.diag(sizes) > 0)   # k <= t only


def test_a_small_W_makes_long_paths_vanish():
    params = bptt.init_params(D=2, H=8, K=2, seed=3)
    params["W"] = 0.3 * np.linalg.qr(np.random.default_rng(0).standard_normal((8, 8)))[0]
    x = np.random.default_rng(1).standard_normal((4, 12, 2))
    y = np.eye(2)[np.random.default_rng(2).integers(0, 2, (4, 12))]
    _, sizes = bptt.dW_by_paths(bptt.rnn_forward(x, y, params)[1])
    by_lag = [np.mean([sizes[t, t - lag] for t in range(lag, 12)]) for lag in range(12)]
    assert by_lag[8] < 1e-3 * by_lag[1]                          # at most 0.3 per step


def test_keras_layout_gives_the_same_loss_and_gradients(problem):
    params, x, y, _ = problem
    N, T, _ = x.shape
    model = bricks.Sequential([bricks.Input((T, 3)), bricks.SimpleRNN(4, return_sequences=True),
                               bricks.Dense(3)])
    model.compile(optimizer="sgd", loss=bricks.losses.CategoricalCrossentropy(from_logits=True))
    model.set_weights([params[k] for k in ("U", "W", "b", "V", "b_o")])
    loss, cache = bptt.rnn_forward(x, y, params)
    assert np.isclose(model.gradients(x, y), loss / T)           # Keras averages over steps too
    grads = bptt.rnn_backward(cache)
    rnn, dense = model.layers
    for layer, key, name in [(rnn, "kernel", "U"), (rnn, "recurrent_kernel", "W"),
                             (rnn, "bias", "b"), (dense, "kernel", "V"), (dense, "bias", "b_o")]:
        assert np.allclose(layer.grads[key] * T, grads[name], atol=1e-12), name


def test_shapes_are_checked(problem):
    params, x, y, _ = problem
    with pytest.raises(ValueError, match="rnn_forward: expected x of shape"):
        bptt.rnn_forward(x[:, :, :2], y, params)
    with pytest.raises(ValueError, match="rnn_forward: expected y of shape"):
        bptt.rnn_forward(x, y[:, :3], params)
