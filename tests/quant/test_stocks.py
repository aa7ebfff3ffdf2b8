"""bricks.quant.stocks and the chapter 14 helpers added for A shares and other worlds."""
import numpy as np
import pandas as pd

from bricks.quant import panel, pipelines, stocks


def test_monthly_panel_is_point_in_time_and_masked_to_the_universe():
    p = panel.generate(n_stocks=60, years=3, index_size=20, seed=2)
    m = stocks.monthly_panel(p)
    M = len(m["months"])
    assert m["Z"].shape == (M, 60, 6) and m["nxt"].shape == (M, 60)
    assert np.isnan(m["Z"][~m["members"]]).all() and np.isnan(m["nxt"][~m["members"]]).all()
    months, mret = panel.monthly(p)
    ok = m["members"][:-1] & np.isfinite(mret[1:])
    np.testing.assert_allclose(m["nxt"][:-1][ok], mret[1:][ok])  # next month's, not this month's
    rk = m["rank"][np.isfinite(m["rank"]).sum(axis=1) > 1]
    np.testing.assert_allclose(np.nanmax(rk, axis=1), 0.5)


def test_trailing_mean_and_nw_mean_t():
    x = np.arange(10.0)[:, None]
    np.testing.assert_allclose(stocks.trailing_mean(x, 3)[2:, 0], np.arange(1.0, 9.0))
    rng = np.random.default_rng(0)
    e = rng.standard_normal(400)
    s = stocks.nw_mean_t(e + 0.2, lags=0)
    assert np.isclose(s["t_nw"], (e + 0.2).mean() / ((e + 0.2).std() / np.sqrt(400)))
    ar = np.convolve(e, np.ones(5), mode="same") + 0.2  # autocorrelated: NW widens the error
    assert stocks.nw_mean_t(ar)["t_nw"] < stocks.nw_mean_t(ar, lags=0)["t_nw"]


def test_index_windows_uses_close_without_adj_close():
    idx = pd.bdate_range("2020-01-01", periods=40)
    rng = np.random.default_rng(0)
    close = 100 * np.cumprod(1 + 0.01 * rng.standard_normal(40))
    px = pd.DataFrame({"open": close, "high": close * 1.01, "low": close * 0.99, "close": close,
                       "volume": 1e6 * (1 + rng.random(40))}, index=idx)
    X, y, d = pipelines.index_windows(px, window=5)
    X2, y2, _ = pipelines.index_windows(px.assign(adj_close=px["close"]), window=5)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_allclose(y, np.diff(close)[5:] / close[5:-1])


def test_planted_worlds():
    X, y, d, g = pipelines.planted_index_world(n=20000, ic=0.1, seed=0, world="nonlinear")
    s = X[:, -1, 1]
    assert abs(np.corrcoef(s, y)[0, 1]) < 0.03 < np.corrcoef(g, y)[0, 1]   # invisible to a line
    X, y, d, g = pipelines.planted_index_world(n=5030, ic=0.1, seed=0, world="clustered")
    a = np.abs(y - y.mean())
    assert np.corrcoef(a[1:], a[:-1])[0, 1] > 0.1                          # volatility clusters


def test_planted_panel_nonlinear_is_invisible_to_a_line():
    from bricks.quant import data, prep
    rets, _ = data.planted_panel(n_dates=400, n_assets=60, ic=0.1, seed=1, shape="nonlinear")
    r = rets.to_numpy()
    mom = prep.panel_features(r)[0][..., 0]
    z = prep.cross_sectional_zscore(mom)
    ok = np.isfinite(z[:-1])
    nxt = r[1:][ok]
    lin, sq = np.corrcoef(z[:-1][ok], nxt)[0, 1], np.corrcoef(z[:-1][ok] ** 2, nxt)[0, 1]
    assert sq > 0.05 and abs(lin) < sq / 2  # mostly invisible to a line (the U skews returns a little)


def test_lightgbm_forecast_is_deterministic_and_reads_every_month_of_the_window():
    """Section 16b's LightGBM (also stock_power_run's row): the same seed gives the same forecasts
    bit for bit; the trees see all T * F inputs, so a signal in the first month of the window is found."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3000, 6, 6))
    y = x[:, 0, 2] + 0.5 * rng.standard_normal(3000)  # only the window's first month matters
    a = stocks.lightgbm_forecast(x[:2000], y[:2000], x[2000:], seed=3)
    b = stocks.lightgbm_forecast(x[:2000], y[:2000], x[2000:], seed=3)
    assert a.shape == (1000,) and np.array_equal(a, b)
    assert np.corrcoef(a, y[2000:])[0, 1] > 0.7
    c = stocks.lightgbm_forecast(x[:2000], y[:2000], x[2000:], seed=4)  # feature_fraction 0.8 draws
    assert not np.array_equal(a, c)


def test_the_numpy_core_does_not_import_lightgbm():
    """LightGBM is imported only when lightgbm_forecast is called (bricks needs only numpy)."""
    import subprocess
    import sys
    code = ("import sys, bricks, bricks.quant, bricks.quant.stocks, bricks.quant.pipelines; "
            "assert 'lightgbm' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)
