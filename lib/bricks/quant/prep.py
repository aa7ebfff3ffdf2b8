"""Preparing time series without peeking: windows, walk-forward splits, scalers, panel features.

Every function here only ever looks backwards. A window ending at date t holds rows
t-T+1..t; a walk-forward split trains on dates strictly before its test window, with a
`gap` of dropped dates so that no training label (which looks `gap` dates ahead) is
realised inside the test window; a scaler is fitted on the training part and then only
applied; a rolling z-score at t uses rows up to t. Exposed as `bricks.quant.data.*`.

    >>> X = sliding_windows(np.arange(10.0)[:, None], 3)          # (8, 3, 1)
    >>> X.shape, X[0].ravel(), X[-1].ravel()                      # windows end at rows 2..9
    ((8, 3, 1), array([0., 1., 2.]), array([7., 8., 9.]))
    >>> for split in walk_forward(np.arange(10), train_size=4, test_size=2, gap=1):
    ...     print(split.train, split.test)                        # the gap date is in neither
    [0 1 2 3] [5 6]
    [2 3 4 5] [7 8]
"""
from collections import namedtuple

import numpy as np

from bricks import errors

__all__ = ["sliding_windows", "walk_forward", "Split", "StandardScaler", "MinMaxScaler", "rolling_zscore",
           "finite_rows", "drop_nonfinite", "fill_forward", "cross_sectional_zscore", "cross_sectional_rank",
           "panel_features", "panel_windows",
           "coverage", "Windows"]

Split = namedtuple("Split", "train test train_dates test_dates")
Split.__doc__ = "Index arrays of one walk-forward fold, and (first, last) date of each side."


def sliding_windows(x, window):
    """All windows of `window` consecutive rows: out[i] = x[i : i + window].

    Input shape: (N, ...). Output shape: (N - window + 1, window, ...), a copy.
    Window i ends at row i + window - 1, so it pairs with a target known after that row.
    """
    x = np.asarray(x)
    if not 1 <= window <= len(x):
        errors.fail("sliding_windows", f"1 <= window <= len(x) = {len(x)}", window=window)
    idx = np.arange(len(x) - window + 1)[:, None] + np.arange(window)[None, :]  # (N-T+1, T)
    return x[idx]  # (N-T+1, T, ...)


def walk_forward(dates, train_size, test_size, gap=1, step=None, expanding=False):
    """Walk-forward folds by date: train on the past, skip `gap` dates, test on the next block.

    Sizes count distinct dates, so a panel (several rows per date) splits by date, never
    by row. Fold k tests on dates u[s : s + test_size] with s = train_size + gap + k * step
    and trains on u[s - gap - train_size : s - gap] (from u[0] when `expanding`). A training
    sample dated d with a label that looks h <= gap dates ahead is realised before the test.

    Args:
        dates: (N,) the decision date of each sample (any sortable type; need not be sorted).
        train_size, test_size: number of distinct dates in each side.
        gap: dates dropped between the two (>= the label horizon).
        step: dates the window moves each fold (default test_size: tests tile the future).
        expanding: keep all the past in the training set instead of a rolling window.
    Returns:
        A list of `Split(train, test, train_dates, test_dates)`: index arrays into `dates`.
    """
    dates = np.asarray(dates)
    uniq = np.unique(dates)  # sorted distinct dates
    step = test_size if step is None else step
    if min(train_size, test_size, step) < 1 or gap < 0:
        errors.fail("walk_forward", "train_size, test_size, step >= 1 and gap >= 0",
                    train_size=train_size, test_size=test_size, step=step, gap=gap)
    if train_size + gap + test_size > len(uniq):
        errors.fail("walk_forward", f"train_size + gap + test_size <= {len(uniq)} distinct dates",
                    train_size=train_size, gap=gap, test_size=test_size)
    pos = np.searchsorted(uniq, dates)  # (N,) rank of each sample's date
    folds = []
    for s in range(train_size + gap, len(uniq) - test_size + 1, step):
        lo = 0 if expanding else s - gap - train_size
        train = np.flatnonzero((pos >= lo) & (pos < s - gap))
        test = np.flatnonzero((pos >= s) & (pos < s + test_size))
        folds.append(Split(train, test, (uniq[lo], uniq[s - gap - 1]), (uniq[s], uniq[s + test_size - 1])))
    return folds


