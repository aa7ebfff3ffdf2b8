"""load_csv on real broker exports: encodings, title lines and footers, date and number styles,
and every fault named (column, row, value) instead of a file read wrongly."""
import datetime
import io

import numpy as np
import pytest

from bricks.quant import csv_reader, data

ROWS = [("2024-01-02", 3431.15, 3443.52, 3385.49, 3386.35, 123456),
        ("2024-01-03", 3380.08, 3394.46, 3370.47, 3393.30, 111111),
        ("2024-01-04", 3391.17, 3393.42, 3362.12, 3368.50, 99999),
        ("2024-01-05", 3366.35, 3404.07, 3348.82, 3367.09, 130000)]
ZH = ["日期", "开盘", "最高", "最低", "收盘", "成交量"]


def tdx(date_style=lambda d: d.replace("-", "/"), sep="\t", header=ZH, title=True, footer=True,
        number="{:.2f}".format):
    """A 通达信-style export: a title line, tab-separated Chinese header, a footer."""
    lines = ["000300 沪深300 日线 不复权"] if title else []
    lines.append(sep.join(f"    {h}" for h in header))
    lines += [sep.join([date_style(d), *(number(v) for v in r[:4]), str(r[4])]) for d, *r in ROWS]
    if footer:
        lines += ["数据来源:通达信", ""]
    return "\r\n".join(lines)


def read(text, encoding="utf-8", **kw):
    raw = text.encode(encoding) if encoding else text
    return data.load_csv(io.BytesIO(raw) if encoding else io.StringIO(raw), **kw)


def check_good(df):
    assert list(df.columns) == ["open", "high", "low", "close", "volume"]
    assert [str(d.date()) for d in df.index] == [r[0] for r in ROWS]
    np.testing.assert_array_equal(df["close"].to_numpy(), [r[4] for r in ROWS])


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16", "utf-16-le",
                                      "utf-16-be"])
def test_every_common_encoding_is_detected(encoding):
    df = read(tdx(), encoding)
    check_good(df)
    assert df.attrs["skipped_lines"] == [1, 7, 8] or df.attrs["skipped_lines"] == [1, 7]
    assert df.attrs["encoding"] in (encoding, "utf-16", "gb18030", "utf-8-sig", "utf-8")


def test_encoding_override_and_a_wrong_one_named(tmp_path):
    path = tmp_path / "沪深300.txt"
    path.write_bytes(tdx().encode("gbk"))
    check_good(data.load_csv(path, encoding="gbk"))
    with pytest.raises(ValueError, match=r"load_csv\(沪深300.txt\): expected a file in encoding 'utf-8'.*"
                                         r"byte_offset="):
        data.load_csv(path, encoding="utf-8")
    with pytest.raises(ValueError, match="a known encoding"):
        data.load_csv(path, encoding="klingon")


@pytest.mark.parametrize("style", [lambda d: d, lambda d: d.replace("-", "/"), lambda d: d.replace("-", ""),
                                   lambda d: d.replace("-0", "/").replace("-", "/"),
                                   lambda d: f"{d[:4]}年{d[5:7]}月{d[8:]}日", lambda d: d + " 00:00:00"])
def test_date_styles(style):
    check_good(read(tdx(style)))


@pytest.mark.parametrize("sep", ["\t", ",", ";", " "])
def test_delimiters_titles_and_footers(sep):
    check_good(read(tdx(sep=sep)))
    check_good(read(tdx(sep=sep, title=False, footer=False), encoding=None))


def test_day_month_order_must_be_known():
    dmy = tdx(lambda d: f"{d[8:]}/{d[5:7]}/{d[:4]}")  # 02/01/2024
    with pytest.raises(ValueError, match=r"day/month order is known: pass dayfirst=True.*row=1, "
                                         r"value='02/01/2024', the_file_fits='dayfirst=True or dayfirst=False'"):
        read(dmy)
    check_good(read(dmy, dayfirst=True))
    with pytest.raises(ValueError, match=r"gap longer than 14"):  # read as Feb 1, Mar 1, ...: refused
        read(dmy, dayfirst=False)
    late = dmy.replace("05/01/2024", "25/01/2024")
    with pytest.raises(ValueError, match=r"the_file_fits='dayfirst=True'"):
        read(late)
    check_good(read(tdx(lambda d: f"{d[5:7]}/{d[8:]}/{d[:4]}"), dayfirst=False))


