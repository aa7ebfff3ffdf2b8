"""Nothing silently wrong in the layers and optimizers (issue 10, items 4-6): a wrong gradient
shape, complex input, a bad constructor argument, an inf gradient, and reseeding noise."""
import re

import numpy as np
import pytest

import bricks
from bricks import optimizers
from bricks.teaching import checks

# (factory, input shape): one configuration of every layer family, several where shapes differ
LAYERS = [
    (lambda: bricks.Dense(3, "softmax"), (4, 5)), (lambda: bricks.Dense(1), (4, 5)),
    (lambda: bricks.Dense(2, "tanh"), (2, 3, 5)), (lambda: bricks.Activation("relu"), (4, 5)),
    (lambda: bricks.Flatten(), (2, 3, 4)), (lambda: bricks.Reshape((6, 2)), (2, 3, 4)),
    (lambda: bricks.Conv1D(2, 3), (2, 7, 3)),
    (lambda: bricks.Conv1D(2, 3, padding="causal", dilation_rate=2), (2, 7, 3)),
    (lambda: bricks.Conv2D(2, 3, padding="same", strides=2), (2, 6, 6, 1)),
    (lambda: bricks.Conv3D(1, 2), (1, 3, 3, 3, 2)),
    (lambda: bricks.Conv2DTranspose(2, 3, strides=2), (2, 3, 3, 1)),
    (lambda: bricks.MaxPooling1D(2), (2, 6, 3)), (lambda: bricks.AveragePooling2D(2), (2, 4, 4, 1)),
    (lambda: bricks.MaxPooling3D(2), (1, 4, 4, 4, 1)), (lambda: bricks.GlobalAveragePooling1D(), (2, 5, 3)),
    (lambda: bricks.GlobalMaxPooling2D(keepdims=True), (2, 3, 3, 2)),
    (lambda: bricks.Cropping1D((1, 1)), (2, 5, 3)), (lambda: bricks.UpSampling2D(), (2, 2, 2, 1)),
    (lambda: bricks.ZeroPadding1D(2), (2, 3, 1)),
    (lambda: bricks.Dropout(0.5, seed=0), (4, 5)), (lambda: bricks.GaussianNoise(0.1, seed=0), (4, 5)),
    (lambda: bricks.AlphaDropout(0.2, seed=0), (4, 5)), (lambda: bricks.GaussianDropout(0.2, seed=0), (4, 5)),
    (lambda: bricks.BatchNormalization(), (4, 5)), (lambda: bricks.LayerNormalization(), (2, 3, 5)),
    (lambda: bricks.SimpleRNN(3), (2, 4, 5)), (lambda: bricks.LSTM(3, return_sequences=True), (2, 4, 5)),
    (lambda: bricks.GRU(3, go_backwards=True), (2, 4, 5)),
    (lambda: bricks.Bidirectional(bricks.LSTM(2)), (2, 4, 5)),
    (lambda: bricks.Residual([bricks.Dense(5, "relu"), bricks.Dense(5)]), (4, 5)),
]


def _wrong_shapes(shape):
    return [shape[:-1] + (shape[-1] + 1,), shape[:-1], (shape[0] + 1, *shape[1:]), (1,) * len(shape)]


@pytest.mark.parametrize("make, in_shape", LAYERS)
def test_backward_refuses_a_wrong_gradient_shape_naming_the_layer(make, in_shape, rng):
    layer = make()
    y = layer.forward(rng.standard_normal(in_shape), training=True)
    for wrong in _wrong_shapes(y.shape):
        if wrong == y.shape:
            continue
        with pytest.raises(ValueError, match=rf"^{layer.name}: expected grad_output of shape "
                                             rf"{re.escape(str(y.shape))}.*Received: grad_output.shape="
                                             rf"{re.escape(str(wrong))}"):
            layer.backward(np.ones(wrong))
    assert layer.backward(np.ones(y.shape)).shape == in_shape  # the right shape still works


def test_the_softmax_example_of_the_issue():
    layer = bricks.Dense(3, "softmax")
    layer.forward(np.ones((4, 5)))
    with pytest.raises(ValueError, match=r"dense: expected grad_output of shape \(4, 3\).*\(4, 1\)"):
        layer.backward(np.ones((4, 1)))  # was silently broadcast to a (4, 5) answer


def test_return_state_gradients_are_checked_per_output(rng):
    lstm = bricks.LSTM(3, return_state=True)
    lstm.forward(rng.standard_normal((2, 4, 5)))
    lstm.backward([np.ones((2, 3)), None, np.ones((2, 3))])  # None: zero gradient
    with pytest.raises(ValueError, match=r"lstm: expected grad_output\[2\] of shape \(2, 3\)"):
        lstm.backward([np.ones((2, 3)), None, np.ones((2, 4))])
    with pytest.raises(ValueError, match=r"lstm: expected a list of 3 gradients"):
        lstm.backward(np.ones((2, 3)))


