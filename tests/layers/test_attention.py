"""Attention, AdditiveAttention, MultiHeadAttention, positions and the encoder block: every gradient
by finite differences in float64, the taught path equal to the fast one, masks, shapes, errors.

Keras's own numbers (outputs and gradients, recorded with Keras 3 by tools/make_attention_fixtures.py)
are compared in tests/layers/test_attention_keras.py.
"""
import numpy as np
import pytest

import bricks
from bricks.layers import attention as A
from bricks.teaching.gradcheck import check_layer as _check_layer
from bricks.teaching.gradcheck import numerical_gradient, rel_error

TOL = 1e-7


def check_layer(layer, x, **kwargs):
    """gradcheck.check_layer, except for the key's bias, whose true gradient is exactly 0 (it adds
    q . b_k to every score of a row alike, which the softmax ignores): its entry is the largest
    |analytic gradient| instead of a relative error between two round-off noises."""
    errs = _check_layer(layer, x, **kwargs)
    for path, owner, k in layer.variables():
        if k == "key/bias":
            label = k if owner is layer else path
            errs[label] = float(np.abs(owner.grads[k]).max())
    return errs


def check_multi(layer, inputs, seed=12345, **call):
    """Finite-difference check of a layer called on several inputs: {'query': err, ..., weight: err}."""
    inputs = [np.array(a, dtype=np.float64) for a in inputs]
    outs = layer.forward(*inputs, **call) if not isinstance(layer, bricks.Attention) else layer.forward(inputs, **call)
    outs = list(outs) if isinstance(outs, tuple) else [outs]
    rng = np.random.default_rng(seed)
    up = [rng.standard_normal(o.shape) for o in outs]

    def loss():
        o = layer.forward(*inputs, **call) if not isinstance(layer, bricks.Attention) else layer.forward(inputs, **call)
        o = list(o) if isinstance(o, tuple) else [o]
        return float(sum(np.sum(a * g) for a, g in zip(o, up)))

    loss()
    grads = layer.backward(up if len(up) > 1 else up[0])
    analytic = {k: layer.grads[k].copy() for k in layer.params}
    errs = {}
    for name, x, g in zip(("query", "value", "key"), inputs, grads):
        errs[name] = rel_error(g, numerical_gradient(loss, x))
    for k in layer.params:
        errs[k] = error(analytic[k], numerical_gradient(loss, layer.params[k]))
    return errs


def error(analytic, numeric):
    """rel_error, or the absolute difference when the true gradient is zero: the key's bias adds
    q . b_k to every score of a row alike, which the softmax ignores (its gradient is exactly 0)."""
    if np.abs(numeric).max() < 1e-9:
        return float(np.abs(analytic - numeric).max())
    return rel_error(analytic, numeric)


@pytest.fixture
def qvk():
    rng = np.random.default_rng(0)
    return rng.normal(size=(2, 4, 3)), rng.normal(size=(2, 5, 6)), rng.normal(size=(2, 5, 3))


# ---- the taught path and the fast one ---------------------------------------------------------
@pytest.mark.parametrize("masked", [False, True])
def test_taught_equals_fast(masked):
    rng = np.random.default_rng(1)
    q, k, v = rng.normal(size=(2, 3, 4, 5)), rng.normal(size=(2, 3, 6, 5)), rng.normal(size=(2, 3, 6, 7))
    mask = A.causal_mask(4, 6) if masked else None
    out_t, w_t = A.attention_taught(q, k, v, mask, scale=0.5)
    out_f, w_f = A.attention_forward(q, k, v, mask, scale=0.5)
    assert np.allclose(out_t, out_f, atol=1e-13) and np.allclose(w_t, w_f, atol=1e-13)
    do = rng.normal(size=out_t.shape)
    for a, b in zip(A.attention_taught_backward(do, q, k, v, w_t, 0.5), A.attention_backward(do, q, k, v, w_f, 0.5)):
        assert np.allclose(a, b, atol=1e-12)


