"""bricks.quant.factors: neutralisation, IC decay, bootstrap, multiple testing."""
import numpy as np

from bricks.quant import factors


def test_neutralize_removes_exposures():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((3, 50, 2))
    s = 2 * X[..., 0] - X[..., 1] + 0.1 * rng.standard_normal((3, 50))
    e = factors.neutralize(s, X)
    for t in range(3):
        assert abs(e[t].mean()) < 1e-12
        assert np.abs(X[t].T @ e[t]).max() < 1e-9               # orthogonal to every exposure


def test_ic_decay_and_bootstrap_and_tests():
    rng = np.random.default_rng(1)
    s = rng.standard_normal((200, 40))
    nxt = 0.3 * s + rng.standard_normal((200, 40))
    d = factors.ic_decay(s, nxt, horizons=(1, 2))
    assert d[1]["mean"] > 0.2 and abs(d[2]["mean"]) < 0.05       # an iid score does not persist
    r = rng.normal(0.01, 0.04, 240)
    b = factors.bootstrap_sharpe(r, seed=0)
    sr = r.mean() / r.std(ddof=1) * np.sqrt(12)
    assert b["low"] < sr < b["high"] and len(b["draws"]) == 2000
    assert np.isclose(factors.bonferroni_t(1), 1.959964, atol=1e-5)
    assert factors.expected_max_sharpe(10, 120) > factors.expected_max_sharpe(2, 120) > 0


def test_factor_correlation_identity_for_independent():
    rng = np.random.default_rng(2)
    f = rng.standard_normal((100, 300, 3))
    f[..., 2] = f[..., 0] + 0.01 * rng.standard_normal((100, 300))
    c = factors.factor_correlation(f)
    assert c.shape == (3, 3) and abs(c[0, 1]) < 0.05 and c[0, 2] > 0.99
