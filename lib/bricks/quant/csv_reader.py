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
5. `parse_numbers`: digit grouping checked against `thousands=` and `decimal=`;
6. `check_values`, `check_dates`: finite, prices > 0, volume >= 0, low <= open, close <= high;
   no duplicate date, increasing dates (or `sort=True`), no gap above `max_gap_days`.

    >>> df = load_csv(io.StringIO("日期,开盘,最高,最低,收盘\\n2024/01/02,10,11,9,10.5\\n"), volume=None)
    >>> float(df.loc["2024-01-02", "close"])
    10.5
"""
import io
import os
import re

import numpy as np

from bricks import errors

__all__ = ["load_csv", "decode", "find_table", "canonical_columns", "parse_dates", "parse_numbers",
           "ALIASES"]

# Header spellings seen in broker / tushare / Wind / Yahoo exports -> our names.
ALIASES = {"日期": "date", "交易日期": "date", "trade_date": "date", "时间": "date",
           "开盘": "open", "开盘价": "open", "今开": "open", "最高": "high", "最高价": "high",
           "最低": "low", "最低价": "low", "收盘": "close", "收盘价": "close", "成交量": "volume",
           "vol": "volume", "成交额": "amount", "成交金额": "amount", "adj close": "adj_close",
           "adj_close": "adj_close"}
DELIMITERS = ["\t", ";", ",", "|"]
YEAR_FIRST = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")
COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
YEAR_LAST = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")


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


def _ymd(raw, dayfirst, owner, column):
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
                    "or dayfirst=False (01/31/2024)", column=column, row=i + 1,
                    value=str(raw[i]).strip(), the_file_fits=" or ".join(fits) or "neither")
    return parts


def parse_dates(raw, owner, column="date", dayfirst=None):
    """(N,) datetime64 array from date strings; any unreadable one raises, naming its row."""
    import pandas as pd
    raw = list(raw)
    p = _ymd(raw, dayfirst, owner, column)  # (N, 6)
    cols = ["year", "month", "day", "hour", "minute", "second"]
    frame = pd.DataFrame({c: p[:, k] for k, c in enumerate(cols)}).fillna(-1).astype(int)
    dates = pd.to_datetime(frame, errors="coerce").to_numpy()  # NaT where impossible (2024-13-45)
    bad = np.flatnonzero(np.isnat(dates))
    if bad.size:
        errors.fail(owner, "a readable date in every row", column=column, row=int(bad[0] + 1),
                    value=raw[bad[0]])
    return dates


def _number_pattern(thousands, decimal):
    t, d = (re.escape(thousands) if thousands else None), re.escape(decimal)
    integer = rf"(?:\d{{1,3}}(?:{t}\d{{3}})+|\d+)" if t else r"\d+"
    return re.compile(rf"[+-]?(?:{integer}(?:{d}\d*)?|{d}\d+)(?:[eE][+-]?\d+)?|[+-]?inf(?:inity)?",
                      re.IGNORECASE)


def parse_numbers(raw, owner, column, shown, thousands=",", decimal="."):
    """(N,) float array from number strings written with `thousands` grouping and `decimal`.

    "1,234.5" needs thousands=",", decimal="."; "1.234,5" needs thousands=".", decimal=",".
    A value that does not fit (3.410,00 under the defaults) raises rather than being misread.
    """
    pattern = _number_pattern(thousands, decimal)
    values = np.empty(len(raw))
    for i, value in enumerate(raw):
        text = "" if value is None or value != value else str(value).strip()
        if not text:
            errors.fail(owner, f"a value in every row of column {column!r}", column=column,
                        row=i + 1, date=shown[i], value=value)
        if not pattern.fullmatch(text):
            errors.fail(owner, f"a number in every row of column {column!r} (written with "
                        f"thousands={thousands!r}, decimal={decimal!r}; pass yours)",
                        column=column, row=i + 1, date=shown[i], value=value)
        if thousands:
            text = text.replace(thousands, "")
        values[i] = float(text.replace(decimal, "."))
    return values


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


def _table(text, date_column, owner):
    """The table as a DataFrame of strings with our column names, and the skipped lines."""
    import pandas as pd
    lines, sep, header, skipped = find_table(text, date_column, owner)
    df = pd.read_csv(io.StringIO("\n".join(lines)), sep=r"\s+" if sep is None else sep, dtype=str,
                     skipinitialspace=True, index_col=False, engine="python")
    df.columns = canonical_columns(df.columns, owner)
    return df, [i + 1 for i in skipped]


def load_csv(path, date_column="date", prices=("open", "high", "low", "close"), volume="volume",
             max_gap_days=14, sort=False, encoding=None, dayfirst=None, thousands=",", decimal="."):
    """Read and validate a daily price file; refuse it with a message naming the fault.

    Headers are matched case-insensitively, Chinese broker headers included (日期 开盘 最高
    最低 收盘 成交量). Checks, in order: the encoding; a header naming the date column; one
    column per meaning; every needed column present; every date readable (and its day/month
    order known); every value a number written as `thousands`/`decimal` say; no duplicate
    date; dates increasing (or `sort=True`); no gap longer than `max_gap_days` calendar days
    (None: no check); values finite, prices > 0, volume >= 0, low <= open, close <= high.

    Args:
        path: file path or file-like object (text or bytes).
        date_column, prices, volume: the needed columns (volume=None: not needed).
        max_gap_days: longest allowed calendar-day gap between two rows.
        sort: sort by date instead of refusing an unsorted file.
        encoding: the file's encoding (default: detected; 'gbk' for old 通达信 files).
        dayfirst: True for 31/01/2024, False for 01/31/2024 (needed for such dates).
        thousands, decimal: how numbers are written ("1,234.5": ",", "."; "1.234,5": ".", ",").
    Returns:
        DataFrame indexed by date ("date"), the needed columns as float, then any others
        (as text); `df.attrs` holds the encoding and the skipped title/footer line numbers.
    Raises:
        ValueError: `load_csv(x.csv): expected ... Received: column='close', row=7, ...`.
    """
    import pandas as pd
    raw, where = _read_raw(path)
    owner = f"load_csv({where})"
    if thousands and thousands == decimal:
        errors.fail(owner, "different thousands and decimal marks", thousands=thousands, decimal=decimal)
    text, enc = decode(raw, owner, encoding)
    df, skipped = _table(text, date_column, owner)
    needed = [date_column, *prices] + ([volume] if volume else [])
    missing = [c for c in needed if c not in df.columns]
    if missing:
        errors.fail(owner, f"columns {needed}", missing=missing, columns=list(df.columns), encoding=enc)
    if len(df) == 0:
        errors.fail(owner, "at least one data row", rows=0)
    dates = parse_dates(df[date_column], owner, date_column, dayfirst)
    shown = pd.DatetimeIndex(dates).strftime("%Y-%m-%d").to_numpy()
    out = pd.DataFrame({c: parse_numbers(df[c], owner, c, shown, thousands, decimal) for c in needed[1:]},
                       index=pd.DatetimeIndex(dates, name="date"))
    for col in df.columns:
        if col not in needed:
            out[col] = df[col].to_numpy()
    rows = np.arange(1, len(df) + 1)
    check_values(out, prices, volume, shown, rows, owner)
    out, shown, rows = check_dates(out, shown, rows, owner, sort, max_gap_days)
    out.attrs.update(encoding=enc, skipped_lines=skipped)
    return out