def test_thousands_and_decimal_marks():
    def european(v):  # 3.431,15
        return f"{v:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    euro = tdx(sep=";", number=european)
    df = read(euro)  # detected: 3.431,15 can only be a decimal comma
    check_good(df)
    assert (df.attrs["thousands"], df.attrs["decimal"]) == (".", ",")
    check_good(read(euro, thousands=".", decimal=","))
    with pytest.raises(ValueError, match=r"a number in every row of column 'open' \(written with "
                                         r"thousands=',', decimal='.'; pass yours\).*row=1.*value='3.431,15'"):
        read(euro, thousands=",", decimal=".")
    grouped = tdx(sep=",").replace("3431.15", '"3,431.15"')
    check_good(read(grouped))
    with pytest.raises(ValueError, match=r"one decimal mark in the whole file.*rows=\[1, 2\], "
                                         r"values=\['3.410,00', '3380.08'\]"):
        read(tdx(sep=";").replace("3431.15", "3.410,00"))
    with pytest.raises(ValueError, match="different thousands and decimal"):
        read(tdx(), thousands=",", decimal=",")


def test_a_comma_that_could_be_either_mark_is_never_guessed():
    whole = tdx(sep=";", number=lambda v: f"{int(v):,}")  # 3,431: three thousand, or 3.431?
    with pytest.raises(ValueError, match=r"numbers whose marks are known: pass thousands=',' \(3,010 = 3010\) "
                                         r"or decimal=',' \(3,010 = 3.01\).*row=1, value='3,431'"):
        read(whole)
    assert read(whole, thousands=",")["open"].iloc[0] == 3431.0
    assert read(whole, decimal=",")["open"].iloc[0] == 3.431


def test_a_row_shifted_by_an_unquoted_separator_is_refused_with_its_row():
    text = "date,open,high,low,close,volume,amount\n" + "\n".join(
        f"2024-01-0{d},10.00,10.50,9.80,10.00,{v},{a}" for d, v, a in
        ((2, "45125", "451250.0"), (3, "45,125", "451250.0"), (4, "100", "1000.0")))
    with pytest.raises(ValueError, match=r"7 fields in every row, as in the header.*row=2, fields=8, "
                                         r"line='2024-01-03,10.00,10.50,9.80,10.00,45,125,451250.0'"):
        read(text)
    df = read(text.replace("45,125", '"45,125"'))  # quoted, the grouping is read (10.50 shows decimal '.')
    assert df["volume"].iloc[1] == 45125 and df["amount"].dtype == float


def test_large_files_stream_in_chunks_with_progress(monkeypatch):
    import pandas as pd  # 2,500 rows in chunks of 1,000 stand for 1,000,000 in chunks of 250,000 (bench)
    monkeypatch.setattr(csv_reader, "CHUNK_ROWS", 1000)
    n = 2500
    minutes = pd.date_range("2024-01-02 09:31", periods=n, freq="min").strftime("%Y-%m-%d %H:%M")
    body = "\n".join(f"{m},10.0,10.5,9.5,10.0,{i}" for i, m in zip(range(n), minutes))
    seen = []
    df = data.load_csv(io.StringIO("date,open,high,low,close,volume\n" + body), progress=seen.append)
    assert len(df) == n and seen == [1000, 2000, 2500] and df["volume"].iloc[-1] == n - 1
    bad = body.replace("10.0,10.5,9.5,10.0,2222", "10.0,10.5,9.5,ten,2222")  # in the third chunk
    with pytest.raises(ValueError, match=r"column 'close'.*row=2223, date='2024-01-03 22:33', value='ten'"):
        data.load_csv(io.StringIO("date,open,high,low,close,volume\n" + bad))


