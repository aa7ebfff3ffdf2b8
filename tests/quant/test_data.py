"""bricks.quant.data: real-data loaders, the validating CSV reader, generators, windows, splits, scalers."""
import io

import numpy as np
import pytest

from bricks import quant
from bricks.quant import data

GOOD = """date,open,high,low,close,volume
2024-01-02,3400.1,3420.5,3390.0,3410.2,1200
2024-01-03,3410.2,3430.0,3400.0,3425.9,1300
2024-01-04,3425.9,3440.1,3415.3,3418.0,1250
2024-01-05,3418.0,3419.0,3380.0,3385.5,1400
"""


def _csv(text, **kw):
    return data.load_csv(io.StringIO(text), **kw)


def _replace(old, new):
    return GOOD.replace(old, new)


# ---- real data ---------------------------------------------------------------------------------
def test_load_sp500_shape_and_columns():
    px = data.load_sp500()
    assert px.shape == (5031, 6)
    assert list(px.columns) == ["open", "high", "low", "close", "adj_close", "volume"]
    assert str(px.index[0].date()) == "1999-01-04" and str(px.index[-1].date()) == "2018-12-31"
    assert px.index.is_monotonic_increasing and (px[["open", "high", "low", "close"]] > 0).all().all()
    assert len(data.load_sp500("2005", "2005")) == 252


def test_load_french_panel_is_the_real_panel():
    rets, factors = data.load_french_panel()
    assert rets.shape == (819, 30) and list(factors.columns) == ["MktRF", "SMB", "HML", "Mom", "RF"]
    raw = data.load_french()
    assert raw.shape == (819, 35)
    np.testing.assert_allclose(rets["NoDur"], raw["NoDur"] - raw["RF"])
    assert str(rets.index[0].date()) == "1949-01-01"


def test_loaders_read_exactly_what_the_packages_ship():
    from arch.data import sp500
    from linearmodels.datasets import french
    ref = sp500.load()
    np.testing.assert_array_equal(data.load_sp500()["adj_close"].to_numpy(), ref["Adj Close"].to_numpy())
    ref_f = french.load()
    np.testing.assert_array_equal(data.load_french()["S5M5"].to_numpy(), ref_f["S5M5"].to_numpy())


# ---- the CSV loader ------------------------------------------------------------------------------
def test_load_csv_good_file_and_chinese_headers():
    df = _csv(GOOD)
    assert df.shape == (4, 5) and df.index.name == "date"
    assert df["close"].iloc[-1] == 3385.5
    zh = GOOD.replace("date,open,high,low,close,volume", "日期,开盘,最高,最低,收盘,成交量")
    zh = zh.replace("1200", '"1,200"')  # thousands separator, quoted
    df2 = _csv(zh)
    assert df2["volume"].iloc[0] == 1200.0 and list(df2.columns) == list(df.columns)
    tushare = GOOD.replace("2024-01-0", "2024010")  # 20240102 style dates
    assert _csv(tushare).index[0].day == 2


@pytest.mark.parametrize("text, pattern", [
    (GOOD.replace(",volume", ",vol_x"), r"missing=\['volume'\]"),
    (_replace("3410.2,3430.0", "3410.2,abc"), r"column='high', row=2, date='2024-01-03', value='abc'"),
    (_replace("3425.9,3440.1,3415.3,3418.0", "3425.9,3440.1,3415.3,"), r"a value in every row.*column='close', row=3"),
    (_replace("2024-01-04", "2024-13-45"), r"readable date.*row=3, value='2024-13-45'"),
    (_replace("2024-01-05", "2024-01-03"), r"one row per date.*duplicate_date='2024-01-03', rows=\[2, 4\]"),
    (_replace("2024-01-04", "2024-01-01"), r"increasing order.*row=3, date='2024-01-01', previous_date='2024-01-03'"),
    (_replace("2024-01-05", "2024-03-05"), r"gap longer than 14.*gap_days=61, date='2024-03-05'"),
    (_replace("3400.1", "-1"), r"prices > 0 in column 'open'.*row=1, date='2024-01-02', value=-1.0"),
    (_replace("3419.0,3380.0", "3370.0,3380.0"), r"low <= open <= high.*row=4, date='2024-01-05'"),
    (_replace("1300", "-5"), r"volume >= 0.*row=2"),
    ("", r"header row"),
])
def test_load_csv_rejects_each_bad_file_naming_the_fault(text, pattern):
    with pytest.raises(ValueError, match=r"load_csv\(file\): expected .*" + pattern):
        _csv(text)