def test_taught_backward_is_the_gradient():
    rng = np.random.default_rng(2)
    q, k, v = rng.normal(size=(4, 3)), rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    mask = A.causal_mask(4, 6)
    g = rng.normal(size=(4, 2))
    out, p = A.attend(q, k, v, mask, 0.7)
    grads = A.attend_backward(g, q, k, v, p, 0.7)
    for x, dx in zip((q, k, v), grads):
        assert rel_error(dx, numerical_gradient(lambda: float(np.sum(A.attend(q, k, v, mask, 0.7)[0] * g)), x)) < TOL
    assert np.allclose(p.sum(1), 1) and np.all(p[~mask] < 1e-300)  # rows sum to 1, the future gets 0


def test_causal_mask_is_lower_triangular():
    assert np.array_equal(A.causal_mask(3), np.tril(np.ones((3, 3), bool)))


# ---- Attention and AdditiveAttention ---------------------------------------------------------------
@pytest.mark.parametrize("kwargs", [{}, {"use_scale": True}, {"score_mode": "concat"},
                                    {"score_mode": "concat", "use_scale": True}])
def test_attention_gradients(qvk, kwargs):
    errs = check_multi(bricks.Attention(**kwargs), qvk)
    assert max(errs.values()) < TOL, errs


@pytest.mark.parametrize("use_scale", [True, False])
def test_additive_attention_gradients(qvk, use_scale):
    bricks.set_random_seed(0)
    errs = check_multi(bricks.AdditiveAttention(use_scale=use_scale), qvk)
    assert max(errs.values()) < TOL, errs


def test_attention_masks_and_scores_gradients(qvk):
    q, v, k = qvk
    qm = np.array([[1, 1, 0, 1], [1, 1, 1, 1]], bool)
    vm = np.array([[1, 0, 1, 1, 1], [1, 1, 1, 0, 0]], bool)
    layer = bricks.Attention(use_scale=True)
    errs = check_multi(layer, qvk, mask=[qm, vm], use_causal_mask=True, return_attention_scores=True)
    assert max(errs.values()) < TOL, errs
    out, w = layer.forward([q, v, k], mask=[qm, vm], use_causal_mask=True, return_attention_scores=True)
    assert np.all(out[0, 2] == 0)  # a hidden query gives 0
    assert np.all(w[:, :, ~vm[0]][0] < 1e-300)  # a hidden value gets no weight
    assert np.all(w[:, np.triu_indices(4, 1)[0], np.triu_indices(4, 1)[1]] < 1e-300)  # nor the future


def test_attention_self_attention_in_a_sequential_model():
    x = np.random.default_rng(3).normal(size=(2, 5, 4))
    errs = check_layer(bricks.Attention(use_scale=True), x, seed=12345)
    assert max(errs.values()) < TOL, errs
    model = bricks.Sequential([bricks.Input((5, 4)), bricks.Attention(), bricks.GlobalAveragePooling1D(),
                               bricks.Dense(1)])
    assert model.predict(x).shape == (2, 1)


def test_attention_dropout_gradient_and_inference(qvk):
    layer = bricks.Attention(dropout=0.4, seed=1)
    layer.freeze_noise = True
    errs = check_multi(layer, qvk, training=True)
    assert max(errs.values()) < TOL, errs
    assert np.array_equal(layer.forward(list(qvk)), bricks.Attention()(list(qvk)))  # no dropout at inference


def test_attention_gradient_with_key_omitted_sums_both_paths(qvk):
    q, v, _ = qvk
    v = v[..., :3]
    errs = check_multi(bricks.Attention(), [q, v])
    assert max(errs.values()) < TOL, errs


