"""SimpleRNN, LSTM, GRU: values against a naive reference and by hand, BPTT by finite differences, Keras layout.

The reference below is written independently of lib/bricks (a plain loop over the
Keras equations with np.tanh and 1 / (1 + exp(-a))), so a shared mistake is unlikely.
"""
import math

import numpy as np
import pytest

import bricks
from bricks.teaching.gradcheck import check_layer, numerical_gradient, rel_error

TOL = 1e-7


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def reference(layer, x, initial_state=None):
    """Keras's recurrence written out plainly: returns (sequence (N, T, H) in processing order, states)."""
    W, U = layer.params["kernel"], layer.params["recurrent_kernel"]
    b = layer.params.get("bias")
    N, T, _ = x.shape
    H = layer.units
    if initial_state is None:
        initial_state = [np.zeros((N, H)) for _ in layer.state_names]
    states = [s.copy() for s in initial_state]
    xs = x[:, ::-1] if layer.go_backwards else x
    outs = []
    for t in range(T):
        xt = xs[:, t]
        if isinstance(layer, bricks.SimpleRNN):
            h = np.tanh(xt @ W + states[0] @ U + (0 if b is None else b))
            states = [h]
        elif isinstance(layer, bricks.LSTM):
            h, c = states
            a = xt @ W + h @ U + (0 if b is None else b)
            i, f, g, o = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), np.tanh(a[:, 2 * H:3 * H]), sigmoid(a[:, 3 * H:])
            c = f * c + i * g
            h = o * np.tanh(c)
            states = [h, c]
        else:  # GRU, both reset modes, as keras/src/layers/rnn/gru.py
            h = states[0]
            if layer.reset_after:
                bx, bh = (b[0], b[1]) if b is not None else (0, 0)
                mx, mh = xt @ W + bx, h @ U + bh
                z = sigmoid(mx[:, :H] + mh[:, :H])
                r = sigmoid(mx[:, H:2 * H] + mh[:, H:2 * H])
                hh = np.tanh(mx[:, 2 * H:] + r * mh[:, 2 * H:])
            else:
                mx = xt @ W + (0 if b is None else b)
                z = sigmoid(mx[:, :H] + h @ U[:, :H])
                r = sigmoid(mx[:, H:2 * H] + h @ U[:, H:2 * H])
                hh = np.tanh(mx[:, 2 * H:] + (r * h) @ U[:, 2 * H:])
            h = z * h + (1 - z) * hh
            states = [h]
        outs.append(states[0])
    return np.stack(outs, axis=1), states


LAYERS = {
    "simple_rnn": lambda **kw: bricks.SimpleRNN(3, **kw),
    "lstm": lambda **kw: bricks.LSTM(3, **kw),
    "gru": lambda **kw: bricks.GRU(3, **kw),
    "gru_reset_before": lambda **kw: bricks.GRU(3, reset_after=False, **kw),
}
OPTIONS = {
    "last": {},
    "sequences": {"return_sequences": True},
    "state": {"return_state": True},
    "sequences_state": {"return_sequences": True, "return_state": True},
    "backwards": {"go_backwards": True},
    "backwards_sequences": {"go_backwards": True, "return_sequences": True},
    "no_bias": {"use_bias": False, "return_sequences": True},
}


def randomize(layer, rng, scale=0.5):
    """Nonzero biases too (zeros would hide bias mistakes)."""
    layer.set_weights([scale * rng.standard_normal(w.shape) for w in layer.get_weights()])


def check_all(layer, x, initial_state, seed=1):
    """rel_error of dx, every weight and every initial state against centered differences."""
    initial_state = list(initial_state)
    given = initial_state or None
    outs = layer.forward(x, initial_state=given)
    outs = outs if isinstance(outs, list) else [outs]
    rng = np.random.default_rng(seed)
    ups = [rng.standard_normal(o.shape) for o in outs]

    def loss():
        o = layer.forward(x, initial_state=given)
        return float(sum(np.sum(a * g) for a, g in zip(o if isinstance(o, list) else [o], ups)))

    loss()
    dx = layer.backward(ups if len(ups) > 1 else ups[0])
    errs = {"x": rel_error(dx, numerical_gradient(loss, x))}
    analytic = {path: owner.grads[k].copy() for path, owner, k in layer.variables()}
    ds = [g.copy() for g in layer.initial_state_grads]
    for path, owner, k in layer.variables():
        errs[path] = rel_error(analytic[path], numerical_gradient(loss, owner.params[k]))
    for i, s in enumerate(initial_state):
        errs[f"state{i}"] = rel_error(ds[i], numerical_gradient(loss, s))
    return errs


