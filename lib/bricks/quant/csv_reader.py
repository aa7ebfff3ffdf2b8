"""Reading a broker's daily price export: `load_csv`, and the small steps it is made of.

Real exports are messier than a textbook CSV. 通达信 and 同花顺 save GBK (a subset of
GB18030) by default, put a title line above the header and a footer ("数据来源:通达信")
below the data, separate fields by tabs, and write dates as 2024/01/02; tushare writes
20240102; European tools write 3.410,00 for three thousand four hundred and ten. `load_csv`
reads all of these, and refuses a file it would otherwise read wrongly, with a message
naming the column, the row (data rows count from 1 after the header) and the value:

1. `decode`: bytes to text (BOM, then UTF-8, then GB18030), or the `encoding=` given;
2. `find_table`: the header line (the first naming a date column), the delimiter, and the
   title and footer lines around the table (kept in `df.attrs["skipped_lines"]`);
3. `canonical_columns`: 日期/开盘/收盘价/... to date/open/close; two columns with one meaning
   (收盘 and 收盘价) are refused;
4. `parse_dates`: 2024-01-02, 2024/1/2, 2024年1月2日, 20240102; 02/01/2024 only with `dayfirst=`;
   同花顺's "2024-01-02,二" (the date, then its weekday, checked against the date);
5. `number_style` and `parse_numbers`: the thousands and decimal marks, given or detected
   from evidence in the file (never guessed: `3,010` alone could be 3010 or 3.01, and is
   refused until `thousands=` or `decimal=` says which), digit grouping checked;
6. `check_values`, `check_dates`: finite, prices > 0, volume >= 0, low <= open, close <= high;
   no duplicate date, increasing dates (or `sort=True`), no gap above `max_gap_days`.

A row with more fields than the header (a value shifted by an unquoted delimiter, such as
`45,125` in a comma file) is refused with its row named. Large files are read in chunks by
pandas's C parser and checked column by column with vectorised code: 1,000,000 minute bars
take seconds and a few hundred MB (`progress=` reports the rows read).

    >>> df = load_csv(io.StringIO("日期,开盘,最高,最低,收盘\\n2024/01/02,10,11,9,10.5\\n"), volume=None)
    >>> float(df.loc["2024-01-02", "close"])
    10.5
"""
import collections
import io
import os
import re

import numpy as np

from bricks import errors

__all__ = ["load_csv", "decode", "find_table", "canonical_columns", "parse_dates", "parse_numbers",
           "number_style", "st_flags", "volume_unit", "ALIASES",
           "adjustment_in_title", "AdjustedPricesWarning"]

# THE header-mapping table: spellings seen in broker / tushare / Wind / Yahoo exports -> our names
# (lower-cased keys for Latin names). Add new spellings (同花顺, Wind with units) here and only here.
ALIASES = {"日期": "date", "交易日期": "date", "trade_date": "date", "时间": "date",
           "开盘": "open", "开盘价": "open", "今开": "open", "最高": "high", "最高价": "high",
           "最低": "low", "最低价": "low", "收盘": "close", "收盘价": "close", "成交量": "volume",
           "vol": "volume", "成交额": "amount", "成交金额": "amount", "adj close": "adj_close",
           "adj_close": "adj_close",
           # Wind / Choice headers carry their units; only units equal to ours are aliased
           # (成交量(手) counts lots of 100 shares and stays unmapped, so it is refused, not misread).
           "开盘价(元)": "open", "最高价(元)": "high", "最低价(元)": "low", "收盘价(元)": "close",
           "成交量(股)": "volume", "成交额(元)": "amount", "成交金额(元)": "amount", "金额": "amount",
           "开盘价（元）": "open", "最高价（元）": "high", "最低价（元）": "low", "收盘价（元）": "close",
           "成交量（股）": "volume", "成交额（元）": "amount",
           # an ST flag per row (the panel loaders read it; `st_flags` says which values mean what)
           "st": "st", "is_st": "st", "是否st": "st", "st标记": "st"}
LOT_COLUMNS = ("总手", "成交量(手)", "成交量（手）")  # volumes whose name says lots (手): never taken by name
NUMERIC_EXTRAS = {"amount", "adj_close"}  # optional columns that are numbers: the fast path parses them as such
DELIMITERS = ["\t", ";", ",", "|"]
YEAR_FIRST = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")
COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
YEAR_LAST = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")
# 同花顺 writes the weekday after the date, in the date field of a tab-separated file:
# 时间<TAB>开盘<TAB>...<TAB>总手<TAB>金额, then 2024-01-02,二<TAB>10.22<TAB>...
WEEKDAY_SUFFIX = r"^(.*?)\s*[,，]\s*(?:星期|周)?([一二三四五六日天])$"
WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}  # Monday = 0