# ---- complex input --------------------------------------------------------------------------
def test_complex_input_is_refused_and_check_array_says_complex(capsys):
    with pytest.raises(ValueError, match=r"dense: expected a real array.*x.dtype='complex128'"):
        bricks.Dense(2).forward(np.ones((3, 2)) + 1j)
    assert not checks.check_array(np.array([1.0 + 2j]), np.array([1.0]))
    assert "is complex (complex128), expected real numbers" in capsys.readouterr().out


# ---- constructor and optimizer arguments -----------------------------------------------------
BAD_ARGS = {
    "layers": [
        (lambda: bricks.Dense(3, dtype="int32"), r"dense: expected dtype 'float32' or 'float64'.*dtype='int32'"),
        (lambda: bricks.Dense(3, dtype="float16"), r"dtype 'float32' or 'float64'"),
        (lambda: bricks.LSTM(2, dtype="banana"), r"lstm: expected dtype"),
        (lambda: bricks.Dense(0), r"dense: expected a positive integer number of units"),
        (lambda: bricks.Dense(2.5), r"units=2.5"),
        (lambda: bricks.Dropout(1.5), r"dropout: expected rate in \[0, 1\)"),
        (lambda: bricks.GaussianNoise(-1), r"stddev >= 0"),
        (lambda: bricks.BatchNormalization(momentum=2), r"batch_normalization: expected momentum in \[0, 1\)"),
        (lambda: bricks.BatchNormalization(momentum=1), r"momentum in \[0, 1\)"),
        (lambda: bricks.BatchNormalization(epsilon=-1), r"batch_normalization: expected epsilon > 0"),
        (lambda: bricks.BatchNormalization(epsilon=float("nan")), r"epsilon > 0 \(a finite number\)"),
        (lambda: bricks.LayerNormalization(epsilon=0), r"layer_normalization: expected epsilon > 0"),
        (lambda: bricks.Conv1D(4, 3, strides=0), r"conv1d: expected strides"),
        (lambda: bricks.MaxPooling2D(0), r"max_pooling2d: expected pool_size"),
        (lambda: bricks.Embedding(0, 3), r"embedding: expected input_dim"),
        (lambda: bricks.Reshape((-1, -1)), r"reshape: expected a target_shape"),
        (lambda: bricks.Dense(3, kernel_initializer="bogus"), r"initializers.get: expected .*'bogus'"),
        (lambda: bricks.Conv1D(2, 3, bias_initializer="nope"), r"initializers.get: expected .*'nope'"),
        (lambda: bricks.LSTM(2, recurrent_initializer="orthogonl"), r"initializers.get: expected"),
        (lambda: bricks.LayerNormalization(gamma_initializer="won"), r"initializers.get: expected"),
        (lambda: bricks.Activation("bogus"), r"activations.get: expected a known activation, one of"),
    ],
    "optimizers": [
        (lambda: bricks.SGD(learning_rate=-0.1), r"sgd: expected learning_rate > 0.*learning_rate=-0.1"),
        (lambda: bricks.SGD(learning_rate=0), r"learning_rate > 0"),
        (lambda: bricks.Adam(float("nan")), r"adam: expected learning_rate > 0 \(a finite number\)"),
        (lambda: bricks.Adam("fast"), r"learning_rate > 0 \(a finite number\).*'fast'"),
        (lambda: bricks.SGD(momentum=1.0), r"sgd: expected momentum in \[0, 1\)"),
        (lambda: bricks.SGD(momentum=-0.5), r"momentum in \[0, 1\)"),
        (lambda: bricks.Adam(beta_1=1.0), r"adam: expected beta_1 in \[0, 1\)"),
        (lambda: bricks.Adam(beta_2=1.5), r"beta_2 in \[0, 1\)"),
        (lambda: bricks.Adam(epsilon=0), r"adam: expected epsilon > 0"),
        (lambda: bricks.RMSprop(rho=1), r"rmsprop: expected rho in \[0, 1\)"),
        (lambda: bricks.RMSprop(momentum=-1), r"momentum in \[0, 1\)"),
        (lambda: bricks.RMSprop(epsilon=-1), r"epsilon > 0"),
        (lambda: bricks.Adam(clipnorm=0), r"adam: expected clipnorm > 0"),
        (lambda: bricks.Adam(clipvalue="a"), r"clipvalue > 0 \(a finite number\)"),
        (lambda: bricks.Adam(global_clipnorm=float("inf")), r"global_clipnorm > 0 \(a finite number\)"),
        (lambda: bricks.Adam(clipnorm=1, clipvalue=1), r"only one of clipnorm"),
    ],
    "schedules, regularizers, backend": [
        (lambda: bricks.ExponentialDecay(-1, 10, 0.5), r"ExponentialDecay: expected initial_learning_rate > 0"),
        (lambda: bricks.ExponentialDecay(0.1, 0, 0.5), r"decay_steps > 0"),
        (lambda: bricks.ExponentialDecay(0.1, 10, 0), r"decay_rate > 0"),
        (lambda: bricks.CosineDecay(0.1, 10, alpha=2), r"CosineDecay: expected alpha in \[0, 1\]"),
        (lambda: bricks.PiecewiseConstantDecay([10, 5], [1, 0.5, 0.1]), r"increasing boundaries"),
        (lambda: bricks.PiecewiseConstantDecay([10], [1, -0.5]), r"values\[i\] > 0"),
        (lambda: bricks.L2(-1), r"L1L2: expected l2 >= 0"),
        (lambda: bricks.L1(float("nan")), r"l1 >= 0 \(a finite number\)"),
        (lambda: bricks.set_floatx("int32"), r"set_floatx: expected"),
        (lambda: bricks.set_random_seed(-1), r"set_random_seed: expected an integer seed >= 0"),
        (lambda: bricks.set_random_seed(0.5), r"set_random_seed: expected an integer seed"),
    ],
}
CASES = [(area, make, pattern) for area, cases in BAD_ARGS.items() for make, pattern in cases]