@pytest.mark.parametrize("option", OPTIONS)
@pytest.mark.parametrize("kind", LAYERS)
def test_gradients_and_values(kind, option, rng):
    layer = LAYERS[kind](**OPTIONS[option])
    x = rng.standard_normal((2, 4, 2))
    layer.forward(x)
    randomize(layer, rng)
    states = [0.5 * rng.standard_normal((2, 3)) for _ in layer.state_names]
    out = layer.forward(x, initial_state=states)
    seq, final = reference(layer, x, states)
    got = out[0] if layer.return_state else out
    want = seq if layer.return_sequences else seq[:, -1]
    assert got.shape == want.shape
    assert np.allclose(got, want, atol=1e-13, rtol=0)
    if layer.return_state:
        assert len(out) == 1 + len(layer.state_names)
        for a, b in zip(out[1:], final):
            assert np.allclose(a, b, atol=1e-13, rtol=0)
    errs = check_all(layer, x, states)
    assert max(errs.values()) < TOL, errs


@pytest.mark.parametrize("kind", LAYERS)
def test_check_layer_default_states(kind, rng):
    errs = check_layer(LAYERS[kind](return_sequences=True), rng.standard_normal((2, 3, 2)))
    assert max(errs.values()) < TOL, errs


@pytest.mark.parametrize("kw", [{"activation": "relu"}, {"activation": "linear"},
                                {"recurrent_activation": "hard_sigmoid"}, {"activation": "sigmoid"}])
def test_other_activations(kw, rng):
    for make in (bricks.LSTM, bricks.GRU):
        if make is bricks.GRU and kw.get("activation") == "relu":
            continue
        layer = make(2, return_sequences=True, **kw)
        errs = check_layer(layer, rng.standard_normal((2, 3, 2)) + 0.05)
        assert max(errs.values()) < 1e-6, errs
    errs = check_layer(bricks.SimpleRNN(2, activation=kw.get("activation", "tanh")), rng.standard_normal((2, 3, 2)))
    assert max(errs.values()) < 1e-6, errs


def test_simple_rnn_by_hand():
    """1 unit, 2 steps: h1 = tanh(0.5 * 1 + 0.1), h2 = tanh(0.5 * 2 - 1.0 * h1 + 0.1)."""
    layer = bricks.SimpleRNN(1, return_sequences=True)
    layer.forward(np.zeros((1, 2, 1)))
    layer.set_weights([np.array([[0.5]]), np.array([[-1.0]]), np.array([0.1])])
    y = layer.forward(np.array([[[1.0], [2.0]]]))
    h1 = math.tanh(0.6)
    h2 = math.tanh(1.0 - h1 + 0.1)
    assert np.allclose(y[0, :, 0], [h1, h2], atol=1e-15)
    assert abs(h1 - 0.5370495669980353) < 1e-15
    # BPTT by hand for L = h2: dL/dx1 = (1 - h2^2) * (-1) * (1 - h1^2) * 0.5
    layer.forward(np.array([[[1.0], [2.0]]]))
    dx = layer.backward(np.array([[[0.0], [1.0]]]))
    assert np.isclose(dx[0, 0, 0], (1 - h2 ** 2) * -1.0 * (1 - h1 ** 2) * 0.5, atol=1e-15)
    assert np.isclose(dx[0, 1, 0], (1 - h2 ** 2) * 0.5, atol=1e-15)