def decode(raw, owner, encoding=None):
    """(text, encoding): `raw` bytes decoded with `encoding`, else detected.

    Detection: a byte-order mark (UTF-8, UTF-16), NUL bytes (UTF-16 without a mark),
    strict UTF-8, then GB18030 (which contains GBK and GB2312).
    """
    if isinstance(raw, str):
        return raw, encoding or "text"
    if encoding is None:
        if raw.startswith(b"\xef\xbb\xbf"):
            encoding = "utf-8-sig"
        elif raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
            encoding = "utf-16"
        elif b"\x00" in raw[:1000]:
            encoding = "utf-16-le" if raw[1:2] == b"\x00" else "utf-16-be"
    for enc in [encoding] if encoding else ["utf-8", "gb18030"]:
        try:
            return raw.decode(enc), enc
        except UnicodeDecodeError as e:
            if encoding:
                errors.fail(owner, f"a file in encoding {encoding!r}", byte_offset=e.start,
                            bytes=raw[e.start:e.start + 4])
        except LookupError:
            errors.fail(owner, "a known encoding (e.g. 'utf-8', 'gbk', 'gb18030', 'utf-16')",
                        encoding=encoding)
    errors.fail(owner, "text in UTF-8, UTF-16 or GB18030/GBK (or pass encoding=)",
                first_bytes=raw[:16])


def _split(line, sep):
    return [f.strip().strip('"') for f in (line.split() if sep is None else line.split(sep))]


def find_table(text, date_column, owner, scan=20):
    """(lines of the table, delimiter, header line number, skipped line numbers).

    The header is the first of the first `scan` lines in which some delimiter (tab, ;, ,
    |, else whitespace) splits out a field naming `date_column`; lines above it are
    titles; trailing lines with fewer than two fields (or blank) are footers.
    """
    lines = text.splitlines()
    for h, line in enumerate(lines[:scan]):
        for sep in [d for d in DELIMITERS if d in line] + [None]:
            if date_column in [_canonical(f) for f in _split(line, sep)]:
                end = len(lines)
                while end > h + 1 and len([f for f in _split(lines[end - 1], sep) if f]) < 2:
                    end -= 1  # a footer: blank, or one field such as 数据来源:通达信
                skipped = list(range(h)) + list(range(end, len(lines)))
                return lines[h:end], sep, h, skipped
    if not any(line.strip() for line in lines):
        errors.fail(owner, "a header row and data rows", file="empty")
    errors.fail(owner, f"a header row naming the date column {date_column!r} (or 日期, 时间, "
                "trade_date) in the first lines", first_line=lines[0][:80])


def _canonical(name):
    name = str(name).strip().strip('"').strip()
    return ALIASES.get(name.lower(), ALIASES.get(name, name.lower()))


def volume_unit(volume, amount, low, high):
    """('shares' | 'lots of 100 shares' | None, rows that say so, rows): the unit that makes
    amount / volume, the day's average price, fall inside [low, high] (where it always lies) on at
    least 90% of the rows with volume > 0; None when neither does.

    >>> volume_unit(np.array([1000.0]), np.array([10.5e5]), np.array([10.0]), np.array([11.0]))
    ('lots of 100 shares', 1, 1)
    """
    volume, amount, low, high = (np.asarray(a, dtype=float) for a in (volume, amount, low, high))
    traded = np.isfinite(volume) & np.isfinite(amount) & (volume > 0)
    rows = int(traded.sum())
    for unit, shares_per_unit in (("shares", 1.0), ("lots of 100 shares", 100.0)):
        vwap = amount[traded] / (volume[traded] * shares_per_unit)  # (rows,)
        inside = int(((vwap >= low[traded] * 0.999) & (vwap <= high[traded] * 1.001)).sum())  # rounding of 金额
        if rows and inside >= 0.9 * rows:
            return unit, inside, rows
    return None, 0, rows


