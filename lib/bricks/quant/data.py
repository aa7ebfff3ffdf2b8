"""Market data for Part IV: loaders, a validating CSV reader, planted-signal generators.

Real data ships inside two pinned packages, so nothing is downloaded: the S&P 500
daily OHLCV 1999-2018 of `arch` and the monthly Fama-French factors and 30
portfolios 1949-2017 of `linearmodels`. `load_csv` reads a reader's own export
(e.g. CSI 300 from a broker, headers in English or Chinese) and refuses a bad file
with a message that names the column, row or date at fault. The generators plant a
signal of known strength, so a pipeline can be checked before it meets real data.
Windows, walk-forward splits and scalers live in `bricks.quant.prep`, re-exported here.

    >>> px = load_sp500()                       # a pandas DataFrame, one row a trading day
    >>> px.shape, list(px.columns)
    ((5031, 6), ['open', 'high', 'low', 'close', 'adj_close', 'volume'])
    >>> panel, factors = load_french_panel()
    >>> panel.shape, factors.shape              # monthly returns of 30 portfolios, 5 factors
    ((819, 30), (819, 5))

pandas is imported inside the functions, so `import bricks` stays light.
"""
import importlib.util
import os

import numpy as np

from bricks import backend
from bricks.quant.prep import *  # noqa: F403  sliding_windows, walk_forward, scalers, panel features
from bricks.quant.prep import __all__ as _prep_all
from bricks.quant.csv_reader import ALIASES, load_csv  # noqa: F401  the broker-export reader

__all__ = ["load_sp500", "load_french", "load_french_panel", "load_csv", "planted_series",
           "planted_panel", *_prep_all]

PORTFOLIOS = ["NoDur", "Durbl", "Manuf", "Enrgy", "Chems", "BusEq", "Telcm", "Utils", "Shops", "Hlth",
              "Money", "Other", "S1V1", "S1V3", "S1V5", "S3V1", "S3V3", "S3V5", "S5V1", "S5V3", "S5V5",
              "S1M1", "S1M3", "S1M5", "S3M1", "S3M3", "S3M5", "S5M1", "S5M3", "S5M5"]