def test_lstm_by_hand():
    """1 unit, 1 step, h0 = c0 = 0, all kernel entries 1, biases 0 except forget 1 (unit_forget_bias)."""
    layer = bricks.LSTM(1, kernel_initializer="ones", recurrent_initializer="ones", return_state=True)
    y, h, c = layer.forward(np.array([[[0.5]]]))
    s = 1 / (1 + math.exp(-0.5))
    c_want = s * math.tanh(0.5)  # f * 0 + i * g
    assert np.isclose(c[0, 0], c_want, atol=1e-15)
    assert np.isclose(h[0, 0], s * math.tanh(c_want), atol=1e-15)
    assert np.array_equal(y, h)


def test_gru_by_hand():
    """1 unit, 1 step from h0 = 0.5, reset_after: z = r = sigma(x + h0), hh = tanh(x + r h0), Keras's mix."""
    layer = bricks.GRU(1, kernel_initializer="ones", recurrent_initializer="ones")
    y = layer.forward(np.array([[[0.2]]]), initial_state=[np.array([[0.5]])])
    z = 1 / (1 + math.exp(-0.7))
    hh = math.tanh(0.2 + z * 0.5)
    assert np.isclose(y[0, 0], z * 0.5 + (1 - z) * hh, atol=1e-15)


def test_weights_shapes_order_and_counts():
    x = np.zeros((1, 5, 8))
    lstm, gru, gru0, rnn = bricks.LSTM(64), bricks.GRU(64), bricks.GRU(64, reset_after=False), bricks.SimpleRNN(64)
    for layer in (lstm, gru, gru0, rnn):
        layer.forward(x)
    assert [w.shape for w in lstm.get_weights()] == [(8, 256), (64, 256), (256,)]
    assert list(lstm.params) == ["kernel", "recurrent_kernel", "bias"]
    assert [w.shape for w in gru.get_weights()] == [(8, 192), (64, 192), (2, 192)]
    assert [w.shape for w in gru0.get_weights()] == [(8, 192), (64, 192), (192,)]
    assert [w.shape for w in rnn.get_weights()] == [(8, 64), (64, 64), (64,)]
    counts = [layer.count_params() for layer in (lstm, gru, gru0, rnn)]
    assert counts == [18688, 14208, 14016, 4672]  # Keras's LSTM(64), GRU(64), GRU(64, reset_after=False), SimpleRNN(64)
    b = lstm.params["bias"]  # unit_forget_bias: gates i, f, c, o -> zeros, ones, zeros, zeros
    assert np.array_equal(b, np.r_[np.zeros(64), np.ones(64), np.zeros(128)])
    assert not bricks.LSTM(4, unit_forget_bias=False).forward(np.zeros((1, 2, 3))).any()
    U = rnn.params["recurrent_kernel"]
    assert np.allclose(U.T @ U, np.eye(64), atol=1e-12)  # orthogonal initializer
    assert lstm.compute_output_shape((None, 5, 8)) == (None, 64)
    assert bricks.GRU(3, return_sequences=True).compute_output_shape((None, 5, 8)) == (None, 5, 3)


def test_set_weights_and_config_roundtrip(rng):
    layer = bricks.GRU(3, return_sequences=True, go_backwards=True, reset_after=False, kernel_regularizer="l2")
    x = rng.standard_normal((2, 4, 2))
    y = layer.forward(x)
    clone = bricks.GRU.from_config(layer.get_config())
    clone.forward(x)
    clone.set_weights(layer.get_weights())
    assert np.array_equal(clone.forward(x), y)
    assert layer.regularization_loss() > 0


def test_float32(rng):
    layer = bricks.LSTM(4, dtype="float32", return_sequences=True)
    x = rng.standard_normal((3, 5, 2))
    y = layer.forward(x)
    assert y.dtype == np.float32 and layer.params["kernel"].dtype == np.float32
    dx = layer.backward(np.ones_like(y))
    assert dx.dtype == np.float32 and layer.grads["recurrent_kernel"].dtype == np.float32
    ref = bricks.LSTM(4, return_sequences=True)
    ref.forward(x)
    ref.set_weights([w.astype(np.float64) for w in layer.get_weights()])
    assert np.allclose(ref.forward(x), y, atol=1e-5)