@pytest.mark.parametrize("area, make, pattern", CASES, ids=[f"{a}-{i}" for i, (a, _, _) in enumerate(CASES)])
def test_bad_arguments_get_a_clear_error(area, make, pattern):
    with pytest.raises(ValueError, match=pattern):
        make()


def test_batch_normalization_refuses_an_empty_training_batch():
    bn = bricks.BatchNormalization()
    bn.forward(np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"batch_normalization: expected a non-empty batch.*\(0, 3\)"):
        bn.forward(np.ones((0, 3)), training=True)
    assert bn.forward(np.ones((0, 3))).shape == (0, 3)  # inference on nothing is fine


# ---- clipping handles inf ------------------------------------------------------------------------
@pytest.mark.parametrize("kw", [{"clipnorm": 1.0}, {"global_clipnorm": 1.0}, {"clipvalue": 0.5}])
def test_clip_gradients_turns_inf_into_a_finite_step(kw):
    g = [np.array([[np.inf, 2.0], [-3.0, 0.5]]), np.array([1.0, -np.inf])]
    out = optimizers.clip_gradients(g, **kw)
    assert all(np.isfinite(o).all() for o in out)
    if "clipvalue" not in kw:
        assert np.isclose(np.sqrt(sum((o * o).sum() for o in out)), 1.0 if "global_clipnorm" in kw else np.sqrt(2))
        assert out[0][0, 0] > 0 and out[1][1] < 0  # the direction of the infinite entries
    nan = optimizers.clip_gradients([np.array([np.nan, 1.0])], **kw)[0]
    assert np.isnan(nan[0])  # NaN is not made up: the training step refuses it


def test_clip_norm_of_huge_finite_gradients_does_not_overflow():
    g = [np.array([3e200, 4e200])]
    np.testing.assert_allclose(optimizers.clip_gradients(g, clipnorm=1.0)[0], [0.6, 0.8])
    np.testing.assert_allclose(optimizers.clip_gradients([np.array([0.3, 0.4])], global_clipnorm=1.0)[0], [0.3, 0.4])


# ---- seeds -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", [None, 7])
def test_set_random_seed_restarts_noise_layers_built_before_it(seed):
    layer = bricks.Dropout(0.5, seed=seed)
    x = np.ones((50, 8))
    layer.forward(x, training=True)  # some history
    bricks.set_random_seed(3)
    a = [layer.forward(x, training=True) for _ in range(3)]
    bricks.set_random_seed(3)
    b = [layer.forward(x, training=True) for _ in range(3)]
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[0], a[1])  # still a fresh mask each call


def test_rerunning_a_seeded_fit_cell_reproduces_the_run(rng):
    x, y = rng.standard_normal((64, 3)), rng.standard_normal((64, 1))
    model = bricks.Sequential([bricks.Input((3,)), bricks.Dense(8, "relu"), bricks.Dropout(0.3),
                               bricks.GaussianNoise(0.1), bricks.Dense(1)])
    model.compile(loss="mse", optimizer=bricks.SGD(0.05))
    start = model.get_weights()
    runs = []
    for _ in range(2):  # the cell `set_random_seed(0); model.fit(...)`, run twice
        model.set_weights(start)
        bricks.set_random_seed(0)
        model.fit(x, y, epochs=2, batch_size=16, verbose=0)
        runs.append(model.get_weights())
    for u, v in zip(*runs):
        np.testing.assert_array_equal(u, v)