def _lot_column_hint(sample, columns):
    """For a file whose only volume column is named in lots (同花顺's 总手): what its numbers say
    its unit is (`volume_unit` on the first rows), as words for the error; "" when it cannot tell."""
    named = dict(zip(columns, sample.columns))
    lots = [c for c in columns if c in LOT_COLUMNS]
    if not lots or not {"amount", "low", "high"} <= set(columns):
        return ""

    def numbers(c):
        import pandas as pd
        return pd.to_numeric(sample[named[c]].astype(str).str.replace(",", "", regex=False), errors="coerce")

    unit, inside, rows = volume_unit(*(numbers(c) for c in (lots[0], "amount", "low", "high")))
    if unit is None:
        return f"; {lots[0]}'s unit is unclear from 金额 / {lots[0]}: pass volume='{lots[0]}' once you know it"
    scale = "" if unit == "shares" else ", then multiply it by 100 for shares"
    return (f"; {lots[0]} counts {unit} (金额 / {lots[0]} falls between low and high on {inside} of {rows} rows "
            f"read): pass volume='{lots[0]}'{scale}")


def canonical_columns(columns, owner):
    """Our names for a file's headers; two headers with one meaning raise a ValueError."""
    names, seen = [], {}
    for col in columns:
        name = _canonical(col)
        if name in seen:
            errors.fail(owner, f"one column for each meaning (two columns mean {name!r})",
                        columns=[seen[name], str(col).strip()])
        seen[name] = str(col).strip()
        names.append(name)
    return names


def _ymd(raw, dayfirst, owner, column, first_row=1, index=None):
    """(N, 6) float array year, month, day, hour, minute, second (NaN where unmatched)."""
    parts = np.full((len(raw), 6), np.nan)
    parts[:, 3:] = 0.0
    last = []  # (row, first field, second field) of dates written d/m/y or m/d/y
    for i, value in enumerate(raw):
        value = "" if value is None or value != value else str(value).strip()
        if m := COMPACT.fullmatch(value) or YEAR_FIRST.fullmatch(value):
            parts[i, :len(m.groups())] = [float(g) if g else 0.0 for g in m.groups()]
        elif m := YEAR_LAST.fullmatch(value):
            a, b, y = (float(g) for g in m.groups())
            parts[i, :3] = (y, b, a) if dayfirst else (y, a, b)
            last.append((i, a, b))
    if last and dayfirst is None:
        fits = [s for s, ok in (("dayfirst=True", all(b <= 12 for _, _, b in last)),
                                ("dayfirst=False", all(a <= 12 for _, a, _ in last))) if ok]
        i = last[0][0]
        errors.fail(owner, "dates whose day/month order is known: pass dayfirst=True (31/01/2024) "
                    "or dayfirst=False (01/31/2024)", column=column,
                    row=int((i if index is None else index[i]) + first_row),
                    value=str(raw[i]).strip(), the_file_fits=" or ".join(fits) or "neither")
    return parts


DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M",
                "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y%m%d %H:%M:%S"]


def _date_format(value):
    """The strptime format of a year-first date such as the first row's, or None."""
    import datetime
    if not (COMPACT.fullmatch(value) or YEAR_FIRST.fullmatch(value)):
        return None
    for fmt in DATE_FORMATS:
        try:
            datetime.datetime.strptime(value, fmt)
            return fmt
        except ValueError:
            pass
    return None


def parse_dates(raw, owner, column="date", dayfirst=None, first_row=1):
    """(N,) datetime64 array from date strings; any unreadable one raises, naming its row.

    Fast path: the first row's format (2024-01-02, 2024/1/2, 20240102, with or without a
    time) parses every row at once; rows it does not fit go through the per-row rules.
    `first_row` numbers the rows in messages (for files read in chunks).
    """
    import pandas as pd
    text = pd.Series(list(raw) if not isinstance(raw, pd.Series) else raw.to_numpy(), dtype=object)
    text, weekday = _weekday_split(text)
    fmt = _date_format(str(text.iloc[0]).strip()) if len(text) else None
    dates = (np.array(pd.to_datetime(text, format=fmt, errors="coerce").to_numpy(), dtype="datetime64[ns]") if fmt else
             np.full(len(text), np.datetime64("NaT"), dtype="datetime64[ns]"))
    slow = np.flatnonzero(np.isnat(dates))  # rows the fast path did not read: the per-row rules decide
    if slow.size:
        values = text.iloc[slow].where(text.iloc[slow].notna(), "").astype(str).str.strip().to_numpy()
        p = _ymd(list(values), dayfirst, owner, column, first_row, slow)  # (n, 6)
        cols = ["year", "month", "day", "hour", "minute", "second"]
        frame = pd.DataFrame({c: p[:, k] for k, c in enumerate(cols)}).fillna(-1).astype(int)
        dates[slow] = pd.to_datetime(frame, errors="coerce").to_numpy()  # NaT where impossible (2024-13-45)
        bad = slow[np.isnat(dates[slow])]
        if bad.size:
            errors.fail(owner, "a readable date in every row", column=column, row=int(bad[0] + first_row),
                        value=list(raw)[bad[0]] if not isinstance(raw, pd.Series) else raw.iloc[bad[0]])
    if weekday is not None:
        written = weekday.to_numpy()  # (N,) 0..6, -1 where no weekday was written
        wrong = np.flatnonzero((written >= 0) & (pd.DatetimeIndex(dates).day_of_week.to_numpy() != written))
        if wrong.size:
            i = int(wrong[0])
            errors.fail(owner, "the weekday written after each date to be that date's (同花顺: 2024-01-02,二)",
                        column=column, row=i + first_row,
                        value=list(raw)[i] if not isinstance(raw, pd.Series) else raw.iloc[i],
                        weekday_of_date="一二三四五六日"[pd.Timestamp(dates[i]).weekday()])
    return dates


