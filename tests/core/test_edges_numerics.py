"""Constructors, numerics and quant metrics at the edges (issue 21, item 5): each refuses what it
cannot compute honestly, naming the function or layer, the expected and the received value."""
import numpy as np
import pytest

import bricks
from bricks.quant import attribution, evaluation


@pytest.mark.parametrize("make, phrase", [
    (lambda: bricks.Cropping3D(1.5), "cropping as a non-negative int"),
    (lambda: bricks.Cropping2D(((1, 0.5), (0, 0))), "pairs of ints"),
    (lambda: bricks.UpSampling3D(size=1.5), "size as a positive int"),
    (lambda: bricks.UpSampling1D(size=True), "size as a positive int"),
    (lambda: bricks.ZeroPadding1D(2.0), "padding as a non-negative int"),
    (lambda: bricks.GaussianNoise(stddev=np.inf), "stddev >= 0 (a finite number)"),
    (lambda: bricks.GaussianNoise(stddev=np.nan), "stddev >= 0"),
    (lambda: bricks.Dropout(rate=np.nan), "rate in [0, 1)"),
    (lambda: bricks.Dense(2, name="block/dense"), "without '/'"),
])
def test_constructors_refuse(make, phrase):
    with pytest.raises(ValueError, match=phrase.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        make()


def test_an_empty_model_is_refused_at_fit_and_predict():
    for model in (bricks.Sequential([]), bricks.Sequential([bricks.Input((2,))])):
        model.compile(optimizer="sgd", loss="mse")
        with pytest.raises(ValueError, match="at least one layer besides Input"):
            model.predict(np.ones((3, 2)))
        with pytest.raises(ValueError, match="at least one layer besides Input"):
            model.fit(np.ones((3, 2)), np.ones((3, 2)), verbose=0)


def test_predict_on_no_samples_returns_an_empty_array_of_the_output_shape():
    model = bricks.Sequential([bricks.Input((4, 3)), bricks.Flatten(), bricks.Dense(5, dtype="float32")],
                              dtype="float32")
    x = np.ones((7, 4, 3), np.float32)
    out = model.predict(x[:0])
    assert out.shape == (0, 5) and out.dtype == model.predict(x).dtype


def test_categorical_crossentropy_at_the_extremes():
    loss = bricks.CategoricalCrossentropy(from_logits=True)
    z = np.array([[1e308, -1e308, 0.0], [-1e308, 1e308, 0.0]])
    t = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    with np.errstate(over="ignore"):
        assert loss(t, z) == 0.0 and np.isfinite(loss.gradient(t, z)).all()
        wrong = loss(t[::-1], z)  # the right class at -1e308: a loss of 2e308 overflows to inf, not NaN
    assert not np.isnan(wrong)
    with pytest.raises(ValueError, match=r"categorical_crossentropy: expected targets y_true whose rows are "
                                         r"probabilities summing to 1.*row=1, row_sum=2.0"):
        loss(np.array([[1.0, 0.0, 0.0], [1.0, 1.0, 0.0]]), z)
    model = bricks.Sequential([bricks.Input((3,)), bricks.Dense(3, "softmax")]).compile(
        optimizer="sgd", loss="categorical_crossentropy")
    with pytest.raises(ValueError, match="summing to 1"):
        model.fit(np.ones((2, 3)), np.array([[0.5, 0.0, 0.0], [0, 1, 0]]), verbose=0)


def test_clipnorm_does_not_spread_a_nan():
    g = [np.array([1.0, np.nan, 3.0]), np.array([10.0, 20.0])]
    for kwargs in ({"clipnorm": 1.0}, {"global_clipnorm": 1.0}):
        clipped = bricks.optimizers.clip_gradients(g, **kwargs)
        assert int(sum(np.isnan(c).sum() for c in clipped)) == 1, (kwargs, clipped)


@pytest.mark.parametrize("wrapper", ["residual", "bidirectional", "nested"])
def test_float32_layers_stay_float32_inside_wrappers(wrapper):
    inner = {"residual": lambda: bricks.Residual([bricks.Dense(3, dtype="float32")]),
             "bidirectional": lambda: bricks.Bidirectional(bricks.LSTM(2, dtype="float32")),
             "nested": lambda: bricks.Sequential([bricks.Dense(3, dtype="float32")])}[wrapper]()
    model = bricks.Sequential([bricks.Input((4, 3)), inner])
    x = np.random.default_rng(0).standard_normal((2, 4, 3)).astype(np.float32)
    assert model.predict(x).dtype == np.float32


def test_quant_metrics_refuse_degenerate_input():
    with pytest.raises(ValueError, match=r"sharpe: expected returns that vary"):
        evaluation.sharpe(np.full(250, 0.001))
    with pytest.raises(ValueError, match=r"sharpe: expected at least 2 returns"):
        evaluation.sharpe([0.01])
    with pytest.raises(ValueError, match=r"max_drawdown: expected simple returns >= -1.*min_return=-1.5"):
        evaluation.max_drawdown([0.1, -1.5, 0.2])
    assert evaluation.max_drawdown([0.1, -1.0]) == 1.0  # everything lost: 100%, the limit
    with pytest.raises(ValueError, match=r"ic_summary: expected at least 2 ICs.*n=0"):
        evaluation.ic_summary([np.nan, np.nan])
    with pytest.raises(ValueError, match=r"mse_vs_zero: expected non-empty targets not all zero"):
        evaluation.mse_vs_zero(np.zeros(5), np.ones(5))
    model = bricks.Sequential([bricks.Input((2,)), bricks.Dense(1)])
    with pytest.raises(ValueError, match=r"integrated_gradients: expected steps, an integer >= 1.*steps=0"):
        attribution.integrated_gradients(model, np.ones((3, 2)), steps=0)
