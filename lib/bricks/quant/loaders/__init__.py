"""Bring your own A-share data: loaders for what Chinese quants have on disk, into one panel.

Each loader returns the dict `bricks.quant.panel.generate` returns (dates, codes, and (D, A)
arrays open, high, low, close, volume, amount, prev_close, upper, lower, suspended, listed,
adj_factor), so every Part IV chapter runs on it unchanged:

- `tdx.load_tdx(vipdoc)`: 通达信's binary daily files, vipdoc/{sh,sz,bj}/lday/*.day;
- `qlib_bin.load_qlib(qlib_dir, "csi300")`: a qlib data directory (calendars/day.txt,
  instruments/<market>.txt with point-in-time membership, features/<code>/<field>.day.bin);
- `folder.load_csv_folder(folder)`: one terminal export per stock (通达信, 东方财富, tushare,
  and what `load_csv` reads), the stock code taken from each file name;
- `folder.load_long(path)`: one long table with code, date, open, high, low, close, volume, ...

Prices are kept raw (unadjusted: the exchange's limits are computed on them) and the
adjustment factor apart (`adj_factor`, adjusted = raw * factor) when the source has one.
A malformed file is refused with the file, the record and the value named.

`load_panel()` is the one switch of Part IV: with no argument and no environment variable
it returns the generated panel; `BRICKS_ASHARE_DATA=/path/to/data` (or `source=`) loads the
reader's own data instead, the format found from what the path holds.
"""
import os

from bricks.quant.loaders.assemble import assemble
from bricks.quant.loaders.folder import load_csv_folder, load_long
from bricks.quant.loaders.qlib_bin import load_qlib, write_qlib
from bricks.quant.loaders.tdx import load_tdx, read_day_file, write_day_file

__all__ = ["load_panel", "detect", "load_tdx", "read_day_file", "write_day_file", "load_qlib", "write_qlib",
           "load_csv_folder", "load_long", "assemble", "ENV"]

ENV = "BRICKS_ASHARE_DATA"


def detect(path):
    """'qlib', 'tdx', 'csv_folder' or 'long': the format of what `path` holds."""
    if os.path.isfile(path):
        return "long"
    if os.path.isdir(os.path.join(path, "calendars")) and os.path.isdir(os.path.join(path, "features")):
        return "qlib"
    for root in (path, os.path.join(path, "vipdoc")):
        if any(os.path.isdir(os.path.join(root, m, "lday")) for m in ("sh", "sz", "bj")):
            return "tdx"
    return "csv_folder"


def load_panel(source=None, market="csi300", seed=0, **kw):
    """The panel Part IV runs on: the reader's data if `source` (or $BRICKS_ASHARE_DATA) names
    it, else `bricks.quant.panel.generate(seed=seed, **kw)` (generated, documented as such)."""
    source = source or os.environ.get(ENV)
    if not source:
        from bricks.quant import panel
        return panel.generate(seed=seed, **kw)
    kind = detect(source)
    if kind == "qlib":
        return load_qlib(source, market, **kw)
    if kind == "tdx":
        return load_tdx(source, **kw)
    if kind == "long":
        return load_long(source, **kw)
    return load_csv_folder(source, **kw)
