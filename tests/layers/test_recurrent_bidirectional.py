"""Bidirectional: every merge mode against its definition, BPTT by finite differences, Keras layout and errors."""
import numpy as np
import pytest

import bricks
from test_recurrent import TOL, check_all, randomize

MODES = ["concat", "sum", "mul", "ave", None]


def manual(bi, x, states=None):
    """The wrapper's definition from its two sublayers: forward, backward re-flipped, merged."""
    f_state = b_state = None
    if states:
        half = len(states) // 2
        f_state, b_state = states[:half], states[half:]
    y = bi.forward_layer.forward(x, initial_state=f_state)
    y_rev = bi.backward_layer.forward(x, initial_state=b_state)
    if bi.return_state:
        y, y_rev = y[0], y_rev[0]
    if bi.return_sequences:
        y_rev = y_rev[:, ::-1]
    return {"concat": lambda: np.concatenate([y, y_rev], -1), "sum": lambda: y + y_rev, "mul": lambda: y * y_rev,
            "ave": lambda: (y + y_rev) / 2, None: lambda: [y, y_rev]}[bi.merge_mode]()


@pytest.mark.parametrize("sequences", [True, False])
@pytest.mark.parametrize("mode", MODES)
def test_merge_modes_values_and_gradients(mode, sequences, rng):
    bi = bricks.Bidirectional(bricks.LSTM(2, return_sequences=sequences), merge_mode=mode)
    x = rng.standard_normal((2, 3, 2))
    bi.forward(x)
    randomize(bi, rng)
    out = bi.forward(x)
    want = manual(bi, x)
    for a, b in zip(out if mode is None else [out], want if mode is None else [want]):
        assert np.allclose(a, b, atol=1e-14)
    errs = check_all(bi, x, [])
    assert max(errs.values()) < TOL, errs
    assert set(errs) == {"x", "bidirectional/forward_lstm/kernel", "bidirectional/forward_lstm/recurrent_kernel",
                         "bidirectional/forward_lstm/bias", "bidirectional/backward_lstm/kernel",
                         "bidirectional/backward_lstm/recurrent_kernel", "bidirectional/backward_lstm/bias"}


@pytest.mark.parametrize("mode", ["concat", None])
@pytest.mark.parametrize("make", [lambda: bricks.GRU(2, return_sequences=True, return_state=True),
                                  lambda: bricks.LSTM(2, return_state=True)])
def test_return_state_and_initial_states(make, mode, rng):
    bi = bricks.Bidirectional(make(), merge_mode=mode)
    x = rng.standard_normal((2, 3, 2))
    bi.forward(x)
    randomize(bi, rng)
    k = len(bi.forward_layer.state_names)
    states = [0.5 * rng.standard_normal((2, 2)) for _ in range(2 * k)]
    out = bi.forward(x, initial_state=states)
    n_out = 2 if mode is None else 1
    assert len(out) == n_out + 2 * k  # [merged (or both), forward states, backward states]
    want = manual(bi, x, states)
    for a, b in zip(out[:n_out], want if mode is None else [want]):
        assert np.allclose(a, b, atol=1e-14)
    errs = check_all(bi, x, states)
    assert max(errs.values()) < TOL, errs
    assert len(bi.initial_state_grads) == 2 * k


def test_stacked_bidirectional(rng):
    """Bidirectional(GRU, sequences) feeding Bidirectional(SimpleRNN, sum): gradients through both."""
    from bricks.teaching.gradcheck import numerical_gradient, rel_error
    first = bricks.Bidirectional(bricks.GRU(2, return_sequences=True))
    second = bricks.Bidirectional(bricks.SimpleRNN(2), merge_mode="sum")
    x = rng.standard_normal((2, 3, 2))
    g = rng.standard_normal((2, 2))

    def loss():
        return float(np.sum(second.forward(first.forward(x)) * g))

    loss()
    dx = first.backward(second.backward(g))
    grads = [(owner, k, owner.grads[k].copy()) for layer in (first, second) for _, owner, k in layer.variables()]
    assert rel_error(dx, numerical_gradient(loss, x)) < TOL
    for owner, k, grad in grads:
        assert rel_error(grad, numerical_gradient(loss, owner.params[k])) < TOL, (owner.name, k)


def test_layout_names_and_config(rng):
    bi = bricks.Bidirectional(bricks.LSTM(4, return_sequences=True))
    x = rng.standard_normal((2, 5, 3))
    y = bi.forward(x)
    assert y.shape == (2, 5, 8) and bi.compute_output_shape((None, 5, 3)) == (None, 5, 8)
    names = (bi.name, bi.forward_layer.name, bi.backward_layer.name)
    assert names == ("bidirectional", "forward_lstm", "backward_lstm")
    assert bi.backward_layer.go_backwards and not bi.forward_layer.go_backwards
    assert [w.shape for w in bi.get_weights()] == [(3, 16), (4, 16), (16,)] * 2  # forward's, then backward's
    assert bi.count_params() == 2 * bi.forward_layer.count_params()
    clone = bricks.Bidirectional.from_config(bi.get_config())
    clone.forward(x)
    clone.set_weights(bi.get_weights())
    assert np.array_equal(clone.forward(x), y)
    custom = bricks.Bidirectional(bricks.GRU(2), backward_layer=bricks.GRU(3, go_backwards=True), merge_mode="concat")
    assert custom.forward(x).shape == (2, 5)
    weights = [rng.standard_normal(w.shape) for w in bi.get_weights()]
    preset = bricks.Bidirectional(bricks.LSTM(4, return_sequences=True), weights=weights)
    preset.forward(x)
    assert all(np.array_equal(a, b) for a, b in zip(preset.get_weights(), weights))


def test_errors():
    with pytest.raises(ValueError, match="bidirectional.*merge_mode"):
        bricks.Bidirectional(bricks.LSTM(2), merge_mode="max")
    with pytest.raises(ValueError, match="bidirectional.*recurrent layer"):
        bricks.Bidirectional(np.ones(3))
    with pytest.raises(ValueError, match="bidirectional.*go_backwards"):
        bricks.Bidirectional(bricks.LSTM(2), backward_layer=bricks.LSTM(2))
    with pytest.raises(ValueError, match="bidirectional.*return_sequences"):
        bricks.Bidirectional(bricks.LSTM(2), backward_layer=bricks.LSTM(2, go_backwards=True, return_sequences=True))
    bi = bricks.Bidirectional(bricks.GRU(2))
    with pytest.raises(RuntimeError, match="bidirectional"):
        bi.backward(np.ones((1, 4)))
    with pytest.raises(ValueError, match=r"bidirectional(_\d+)?: expected input of rank 3"):
        bi.forward(np.ones((3, 2)))
    bi.forward(np.ones((1, 3, 2)))
    with pytest.raises(ValueError, match="bidirectional.*gradient arrays"):
        bi.backward([np.ones((1, 4)), np.ones((1, 2))])
