"""bricks.quant.power and the stored power tables: the numbers the chapters load are
the numbers the code computes (a reduced rerun of tools/power_tables.py)."""
import numpy as np
import pytest

from bricks.quant import pipelines, power


def test_ic_t_by_hand_and_degenerate():
    out = power.ic_t([1.0, 2.0, 3.0, 4.0], [1.0, 3.0, 2.0, 4.0])
    assert np.isclose(out["ic"], 0.8) and np.isclose(out["t"], 0.8 * np.sqrt(2) / 0.6)
    assert power.ic_t(np.ones(5), np.arange(5.0))["t"] == 0.0     # a constant forecast
    assert power.ic_t([1.0, np.nan, 3.0, 4.0], [1.0, 2.0, 2.0, 5.0])["n"] == 3
    with pytest.raises(ValueError, match="ic_t"):
        power.ic_t([1.0, 2.0], [1.0, 2.0, 3.0])


def test_oracle_power_matches_simulation():
    rng = np.random.default_rng(0)
    n, ic = 400, 0.1
    s = rng.standard_normal((2000, n))
    y = ic * s + np.sqrt(1 - ic**2) * rng.standard_normal((2000, n))
    t = [power.ic_t(a, b)["t"] for a, b in zip(s, y)]
    assert abs(np.mean(np.array(t) > 2) - power.oracle_power(ic, n)) < 0.04


def test_calibrate_and_detection_rates(tmp_path):
    table = power.calibrate(lambda s, seed: {"m": 10 * s + seed}, [0.1, 0.3], [0, 1, 2])
    assert table["t"]["m"] == [[1.0, 2.0, 3.0], [3.0, 4.0, 5.0]]
    np.testing.assert_allclose(power.detection_rates(table)["m"], [1 / 3, 1.0])
    power.save_table(table, tmp_path / "t.json")
    assert power.load_table(tmp_path / "t.json")["t"] == table["t"]
    assert "IC 0.10" in power.power_table_text(table, n=100)


@pytest.mark.parametrize("name,run", [("ch16", pipelines.panel_power_run),
                                      ("ch14", pipelines.index_power_run)])
def test_stored_power_table_reproduces(name, run):
    table = power.load_table(power.stored_path(name))
    i = table["strengths"].index(0.05)
    out = run(0.05, table["seeds"][0])
    assert set(out) == set(table["t"])
    for model, t in out.items():
        assert abs(t - table["t"][model][i][0]) < 1e-6, (name, model, t)


def test_planted_index_shapes_and_ic():
    X, y, d = pipelines.planted_index(n=3000, ic=0.2, seed=3)
    assert X.shape == (2981, 20, 3) and y.shape == (2981,) and len(d) == 2981
    assert abs(np.corrcoef(X[:, -1, 1], y)[0, 1] - 0.2) < 0.05    # the signal column
    assert abs(np.corrcoef(X[:, -1, 2], y)[0, 1]) < 0.05          # the noise column


def test_robust_t_matches_iid_on_iid_data_and_is_smaller_under_heteroskedasticity():
    rng = np.random.default_rng(1)
    x = rng.standard_normal(5000)
    out = power.robust_t(x, 0.05 * x + rng.standard_normal(5000))
    assert abs(out["t_white"] - out["t_iid"]) < 0.2 and abs(out["t_nw"] - out["t_iid"]) < 0.3
    out = power.robust_t(x, 0.05 * x + rng.standard_normal(5000) * (0.3 + x * x))
    assert out["t_white"] < 0.7 * out["t_iid"]
    # White's variance by hand: sum (x e)^2 / (sum x^2)^2 on standardised data
    xs = (x - x.mean()) / x.std()
    y = 0.05 * x + rng.standard_normal(5000)
    z = (y - y.mean()) / y.std()
    b = xs @ z / (xs @ xs)
    e = z - b * xs
    t_w = b / np.sqrt(((xs * e) ** 2).sum() / (xs @ xs) ** 2)
    assert np.isclose(power.robust_t(x, y)["t_white"], t_w)


def test_stored_stock_power_table_reproduces():
    """Section 16b's table: one cell rerun (the planted score, linear, LightGBM and GRU; the LSTM
    and the Transformer of that cell are the same code as the GRU with another layer list)."""
    table = power.load_table(power.stored_path("ch16b"))
    assert {"planted score", "linear", "LightGBM", "LSTM", "GRU", "Transformer"} == set(table["t"])
    i = table["strengths"].index(0.5)
    out = pipelines.stock_power_run(0.5, table["seeds"][0], models=("LightGBM", "GRU"))
    assert set(out) == {"planted score", "linear", "LightGBM", "GRU"}
    for model, t in out.items():
        assert abs(t - table["t"][model][i][0]) < 1e-6, (model, t)


def test_calibrate_in_processes_gives_the_same_table():
    one = power.calibrate(_toy_run, [0.1, 0.3], [0, 1, 2])
    two = power.calibrate(_toy_run, [0.1, 0.3], [0, 1, 2], processes=2)
    assert one["t"] == two["t"]


def _toy_run(s, seed):
    return {"m": float(np.random.default_rng(seed).standard_normal() + 10 * s)}
