"""bricks.quant.ashare: A-share costs, limits, T+1 and suspensions, by hand."""
import numpy as np
import pytest

from bricks.quant import ashare


def test_stamp_duty_history():
    assert ashare.stamp_duty_rate("2023-08-27") == 0.001
    assert ashare.stamp_duty_rate("2023-08-28") == 0.0005
    assert ashare.stamp_duty_rate(np.datetime64("2015-06-01")) == 0.001
    assert ashare.stamp_duty_rate("2015-06-01", "buy") == 0.0
    assert ashare.stamp_duty_rate("2008-09-18", "buy") == 0.001 == ashare.stamp_duty_rate("2008-09-18")
    assert ashare.stamp_duty_rate("2008-01-02", "buy") == 0.003
    with pytest.raises(ValueError, match="stamp_duty_rate"):
        ashare.stamp_duty_rate("2007-05-29")


def test_transfer_fee_history():
    assert ashare.transfer_fee(100_000, 10_000, "2022-04-29") == pytest.approx(1.0)
    assert ashare.transfer_fee(100_000, 10_000, "2022-04-28") == pytest.approx(2.0)
    assert ashare.transfer_fee(100_000, 10_000, "2015-08-01", code="000001") == pytest.approx(2.0)
    assert ashare.transfer_fee(100_000, 10_000, "2015-07-31", code="600000") == pytest.approx(6.0)
    assert ashare.transfer_fee(100_000, 1_000, "2015-07-31", code="600000") == pytest.approx(1.0)
    assert ashare.transfer_fee(100_000, 10_000, "2015-07-31", code="000001") == 0.0


def test_order_costs_vectorised_equals_order_cost():
    vals, sh = np.array([3_000.0, 100_000.0, 0.0, 55_555.5]), np.array([True, False, True, True])
    shares = vals / 10
    for date in ("2014-05-06", "2016-01-04", "2023-09-01"):
        for side in ("buy", "sell"):
            got = ashare.order_costs(vals, shares, side, date, sh)
            want = [ashare.order_cost(v, side, date, shares=q, code="600000" if s else "000001")["total"]
                    if v > 0 else 0.0 for v, q, s in zip(vals, shares, sh)]
            np.testing.assert_allclose(got, want)


def test_order_cost_minimum_commission_and_sides():
    small = ashare.order_cost(10_000, "buy", "2024-01-02")
    assert small["commission"] == 5.0 and small["stamp"] == 0.0 and np.isclose(small["transfer"], 0.1)
    sell = ashare.order_cost(100_000, "sell", "2023-08-25")
    assert np.isclose(sell["commission"], 25) and np.isclose(sell["stamp"], 100) and np.isclose(sell["total"], 126)
    assert np.isclose(ashare.round_trip_bp(10_000, "2024-01-02"), 1e4 * (5.1 + 5.1 + 5) / 10_000)
    with pytest.raises(ValueError, match="side"):
        ashare.order_cost(1000, "short", "2024-01-02")


def test_boards_and_limits():
    assert ashare.board_of("688981") == "star" and ashare.board_of("300750") == "chinext"
    assert ashare.board_of("830799") == "bj" and ashare.board_of("920001") == "bj"
    assert ashare.board_of("sh600000") == "main" and ashare.board_of("430047.BJ") == "bj"
    assert ashare.limit_band("830799", "2024-01-02") == (0.30, 0.30)
    assert ashare.limit_band("830799", "2024-01-02", day_of_listing=1) == (np.inf, np.inf)
    assert ashare.limit_band("830799", "2024-01-02", day_of_listing=2) == (0.30, 0.30)
    assert ashare.limit_band("688001", "2024-01-02", day_of_listing=5) == (np.inf, np.inf)
    assert ashare.limit_band("688001", "2024-01-02", day_of_listing=6) == (0.20, 0.20)
    assert ashare.limit_band("300001", "2020-08-24", day_of_listing=3) == (np.inf, np.inf)
    assert ashare.limit_band("300001", "2019-08-23", day_of_listing=1) == (0.44, 0.36)
    assert ashare.limit_band("600001", "2023-04-10", day_of_listing=4) == (np.inf, np.inf)
    assert ashare.limit_band("600001", "2023-04-07", day_of_listing=1) == (0.44, 0.36)
    assert ashare.limit_band("600001", "2023-04-07", day_of_listing=2) == (0.10, 0.10)
    assert ashare.limit_band("600001", "2026-07-03", st=True) == (0.05, 0.05)
    assert ashare.limit_band("600001", "2026-07-06", st=True) == (0.10, 0.10)
    assert ashare.limit_band("600001", "2026-07-06", st=True, st_main_10pct_from=None) == (0.05, 0.05)
    assert ashare.limit_band("300001", "2024-01-02", st=True) == (0.20, 0.20)
    assert ashare.limit_prices(10.0, "600001", date="2023-04-10", day_of_listing=1) == (np.inf, 0.0)
    assert ashare.min_order("688001") == (200, 1) and ashare.min_order("600000") == (100, 100)
    np.testing.assert_array_equal(ashare.round_shares([150, 199, 200, 201, 350], 200, 1), [0, 0, 200, 201, 350])
    np.testing.assert_array_equal(ashare.round_shares([99, 150, 250], 100, 100), [0, 100, 200])
    assert ashare.limit_pct("600519") == 0.10 and ashare.limit_pct("600519", st=True) == 0.05
    assert ashare.limit_pct("300750") == 0.20 and ashare.limit_pct("300750", date="2020-08-21") == 0.10
    assert ashare.limit_prices(10.05, "000001") == (11.06, 9.05)   # rounded to the fen
    assert ashare.limit_prices(10.0, "688001") == (12.0, 8.0)