def test_attention_errors(qvk):
    q, v, k = qvk
    with pytest.raises(ValueError, match="score_mode"):
        bricks.Attention(score_mode="cosine")
    with pytest.raises(ValueError, match="attention.*key"):
        bricks.Attention()([q, v, k[:, :4]])
    with pytest.raises(ValueError, match="value_mask of shape"):
        bricks.Attention()([q, v, k], mask=[None, np.ones((2, 4), bool)])


# ---- MultiHeadAttention -----------------------------------------------------------------------------
def test_mha_weight_layout():
    mha = bricks.MultiHeadAttention(num_heads=3, key_dim=2, value_dim=5, output_shape=7)
    mha.build((None, 4, 6), (None, 8, 9), (None, 8, 10))
    assert [(k, w.shape) for k, w in mha.params.items()] == [
        ("query/kernel", (6, 3, 2)), ("query/bias", (3, 2)), ("key/kernel", (10, 3, 2)), ("key/bias", (3, 2)),
        ("value/kernel", (9, 3, 5)), ("value/bias", (3, 5)), ("attention_output/kernel", (3, 5, 7)),
        ("attention_output/bias", (7,))]


@pytest.mark.parametrize("kwargs,call", [
    ({}, {}),
    ({"value_dim": 3, "output_shape": (2, 3)}, {"return_attention_scores": True}),
    ({"use_bias": False}, {"use_causal_mask": True}),
    ({}, {"attention_mask": "random", "use_causal_mask": True, "return_attention_scores": True}),
])
def test_mha_gradients_query_value_key(kwargs, call):
    rng = np.random.default_rng(4)
    q, v, k = rng.normal(size=(2, 4, 5)), rng.normal(size=(2, 4, 3)), rng.normal(size=(2, 4, 6))
    if call.get("attention_mask") == "random":
        m = rng.random((2, 4, 4)) > 0.3
        m[0, 1] = False  # a query that may look nowhere: weight 0 everywhere, as Keras
        call = {**call, "attention_mask": m}
    bricks.set_random_seed(0)
    errs = check_multi(bricks.MultiHeadAttention(2, 3, **kwargs), [q, v, k], **call)
    assert max(errs.values()) < TOL, errs


def test_mha_backward_keras_order_when_one_array_is_passed_twice():
    x = np.random.default_rng(5).normal(size=(2, 3, 4))
    bricks.set_random_seed(1)
    mha = bricks.MultiHeadAttention(2, 2)
    errs = check_multi(mha, [x, x.copy()])  # query and value, key = value
    assert max(errs.values()) < TOL, errs
    mha.forward(x, x)
    g = np.ones((2, 3, 4))
    dq, dv = mha.backward(g)
    mha.forward(x)  # self-attention on one array: one gradient, the sum of both
    assert np.allclose(mha.backward(g), dq + dv)
    mha.forward(x, x, x)
    assert len(mha.backward(g)) == 3


def test_mha_self_attention_gradient_and_float32():
    x = np.random.default_rng(6).normal(size=(2, 5, 4))
    bricks.set_random_seed(2)
    errs = check_layer(bricks.MultiHeadAttention(2, 3, dropout=0.0), x, seed=12345)
    assert max(errs.values()) < TOL, errs
    mha32 = bricks.MultiHeadAttention(2, 3, dtype="float32")
    y = mha32(x.astype(np.float32), use_causal_mask=True)
    assert y.dtype == np.float32 and mha32.backward(np.ones_like(y)).dtype == np.float32
    assert all(g.dtype == np.float32 for g in mha32.grads.values())


def test_mha_dropout_gradient():
    x = np.random.default_rng(7).normal(size=(2, 3, 4))
    mha = bricks.MultiHeadAttention(2, 2, dropout=0.3, seed=3)
    mha.freeze_noise = True
    errs = check_layer(mha, x, seed=12345, training=True)
    assert max(errs.values()) < TOL, errs