def test_load_csv_sort_option_and_file_path(tmp_path):
    shuffled = "\n".join([GOOD.splitlines()[0], *GOOD.splitlines()[1:][::-1]]) + "\n"
    df = _csv(shuffled, sort=True)
    assert df.index.is_monotonic_increasing and df["open"].iloc[0] == 3400.1
    path = tmp_path / "csi300.csv"
    path.write_text(_replace("3400.1", "0"))
    with pytest.raises(ValueError, match=r"load_csv\(csi300.csv\).*column='open', row=1"):
        data.load_csv(path)
    assert len(_csv(_replace("2024-01-05", "2024-03-05"), max_gap_days=None)) == 4


# ---- generators ----------------------------------------------------------------------------------
def test_planted_series_has_its_ic_and_is_seeded():
    a = data.planted_series(n=20000, ic=0.1, seed=3)
    b = data.planted_series(n=20000, ic=0.1, seed=3)
    assert a.equals(b)
    ic = np.corrcoef(a["signal"].to_numpy()[:-1], a["ret"].to_numpy()[1:])[0, 1]
    assert abs(ic - 0.1) < 3 / np.sqrt(20000)


def test_planted_panel_momentum_ic_is_recovered():
    rets, factors = data.planted_panel(n_dates=400, n_assets=40, ic=0.2, seed=1)
    feats, names = data.panel_features(rets, factors)
    mom = feats[..., names.index("mom")]  # (D, A) known at t
    ics = quant.ic_by_date(mom[:-1], rets.to_numpy()[1:])
    s = quant.ic_summary(ics)
    assert abs(s["mean"] - 0.2) < 3 * s["std"] / np.sqrt(s["n"])
    assert s["n"] == 400 - 12


# ---- windows, features, splits, scalers ------------------------------------------------------------
def test_sliding_windows_values():
    x = np.arange(10.0).reshape(5, 2)
    w = data.sliding_windows(x, 3)
    assert w.shape == (3, 3, 2)
    np.testing.assert_array_equal(w[1], x[1:4])
    with pytest.raises(ValueError, match="sliding_windows"):
        data.sliding_windows(x, 6)


def test_panel_features_use_the_past_only():
    rng = np.random.default_rng(0)
    r = rng.normal(size=(60, 4))
    f = rng.normal(size=(60, 2))
    feats, names = data.panel_features(r, f, mom=12, skip=1, vol=6, beta=20)
    assert names == ["mom", "ret1", "vol", "beta_f0", "beta_f1"] and feats.shape == (60, 4, 5)
    t = 30
    assert np.isclose(feats[t, 2, 0], r[t - 11:t, 2].sum())  # months t-11 .. t-1
    assert np.isclose(feats[t, 1, 2], r[t - 5:t + 1, 1].std())
    X = np.column_stack([np.ones(20), f[t - 19:t + 1]])
    coef = np.linalg.lstsq(X, r[t - 19:t + 1, 3], rcond=None)[0]
    np.testing.assert_allclose(feats[t, 3, 3:], coef[1:])
    r2 = r.copy()
    r2[t + 1:] = 99.0  # the future changes: no feature at t may move
    np.testing.assert_array_equal(data.panel_features(r2, f, 12, 1, 6, 20)[0][:t + 1], feats[:t + 1])
    X, y, d, a = data.panel_windows(feats, np.roll(r, -1, axis=0), 4)
    assert X.shape[1:] == (4, 5) and np.array_equal(X[0], feats[d[0] - 3:d[0] + 1, a[0]])
    assert d.min() == 19 + 3 and not np.isnan(X).any()


@pytest.mark.parametrize("expanding", [False, True])
@pytest.mark.parametrize("gap", [0, 1, 5])
def test_walk_forward_never_lets_a_training_date_reach_the_test_window(gap, expanding):
    rng = np.random.default_rng(1)
    dates = np.repeat(np.arange(100), 3)[rng.permutation(300)]  # a panel, unsorted rows
    folds = data.walk_forward(dates, train_size=30, test_size=10, gap=gap, expanding=expanding)
    assert len(folds) == (100 - 30 - gap - 10) // 10 + 1
    for k, fold in enumerate(folds):
        tr, te = dates[fold.train], dates[fold.test]
        assert tr.max() + gap < te.min()  # a label looking `gap` dates ahead is realised before
        assert len(np.unique(te)) == 10 and len(te) == 30
        assert len(np.unique(tr)) == (30 + 10 * k if expanding else 30)
        assert fold.test_dates == (te.min(), te.max()) and fold.train_dates[1] == tr.max()
    with pytest.raises(ValueError, match="walk_forward"):
        data.walk_forward(dates, train_size=90, test_size=10, gap=1)