def _weekday_split(text):
    """(dates text, weekdays): "2024-01-02,二" -> "2024-01-02" and 1 (Monday = 0, -1 where none was
    written), or (text, None) when no value carries a weekday."""
    parts = text.where(text.notna(), "").astype(str).str.strip().str.extract(WEEKDAY_SUFFIX)
    has = parts[0].notna()
    if not has.any():
        return text, None
    return text.where(~has, parts[0]), parts[1].map(WEEKDAYS).fillna(-1).astype(int)


ST_TRUE = {"1", "1.0", "true", "t", "y", "yes", "是", "st", "*st"}
ST_FALSE = {"0", "0.0", "false", "f", "n", "no", "否", "", "nan", "-", "--"}


def st_flags(raw, owner, column="st", first_row=1):
    """(N,) bool from an ST column: 1/0, true/false, y/n, 是/否, ST or *ST (true), blank (false).
    Anything else raises, naming the column, the row and the value."""
    import pandas as pd
    text = pd.Series(list(raw) if not isinstance(raw, pd.Series) else raw.to_numpy(), dtype=object)
    text = text.where(text.notna(), "").astype(str).str.strip().str.lower()
    yes, no = text.isin(ST_TRUE).to_numpy(), text.isin(ST_FALSE).to_numpy()
    bad = np.flatnonzero(~(yes | no))
    if bad.size:
        i = int(bad[0])
        errors.fail(owner, f"an ST flag in every row of column {column!r} (1/0, true/false, 是/否, ST, *ST "
                    "or blank)", column=column, row=i + first_row, value=list(raw)[i])
    return yes


class _Shown:
    """Row dates as text for messages, made only for the row a message names (not 1,000,000 strings)."""

    def __init__(self, dates):
        self.dates = np.asarray(dates)

    def __len__(self):
        return len(self.dates)

    def __getitem__(self, i):
        if np.ndim(i) or isinstance(i, slice):
            return _Shown(self.dates[i])
        text = str(self.dates[i].astype("datetime64[s]")).replace("T", " ")
        return text[:10] if text.endswith("00:00:00") else text[:16] if text.endswith(":00") else text


def _number_pattern(thousands, decimal):
    t, d = (re.escape(thousands) if thousands else None), re.escape(decimal)
    integer = rf"(?:\d{{1,3}}(?:{t}\d{{3}})+|\d+)" if t else r"\d+"
    return re.compile(rf"[+-]?(?:{integer}(?:{d}\d*)?|{d}\d+)(?:[eE][+-]?\d+)?|[+-]?inf(?:inity)?",
                      re.IGNORECASE)


def parse_numbers(raw, owner, column, shown, thousands=",", decimal=".", first_row=1):
    """(N,) float array from number strings written with `thousands` grouping and `decimal`.

    "1,234.5" needs thousands=",", decimal="."; "1.234,5" needs thousands=".", decimal=",".
    A value that does not fit (3.410,00 under the defaults) raises rather than being misread.
    Vectorised: only the values holding a thousands mark are matched against the grouping rule.
    """
    import pandas as pd
    text = pd.Series(list(raw) if not isinstance(raw, pd.Series) else raw.to_numpy(), dtype=object)
    text = text.where(text.notna(), "").astype(str).str.strip()

    def refuse(mask, expected):
        i = int(np.flatnonzero(np.asarray(mask))[0])
        errors.fail(owner, expected, column=column, row=i + first_row, date=shown[i],
                    value=raw.iloc[i] if isinstance(raw, pd.Series) else list(raw)[i])
    empty = (text == "").to_numpy()
    if empty.any():
        refuse(empty, f"a value in every row of column {column!r}")
    style = (f"a number in every row of column {column!r} (written with thousands={thousands!r}, "
             f"decimal={decimal!r}; pass yours)")
    plain = text
    if thousands:
        grouped = text.str.contains(thousands, regex=False).to_numpy()
        if grouped.any():
            fits = text[grouped].str.fullmatch(_number_pattern(thousands, decimal).pattern, case=False).to_numpy()
            if not fits.all():
                refuse(np.isin(np.arange(len(text)), np.flatnonzero(grouped)[~fits]), style)
            plain = text.str.replace(thousands, "", regex=False)
    if decimal != ".":
        dotted = plain.str.contains(".", regex=False).to_numpy()
        if dotted.any():
            refuse(dotted, style)
        plain = plain.str.replace(decimal, ".", regex=False)
    values = pd.to_numeric(plain, errors="coerce").to_numpy(dtype=float)  # (N,)
    bad = np.isnan(values)
    if bad.any():
        refuse(bad, style)
    return values