def test_fill_status():
    why = ashare.fill_status("buy", np.array([11.0, 10.5, 10.0]), 10.0, 11.0, 9.0,
                             np.array([False, False, True]))
    assert list(why) == ["limit", "", "suspended"]
    assert list(ashare.fill_status("sell", np.array([9.0, 9.5]), 10.0, 11.0, 9.0, False)) == ["limit", ""]


def test_synthetic_panel_respects_limits_and_suspensions():
    p = ashare.synthetic_panel(n_days=120, n_stocks=40, seed=1)
    c, prev = p["close"], p["prev_close"]
    assert np.all(c <= p["upper"] + 1e-9) and np.all(c >= p["lower"] - 1e-9)
    assert np.all(c[p["suspended"]] == prev[p["suspended"]])
    assert (c >= p["upper"] - 1e-9).any() and p["suspended"].any()
    np.testing.assert_array_equal(prev[1:], c[:-1])


def test_execute_daily_lots_refusals_and_costs():
    p = {"close": np.array([[10.0], [11.0], [11.0]]), "prev_close": np.array([[10.0], [10.0], [11.0]]),
         "upper": np.array([[11.0], [11.0], [12.1]]), "lower": np.array([[9.0], [9.0], [9.9]]),
         "suspended": np.array([[False], [False], [False]]),
         "dates": np.array(["2024-01-02", "2024-01-03", "2024-01-04"], dtype="datetime64[D]")}
    target = np.array([[10_050.0], [50_000.0], [0.0]])
    out = ashare.execute_daily(target, p, cash=100_000)
    # day 0: buy 1000 shares (10,050 / 10 rounded down to lots); day 1: limit-up, buy refused; day 2: sell all
    assert out["filled"] == {"buy": 1, "sell": 1}
    assert out["refused"]["buy"] == {"limit": 1, "suspended": 0, "cash": 0}
    fees = 5 + 0.1 + 5 + 0.11 + 11_000 * 0.0005
    assert np.isclose(out["wealth"][-1], 100_000 + 1000 * (11 - 10) - fees)


def test_broker_export_is_gbk_and_load_csv_reads_it(tmp_path):
    from bricks.quant import data
    df = ashare.synthetic_index(n_days=30, seed=0)
    assert (df["low"] <= df[["open", "close"]].min(axis=1)).all()
    assert (df["high"] >= df[["open", "close"]].max(axis=1)).all()
    path = tmp_path / "000300.txt"
    ashare.broker_export(df, path)
    raw = path.read_bytes()
    assert "日期".encode("gbk") in raw and b"\r\n" in raw
    back = data.load_csv(str(path), encoding="gbk")
    np.testing.assert_allclose(back[["open", "high", "low", "close"]].to_numpy(),
                               df[["open", "high", "low", "close"]].to_numpy())


