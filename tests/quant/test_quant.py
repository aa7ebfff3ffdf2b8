"""bricks.quant.evaluation: every metric against a value computed by hand."""
import numpy as np
import pytest

from bricks import quant


def test_rankdata_ties_and_nan():
    np.testing.assert_array_equal(quant.rankdata([3.0, 1.0, 3.0, 2.0]), [3.5, 1.0, 3.5, 2.0])
    r = quant.rankdata([[2.0, np.nan, 1.0], [5.0, 5.0, 5.0]], axis=1)
    np.testing.assert_array_equal(r[0, [0, 2]], [2.0, 1.0])
    assert np.isnan(r[0, 1])
    np.testing.assert_array_equal(r[1], [2.0, 2.0, 2.0])


def test_direction_accuracy_skips_zero_returns():
    y = np.array([0.01, -0.02, 0.0, 0.03, -0.01])
    p = np.array([0.5, 0.1, 0.2, 0.1, -0.3])
    assert quant.direction_accuracy(y, p) == 3 / 4  # hits on 1, 4, 5; the 0 return is skipped
    with pytest.raises(ValueError, match="direction_accuracy"):
        quant.direction_accuracy(y, p[:3])


def test_mse_vs_zero():
    out = quant.mse_vs_zero([1.0, -1.0, 2.0], [0.5, 0.0, 1.0])
    assert np.isclose(out["mse"], (0.25 + 1 + 1) / 3)
    assert np.isclose(out["mse_zero"], 2.0)
    assert np.isclose(out["r2_oos"], 1 - 0.75 / 2)


def test_mean_t_and_binomial_z():
    out = quant.mean_t([1.0, 2.0, 3.0, 6.0])  # mean 3, std (ddof=1) sqrt(14/3)
    assert np.isclose(out["se"], np.sqrt(14 / 3) / 2) and np.isclose(out["t"], 3 / (np.sqrt(14 / 3) / 2))
    assert np.isclose(quant.binomial_z(60, 100), 0.1 / 0.05)


def test_ic_and_rank_ic_by_hand():
    s = np.array([[1.0, 2.0, 3.0, 4.0], [4.0, 3.0, 2.0, 1.0]])
    r = np.array([[0.1, 0.3, 0.2, 0.4], [1.0, 2.0, 3.0, 100.0]])
    ic = quant.ic_by_date(s, r)
    d = np.array([-0.15, 0.05, -0.05, 0.15])  # r[0] - 0.25
    assert np.isclose(ic[0], (s[0] - 2.5) @ d / np.sqrt(5.0 * (d @ d)))
    ric = quant.rank_ic_by_date(s, r)
    assert np.isclose(ric[0], 0.8) and np.isclose(ric[1], -1.0)  # 1 - 6*2/(4*15) = 0.8
    s2 = s.copy()
    s2[0, 3] = np.nan  # a missing asset is left out of that date only
    assert np.isclose(quant.ic_by_date(s2, r)[0], np.corrcoef(s[0, :3], r[0, :3])[0, 1])
    assert np.isnan(quant.ic_by_date([[1.0, 1.0, 1.0]], [[1.0, 2.0, 3.0]])[0])  # no dispersion


def test_ic_summary():
    out = quant.ic_summary([0.1, 0.0, 0.2, np.nan], periods_per_year=12)
    assert out["n"] == 3 and np.isclose(out["mean"], 0.1) and np.isclose(out["std"], 0.1)
    assert np.isclose(out["icir"], 1.0) and np.isclose(out["t"], np.sqrt(3))
    assert np.isclose(out["icir_annual"], np.sqrt(12)) and np.isclose(out["hit"], 2 / 3)


def test_quantile_returns_and_long_short_weights():
    s = np.array([[1.0, 2.0, 3.0, 4.0], [4.0, 3.0, 2.0, 1.0]])
    r = np.array([[0.01, 0.02, 0.03, 0.04], [0.01, 0.02, 0.03, 0.04]])
    q, spread = quant.quantile_returns(s, r, n_quantiles=2)
    np.testing.assert_allclose(q, [[0.015, 0.035], [0.035, 0.015]])
    np.testing.assert_allclose(spread, [0.02, -0.02])
    w = quant.long_short_weights(s, n_quantiles=2)
    np.testing.assert_allclose(w, [[-0.5, -0.5, 0.5, 0.5], [0.5, 0.5, -0.5, -0.5]])
    np.testing.assert_allclose((w * r).sum(axis=1), spread)


def test_turnover_and_costs():
    w = np.array([[-0.5, -0.5, 0.5, 0.5], [-0.5, -0.5, 0.5, 0.5], [0.5, 0.5, -0.5, -0.5]])
    np.testing.assert_allclose(quant.turnover(w), [2.0, 0.0, 4.0])
    np.testing.assert_allclose(quant.apply_costs([0.01, 0.01, 0.01], quant.turnover(w), 10),
                               [0.01 - 0.002, 0.01, 0.01 - 0.004])


def test_sign_strategy_with_costs():
    f = np.array([1.0, 1.0, -1.0, -2.0])
    r = np.array([0.01, -0.02, -0.01, 0.03])
    net, pos = quant.sign_strategy(f, r, cost_bp=5)
    np.testing.assert_array_equal(pos, [1, 1, -1, -1])
    np.testing.assert_allclose(net, [0.01 - 0.0005, -0.02, 0.01 - 0.001, -0.03])
    net_lo, pos_lo = quant.sign_strategy(f, r, long_only=True)
    np.testing.assert_allclose(net_lo, [0.01, -0.02, 0.0, 0.0])


def test_sharpe_drawdown_equity():
    r = np.array([0.1, -0.5, 0.2, 0.5])
    np.testing.assert_allclose(quant.equity_curve(r), [1.1, 0.55, 0.66, 0.99])
    assert np.isclose(quant.max_drawdown(r), 0.5)  # 1.1 -> 0.55
    assert np.isclose(quant.max_drawdown([-0.2, 0.1]), 0.2)  # the start is a peak
    assert quant.max_drawdown([0.01, 0.02]) == 0.0
    assert np.isclose(quant.sharpe(r, periods_per_year=4), r.mean() / r.std(ddof=1) * 2)