class StandardScaler:
    """z = (x - mean) / std, with mean and std fitted on the training part only.

    Statistics are taken over every axis but the last (features), so (N, F) and windowed
    (N, T, F) inputs share one mean per feature. NaN entries (missing rows of an unbalanced
    panel) are left out of the statistics and stay NaN. `transform` never refits.
    """

    def __init__(self, eps=1e-12):
        self.eps, self.mean_, self.scale_ = eps, None, None

    def fit(self, x):
        x = np.asarray(x, dtype=float)
        axes = tuple(range(x.ndim - 1))
        mean, std = (x.mean, x.std) if np.isfinite(x).all() else (
            lambda axis: np.nanmean(x, axis=axis), lambda axis: np.nanstd(x, axis=axis))
        self.mean_ = mean(axis=axes)  # (F,) over the entries present
        self.scale_ = np.maximum(std(axis=axes), self.eps)  # (F,)
        return self

    def _fitted(self):
        if self.mean_ is None:
            raise RuntimeError("StandardScaler: transform() called before fit()")

    def transform(self, x):
        self._fitted()
        return (np.asarray(x, dtype=float) - self.mean_) / self.scale_

    def inverse_transform(self, z):
        self._fitted()
        return np.asarray(z, dtype=float) * self.scale_ + self.mean_

    def fit_transform(self, x):
        return self.fit(x).transform(x)


class MinMaxScaler(StandardScaler):
    """z = (x - min) / (max - min) * (hi - lo) + lo, fitted on the training part only.

    The scaler of the recipe in circulation, which fits it on the whole series: the
    test period's maximum then leaks into every training input.
    """

    def __init__(self, feature_range=(0.0, 1.0), eps=1e-12):
        super().__init__(eps)
        self.feature_range = feature_range

    def fit(self, x):
        x = np.asarray(x, dtype=float)
        axes = tuple(range(x.ndim - 1))
        lo, hi = self.feature_range
        xmin, xmax = np.nanmin(x, axis=axes), np.nanmax(x, axis=axes)  # (F,), (F,) entries present
        self.scale_ = np.maximum(xmax - xmin, self.eps) / (hi - lo)
        self.mean_ = xmin - lo * self.scale_  # so that (x - mean_) / scale_ maps [min, max] to [lo, hi]
        return self