def test_scalers_fit_on_training_part_only():
    train = np.array([[1.0, 10.0], [3.0, 30.0]])
    test = np.array([[5.0, 50.0]])
    sc = data.StandardScaler().fit(train)
    np.testing.assert_allclose(sc.transform(test), [[3.0, 3.0]])  # (5-2)/1, (50-20)/10
    np.testing.assert_allclose(sc.inverse_transform(sc.transform(test)), test)
    mm = data.MinMaxScaler().fit(train)
    np.testing.assert_allclose(mm.transform(test), [[2.0, 2.0]])  # beyond 1: the future is bigger
    win = np.arange(24.0).reshape(2, 4, 3)  # windows (N, T, F): one mean per feature
    np.testing.assert_allclose(data.StandardScaler().fit(win).mean_, [10.5, 11.5, 12.5])
    with pytest.raises(RuntimeError, match="before fit"):
        data.StandardScaler().transform(test)


def test_rolling_zscore_is_causal_and_correct():
    x = np.array([1.0, 2.0, 4.0, 8.0, 16.0])
    z = data.rolling_zscore(x, 3)
    assert np.isnan(z[:2]).all()
    w = x[1:4]
    assert np.isclose(z[3], (8.0 - w.mean()) / w.std())
    x2 = x.copy()
    x2[4] = -100.0
    np.testing.assert_array_equal(data.rolling_zscore(x2, 3)[:4], z[:4])


def test_cross_sectional_helpers():
    x = np.array([[1.0, 2.0, 3.0], [3.0, 3.0, 0.0]])
    np.testing.assert_allclose(data.cross_sectional_rank(x), [[-0.5, 0.0, 0.5], [0.25, 0.25, -0.5]])
    z = data.cross_sectional_zscore(x)
    np.testing.assert_allclose(z.mean(axis=1), 0.0, atol=1e-12)
    np.testing.assert_allclose(z.std(axis=1), 1.0)


def test_rolling_zscore_is_stable_at_a_large_level_and_skips_missing_values():
    rng = np.random.default_rng(0)
    e = rng.standard_normal((3000, 2))  # (N, F)
    z_small = data.rolling_zscore(e, 250)
    z_big = data.rolling_zscore(1e6 + e, 250)  # the running-sum formula gave |z| up to 3e6 here
    assert np.nanmax(np.abs(z_big)) < 5
    np.testing.assert_allclose(z_big[249:], z_small[249:], atol=1e-8)
    w = e[2750:3000, 1]
    assert np.isclose(z_big[2999, 1], (w[-1] - w.mean()) / w.std())
    holes = e.copy()
    holes[100, 0] = np.nan
    holes[101, 0] = np.inf
    zh = data.rolling_zscore(holes, 20, min_periods=15)
    assert np.isnan(zh[100:102, 0]).all() and np.isfinite(zh[102:, 0]).all()  # one gap, not a poisoned tail
    assert np.isnan(zh[:14]).all() and np.isfinite(zh[14:100]).all()
    with pytest.raises(ValueError, match="rolling_zscore"):
        data.rolling_zscore(e, 0)


def test_fill_forward_and_drop_use_the_past_only():
    x = np.array([[np.nan, 1.0], [2.0, np.inf], [np.nan, np.nan], [np.nan, 4.0]])
    f = data.fill_forward(x)
    np.testing.assert_array_equal(f, [[np.nan, 1.0], [2.0, 1.0], [2.0, 1.0], [2.0, 4.0]])
    f1 = data.fill_forward(x, limit=1)
    assert np.isnan(f1[3, 0]) and f1[2, 0] == 2.0
    x2 = x.copy()
    x2[3] = [9.0, 9.0]  # the future changes: no filled past value may move
    np.testing.assert_array_equal(data.fill_forward(x2)[:3], f[:3])
    y = np.array([1.0, 2.0, 3.0, np.nan])
    xs, ys = data.drop_nonfinite(f, y)
    np.testing.assert_array_equal(ys, [2.0, 3.0])
    np.testing.assert_array_equal(xs, f[1:3])  # was after an `and`: it never ran
    assert data.finite_rows(f).tolist() == [False, True, True, True]
    with pytest.raises(ValueError, match="same length"):
        data.finite_rows(f, y[:2])
