"""bricks.quant.panel: the generated A-share panel keeps the market's rules on every cell."""
import numpy as np
import pytest

from bricks.quant import ashare, panel


@pytest.fixture(scope="module")
def p():
    return panel.generate(n_stocks=120, years=4, index_size=40, seed=3)


def test_same_seed_same_panel():
    a = panel.generate(n_stocks=30, years=1, index_size=10, seed=5)
    b = panel.generate(n_stocks=30, years=1, index_size=10, seed=5)
    np.testing.assert_array_equal(a["close"], b["close"])
    assert a["meta"]["generated"] is True


def test_calendar_has_no_holiday_weeks():
    days = panel.trading_calendar("2024-01-01", "2024-12-31")
    assert np.datetime64("2024-01-01") not in days and np.datetime64("2024-10-03") not in days
    assert np.datetime64("2024-02-12") not in days and 235 <= len(days) <= 250


def test_prices_inside_limits_and_rounded(p):
    on = p["listed"]
    c = p["close"][on]
    assert np.all(c <= p["upper"][on] + 1e-9) and np.all(c >= p["lower"][on] - 1e-9)
    np.testing.assert_allclose(np.round(c, 2), c, atol=1e-9)
    for k in ("open", "high", "low"):
        assert np.all(p[k][on] <= p["upper"][on] + 1e-9) and np.all(p[k][on] >= p["lower"][on] - 1e-9)
    assert np.all(p["high"][on] >= np.maximum(p["open"][on], c) - 1e-9)
    assert np.all(p["low"][on] <= np.minimum(p["open"][on], c) + 1e-9)


def test_limits_follow_the_rules_of_board_date_and_st(p):
    D, A = p["close"].shape
    for d in range(1, D, 37):
        for a in range(0, A, 7):
            if not p["listed"][d, a] or p["listed"][d - 1, a] is False:
                continue
            n = int(p["listed"][:d + 1, a].sum())
            up, down = ashare.limit_prices(p["prev_close"][d, a], p["codes"][a], bool(p["st"][d, a]),
                                           p["dates"][d], day_of_listing=n if n <= 6 else None)
            assert p["upper"][d, a] == up
            assert p["lower"][d, a] == (down if down > 0 else 0.01)


def test_suspensions_listings_and_nan_outside(p):
    s = p["suspended"]
    np.testing.assert_array_equal(p["close"][s], p["prev_close"][s])
    assert (p["volume"][s] == 0).all()
    assert np.isnan(p["close"][~p["listed"]]).all() and np.isfinite(p["close"][p["listed"]]).all()
    assert (~np.isnat(p["list_date"])).sum() > 10 and s.any()
    assert set(ashare.board_of(c) for c in p["codes"]) >= {"main", "chinext"}


def test_adjustment_factor_undoes_ex_dates(p):
    """Back-adjusted closes are continuous through dividends and bonus shares."""
    r = panel.adjusted_returns(p)
    ex = np.diff(p["adj_factor"], axis=0) > 1e-12  # (D-1, A) ex-dates
    assert ex.sum() > 10
    raw = p["close"] / p["prev_close"] - 1
    np.testing.assert_allclose(r[1:][ex & np.isfinite(r[1:])], raw[1:][ex & np.isfinite(r[1:])], atol=2e-3)


def test_index_membership_and_reviews(p):
    m = p["index_members"]
    assert m.sum(axis=1).max() == 40 and (m.sum(axis=1) >= 35).all()
    changed = np.flatnonzero((m[1:] != m[:-1]).any(axis=1)) + 1
    months = p["dates"][changed].astype("datetime64[M]").astype(int) % 12 + 1
    reviews = changed[np.isin(months, [6, 12])]
    for d in reviews:
        assert (m[d] & ~m[d - 1]).sum() <= 4  # at most 10% of 40 enter at a review
    assert not (m & ~p["listed"]).any()


def test_monthly_compounds_daily_returns(p):
    r = panel.adjusted_returns(p)
    months, mr = panel.monthly(p, r)
    first = p["dates"].astype("datetime64[M]") == months[5]
    want = np.expm1(np.nansum(np.log1p(r[first]), axis=0))
    has = np.isfinite(r[first]).any(axis=0)
    np.testing.assert_allclose(mr[5][has], want[has])
    assert np.isnan(mr[5][~has]).all()


def test_stylised_facts_are_in_a_plausible_range():
    f = panel.stylised_facts(panel.generate(n_stocks=200, years=4, index_size=60, seed=0))
    assert 0.008 < f["index_daily_std"] < 0.025 and f["index_excess_kurtosis"] > 1
    assert f["index_absret_autocorr_1"] > 0.05  # volatility clusters
    assert f["continuation_after_limit_up"] > 0.5 and f["limit_up_share"] > 0.001