def number_style(columns, owner, thousands=None, decimal=None):
    """(thousands, decimal) for the number strings in `columns` (a list of Series): the given ones,
    else what the values show. Evidence: a value with both marks (1,234.56 or 1.234,56), a mark
    followed by other than 3 digits (10.5, 10,5: a decimal mark), two of one mark (1,234,567: a
    thousands mark). A dot is a decimal point unless the file shows a decimal comma. A comma
    followed by exactly 3 digits and nothing else (3,010: 3010 or 3.01?) is refused until
    `thousands=` or `decimal=` says which. Conflicting evidence is refused with both rows named.
    """
    import pandas as pd
    if thousands is not None and decimal is not None:
        return thousands or None, decimal
    if columns:
        text = pd.concat([c.astype(str).str.strip() for c in columns], keys=range(len(columns)))
    else:
        text = pd.Series([], dtype=str)
    marked = text[text.str.contains(r"[.,]", regex=True)]
    evidence = {}  # (what it shows) -> first example (column, row, value)

    def note(kind, mask):
        if mask.any():
            (_, row), value = mask[mask].index[0], marked[mask].iloc[0]
            evidence.setdefault(kind, (int(row) + 1, value))
    note("decimal .", marked.str.fullmatch(r"[+-]?(\d{1,3}(,\d{3})+|\d*)\.\d*([eE][+-]?\d+)?") &
         ~marked.str.fullmatch(r"[+-]?\d{1,3}\.\d{3}"))
    note("decimal ,", marked.str.fullmatch(r"[+-]?(\d{1,3}(\.\d{3})+|\d*),\d*") &
         ~marked.str.fullmatch(r"[+-]?\d{1,3},\d{3}"))
    note("ambiguous ,", marked.str.fullmatch(r"[+-]?\d{1,3},\d{3}"))
    note("ambiguous .", marked.str.fullmatch(r"[+-]?\d{1,3}\.\d{3}"))
    if decimal is None:
        if "decimal ," in evidence and "decimal ." in evidence:
            (ra, va), (rb, vb) = evidence["decimal ,"], evidence["decimal ."]
            errors.fail(owner, "one decimal mark in the whole file (or pass thousands= and decimal=)",
                        rows=[ra, rb], values=[va, vb])
        decimal = "," if "decimal ," in evidence else "."
    if thousands is None:
        if decimal == ",":
            thousands = "."
        elif "ambiguous ," in evidence and "decimal ." not in evidence:
            row, value = evidence["ambiguous ,"]
            errors.fail(owner, "numbers whose marks are known: pass thousands=',' (3,010 = 3010) or "
                        "decimal=',' (3,010 = 3.01)", row=row, value=value)
        else:
            thousands = ","
    return thousands or None, decimal


def check_values(out, prices, volume, shown, rows, owner):
    """Finite everywhere, prices > 0, volume >= 0, low <= open, close <= high (row named)."""
    for col in [*prices, *([volume] if volume else [])]:
        v = out[col].to_numpy()
        for test, what in ((~np.isfinite(v), "finite values"),
                           ((v <= 0) if col in prices else (v < 0), "prices > 0" if col in prices else "volume >= 0")):
            bad = np.flatnonzero(test)
            if bad.size:
                i = bad[0]
                errors.fail(owner, f"{what} in column {col!r}", column=col, row=int(rows[i]),
                            date=shown[i], value=float(v[i]))
    if {"high", "low"} <= set(prices):
        inner = [c for c in ("open", "close") if c in prices]
        hi, lo = out["high"].to_numpy(), out["low"].to_numpy()  # (N,), (N,)
        mid = out[inner].to_numpy()  # (N, 0..2) open, close
        bad = np.flatnonzero((hi < lo) | (mid > hi[:, None]).any(axis=1) | (mid < lo[:, None]).any(axis=1))
        if bad.size:
            i = bad[0]
            order = " and ".join(f"low <= {c} <= high" for c in inner) or "low <= high"
            errors.fail(owner, f"{order} in every row", row=int(rows[i]), date=shown[i],
                        **{c: float(out[c].iloc[i]) for c in ["open", "high", "low", "close"] if c in prices})


