"""bricks.quant.loaders: each format written exactly, read back to the numbers written, and
malformed files refused with the file, the record and the value named."""
import os

import numpy as np
import pandas as pd
import pytest

from bricks.quant import ashare, loaders, panel
from bricks.quant.loaders import qlib_bin, tdx


@pytest.fixture(scope="module")
def gen():
    return panel.generate(n_stocks=24, years=1, index_size=8, seed=11)


def per_stock(p, a):
    """The traded rows of stock a as a DataFrame (what a terminal would export)."""
    on = p["listed"][:, a] & ~p["suspended"][:, a]
    idx = pd.DatetimeIndex(p["dates"][on], name="date")
    return pd.DataFrame({k: p[k][on, a] for k in ("open", "high", "low", "close", "volume", "amount")}, index=idx)


def same_prices(p, q, a_p, a_q):
    """The traded rows of stock a_p in p and a_q in q agree to the fen and the share."""
    on = p["listed"][:, a_p] & ~p["suspended"][:, a_p]
    d = np.searchsorted(q["dates"], p["dates"][on])
    for k in ("open", "high", "low", "close"):
        np.testing.assert_allclose(q[k][d, a_q], p[k][on, a_p], atol=1e-9)
    np.testing.assert_allclose(q["volume"][d, a_q], p["volume"][on, a_p], rtol=1e-6)


def test_tdx_round_trip(gen, tmp_path):
    lday = tmp_path / "vipdoc" / "sh" / "lday"
    lday.mkdir(parents=True)
    (tmp_path / "vipdoc" / "sz" / "lday").mkdir(parents=True)
    written = 0
    for a, code in enumerate(gen["codes"]):
        m = "sh" if code[0] == "6" else "bj" if ashare.board_of(code) == "bj" else "sz"
        os.makedirs(tmp_path / "vipdoc" / m / "lday", exist_ok=True)
        df = per_stock(gen, a)
        tdx.write_day_file(tmp_path / "vipdoc" / m / "lday" / f"{m}{code}.day", df)
        written += len(df)
    idx = pd.DataFrame({"open": gen["index"], "high": gen["index"], "low": gen["index"], "close": gen["index"],
                        "amount": 1e9, "volume": 1e8}, index=pd.DatetimeIndex(gen["dates"]))
    tdx.write_day_file(lday / "sh000300.day", idx)
    assert (lday / "sh000300.day").stat().st_size == 32 * len(gen["dates"])
    p = loaders.load_tdx(str(tmp_path))
    assert p["meta"]["rows"] == written and p["meta"]["skipped_not_stock"] == 1
    assert list(p["codes"]) == sorted(gen["codes"])
    for a, code in enumerate(gen["codes"]):
        same_prices(gen, p, a, list(p["codes"]).index(code))
    np.testing.assert_allclose(p["index"], np.round(gen["index"], 2), atol=1e-9)
    assert loaders.detect(str(tmp_path)) == "tdx"


def test_tdx_refuses_malformed_files(tmp_path):
    rec = np.zeros(3, dtype=tdx.RECORD)
    rec["date"] = [20240102, 20240103, 20240104]
    rec["open"] = rec["high"] = rec["low"] = rec["close"] = 1000
    good = rec.tobytes()
    with pytest.raises(ValueError, match=r"sh600000.day.*multiple of 32.*trailing_bytes=5"):
        tdx.read_day_file(__import__("io").BytesIO(good + b"12345"), "sh600000.day")
    bad = rec.copy()
    bad["date"][1] = 20241340
    with pytest.raises(ValueError, match=r"yyyymmdd.*record=2, value=20241340"):
        tdx.read_day_file(__import__("io").BytesIO(bad.tobytes()), "sh600000.day")
    bad = rec.copy()
    bad["low"][2] = 1200
    with pytest.raises(ValueError, match=r"low <= open and close.*record=3, date=20240104.*value=12.0"):
        tdx.read_day_file(__import__("io").BytesIO(bad.tobytes()), "sh600000.day")
    bad = rec.copy()
    bad["date"][2] = 20240102
    with pytest.raises(ValueError, match=r"dates increasing.*record=3"):
        tdx.read_day_file(__import__("io").BytesIO(bad.tobytes()), "sh600000.day")