def test_mha_causal_mask_blocks_the_future():
    x = np.random.default_rng(8).normal(size=(1, 6, 4))
    mha = bricks.MultiHeadAttention(2, 2)
    y = mha(x, use_causal_mask=True)
    x2 = x.copy()
    x2[:, 4:] += 10.0  # change the last two steps
    y2 = mha(x2, use_causal_mask=True)
    assert np.allclose(y[:, :4], y2[:, :4]) and not np.allclose(y[:, 4:], y2[:, 4:])


def test_mha_errors():
    with pytest.raises(ValueError, match="num_heads"):
        bricks.MultiHeadAttention(0, 2)
    with pytest.raises(ValueError, match="attention_axes"):
        bricks.MultiHeadAttention(2, 2, attention_axes=(1, 2))
    mha = bricks.MultiHeadAttention(2, 2)
    mha(np.zeros((1, 3, 4)))
    with pytest.raises(ValueError, match="query features"):
        mha(np.zeros((1, 3, 5)))
    with pytest.raises(ValueError, match="attention_mask of shape"):
        mha(np.zeros((1, 3, 4)), attention_mask=np.ones((1, 3, 2)))


def test_mha_config_round_trip():
    mha = bricks.MultiHeadAttention(2, 3, value_dim=4, output_shape=5, dropout=0.1, kernel_regularizer=bricks.L2(0.1))
    again = bricks.MultiHeadAttention.from_config(mha.get_config())
    assert again.get_config() == mha.get_config()


# ---- positions and the encoder block ------------------------------------------------------------------
def test_sine_position_encoding_values():
    P = bricks.layers.sine_position_encoding(50, 8)
    t = np.arange(50)[:, None]
    assert np.allclose(P[:, 0], np.sin(t[:, 0])) and np.allclose(P[:, 1], np.cos(t[:, 0]))
    assert np.allclose(P[:, 6], np.sin(t[:, 0] * 1e4 ** (-6 / 8)))
    layer = bricks.Residual([bricks.SinePositionEncoding()])  # x + P
    x = np.random.default_rng(9).normal(size=(2, 50, 8))
    assert np.allclose(layer(x), x + P)
    assert max(check_layer(layer, x[:, :5], seed=12345).values()) < TOL


def test_position_embedding_gradient():
    bricks.set_random_seed(3)
    layer = bricks.Residual([bricks.PositionEmbedding(7)])
    errs = check_layer(layer, np.random.default_rng(10).normal(size=(3, 5, 4)), seed=12345)
    assert max(errs.values()) < TOL, errs
    with pytest.raises(ValueError, match="sequence_length=7"):
        layer(np.zeros((1, 8, 4)))


@pytest.mark.parametrize("normalize_first", [False, True])
def test_transformer_encoder_gradient(normalize_first):
    bricks.set_random_seed(4)
    block = bricks.TransformerEncoder(6, num_heads=2, normalize_first=normalize_first, use_causal_mask=True)
    errs = check_layer(block, np.random.default_rng(11).normal(size=(2, 4, 4)), seed=12345)
    assert max(errs.values()) < TOL, errs
    assert block.count_params() == 4 * (4 * 4 + 4) + 2 * 8 + (4 * 6 + 6) + (6 * 4 + 4)


def test_transformer_encoder_trains_in_a_sequential_model():
    bricks.set_random_seed(5)
    rng = np.random.default_rng(12)
    x = rng.normal(size=(64, 6, 4))
    y = x[:, 0, :1]  # recall the first step's first feature
    model = bricks.Sequential([bricks.Input((6, 4)), bricks.Residual([bricks.PositionEmbedding(6)]),
                               bricks.TransformerEncoder(16, num_heads=2), bricks.Flatten(), bricks.Dense(1)])
    model.compile(loss="mse", optimizer=bricks.Adam(0.01))
    hist = model.fit(x, y, epochs=30, batch_size=16, verbose=0)
    assert hist.history["loss"][-1] < 0.2 * hist.history["loss"][0]
