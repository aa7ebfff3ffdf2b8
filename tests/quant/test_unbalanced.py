"""The panel library on unbalanced panels: random listings, delistings, gaps and suspensions.

Each property is checked against a brute-force loop over the entries present, on panels
drawn from several seeds, so a NaN can neither poison later values nor stretch a scale.
"""
import numpy as np
import pytest

from bricks.quant import prep, scaling


def random_unbalanced(seed, D=48, A=9):
    """Returns (D, A) with random listing and delisting dates and random suspension spells."""
    rng = np.random.default_rng(seed)
    r = 0.05 * rng.standard_normal((D, A))
    for a in range(A):
        start, end = rng.integers(0, D // 3), rng.integers(2 * D // 3, D + 1)
        r[:start, a] = np.nan
        r[end:, a] = np.nan
        for _ in range(rng.integers(0, 3)):  # suspensions of 1-6 periods
            s = rng.integers(0, D)
            r[s:s + rng.integers(1, 7), a] = np.nan
    return r


SEEDS = range(6)


@pytest.mark.parametrize("seed", SEEDS)
def test_momentum_and_vol_use_the_returns_present(seed):
    r = random_unbalanced(seed)
    f, names = prep.panel_features(r, mom=12, skip=1, vol=6)
    D, A = r.shape
    for t in range(D):
        for a in range(A):
            w = r[max(0, t - 11):t, a] if t >= 11 else np.array([])  # rows t-11 .. t-1
            ok = np.isfinite(w)
            want = w[ok].sum() if t >= 11 and ok.sum() >= 8 else np.nan
            np.testing.assert_allclose(f[t, a, 0], want, atol=1e-12)
            v = r[t - 5:t + 1, a] if t >= 5 else np.array([])
            okv = np.isfinite(v)
            want_v = v[okv].std() if t >= 5 and okv.sum() >= 4 else np.nan
            np.testing.assert_allclose(f[t, a, 2], want_v, atol=1e-12)


def test_a_gap_does_not_poison_later_momentum():
    r = 0.05 * np.random.default_rng(1).standard_normal((60, 3))
    r[:4, 1] = np.nan          # listed in month 5
    r[20, 2] = np.nan          # one suspended month
    mom = prep.panel_features(r)[0][..., 0]
    assert np.isfinite(mom[:, 0]).sum() == 49
    assert np.isfinite(mom[:, 1]).sum() == 48 and np.isfinite(mom[12:, 1]).all()
    assert np.isfinite(mom[:, 2]).sum() == 49


@pytest.mark.parametrize("seed", SEEDS)
def test_betas_regress_each_asset_on_its_own_months(seed):
    rng = np.random.default_rng(seed)
    r = random_unbalanced(seed, D=40, A=5)
    fac = rng.standard_normal((40, 2))
    f, names = prep.panel_features(r, fac, vol=6, beta=12)
    assert names[-2:] == ["beta_f0", "beta_f1"]
    for t in range(11, 40):
        for a in range(5):
            y, X = r[t - 11:t + 1, a], np.c_[np.ones(12), fac[t - 11:t + 1]]
            ok = np.isfinite(y)
            if ok.sum() >= 8:
                coef = np.linalg.lstsq(X[ok], y[ok], rcond=None)[0]
                np.testing.assert_allclose(f[t, a, 3:], coef[1:], atol=1e-9)
            else:
                assert np.isnan(f[t, a, 3:]).all()


def test_balanced_panel_features_unchanged_by_the_missing_value_path():
    rng = np.random.default_rng(3)
    r, fac = 0.05 * rng.standard_normal((50, 4)), rng.standard_normal((50, 2))
    f, _ = prep.panel_features(r, fac, vol=6, beta=12)
    r2 = r.copy()
    r2[0, 0] = np.nan  # forces the per-asset path for every window
    f2, _ = prep.panel_features(r2, fac, vol=6, beta=12)
    np.testing.assert_allclose(f2[12:, 1:], f[12:, 1:], atol=1e-12)  # assets without a gap agree


@pytest.mark.parametrize("seed", SEEDS)
def test_ranks_span_the_assets_present(seed):
    x = random_unbalanced(seed, D=30, A=12)
    rk = prep.cross_sectional_rank(x)
    assert np.array_equal(np.isnan(rk), np.isnan(x))
    for t in range(30):
        present = x[t][np.isfinite(x[t])]
        if len(present) >= 2:
            assert rk[t][np.isfinite(rk[t])].min() == -0.5 and rk[t][np.isfinite(rk[t])].max() == 0.5
            order = np.argsort(np.argsort(present))
            np.testing.assert_allclose(rk[t][np.isfinite(x[t])], order / (len(present) - 1) - 0.5)


@pytest.mark.parametrize("seed", SEEDS)
def test_ewma_ages_by_observations_not_rows(seed):
    """Inserting NaN rows anywhere leaves the z-score of every observed row unchanged."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(300)
    gappy = np.full(600, np.nan)
    where = np.sort(rng.choice(np.arange(5, 600), 299, replace=False))
    gappy[0], gappy[where] = x[0], x[1:]
    z = scaling.ewma_zscore(x[:, None], 20)[:, 0]
    zg = scaling.ewma_zscore(gappy[:, None], 20)[:, 0]
    np.testing.assert_allclose(zg[np.r_[0, where]], z, atol=1e-12)
    assert np.isnan(zg[~np.isfinite(gappy)]).all()


def test_ewma_after_a_100_row_gap():
    y = np.random.default_rng(0).standard_normal(400)
    y[200:300] = np.nan
    y[300] = 1.0
    z = scaling.ewma_zscore(y[:, None], 60)[300, 0]
    z_no_gap = scaling.ewma_zscore(np.r_[y[:200], 1.0][:, None], 60)[-1, 0]
    assert z == z_no_gap and 1.0 < z < 1.3


def test_ewma_column_listed_late_starts_its_own_statistics():
    x = np.random.default_rng(2).standard_normal((100, 2)) + 50.0
    x[:40, 1] = np.nan
    z = scaling.ewma_zscore(x, 10)
    np.testing.assert_allclose(z[40:, 1], scaling.ewma_zscore(x[40:, 1:], 10)[:, 0], atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_windows_count_every_dropped_candidate(seed):
    r = random_unbalanced(seed)
    f, _ = prep.panel_features(r, mom=6, skip=1, vol=4)
    target = np.vstack([r[1:], np.full((1, r.shape[1]), np.nan)])
    w = prep.panel_windows(f, target, 3)
    X, y, d, a = w
    dr = w.dropped
    assert dr["kept"] == len(y) and np.isfinite(X).all() and np.isfinite(y).all()
    assert dr["kept"] + dr["warm_up"] + dr["feature_missing"] == np.isfinite(target).sum()
    assert dr["no_target"] == (~np.isfinite(target)).sum()
    assert "windows kept" in w.report()


def test_scalers_ignore_missing_rows():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((50, 3))
    x[::7, 1] = np.nan
    sc = prep.StandardScaler().fit(x)
    np.testing.assert_allclose(sc.mean_[1], x[np.isfinite(x[:, 1]), 1].mean())
    np.testing.assert_allclose(sc.scale_[1], x[np.isfinite(x[:, 1]), 1].std())
    z = sc.transform(x)
    assert np.isnan(z[::7, 1]).all() and np.isfinite(z[:, [0, 2]]).all()
    mm = prep.MinMaxScaler().fit(x)
    zz = mm.transform(x)
    assert np.nanmin(zz, axis=0) == pytest.approx(0.0) and np.nanmax(zz, axis=0) == pytest.approx(1.0)


def test_coverage_counts_listed_cells():
    r = np.ones((4, 2))
    r[:2, 1] = np.nan
    f = np.stack([r, np.where(np.arange(4)[:, None] >= 3, r, np.nan)], axis=-1)
    assert prep.coverage(f, r, ["a", "b"]) == {"a": 1.0, "b": 2 / 6}