def test_qlib_round_trip_with_point_in_time_membership(gen, tmp_path):
    qlib_bin.write_qlib(gen, str(tmp_path), market="csi300")
    cal = (tmp_path / "calendars" / "day.txt").read_text().split()
    assert cal[0] == str(gen["dates"][0]) and len(cal) == len(gen["dates"])
    first = open(tmp_path / "instruments" / "csi300.txt").readline().rstrip("\n").split("\t")
    assert first[0][:2] in ("SH", "SZ", "BJ") and len(first) == 3
    raw = np.fromfile(next((tmp_path / "features").iterdir()) / "close.day.bin", dtype="<f4")
    assert raw[0] == int(raw[0])  # the start index, then the values
    p = loaders.load_qlib(str(tmp_path), "csi300")
    ever = gen["index_members"].any(axis=0)
    assert sorted(p["codes"]) == sorted(gen["codes"][ever])
    for code in p["codes"]:
        a, b = list(gen["codes"]).index(code), list(p["codes"]).index(code)
        same_prices(gen, p, a, b)
        np.testing.assert_array_equal(p["index_members"][:, b], gen["index_members"][:, a])
        on = gen["listed"][:, a] & ~gen["suspended"][:, a]
        np.testing.assert_allclose(p["adj_factor"][on, b], gen["adj_factor"][on, a], rtol=1e-6)
    assert p["meta"]["adjusted"] and loaders.detect(str(tmp_path)) == "qlib"
    everyone = loaders.load_qlib(str(tmp_path), "all")
    assert len(everyone["codes"]) == gen["listed"].any(axis=0).sum()


def test_qlib_refuses_malformed_files(tmp_path):
    import io
    with pytest.raises(ValueError, match=r"close.day.bin.*float32.*size=6"):
        qlib_bin.read_bin(io.BytesIO(b"123456"), 10, "close.day.bin")
    with pytest.raises(ValueError, match=r"calendar index.*record=0, value=12.0"):
        qlib_bin.read_bin(io.BytesIO(np.array([12, 1.0], "<f4").tobytes()), 10, "close.day.bin")
    with pytest.raises(ValueError, match=r"at most 2 values after the start index 8"):
        qlib_bin.read_bin(io.BytesIO(np.array([8, 1, 2, 3], "<f4").tobytes()), 10, "close.day.bin")
    f = tmp_path / "csi300.txt"
    f.write_text("SH600000\t2020-01-02\t2020-06-30\nSH600001 2020-01-02\n")
    with pytest.raises(ValueError, match=r"csi300.txt.*three tab-separated.*line=2"):
        qlib_bin.read_instruments(str(f))


def test_csv_folder_round_trip_and_adjusted_titles(gen, tmp_path):
    for a, code in enumerate(gen["codes"][:6]):
        ashare.broker_export(per_stock(gen, a), tmp_path / f"SH#{code}.txt", name="股票", code=code)
    with pytest.warns(UserWarning, match="6 of 6 files say their prices are adjusted"):
        p = loaders.load_csv_folder(str(tmp_path))
    assert len(p["codes"]) == 6 and len(p["meta"]["adjusted_files"]) == 6  # the title says 前复权
    for a, code in enumerate(gen["codes"][:6]):
        same_prices(gen, p, a, list(p["codes"]).index(code))
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(ValueError, match=r"six-digit stock code.*notes.txt"):
        loaders.load_csv_folder(str(tmp_path))


def test_long_file_round_trip_and_refusal(gen, tmp_path):
    parts = []
    for a, code in enumerate(gen["codes"][:5]):
        df = per_stock(gen, a).reset_index()
        df.insert(0, "ts_code", f"{code}.SH")
        parts.append(df)
    long = pd.concat(parts)
    long["date"] = long["date"].dt.strftime("%Y%m%d")
    path = tmp_path / "daily.csv"
    long.to_csv(path, index=False)
    p = loaders.load_long(str(path))
    assert p["meta"]["rows"] == len(long) and len(p["codes"]) == 5
    for a, code in enumerate(gen["codes"][:5]):
        same_prices(gen, p, a, list(p["codes"]).index(code))
    long.iloc[7, long.columns.get_loc("close")] = -1.0
    long.to_csv(path, index=False)
    with pytest.raises(ValueError, match=r"daily.csv.*prices > 0.*column='close', row=8"):
        loaders.load_long(str(path))


def test_assemble_marks_gaps_as_suspensions_and_limits_on_raw_prices():
    idx = pd.DatetimeIndex(["2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"])
    a = pd.DataFrame({"open": [10, 11, 11, 12.1], "high": [10, 11, 11, 12.1], "low": [10, 11, 11, 12.1],
                      "close": [10, 11, 11, 12.1], "volume": [100, 100, 0, 100]}, index=idx, dtype=float)
    b = a.drop(idx[1])
    p = loaders.assemble({"600000": a, "300001": b}, "test")
    assert p["codes"].tolist() == ["300001", "600000"]
    assert p["suspended"][:, 1].tolist() == [False, False, True, False]  # volume 0
    assert p["suspended"][:, 0].tolist() == [False, True, True, False]   # no row, then volume 0
    assert p["close"][1, 0] == 10.0                                       # carried through the gap
    assert p["upper"][3, 1] == 12.1 and p["upper"][3, 0] == 13.2          # main 10%, ChiNext 20%


