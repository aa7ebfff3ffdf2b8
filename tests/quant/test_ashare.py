"""bricks.quant.ashare: A-share costs, limits, T+1 and suspensions, by hand."""
import numpy as np
import pytest

from bricks.quant import ashare


def test_stamp_duty_changes_on_2023_08_28():
    assert ashare.stamp_duty_rate("2023-08-27") == 0.001
    assert ashare.stamp_duty_rate("2023-08-28") == 0.0005
    assert ashare.stamp_duty_rate(np.datetime64("2015-06-01")) == 0.001
    with pytest.raises(ValueError, match="stamp_duty_rate"):
        ashare.stamp_duty_rate("2008-01-02")


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
    assert out["counts"]["buy"] == {"filled": 1, "limit": 1, "suspended": 0}
    assert out["counts"]["sell"]["filled"] == 1
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