def check_dates(out, shown, rows, owner, sort, max_gap_days):
    """(out, shown, rows), sorted if `sort`; a duplicate, a step back or a long gap raises."""
    dates = out.index.to_numpy()
    _, first, counts = np.unique(dates, return_index=True, return_counts=True)
    if (counts > 1).any():
        dup = np.flatnonzero(np.isin(dates, dates[first[counts > 1]]))  # rows of every repeated date
        second = dup[np.flatnonzero(dates[dup] == dates[dup[0]])[1]]
        errors.fail(owner, "one row per date", duplicate_date=shown[dup[0]],
                    rows=[int(rows[dup[0]]), int(rows[second])])
    step = np.diff(dates).astype("timedelta64[D]").astype(int)  # (n-1,) calendar days
    if (step < 0).any():
        if not sort:
            i = int(np.flatnonzero(step < 0)[0])
            errors.fail(owner, "dates in increasing order (or sort=True)", row=int(rows[i + 1]),
                        date=shown[i + 1], previous_date=shown[i])
        order = np.argsort(dates, kind="stable")
        out, shown, rows = out.iloc[order], shown[order], rows[order]
        step = np.diff(out.index.to_numpy()).astype("timedelta64[D]").astype(int)
    if max_gap_days is not None and (step > max_gap_days).any():
        i = int(np.flatnonzero(step > max_gap_days)[0])
        errors.fail(owner, f"no gap longer than {max_gap_days} calendar days (max_gap_days)",
                    gap_days=int(step[i]), date=shown[i + 1], previous_date=shown[i], row=int(rows[i + 1]))
    return out, shown, rows


def _read_raw(path):
    """(bytes or text, a short name for messages) from a path or a file-like object."""
    if isinstance(path, (str, os.PathLike)):
        with open(path, "rb") as f:
            return f.read(), os.path.basename(str(path))
    return path.read(), "file"


def _locate(text, date_column, owner, scan=20, footer_scan=20):
    """(table text, delimiter, skipped line numbers from 1): find_table's answer without splitting
    every line of a large file (the header among the first `scan` lines, footers among the last)."""
    body = text[:-1] if text.endswith("\n") else text
    head = [line.rstrip("\r") for line in body.split("\n", scan)[:scan]]
    for h, line in enumerate(head):
        for sep in [d for d in DELIMITERS if d in line] + [None]:
            if date_column in [_canonical(f) for f in _split(line, sep)]:
                n = body.count("\n") + 1
                tail = body.rsplit("\n", footer_scan)[1:] if n > footer_scan + 1 else body.split("\n")
                end, cut = n, len(body)
                while end > h + 1 and n - end < len(tail):
                    line = tail[len(tail) - 1 - (n - end)]
                    if len([f for f in _split(line.rstrip("\r"), sep) if f]) >= 2:
                        break
                    cut, end = cut - len(line) - 1, end - 1  # a footer: blank, or one field such as 数据来源:通达信
                start = sum(len(x) + 1 for x in body.split("\n", h)[:h]) if h else 0
                return body[start:max(cut, start)], sep, [i + 1 for i in list(range(h)) + list(range(end, n))]
    if not body.strip():
        errors.fail(owner, "a header row and data rows", file="empty")
    errors.fail(owner, f"a header row naming the date column {date_column!r} (or 日期, 时间, "
                "trade_date) in the first lines", first_line=head[0][:80] if head else "")


CHUNK_ROWS = 250_000  # rows parsed at a time: large files stream in pieces this size