def test_two_columns_with_one_meaning_are_named():
    text = tdx(header=["日期", "开盘", "最高", "最低", "收盘", "收盘价"])
    with pytest.raises(ValueError, match=r"one column for each meaning \(two columns mean 'close'\). "
                                         r"Received: columns=\['收盘', '收盘价'\]"):
        read(text)


@pytest.mark.parametrize("old, new, pattern", [
    ("3386.35", "inf", r"finite values in column 'close'.*row=1, date='2024-01-02', value=inf"),
    ("3380.08", "0.00", r"prices > 0 in column 'open'.*row=2"),
    ("3391.17", "3400.00", r"low <= open <= high.*row=3, date='2024-01-04', open=3400.0, high=3393.42"),
    ("3367.09", "3300.00", r".*low <= close <= high.*row=4.*close=3300.0"),
    ("130000", "-1", r"volume >= 0 in column 'volume'.*row=4"),
    ("2024/01/04", "2024/01/02", r"one row per date.*duplicate_date='2024-01-02', rows=\[1, 3\]"),
    ("2024/01/03", "2024/01/08", r".*increasing order.*row=3, date='2024-01-04', previous_date='2024-01-08'"),
    ("2024/01/05", "2024/02/30", r".*readable date.*row=4, value='2024/02/30'"),
])
def test_each_fault_is_named(old, new, pattern):
    with pytest.raises(ValueError, match=r"load_csv\(file\): expected " + pattern):
        read(tdx().replace(old, new))


def test_unsorted_file_with_sort_and_no_header():
    text = tdx().replace("2024/01/03", "2024/01/08").replace("2024/01/08", "2024/01/03")
    lines = tdx().split("\r\n")
    shuffled = "\r\n".join(lines[:2] + lines[2:6][::-1] + lines[6:])
    check_good(read(shuffled, sort=True))
    assert text
    with pytest.raises(ValueError, match=r"a header row naming the date column 'date'.*first_line="):
        read("a,b\n1,2\n")


def test_pieces_are_usable_alone():
    dates = csv_reader.parse_dates(["20240102", "2024-1-3"], "me")
    assert [str(d)[:10] for d in dates] == ["2024-01-02", "2024-01-03"]
    v = csv_reader.parse_numbers(["1,234.5", "-2e3", "7"], "me", "x", ["d"] * 3)
    np.testing.assert_array_equal(v, [1234.5, -2000.0, 7.0])
    assert csv_reader.canonical_columns([" 日期", "Close", "成交额"], "me") == ["date", "close", "amount"]


def test_planted_shifts_and_marks_are_named_with_their_row():
    """Property: in a 40-row comma file, one row shifted by an unquoted 1,234 (any row) is refused
    naming that row; a quoted one reads as the number; a lone 3,010-style value refuses the file."""
    rng = np.random.default_rng(0)
    rows = [f"2024-02-{d:02d},10.{d:02d},11.00,9.00,10.50,{1000 + d}" for d in range(1, 29)]
    header = "date,open,high,low,close,volume"
    for row in rng.choice(len(rows), 6, replace=False):
        shifted = list(rows)
        shifted[row] = shifted[row].rsplit(",", 1)[0] + ",1,234"
        with pytest.raises(ValueError, match=rf"6 fields in every row.*row={row + 1}, fields=7"):
            read("\n".join([header, *shifted]), max_gap_days=None)
        quoted = list(rows)
        quoted[row] = quoted[row].rsplit(",", 1)[0] + ',"1,234"'
        assert read("\n".join([header, *quoted]), max_gap_days=None)["volume"].iloc[row] == 1234
    whole = [r.replace("10.50", "10").replace(".00", "").replace(".", "") for r in rows]
    whole[5] = whole[5].rsplit(",", 1)[0] + ',"3,010"'
    with pytest.raises(ValueError, match=r"numbers whose marks are known.*row=6, value='3,010'"):
        read("\n".join([header, *whole]), max_gap_days=None)


