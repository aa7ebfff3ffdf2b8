"""The fused loops of LSTM and GRU (fused.py) compute what the step functions compute.

The book teaches `lstm_step_forward` / `gru_step_backward` line by line; with default
activations the layers run a faster, transposed loop instead. Here both paths run on the
same weights and inputs, and outputs, dx, every weight gradient and the initial-state
gradients must agree to rounding.
"""
import numpy as np
import pytest

import bricks

CASES = [
    (bricks.LSTM, {}),
    (bricks.GRU, {}),
    (bricks.GRU, {"reset_after": False}),
    (bricks.LSTM, {"return_sequences": True, "go_backwards": True}),
    (bricks.GRU, {"return_sequences": True, "use_bias": False}),
    (bricks.LSTM, {"return_state": True}),
]


def run(layer, x, states, upstream, fused):
    layer.use_fused = "auto" if fused else False  # the switch Recurrent.recurrence consults
    assert layer.uses_fused_loop() == fused
    out = layer.forward(x, initial_state=states)
    dx = layer.backward(upstream)
    outs = out if isinstance(out, list) else [out]
    grads = {k: g.copy() for k, g in layer.grads.items()}
    return [o.copy() for o in outs], dx.copy(), grads, [g.copy() for g in layer.initial_state_grads]


@pytest.mark.parametrize("dtype, tol", [("float64", 1e-12), ("float32", 1e-5)])
@pytest.mark.parametrize("cls, kwargs", CASES)
def test_fused_loop_equals_step_functions(cls, kwargs, dtype, tol, rng):
    N, T, D, H = 3, 5, 4, 6
    layer = cls(H, dtype=dtype, **kwargs)
    x = rng.standard_normal((N, T, D)).astype(dtype)
    states = [rng.standard_normal((N, H)).astype(dtype) for _ in range(2 if cls is bricks.LSTM else 1)]
    layer.build((None, T, D))
    for w in layer.params.values():
        w[...] = rng.standard_normal(w.shape) * 0.5  # biases too, so every term is exercised
    probe = layer.forward(x, initial_state=states)
    probe = probe if isinstance(probe, list) else [probe]
    upstream = [rng.standard_normal(o.shape).astype(dtype) for o in probe]
    upstream = upstream if len(upstream) > 1 else upstream[0]

    fast = run(layer, x, states, upstream, fused=True)
    slow = run(layer, x, states, upstream, fused=False)
    for a, b in zip(fast[0] + [fast[1]] + fast[3], slow[0] + [slow[1]] + slow[3]):
        assert a.dtype == np.dtype(dtype)
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)
    for k in slow[2]:
        np.testing.assert_allclose(fast[2][k], slow[2][k], rtol=tol, atol=tol, err_msg=k)


def test_use_fused_is_validated_and_saved():
    with pytest.raises(ValueError, match='lstm.*use_fused "auto", True or False'):
        bricks.LSTM(3, use_fused="yes")
    layer = bricks.GRU(3, use_fused=False)
    assert not layer.uses_fused_loop()
    assert bricks.GRU.from_config(layer.get_config()).use_fused is False
    assert "use_fused" not in bricks.GRU(3).get_config()  # the default stays Keras's config
    assert not bricks.SimpleRNN(3).uses_fused_loop()  # SimpleRNN has no fused loop
    assert not bricks.LSTM(3, activation="relu").uses_fused_loop()


@pytest.mark.parametrize("cls, kwargs", CASES[:3])
def test_backward_takes_the_path_forward_took(cls, kwargs, rng):
    """The path is chosen once, in forward, and kept in the cache: flipping use_fused between
    forward and backward changes nothing (it used to crash: the two paths cached different tuples)."""
    x = rng.standard_normal((2, 4, 3))
    results = []
    for first, then in [("auto", False), (False, "auto"), ("auto", "auto")]:
        bricks.set_random_seed(1)
        layer = cls(5, use_fused=first, **kwargs)
        y = layer.forward(x)
        layer.use_fused = then
        dx = layer.backward(np.ones_like(y))
        results.append([dx, *[g.copy() for g in layer.grads.values()]])
    for other in results[1:]:
        for a, b in zip(results[0], other):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
