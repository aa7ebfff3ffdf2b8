"""bricks.quant.attribution: IG through the model's own backward passes, completeness, permutation."""
import numpy as np
import pytest

import bricks
from bricks.quant import attribution as attr
from bricks.teaching.gradcheck import numerical_gradient, rel_error


def _mlp(n_in=4, seed=0):
    model = bricks.Sequential([bricks.Input((n_in,)), bricks.Dense(5, activation="tanh"),
                               bricks.Dense(3, activation="tanh"), bricks.Dense(1)])
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(size=w.shape) for w in model.get_weights()])
    return model


def test_input_gradient_matches_finite_differences_through_every_layer(rng):
    model = _mlp()
    x = rng.normal(size=(3, 4))
    g = attr.input_gradient(model, x)
    for n in range(3):
        xn = x[n:n + 1].copy()
        num = numerical_gradient(lambda: float(model.forward(xn)[0, 0]), xn)
        assert rel_error(g[n:n + 1], num) < 1e-7


def test_ig_is_exact_for_a_linear_model(rng):
    model = bricks.Sequential([bricks.Input((4,)), bricks.Dense(1)])
    w = rng.normal(size=(4, 1))
    model.set_weights([w, np.array([0.3])])
    x, base = rng.normal(size=(5, 4)), rng.normal(size=(1, 4))
    ig = attr.integrated_gradients(model, x, baseline=base, steps=1)
    np.testing.assert_allclose(ig, (x - base) * w[:, 0], atol=1e-14)  # IG_i = (x_i - x'_i) w_i
    np.testing.assert_allclose(attr.gradient_x_input(model, x), x * w[:, 0], atol=1e-14)
    assert attr.completeness(model, x, ig, baseline=base)["max_abs_error"] < 1e-13


@pytest.mark.parametrize("method, steps, tol", [("trapezoid", 200, 1e-4), ("riemann_middle", 200, 1e-4),
                                                ("gauss_legendre", 20, 1e-10)])
def test_ig_completeness_on_a_small_dense_model(rng, method, steps, tol):
    model = _mlp()
    x = rng.normal(size=(6, 4))
    ig = attr.integrated_gradients(model, x, steps=steps, method=method)
    check = attr.completeness(model, x, ig)
    assert ig.shape == x.shape
    assert check["max_rel_error"] < tol
    coarse = attr.integrated_gradients(model, x, steps=2, method="riemann_right")
    assert attr.completeness(model, x, coarse)["max_rel_error"] > 100 * check["max_rel_error"]


def test_ig_of_a_multi_output_model_needs_a_target(rng):
    model = bricks.Sequential([bricks.Input((3,)), bricks.Dense(2, activation="tanh")])
    x = rng.normal(size=(2, 3))
    with pytest.raises(ValueError, match="target"):
        attr.integrated_gradients(model, x)
    ig1 = attr.integrated_gradients(model, x, target=1, steps=16, method="gauss_legendre")
    assert attr.completeness(model, x, ig1, target=1)["max_rel_error"] < 1e-10
    with pytest.raises(ValueError, match="method"):
        attr.integrated_gradients(model, x, target=0, method="simpson")


def test_permutation_importance_finds_the_feature_and_groups_correlated_twins(rng):
    n = 4000
    z = rng.normal(size=n)
    x = np.column_stack([z, z + 0.01 * rng.normal(size=n), rng.normal(size=n)])  # twins 0, 1; noise 2
    y = z.copy()

    def predict(xx):
        return 0.5 * xx[:, 0] + 0.5 * xx[:, 1]

    def score(yt, yp):
        return -np.mean((yt - yp) ** 2)

    out = attr.permutation_importance(predict, x, y, score, n_repeats=3, seed=0)
    imp = out["importance"]
    assert abs(imp["2"]) < 1e-12 and imp["0"] > 0.4 and imp["1"] > 0.4
    grouped = attr.permutation_importance(predict, x, y, score, groups={"twins": [0, 1], "noise": [2]},
                                          n_repeats=3, seed=0)["importance"]
    assert grouped["twins"] > 1.5 and grouped["twins"] > 3 * imp["0"]  # together they matter more
    strata = np.repeat(np.arange(40), 100)
    within = attr.permutation_importance(predict, x, y, score, n_repeats=2, strata=strata, seed=0)
    assert within["importance"]["0"] > 0.4


def test_ig_through_a_recurrent_model_and_windowed_permutation(rng):
    model = bricks.Sequential([bricks.Input((5, 2)), bricks.LSTM(3), bricks.Dense(1)])
    x = rng.normal(size=(4, 5, 2))
    g = attr.input_gradient(model, x)
    x0 = x[:1].copy()
    num = numerical_gradient(lambda: float(model.forward(x0)[0, 0]), x0)
    assert g.shape == x.shape and rel_error(g[:1], num) < 1e-7
    ig = attr.integrated_gradients(model, x, steps=24, method="gauss_legendre", batch_size=16)  # chunked
    assert attr.completeness(model, x, ig)["max_rel_error"] < 1e-10
    y = model.predict(x)[:, 0]
    out = attr.permutation_importance(lambda xx: model.predict(xx)[:, 0], x, y,
                                      lambda yt, yp: -np.mean((yt - yp) ** 2), n_repeats=2, seed=0)
    assert set(out["importance"]) == {"0", "1"} and out["base"] == 0.0