def rolling_zscore(x, window, min_periods=None, eps=1e-12):
    """z_t = (x_t - m_t) / sqrt(v_t + eps) along axis 0, m_t and v_t over rows t-w+1..t: the past only.

    m_t is the mean of the window and v_t = mean((x_i - m_t)^2) its variance, computed in
    two passes over each window (not from running sums of x and x^2, whose difference loses
    every digit when the level is large: 1e6 + N(0, 1) gave |z| up to 3e6). NaN and inf
    entries are skipped; a row whose window holds fewer than `min_periods` (default
    `window`) finite values, or whose own value is not finite, is NaN.
    Input shape: (N, ...). Output shape: same.

    >>> np.round(rolling_zscore(1e6 + np.array([0.0, 1.0, 2.0, 1.0]), 3), 3)
    array([   nan,    nan,  1.225, -0.707])
    """
    x = np.asarray(x, dtype=float)
    min_periods = window if min_periods is None else min_periods
    if not (isinstance(window, (int, np.integer)) and window >= 1 and 1 <= min_periods <= window):
        errors.fail("rolling_zscore", "an integer window >= 1 and 1 <= min_periods <= window",
                    window=window, min_periods=min_periods)
    xp = np.concatenate([np.full((window - 1, *x.shape[1:]), np.nan), x])  # (N+w-1, ...)
    z = np.full_like(x, np.nan)
    rows = max(1, 2**20 // (window * max(1, int(np.prod(x.shape[1:])))))  # ~8 MB temporaries
    for lo in range(0, len(x), rows):
        hi = min(lo + rows, len(x))
        W = np.lib.stride_tricks.sliding_window_view(xp[lo:hi + window - 1], window, axis=0)  # (c, ..., w)
        ok = np.isfinite(W)
        n = ok.sum(axis=-1)  # (c, ...) finite values in each window
        mean = np.where(ok, W, 0.0).sum(axis=-1) / np.maximum(n, 1)  # (c, ...) pass 1
        dev = np.where(ok, W - mean[..., None], 0.0)  # (c, ..., w)
        var = (dev * dev).sum(axis=-1) / np.maximum(n, 1)  # (c, ...) pass 2
        here = np.isfinite(x[lo:hi]) & (n >= min_periods)
        z[lo:hi][here] = ((x[lo:hi] - mean) / np.sqrt(var + eps))[here]
    return z


def finite_rows(*arrays):
    """(N,) bool: True where row i of every array is finite (no NaN, no inf in any column)."""
    arrays = [np.asarray(a, dtype=float) for a in arrays]
    if len({len(a) for a in arrays}) > 1:
        errors.fail("finite_rows", "arrays of the same length", lengths=[len(a) for a in arrays])
    keep = np.ones(len(arrays[0]), dtype=bool)
    for a in arrays:
        keep &= np.isfinite(a.reshape(len(a), -1)).all(axis=1)
    return keep


def drop_nonfinite(*arrays):
    """The rows (axis 0) where every array is finite, taken from each: `x, y = drop_nonfinite(x, y)`.

    Dropping a row uses no other row, so it cannot leak; it does break the spacing of a
    time series, so drop before making windows only if the gaps do not matter.

    >>> drop_nonfinite(np.array([[1.0], [np.nan], [3.0]]), np.array([1.0, 2.0, np.inf]))
    (array([[1.]]), array([1.]))
    """
    keep = finite_rows(*arrays)
    out = tuple(np.asarray(a)[keep] for a in arrays)
    return out[0] if len(out) == 1 else out


def fill_forward(x, limit=None):
    """Each NaN or inf replaced by the last finite value above it in its column: the past only.

    A leading gap stays NaN (there is no past to fill it from); `limit` caps how many
    consecutive rows one value may fill. Like pandas' `ffill`, never `bfill` (the future).
    Input shape: (N, ...). Output shape: same (a copy).

    >>> fill_forward(np.array([np.nan, 1.0, np.inf, np.nan, 4.0]), limit=1)
    array([nan,  1.,  1., nan,  4.])
    """
    x = np.array(x, dtype=float)
    t = np.arange(len(x)).reshape(-1, *[1] * (x.ndim - 1))  # (N, 1...)
    last = np.maximum.accumulate(np.where(np.isfinite(x), t, -1), axis=0)  # (N, ...) last finite row
    out = np.take_along_axis(x, np.maximum(last, 0), axis=0)
    stale = (last < 0) if limit is None else (last < 0) | (t - last > limit)
    out[stale] = np.nan
    return out


def cross_sectional_zscore(x, eps=1e-12):
    """Standardise each date's cross-section: (x - mean over assets) / std over assets.

    Input shape: (D, A) or (D, A, F) with NaN for missing assets. Uses same-date data only.
    """
    x = np.asarray(x, dtype=float)
    ok = ~np.isnan(x)
    n = np.maximum(ok.sum(axis=1, keepdims=True), 1)  # (D, 1, ...) assets present (all-NaN dates stay NaN)
    mean = np.where(ok, x, 0.0).sum(axis=1, keepdims=True) / n  # (D, 1, ...)
    std = np.sqrt(np.where(ok, (x - mean) ** 2, 0.0).sum(axis=1, keepdims=True) / n)
    return (x - mean) / (std + eps)


def cross_sectional_rank(x):
    """Each date's ranks over the assets present, scaled to [-0.5, 0.5] (average rank for ties).

    r_{t,i} = (rank_{t,i} - 1) / (n_t - 1) - 0.5 with n_t the number of finite entries of
    row t: an asset not listed (NaN) gets NaN and does not stretch the scale, so every date
    with two or more assets spans exactly [-0.5, 0.5]; a date with one asset gets 0.
    Input/Output: (D, A).

    >>> cross_sectional_rank(np.array([[3.0, np.nan, 1.0, 2.0]]))
    array([[ 0.5,  nan, -0.5,  0. ]])
    """
    from bricks.quant.evaluation import rankdata
    x = np.asarray(x, dtype=float)
    x = np.where(np.isfinite(x), x, np.nan)
    r = rankdata(x, axis=1)  # (D, A) 1..n_t, NaN where missing
    n = np.isfinite(x).sum(axis=1, keepdims=True)  # (D, 1) assets present that date
    out = np.where(n > 1, (r - 1) / np.maximum(n - 1, 1) - 0.5, 0.0)  # (D, A)
    out[np.isnan(r)] = np.nan
    return out


def _window_sum(r, lo, hi, min_periods):
    """sum of the finite r[t-hi .. t-lo] (hi >= lo >= 0 rows back) per column, and their count.

    From cumulative sums of the zero-filled values and of the presence mask, so a NaN
    (a month not listed, a suspension) removes one term from the windows that contain it,
    instead of poisoning every later sum. NaN where fewer than `min_periods` terms exist.
    """
    D = len(r)
    ok = np.isfinite(r)
    c = np.concatenate([np.zeros((1, *r.shape[1:])), np.cumsum(np.where(ok, r, 0.0), axis=0)])  # (D+1, A)
    k = np.concatenate([np.zeros((1, *r.shape[1:])), np.cumsum(ok, axis=0)])  # (D+1, A)
    out, n = np.full(r.shape, np.nan), np.zeros(r.shape)
    t = np.arange(hi, D)  # rows with a full window of rows behind them
    out[t] = c[t - lo + 1] - c[t - hi]  # sum over rows t-hi .. t-lo
    n[t] = k[t - lo + 1] - k[t - hi]
    out[n < min_periods] = np.nan
    return out, n


def _window_std(r, window, min_periods):
    """std (ddof 0) of the finite r over the last `window` rows, NaN under `min_periods` values."""
    out = np.full(r.shape, np.nan)
    W = sliding_windows(r, window)  # (D-w+1, w, A)
    ok = np.isfinite(W)
    n = ok.sum(axis=1)  # (D-w+1, A)
    full = n == window
    out[window - 1:][full] = W.std(axis=1)[full]  # the plain formula where the window is complete
    part = (n >= min_periods) & ~full
    if part.any():
        mean = np.where(ok, W, 0.0).sum(axis=1) / np.maximum(n, 1)  # (D-w+1, A)
        var = np.where(ok, (W - mean[:, None]) ** 2, 0.0).sum(axis=1) / np.maximum(n, 1)
        out[window - 1:][part] = np.sqrt(var)[part]
    return out


def panel_features(returns, factors=None, mom=12, skip=1, vol=12, beta=36, min_share=2 / 3):
    """Per-date, per-asset features computed from returns up to and including that date.

    mom: sum of r over t-mom+1 .. t-skip (12-1 momentum); ret1: r_t (last period's return);
    vol: std of r over t-vol+1 .. t; beta_<f>: slope of r on each factor over the last
    `beta` months (multiple regression with intercept), if `factors` is given.

    A NaN return (an asset not yet listed, delisted, suspended) is a missing term, not a
    poison: each window statistic uses the finite returns it contains and is NaN only when
    they are fewer than `min_share` of the window (so an asset listed in month 5 has
    momentum from month 5 + 8 on, and one suspended month costs nothing). On a panel
    without NaN this is exactly the full-window formula.

    Args:
        returns: (D, A) array or DataFrame of period returns, NaN where missing.
        factors: (D, K) array or DataFrame on the same dates, or None.
    Returns:
        (features, names): features of shape (D, A, F), NaN until the history is long enough.
    """
    r = np.asarray(returns, dtype=float)  # (D, A)
    r = np.where(np.isfinite(r), r, np.nan)
    D, A = r.shape
    need = lambda w: max(1, int(np.ceil(min_share * w)))  # noqa: E731  least finite terms in a window
    feats, names = [], ["mom", "ret1", "vol"]
    m, _ = _window_sum(r, skip, mom - 1, need(mom - skip))  # sum r[t-mom+1 .. t-skip]
    feats += [m, r.copy(), _window_std(r, vol, need(vol))]
    if factors is not None:
        fnames = list(getattr(factors, "columns", [f"f{k}" for k in range(np.shape(factors)[1])]))
        f = np.asarray(factors, dtype=float)  # (D, K)
        X = np.concatenate([np.ones((D, 1)), f], axis=1)  # (D, K+1)
        Xw, Yw = sliding_windows(X, beta), sliding_windows(r, beta)  # (W, B, K+1), (W, B, A)
        ok = np.isfinite(Yw)  # (W, B, A) the months each asset's regression may use
        if ok.all():  # balanced panel: one design matrix per window, shared by every asset
            XtX = np.einsum("wbk,wbj->wkj", Xw, Xw)  # (W, K+1, K+1)
            XtY = np.einsum("wbk,wba->wka", Xw, Yw)  # (W, K+1, A)
            coef = np.linalg.solve(XtX, XtY)  # (W, K+1, A)
        else:  # each asset regresses on its own present months
            XtX = np.einsum("wbk,wbj,wba->wakj", Xw, Xw, ok)  # (W, A, K+1, K+1)
            XtY = np.einsum("wbk,wba->wak", Xw, np.where(ok, Yw, 0.0))  # (W, A, K+1)
            good = ok.sum(axis=1) >= max(need(beta), X.shape[1] + 2)  # (W, A)
            XtX[~good] = np.eye(X.shape[1])  # placeholder, result discarded below
            coef = np.linalg.solve(XtX, XtY[..., None])[..., 0]  # (W, A, K+1)
            coef[~good] = np.nan
            coef = coef.transpose(0, 2, 1)  # (W, K+1, A)
        for k, name in enumerate(fnames):
            b = np.full((D, A), np.nan)
            b[beta - 1:] = coef[:, k + 1]
            feats.append(b)
            names.append(f"beta_{name}")
    return np.stack(feats, axis=-1), names  # (D, A, F)


def coverage(features, returns, names=None):
    """Share of the (date, asset) cells with a finite return that have each feature: a dict.

    On an unbalanced panel this is the number to read before training: a feature finite on
    a small share of the listed cells removes the rest from every model that needs it.
    """
    f, r = np.asarray(features, dtype=float), np.asarray(returns, dtype=float)
    listed = np.isfinite(r)  # (D, A)
    names = names or [f"f{k}" for k in range(f.shape[-1])]
    return {n: float(np.isfinite(f[..., k])[listed].mean()) for k, n in enumerate(names)}


class Windows(tuple):
    """(X, y, date_index, asset_index) from `panel_windows`, unpacking as four arrays, plus
    `.dropped`: a dict of how many (date, asset) candidates were left out and why."""

    def __new__(cls, X, y, d, a, dropped):
        self = super().__new__(cls, (X, y, d, a))
        self.dropped = dropped
        return self

    def report(self):
        """One line: rows kept and the count dropped for each reason."""
        why = ", ".join(f"{k} {v:,d}" for k, v in self.dropped.items() if k != "kept" and v)
        return f"{self.dropped['kept']:,d} windows kept" + (f"; dropped: {why}" if why else "")


def panel_windows(features, target, window):
    """Sequences for a per-asset sequence model: each (date, asset) gets its last `window` rows.

    Args:
        features: (D, A, F); target: (D, A), target[t] known after date t+1 (e.g. next return).
    Returns:
        A `Windows` tuple X (n, window, F), y (n,), date_index (n,), asset_index (n,): one
        sample per (date >= window-1, asset) whose window and target are free of NaN, and
        `.dropped`, the count of every other (date, asset) with a finite target, by reason:
        'warm_up' (date < window-1), 'feature_missing' (a NaN inside the window) and, of
        all cells, 'no_target'. Nothing is dropped without being counted.
    """
    f, y = np.asarray(features, dtype=float), np.asarray(target, dtype=float)
    D, A, F = f.shape
    W = sliding_windows(f, window)  # (D-T+1, T, A, F)
    W = W.transpose(0, 2, 1, 3)  # (D-T+1, A, T, F)
    yy = y[window - 1:]  # (D-T+1, A)
    full = ~np.isnan(W).any(axis=(2, 3))  # (D-T+1, A)
    has_y = np.isfinite(yy)
    ok = full & has_y
    d, a = np.nonzero(ok)
    dropped = {"kept": int(ok.sum()), "warm_up": int(np.isfinite(y[:window - 1]).sum()),
               "feature_missing": int((has_y & ~full).sum()), "no_target": int((~np.isfinite(y)).sum())}
    return Windows(W[d, a], yy[d, a], d + window - 1, a, dropped)