def _chunks(table, sep, owner, chunk_rows=None, floats=None, decimal=".", nrows=None):
    """DataFrames of strings, `chunk_rows` rows each; a row with more fields than the header refused.
    `floats`: header names pandas's C parser reads as numbers directly (with `decimal`), the fast path."""
    import pandas as pd
    # text: 000300 stays
    dtype = collections.defaultdict(lambda: str, {name: "float64" for name in floats}) if floats else str
    reader = pd.read_csv(io.BytesIO(table.encode("utf-8")), encoding="utf-8", sep=r"\s+" if sep is None else sep,
                         dtype=dtype, skipinitialspace=True, index_col=False, engine="c",
                         chunksize=chunk_rows or CHUNK_ROWS,
                         keep_default_na=False, na_values={name: [""] for name in floats or []}, decimal=decimal,
                         nrows=nrows)
    try:
        yield from reader
    except pd.errors.ParserError as exc:
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if not m:
            errors.fail(owner, "a table pandas can parse", error=str(exc))
        expected, line, saw = (int(g) for g in m.groups())
        row_text = table.split("\n", line)[line - 1][:120] if line < 10**7 else "?"
        errors.fail(owner, f"{expected} fields in every row, as in the header (a row with more is shifted: "
                    "a delimiter or an unquoted thousands separator inside a value, e.g. 45,125 in a comma "
                    "file; quote it or remove the separator)", row=line - 1, fields=saw, line=row_text)


def _table(text, date_column, owner):
    """The table as a DataFrame of strings with our column names, and the skipped lines."""
    import pandas as pd
    table, sep, skipped = _locate(text, date_column, owner)
    df = pd.concat(list(_chunks(table, sep, owner)), ignore_index=True)
    df.columns = canonical_columns(df.columns, owner)
    return df, skipped


def load_csv(path, date_column="date", prices=("open", "high", "low", "close"), volume="volume",
             max_gap_days=14, sort=False, encoding=None, dayfirst=None, thousands=None, decimal=None,
             progress=None):
    """Read and validate a daily (or intraday) price file; refuse it with a message naming the fault.

    Headers are matched case-insensitively, Chinese broker headers included (日期 开盘 最高
    最低 收盘 成交量). Checks, in order: the encoding; a header naming the date column; one
    column per meaning; every needed column present; every row with no more fields than the
    header; every date readable (and its day/month order known); the number style (the
    thousands and decimal marks: given, or detected from the file, see `number_style`); every
    value a number written in that style; no duplicate date; dates increasing (or
    `sort=True`); no gap longer than `max_gap_days` calendar days (None: no check); values
    finite, prices > 0, volume >= 0, low <= open, close <= high.

    Args:
        path: file path or file-like object (text or bytes).
        date_column, prices, volume: the needed columns (volume=None: not needed).
        max_gap_days: longest allowed calendar-day gap between two rows.
        sort: sort by date instead of refusing an unsorted file.
        encoding: the file's encoding (default: detected; 'gbk' for old 通达信 files).
            A 同花顺 export (时间 ... 总手 金额, dates as 2024-01-02,二) reads as it is; its 总手
            column is not taken for volume by name (手 = a lot of 100 shares): the error says
            which unit 金额 / 总手 shows (`volume_unit`); pass volume='总手', or volume=None.
        dayfirst: True for 31/01/2024, False for 01/31/2024 (needed for such dates).
        thousands, decimal: how numbers are written ("1,234.5": ",", "."; "1.234,5": ".", ",");
            None: detected from the file, refused when the file does not say (3,010 alone).
            thousands="" means no grouping mark.
        progress: None, or a callable given the number of rows read after each chunk of
            CHUNK_ROWS rows (e.g. to show progress on a long read).
    Returns:
        DataFrame indexed by date ("date"), the needed columns as float, then any others (amount
        and adj_close as numbers when every value is one, the rest as text); `df.attrs` holds
        the encoding, the skipped title/footer line numbers, the number style used, and
        `adjusted`: '前复权' or '后复权' when a title line says the prices are adjusted (a stock's
        price limits need unadjusted prices; `load_csv_folder` warns), else None.
    Raises:
        ValueError: `load_csv(x.csv): expected ... Received: column='close', row=7, ...`.
    """
    import pandas as pd
    raw, where = _read_raw(path)
    owner = f"load_csv({where})"
    if thousands and thousands == decimal:
        errors.fail(owner, "different thousands and decimal marks", thousands=thousands, decimal=decimal)
    text, enc = decode(raw, owner, encoding)
    del raw
    table, sep, skipped = _locate(text, date_column, owner)
    adjusted = adjustment_in_title(text, skipped)
    del text
    needed = [date_column, *prices] + ([volume] if volume else [])
    sample = next(_chunks(table, sep, owner, nrows=2000), None)  # header, and the number style's evidence
    if sample is None:
        errors.fail(owner, "at least one data row", rows=0)
    header = list(sample.columns)  # as pandas names them: the keys of read_csv's dtype=
    columns = canonical_columns(header, owner)
    missing = [c for c in needed if c not in columns]
    if missing:
        hint = _lot_column_hint(sample, columns) if volume in missing else ""
        errors.fail(owner, f"columns {needed}{hint}", missing=missing, columns=list(columns), encoding=enc)
    sample.columns = columns
    style = number_style([sample[c] for c in needed[1:]], owner, thousands, decimal)
    raw_names = dict(zip(columns, header))
    try:  # the fast path: numbers parsed by the C parser; any doubt and the checked path below decides
        if style[0] and any(sample[c].str.contains(style[0], regex=False).any() for c in needed[1:]):
            raise _Doubt
        extras = [c for c in columns if c in NUMERIC_EXTRAS and c not in needed]  # read as numbers too
        out, n = _read(table, sep, owner, needed + extras, columns, style, dayfirst, progress,
                       floats=[raw_names[c] for c in needed[1:] + extras])
    except _Doubt:
        out, n = _read(table, sep, owner, needed, columns, style, dayfirst, progress)
    if n == 0:
        errors.fail(owner, "at least one data row", rows=0)
    for col in out.columns[len(needed) - 1:]:  # amount, adj_close: numbers if all are; others stay text (000300)
        if col in NUMERIC_EXTRAS and not pd.api.types.is_numeric_dtype(out[col]):
            text = out[col].str.replace(",", "", regex=False) if style == (",", ".") else out[col]  # 12,543,210
            values = pd.to_numeric(text, errors="coerce") if style == (",", ".") or not style[0] else None
            if values is not None and not values.isna().any():
                out[col] = values.to_numpy(dtype=float)
    shown, rows = _Shown(out.index.to_numpy()), np.arange(1, n + 1)
    check_values(out, prices, volume, shown, rows, owner)
    out, shown, rows = check_dates(out, shown, rows, owner, sort, max_gap_days)
    out.attrs.update(encoding=enc, skipped_lines=skipped, thousands=style[0], decimal=style[1], adjusted=adjusted)
    return out


