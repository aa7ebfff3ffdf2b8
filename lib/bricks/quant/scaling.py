"""Past-only normalisers for time series, the alternatives to batch statistics (chapter 15).

- `ewma_zscore`: exponential smoothing of the mean and variance, z_t = (x_t - m_{t-1}) /
  s_{t-1}, with m_t = m_{t-1} + a (x_t - m_{t-1}), v_t = (1 - a)(v_{t-1} + a (x_t - m_{t-1})^2),
  a = 1 - 2^(-1/halflife). Day t is scaled by statistics of days before t only.
- `instance_zscore`: each sample's window (N, T, F) standardised per feature over its own
  time axis (instance normalisation). For a window ending at day t it uses days up to t
  only, so it is past-only for a target after the window; with a target at every step it
  is not (the statistics contain the later steps of the same window).

    >>> z = ewma_zscore(np.arange(10.0)[:, None], halflife=5)    # (10, 1), NaN for warm-up
    >>> z.ravel().round(2)                      # a steady climb stays above its past mean
    array([ nan,  nan,  nan,  nan,  nan, 2.56, 2.28, 2.08, 1.92, 1.8 ])
    >>> instance_zscore(np.arange(5.0)[None, :, None]).ravel().round(3)   # one window, own stats
    array([-1.414, -0.707,  0.   ,  0.707,  1.414])
"""
import numpy as np

from bricks import errors

__all__ = ["ewma_zscore", "instance_zscore"]


def ewma_zscore(x, halflife=60, warmup=None, eps=1e-12):
    """z_t = (x_t - m_{t-1}) / sqrt(v_{t-1}) along axis 0, exponentially weighted, past only.

    Input shape (N, ...). Output the same; z is NaN until a column has `warmup` (default
    `halflife`) observations behind it (on a panel without NaN: the first `warmup` rows). A NaN entry
    (a suspension, a date before listing) leaves that column's running
    mean and variance exactly as they were: the statistics age by observations, not by rows,
    so a value after a 100-row gap is scaled like one after no gap.
    """
    x = np.asarray(x, dtype=float)
    if halflife <= 0:
        errors.fail("ewma_zscore", "halflife > 0 (days)", halflife=halflife)
    a = 1 - 2 ** (-1 / halflife)
    warmup = halflife if warmup is None else warmup
    m, v = np.where(np.isnan(x[0]), 0.0, x[0]), np.zeros(x.shape[1:])
    seen = (~np.isnan(x[0])).astype(int)  # observations behind each column's statistics
    z = np.full(x.shape, np.nan)
    for t in range(1, len(x)):  # sequential: each day's statistics come from the days before
        here = ~np.isnan(x[t])  # columns observed today; the others keep m and v
        first = here & (seen == 0)  # a column's first observation starts its statistics
        z[t] = np.where(seen >= warmup, (x[t] - m) / np.sqrt(v + eps), np.nan)
        m = np.where(first, x[t], m)
        d = np.where(here & ~first, x[t] - m, 0.0)
        m, v = m + a * d, np.where(here & ~first, (1 - a) * (v + a * d * d), v)
        seen = seen + here
    return z


def instance_zscore(windows, eps=1e-12):
    """(x - mean over time) / std over time, per sample and feature. Input/Output (N, T, F)."""
    w = np.asarray(windows, dtype=float)
    if w.ndim != 3:
        errors.fail("instance_zscore", "windows of shape (N, T, F)", shape=w.shape)
    mu, sd = w.mean(axis=1, keepdims=True), w.std(axis=1, keepdims=True)  # (N, 1, F)
    return (w - mu) / (sd + eps)