def _panel(close, codes, dates, open_=None, upper=None, lower=None, suspended=None):
    close = np.asarray(close, dtype=float)
    prev = np.vstack([close[:1], close[:-1]])
    return {"close": close, "open": close if open_ is None else np.asarray(open_, dtype=float),
            "prev_close": prev,
            "upper": np.round(prev * 1.1, 2) if upper is None else upper,
            "lower": np.round(prev * 0.9, 2) if lower is None else lower,
            "suspended": np.zeros(close.shape, bool) if suspended is None else suspended,
            "dates": np.array(dates, dtype="datetime64[D]"), "codes": np.array(codes)}


def test_execute_never_borrows_and_targets_are_shares_of_equity():
    rng = np.random.default_rng(0)
    D, A = 60, 8
    close = np.round(10 * np.exp(np.cumsum(0.03 * rng.standard_normal((D, A)), axis=0)), 2)
    p = _panel(close, [f"60{i:04d}" for i in range(A)], np.arange(D) + np.datetime64("2024-01-02"))
    w = 0.97 * rng.dirichlet(np.ones(A), size=D)  # almost fully invested, weights reshuffled daily
    out = ashare.execute(w, p, cash=200_000.0)
    assert out["cash"].min() >= 0 and out["exposure"].max() <= 1 + 1e-12
    assert out["exposure"].min() > 0.9  # lots and fees leave a little cash
    value = out["shares"] * close  # (D, A)
    np.testing.assert_allclose(value / out["wealth"][:, None], w, atol=1000 / 200_000 * 2)
    with pytest.raises(ValueError, match="execute"):
        ashare.execute(np.full((D, A), 0.2), p)


def test_t_plus_1_binds_with_two_sessions_and_not_with_one():
    close = np.full((3, 1), 10.0)
    p = _panel(close, ["600000"], ["2024-01-02", "2024-01-03", "2024-01-04"])
    w = np.array([[[0.5], [0.0]], [[0.5], [0.0]], [[0.0], [0.0]]])  # buy at the open, sell at the close
    out = ashare.execute(w, p, cash=100_000.0, prices=("open", "close"))
    assert out["refused"]["sell"]["t+1"] == 1  # day 0's close may not sell the morning's buy
    assert out["shares"][0, 0] == 5000 and out["shares"][1, 0] == 0  # day 1 sells what day 0 bought
    one = ashare.execute(np.array([[0.5], [0.0], [0.0]]), p, cash=100_000.0)
    assert one["refused"]["sell"]["t+1"] == 0 and one["shares"][1, 0] == 0


def test_star_lot_and_cash_cut():
    close = np.full((1, 2), 100.0)
    p = _panel(close, ["688001", "600000"], ["2024-01-02"])
    out = ashare.execute(np.array([[0.015, 0.5]]), p, cash=100_000.0)
    assert out["shares"][0, 0] == 0  # 15 shares: under STAR's 200-share minimum
    assert out["shares"][0, 1] == 500
    out = ashare.execute(np.array([[0.5, 0.5]]), p, cash=100_000.0)  # fees do not fit: cut
    assert out["refused"]["buy"]["cash"] == 1 and out["cash"][0] >= 0
    assert out["shares"][0, 0] in (499, 500) and out["shares"][0, 1] in (400, 500)


def test_benchmark_report():
    rng = np.random.default_rng(1)
    rb = 0.01 * rng.standard_normal(500)
    ex = 0.0004 + 0.003 * rng.standard_normal(500)
    bench = np.cumprod(1 + np.r_[0, rb])
    wealth = np.cumprod(1 + np.r_[0, rb + ex])
    rep = ashare.benchmark_report(wealth, bench, traded=np.full(501, 0.1))
    assert rep["excess"] == pytest.approx(ex.mean() * 242)
    assert rep["tracking_error"] == pytest.approx(ex.std(ddof=1) * np.sqrt(242))
    assert rep["ir"] == pytest.approx(rep["excess"] / rep["tracking_error"])


def test_limit_bands_vectorised_equals_limit_band():
    codes = ["600000", "000001", "300001", "688001", "830001", "920001"]
    boards = [ashare.board_of(c) for c in codes]
    for date in ("2019-08-23", "2020-08-24", "2023-04-07", "2023-04-10", "2026-07-03", "2026-07-06"):
        for st in (False, True):
            for n in (1, 2, 5, 6, 100):
                up, down = ashare.limit_bands(boards, date, [st] * 6, [n] * 6)
                want = [ashare.limit_band(c, date, st, n if n <= 6 else None) for c in codes]
                np.testing.assert_array_equal(np.c_[up, down], want)