ADJUSTMENTS = ("前复权", "后复权")  # forward- and back-adjusted prices


class AdjustedPricesWarning(UserWarning):
    """A file's title says its prices are adjusted (前复权 / 后复权)."""


def adjustment_in_title(text, skipped, scan=20):
    """'前复权' or '后复权' when a title line above the table says the prices are adjusted, else None."""
    head = text.split("\n", scan)[:scan]  # the first lines: titles sit above the header
    for number in skipped:
        if number <= len(head) and (m := re.search("|".join(ADJUSTMENTS), head[number - 1])):
            return m.group(0)
    return None


class _Doubt(Exception):
    """The fast path met a value it cannot vouch for: read again with every value checked."""


def _read(table, sep, owner, needed, columns, style, dayfirst, progress, floats=None):
    """(DataFrame, rows): every chunk parsed and checked; with `floats`, _Doubt if a number needs a closer look."""
    import pandas as pd
    parts, n = [], 0
    try:
        for chunk in _chunks(table, sep, owner, floats=floats, decimal=style[1]):
            chunk.columns = columns
            if floats is not None and chunk[needed[1:]].isna().to_numpy().any():
                raise _Doubt  # an empty or unreadable number: the checked path names it
            parts.append(_parse_chunk(chunk, needed, style, owner, dayfirst, first_row=n + 1,
                                      floats=floats is not None))
            n += len(chunk)
            if progress is not None:
                progress(n)
    except ValueError as exc:
        if floats is None or str(exc).startswith(owner):
            raise
        raise _Doubt from None  # "could not convert string to float": the checked path names the row
    if not parts:
        return None, 0
    return (pd.concat(parts) if len(parts) > 1 else parts[0]), n


def _parse_chunk(chunk, needed, style, owner, dayfirst, first_row, floats=False):
    """One chunk of strings -> a DataFrame indexed by date, the needed columns as floats."""
    import pandas as pd
    dates = parse_dates(chunk[needed[0]], owner, needed[0], dayfirst, first_row)
    shown = _Shown(dates)
    number = ((lambda c: chunk[c].to_numpy(dtype=float)) if floats else
              (lambda c: parse_numbers(chunk[c], owner, c, shown, *style, first_row=first_row)))
    out = pd.DataFrame({c: number(c) for c in needed[1:]}, index=pd.DatetimeIndex(dates, name="date"))
    others = [c for c in chunk.columns if c not in needed]
    if others:  # one concat, not one insertion per column (a file may have thousands)
        out = pd.concat([out, chunk[others].set_axis(out.index, axis=0)], axis=1)
    return out