FACTORS = ["MktRF", "SMB", "HML", "Mom", "RF"]
def _package_file(package, *parts):
    """Path of a data file inside an installed package, found without importing the package."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(f"bricks.quant.data: the package {package!r} is not installed (see requirements.txt)")
    return os.path.join(spec.submodule_search_locations[0], *parts)


def load_sp500(start=None, end=None):
    """S&P 500 daily prices 1999-01-04 .. 2018-12-31 (5031 days) from `arch.data.sp500`.

    Returns a DataFrame indexed by date with columns open, high, low, close, adj_close,
    volume (float). `start`/`end` (e.g. "2005") slice the dates, both included.
    """
    import pandas as pd
    df = pd.read_csv(_package_file("arch", "data", "sp500", "sp500.csv.gz"))  # what arch's load() reads
    df["Date"] = pd.to_datetime(df["Date"])
    df = df.set_index("Date").astype(float)
    df.columns = [c.lower().replace(" ", "_") for c in df.columns]
    df.index.name = "date"
    return df.loc[start:end]


def load_french():
    """Ken French's monthly data, 1949-01 .. 2017-03 (819 months), from `linearmodels`.

    Returns a DataFrame indexed by month (first day) with MktRF, SMB, HML, Mom, RF and 30
    portfolio returns (simple, not excess, as decimals): 12 industries NoDur..Other,
    9 size-value S1V1..S5V5, 9 size-momentum S1M1..S5M5.
    """
    import pandas as pd
    df = pd.read_csv(_package_file("linearmodels", "datasets", "french", "french.csv.bz2"),
                     compression="bz2")
    df["dates"] = pd.to_datetime(df["dates"])
    return df.set_index("dates").rename_axis("date").astype(float)


def load_french_panel(excess=True):
    """The real panel of Part IV: (returns, factors), two DataFrames on the same monthly index.

    returns: (819, n) portfolio returns, in excess of RF when `excess`; factors: MktRF, SMB,
    HML, Mom, RF.
    """
    df = load_french()
    names = [c for c in PORTFOLIOS if c in df.columns]
    rets = df[names].sub(df["RF"], axis=0) if excess else df[names]
    return rets, df[FACTORS]


def planted_series(n=2500, ic=0.05, vol=0.01, drift=0.0002, start="2000-01-03", seed=None):
    """A daily series whose next return is predictable from a visible signal with known IC.

    signal_t ~ N(0, 1) iid; ret_{t+1} = drift + vol * (ic * signal_t + sqrt(1 - ic^2) * e_{t+1}),
    so corr(signal_t, ret_{t+1}) = ic exactly in the population.

    Returns a DataFrame on business days: signal, ret (the return of that day), close.
    """
    import pandas as pd
    rng = backend.make_rng(seed)
    s, e = rng.standard_normal(n), rng.standard_normal(n)  # (n,), (n,)
    ret = np.empty(n)
    ret[0] = drift + vol * e[0]
    ret[1:] = drift + vol * (ic * s[:-1] + np.sqrt(1 - ic**2) * e[1:])  # (n-1,)
    idx = pd.bdate_range(start, periods=n, name="date")
    return pd.DataFrame({"signal": s, "ret": ret, "close": 100 * np.cumprod(1 + ret)}, index=idx)


def planted_panel(n_dates=360, n_assets=30, ic=0.1, lookback=12, skip=1, vol=0.05, market_vol=0.04,
                  start="1990-01-01", seed=None, shape="linear"):
    """A monthly panel whose 12-1 momentum predicts next month's return with a known IC.

    signal_t = cross-sectional z-score of sum(r_{t-lookback+1 .. t-skip}) (the momentum
    feature of `panel_features`); r_{t+1,i} = m_{t+1} + vol * (ic * signal_{t,i} +
    sqrt(1 - ic^2) * e_{t+1,i}), with a market return m common to all assets (it leaves
    the cross-section untouched). The population cross-sectional IC of signal is `ic`;
    its rank IC is (6/pi) * arcsin(ic/2), about 0.955 * ic.

    shape="nonlinear" plants z(signal^2) instead of signal ("both tails win": a U shape whose
    linear correlation with a symmetric signal is 0, small with the skew the U itself adds to
    returns), with the same IC.

    Returns (returns, factors): DataFrames of shape (n_dates, n_assets) and (n_dates, 3)
    (MktRF = m, SMB and HML pure noise), monthly index starting at `start`.
    """
    import pandas as pd
    rng = backend.make_rng(seed)
    e = rng.standard_normal((n_dates, n_assets))  # (D, A)
    m = market_vol * rng.standard_normal(n_dates)  # (D,)
    r = np.empty((n_dates, n_assets))
    r[:lookback] = m[:lookback, None] + vol * e[:lookback]  # warm-up: no signal yet
    for t in range(lookback - 1, n_dates - 1):  # sequential: the signal reads past returns
        mom = r[t - lookback + 1:t - skip + 1].sum(axis=0)  # (A,)
        z = (mom - mom.mean()) / mom.std()
        if shape == "nonlinear":
            z = (z * z - (z * z).mean()) / (z * z).std()
        r[t + 1] = m[t + 1] + vol * (ic * z + np.sqrt(1 - ic**2) * e[t + 1])
    idx = pd.date_range(start, periods=n_dates, freq="MS", name="date")
    rets = pd.DataFrame(r, index=idx, columns=[f"A{i:02d}" for i in range(n_assets)])
    noise = 0.02 * rng.standard_normal((n_dates, 2))
    factors = pd.DataFrame({"MktRF": m, "SMB": noise[:, 0], "HML": noise[:, 1]}, index=idx)
    return rets, factors