def test_stacked_layers_gradients(rng):
    """LSTM(return_sequences) -> GRU: BPTT through both, every weight of both, by finite differences."""
    first, second = bricks.LSTM(3, return_sequences=True), bricks.GRU(2)
    x = rng.standard_normal((2, 4, 2))
    second.forward(first.forward(x))
    g = rng.standard_normal((2, 2))

    def loss():
        return float(np.sum(second.forward(first.forward(x)) * g))

    loss()
    dx = first.backward(second.backward(g))
    grads = {(id(layer), k): layer.grads[k].copy() for layer in (first, second) for k in layer.params}
    assert rel_error(dx, numerical_gradient(loss, x)) < TOL
    for layer in (first, second):
        for k in layer.params:
            assert rel_error(grads[id(layer), k], numerical_gradient(loss, layer.params[k])) < TOL, (layer.name, k)


def test_long_sequence_is_fast_and_finite(rng):
    layer = bricks.LSTM(16, return_sequences=True)
    y = layer.forward(rng.standard_normal((8, 200, 3)) * 50)  # saturating inputs: exp overflow must stay silent
    assert np.isfinite(y).all()
    assert np.isfinite(layer.backward(np.ones_like(y))).all()


def test_errors(rng):
    layer = bricks.LSTM(3)
    with pytest.raises(RuntimeError, match="lstm"):
        layer.backward(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"lstm: expected input of rank 3 \(batch, timesteps, features\)"):
        layer.forward(np.ones((2, 3)))
    layer.forward(np.ones((2, 4, 5)))
    with pytest.raises(ValueError, match=r"lstm.*size 5.*Received: x.shape=\(2, 4, 6\)"):
        layer.forward(np.ones((2, 4, 6)))
    with pytest.raises(ValueError, match="lstm.*initial_state"):
        layer.forward(np.ones((2, 4, 5)), initial_state=[np.zeros((2, 3))])
    with pytest.raises(ValueError, match=r"lstm.*\(2, 3\).*c.shape=\(2, 4\)"):
        layer.forward(np.ones((2, 4, 5)), initial_state=[np.zeros((2, 3)), np.zeros((2, 4))])
    with pytest.raises(ValueError, match="lstm.*at least one timestep"):
        layer.forward(np.ones((2, 0, 5)))
    layer.forward(np.ones((2, 4, 5)))
    with pytest.raises(ValueError, match=r"lstm.*grad_output of shape \(2, 3\)"):
        layer.backward(np.ones((2, 4)))
    with pytest.raises(ValueError, match="gru.*dropout"):
        bricks.GRU(3, dropout=0.2)
    with pytest.raises(ValueError, match="simple_rnn.*recurrent_dropout"):
        bricks.SimpleRNN(3, recurrent_dropout=0.1)
    with pytest.raises(ValueError, match="lstm.*stateful=False"):
        bricks.LSTM(3, stateful=True)
    with pytest.raises(ValueError, match="gru.*activation"):
        bricks.GRU(3, activation="swish")
    with pytest.raises(ValueError, match="simple_rnn.*units"):
        bricks.SimpleRNN(0)
    stated = bricks.LSTM(2, return_state=True)
    stated.forward(np.ones((1, 3, 2)))
    with pytest.raises(ValueError, match="lstm.*list of 3 gradients"):
        stated.backward(np.ones((1, 2)))
    dx = stated.backward([np.ones((1, 2)), None, None])  # None: no gradient through that output
    assert dx.shape == (1, 3, 2)


def test_in_sequential_fit_save_load(rng, tmp_path):
    """The layers inside a Sequential: trains (loss falls), and save/load_model restores the same predictions."""
    x = rng.standard_normal((64, 6, 2))
    y = x[:, :, :1].sum(axis=1)  # (64, 1) a running sum: a recurrence learns it
    model = bricks.Sequential([bricks.Input((6, 2)), bricks.LSTM(4, return_sequences=True),
                               bricks.Bidirectional(bricks.GRU(3), merge_mode="sum"), bricks.Dense(1)])
    model.compile(optimizer=bricks.Adam(0.02), loss="mse")
    history = model.fit(x, y, epochs=8, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 0.7 * history.history["loss"][0]
    path = str(tmp_path / "rnn.npz")
    model.save(path)
    again = bricks.load_model(path)
    assert np.allclose(again.predict(x), model.predict(x), atol=1e-12)