# 同花顺's 历史行情 export (数据导出, tab-separated, GBK): the date field carries the weekday,
# percentages and thousands marks in the other columns. Format as in the files its users
# publish: 时间<TAB>开盘<TAB>最高<TAB>最低<TAB>收盘<TAB>涨幅<TAB>振幅<TAB>总手<TAB>金额<TAB>换手%<TAB>成交次数,
# then rows such as 2009-10-15,四<TAB>16.11<TAB>17.51<TAB>15.53<TAB>17.08<TAB>44.99%<TAB>...
THS_HEADER = "时间\t开盘\t最高\t最低\t收盘\t涨幅\t振幅\t总手\t金额\t换手%\t成交次数"


def ths(rows=ROWS, weekday=lambda d: "一二三四五六日"[datetime.date.fromisoformat(d).weekday()]):
    lines = [THS_HEADER]
    for d, o, h, lo, c, v in rows:
        lines.append("\t".join([f"{d},{weekday(d)}", f"{o:.2f}", f"{h:.2f}", f"{lo:.2f}", f"{c:.2f}", "+0.50%",
                                "1.71%", f"{v:,}", f"{v * c:,.0f}", "0.45", "2867"]))
    return "\r\n".join(lines) + "\r\n"


def test_tonghuashun_export_with_weekdays_round_trips():
    df = read(ths(), encoding="gbk", volume="总手")
    assert list(df.index.strftime("%Y-%m-%d")) == [r[0] for r in ROWS]
    np.testing.assert_array_equal(df[["open", "high", "low", "close", "总手"]].to_numpy(),
                                  np.array([r[1:] for r in ROWS], dtype=float))
    np.testing.assert_allclose(df["amount"], [r[5] * r[4] for r in ROWS], atol=0.5)  # 金额, commas read
    assert df["涨幅"].iloc[0] == "+0.50%"                                          # text columns kept
    with pytest.raises(ValueError, match=r"missing=\['volume'\]"):                 # 总手 is not volume by name
        read(ths(), encoding="gbk")
    assert len(read(ths(), encoding="gbk", volume=None)) == len(ROWS)


@pytest.mark.parametrize("value, pattern", [
    ("2024-01-03,四", r"weekday written after each date.*column='date', row=2, value='2024-01-03,四', "
                      r"weekday_of_date='三'"),
    ("2024-01-03,X", r"a readable date in every row.*column='date', row=2, value='2024-01-03,X'"),
    ("2024-13-03,三", r"a readable date in every row.*column='date', row=2, value='2024-13-03,三'"),
    ("2024-01-03;三", r"a readable date in every row.*column='date', row=2, value='2024-01-03;三'"),
])
def test_tonghuashun_dates_it_cannot_read_are_named(value, pattern):
    text = ths().replace("2024-01-03,三", value)
    with pytest.raises(ValueError, match=pattern):
        read(text, encoding="gbk", volume="总手")


def test_weekday_suffix_in_parse_dates_alone():
    out = csv_reader.parse_dates(["2024-01-05,五", "2024-01-06，周六", "2024-01-07"], "t")
    assert list(out.astype("datetime64[D]").astype(str)) == ["2024-01-05", "2024-01-06", "2024-01-07"]


@pytest.mark.parametrize("lots, says", [
    (False, r"总手 counts shares \(金额 / 总手 falls between low and high on 4 of 4 rows read\): pass volume='总手'"),
    (True, r"总手 counts lots of 100 shares .* pass volume='总手', then multiply it by 100 for shares")])
def test_a_tonghuashun_volume_in_lots_or_shares_is_told_by_its_amount(lots, says):
    """金额 / 总手 is the day's average price, which lies between low and high, in the right unit only."""
    text = ths()
    if lots:  # the same days with 总手 in lots: 金额 unchanged
        for *_, v in ROWS:
            text = text.replace(f"\t{v:,}\t", f"\t{v / 100:,.2f}\t")
    with pytest.raises(ValueError, match=says):
        read(text, encoding="gbk")


def test_volume_unit_cannot_tell_without_a_consistent_amount():
    assert csv_reader.volume_unit([10.0, 10.0], [5.0, 5.0], [9.0, 9.0], [11.0, 11.0]) == (None, 0, 2)
    assert csv_reader.volume_unit([0.0], [5.0], [9.0], [11.0]) == (None, 0, 0)  # no traded day: no verdict