def test_load_panel_switch(monkeypatch, tmp_path, gen):
    monkeypatch.delenv(loaders.ENV, raising=False)
    assert loaders.load_panel(n_stocks=20, years=1, index_size=5)["meta"]["generated"]
    qlib_bin.write_qlib(gen, str(tmp_path))
    monkeypatch.setenv(loaders.ENV, str(tmp_path))
    p = loaders.load_panel()
    assert p["meta"]["source"] == "qlib" and not p["meta"]["generated"]


def test_wind_headers_with_units_are_read_and_lots_are_not_misread():
    import io
    from bricks.quant import data
    wind = "日期,开盘价(元),最高价(元),最低价(元),收盘价(元),成交量(股),成交额(元)\n" \
           "2024-01-02,10,11,9,10.5,1000,10500\n2024-01-03,10.5,11,10,10.8,2000,21600\n"
    df = data.load_csv(io.StringIO(wind))
    assert list(df.columns[:5]) == ["open", "high", "low", "close", "volume"] and df["amount"].iloc[1] == 21600
    lots = wind.replace("成交量(股)", "成交量(手)")
    with pytest.raises(ValueError, match="volume"):
        data.load_csv(io.StringIO(lots))


def test_st_flags_come_from_the_files_own_column(gen, tmp_path):
    a_st = int(np.flatnonzero((gen["st"] & gen["listed"] & ~gen["suspended"]).any(axis=0))[0])  # a stock with ST days
    parts = []
    for a in sorted({0, 1, a_st}):
        on = gen["listed"][:, a] & ~gen["suspended"][:, a]
        df = per_stock(gen, a).reset_index()
        df.insert(0, "code", gen["codes"][a])
        df["是否ST"] = np.where(gen["st"][on, a], "是", "否")
        parts.append(df)
    long = pd.concat(parts)
    path = tmp_path / "daily.csv"
    long.to_csv(path, index=False)
    p = loaders.load_long(str(path))
    q = list(p["codes"]).index(gen["codes"][a_st])
    on = gen["listed"][:, a_st] & ~gen["suspended"][:, a_st]
    d = np.searchsorted(p["dates"], gen["dates"][on])
    assert p["st"][d, q].tolist() == gen["st"][on, a_st].tolist() and p["st"][d, q].any()
    # the ST limits follow (from the second row: a file's first row has no previous close)
    np.testing.assert_allclose(p["upper"][d[1:], q], gen["upper"][on, a_st][1:])
    long.iloc[3, long.columns.get_loc("是否ST")] = "maybe"
    long.to_csv(path, index=False)
    with pytest.raises(ValueError, match=r"daily.csv.*ST flag.*column='st', row=4, value='maybe'"):
        loaders.load_long(str(path))


def test_csv_folder_of_tonghuashun_exports(gen, tmp_path):
    for a, code in enumerate(gen["codes"][:3]):
        df = per_stock(gen, a)
        lines = ["时间\t开盘\t最高\t最低\t收盘\t涨幅\t振幅\t总手\t金额\t换手%\t成交次数"]
        for d, r in df.iterrows():
            lines.append("\t".join([f"{d:%Y-%m-%d},{'一二三四五六日'[d.weekday()]}", *(f"{r[k]:.2f}" for k in
                                    ("open", "high", "low", "close")), "--", "--", f"{r['volume']:,.0f}",
                                    f"{r['amount']:,.0f}", "0.45", "100"]))
        (tmp_path / f"{code}.txt").write_bytes("\r\n".join(lines).encode("gbk"))
    p = loaders.load_csv_folder(str(tmp_path), volume="总手")
    for a, code in enumerate(gen["codes"][:3]):
        same_prices(gen, p, a, list(p["codes"]).index(code))


def test_load_csv_keeps_what_a_title_says_of_adjusted_prices(gen, tmp_path):
    """A 通达信 title line "... 日线 前复权" is kept in df.attrs['adjusted'], not dropped with the
    line; a folder of such files warns once, naming how many files say so."""
    from bricks.quant import csv_reader
    path = tmp_path / "SH#600000.txt"
    ashare.broker_export(per_stock(gen, 0), path, name="股票", code="600000")
    assert csv_reader.load_csv(str(path)).attrs["adjusted"] == "前复权"
    plain = tmp_path / "plain.csv"
    plain.write_text("date,open,high,low,close,volume\n2024-01-02,1,2,1,2,100\n")
    assert csv_reader.load_csv(str(plain)).attrs["adjusted"] is None
    (tmp_path / "plain.csv").unlink()
    ashare.broker_export(per_stock(gen, 1), tmp_path / "SZ#000001.txt", name="股票", code="000001")
    with pytest.warns(csv_reader.AdjustedPricesWarning, match=r"2 of 2 files say their prices are adjusted"):
        loaders.load_csv_folder(str(tmp_path))
