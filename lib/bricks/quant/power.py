"""Power before verdict: could this test have seen a signal of a given size?

A backtest that finds nothing says something only if it would have found a real signal.
The calibration plants a signal of known strength s (an IC: the correlation between a
visible input and the next return) into data of the chapter's own shape, runs every model
through the same walk-forward evaluation for several seeds, and records the t-statistic
of each model's test IC. The detection rate at strength s is the share of seeds with
t > threshold (2 by default): the power of the test against an effect of that size.

For a forecast whose correlation with the next return is rho over n independent test
observations, t ~ N(rho * sqrt(n), 1) approximately, so the best any model can do is

    power(rho, n) = Phi(rho * sqrt(n) - threshold)                 (`oracle_power`)

A model that estimates its weights from a finite training window does worse; how much
worse is what `calibrate` measures.

    >>> round(oracle_power(0.05, 4000), 2)      # 4000 test days, IC 0.05
    0.88
    >>> r = ic_t([1.0, 2.0, 3.0, 4.0], [1.0, 3.0, 2.0, 4.0])
    >>> round(r["ic"], 2), round(r["t"], 2)
    (0.8, 1.89)
"""
import json
import math
import os
import time

import numpy as np

from bricks import errors

__all__ = ["ic_t", "robust_t", "oracle_power", "calibrate", "detection_rates", "save_table", "load_table",
           "stored_path", "power_table_text"]

TABLES = os.path.join(os.path.dirname(__file__), "tables")


def ic_t(forecast, target):
    """Pooled IC = corr(forecast, target) over all observations, t = r sqrt(n-2) / sqrt(1-r^2).

    NaN pairs are dropped. A constant forecast has no IC: ic = t = 0 (nothing detected).
    """
    f, y = np.asarray(forecast, dtype=float).ravel(), np.asarray(target, dtype=float).ravel()
    if f.shape != y.shape:
        errors.fail("ic_t", "forecast and target of the same size", **{"forecast": f.shape, "target": y.shape})
    ok = ~(np.isnan(f) | np.isnan(y))
    f, y, n = f[ok], y[ok], int(ok.sum())
    if n < 3 or f.std() == 0 or y.std() == 0:
        return {"ic": 0.0, "t": 0.0, "n": n}
    r = float(np.corrcoef(f, y)[0, 1])
    return {"ic": r, "t": r * math.sqrt(n - 2) / math.sqrt(max(1 - r * r, 1e-12)), "n": n}


def robust_t(forecast, target, lags=None):
    """The IC's t with robust standard errors: {'ic', 't_iid', 't_white', 't_nw', 'lags', 'n'}.

    The slope of the standardised target on the standardised forecast is the IC, b = r. Its
    iid t is `ic_t`'s. White's heteroskedasticity-robust variance sums the squared scores
    u_i = x_i e_i (x standardised, e the residual): Var(b) = sum u_i^2 / (sum x_i^2)^2.
    Newey-West adds the autocovariances of u up to `lags` with Bartlett weights
    1 - l/(lags+1) (default lags = floor(4 (n/100)^(2/9))), for volatility that clusters and
    forecasts that overlap. On daily index returns the iid t is often about twice these.

    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal(2000)
    >>> y = 0.1 * x + rng.standard_normal(2000) * (0.3 + x * x)    # noisiest where |x| is large
    >>> out = robust_t(x, y)
    >>> round(out["t_iid"], 1), round(out["t_white"], 1)             # "significant" only if iid
    (2.3, 1.1)
    """
    f, y = np.asarray(forecast, dtype=float).ravel(), np.asarray(target, dtype=float).ravel()
    ok = ~(np.isnan(f) | np.isnan(y))
    f, y = f[ok], y[ok]
    n = len(f)
    base = ic_t(f, y)
    if n < 3 or f.std() == 0 or y.std() == 0:
        return {"ic": 0.0, "t_iid": 0.0, "t_white": 0.0, "t_nw": 0.0, "lags": 0, "n": n}
    x, z = (f - f.mean()) / f.std(), (y - y.mean()) / y.std()
    b = float(x @ z / (x @ x))  # = the IC
    u = x * (z - b * x)  # (n,) scores
    sxx = float(x @ x)
    lags = int(np.floor(4 * (n / 100) ** (2 / 9))) if lags is None else int(lags)
    s_white = float(u @ u)
    s_nw = s_white + sum(2 * (1 - k / (lags + 1)) * float(u[k:] @ u[:-k]) for k in range(1, lags + 1))
    return {"ic": base["ic"], "t_iid": base["t"], "t_white": b / math.sqrt(s_white / sxx**2),
            "t_nw": b / math.sqrt(max(s_nw, 1e-300) / sxx**2), "lags": lags, "n": n}


def oracle_power(ic, n, threshold=2.0):
    """P(t > threshold) for a forecast with true correlation `ic` over `n` observations.

    t ~ N(ic sqrt(n), 1), so the power is Phi(ic sqrt(n) - threshold). Vectorised over ic.
    """
    z = np.asarray(ic, dtype=float) * np.sqrt(n) - threshold
    phi = 0.5 * (1 + np.vectorize(math.erf)(z / math.sqrt(2)))
    return float(phi) if np.ndim(phi) == 0 else phi


def _one(job):
    run, i, j, s, seed = job
    return i, j, run(s, seed)


def calibrate(run, strengths, seeds, threshold=2.0, meta=None, processes=1):
    """Run `run(strength, seed) -> {model: t}` on a grid; the table of t-statistics.

    Args:
        run: one planted experiment; returns the t-statistic of each model's test IC.
        strengths: planted ICs, e.g. (0.02, 0.03, 0.05, 0.10).
        seeds: data/training seeds; each (strength, seed) is one independent experiment.
        threshold: t above which a model "detects" the signal.
        meta: anything JSON-able to store with the table (the settings of the run).
        processes: experiments run at once (a picklable `run`); every experiment seeds
            itself, so the table is the same for any number.
    Returns:
        {"strengths", "seeds", "threshold", "t": {model: (S, R) nested list}, "seconds", "meta"}.
    """
    strengths, seeds = [float(s) for s in strengths], [int(s) for s in seeds]
    t0, t = time.time(), {}
    jobs = [(run, i, j, s, seed) for i, s in enumerate(strengths) for j, seed in enumerate(seeds)]
    if processes > 1:
        import multiprocessing
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            done = pool.map(_one, jobs, chunksize=1)
    else:
        done = map(_one, jobs)
    for i, j, out in done:  # {model: t}
        for name, value in out.items():
            t.setdefault(name, np.full((len(strengths), len(seeds)), np.nan))[i, j] = value
    return {"strengths": strengths, "seeds": seeds, "threshold": float(threshold),
            "t": {k: v.round(6).tolist() for k, v in t.items()}, "seconds": round(time.time() - t0, 1),
            "meta": meta or {}}


def detection_rates(table, threshold=None):
    """{model: (S,) share of seeds with t > threshold} for each planted strength."""
    thr = table["threshold"] if threshold is None else threshold
    return {name: (np.asarray(t) > thr).mean(axis=1) for name, t in table["t"].items()}


def stored_path(name, kind="power"):
    """Where a stored table lives: lib/bricks/quant/tables/KIND-NAME.json (e.g. power-ch14)."""
    return os.path.join(TABLES, f"{kind}-{name}.json")


def save_table(table, path):
    """Write a calibration table as JSON (small: a few hundred numbers)."""
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(table, fh, indent=1)
        fh.write("\n")


def load_table(path):
    """Read a table written by `save_table`."""
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def power_table_text(table, n=None, label="IC"):
    """The detection rates as a text table, one row per model (and the oracle if `n` is given);
    `label` names the strengths in the header ("IC": planted ICs; "x": multipliers of an effect)."""
    rates = detection_rates(table)
    head = f"{'model':22s}" + "".join(f"  {label:>2s} {s:<5.2f}" for s in table["strengths"])
    lines = [head]
    for name, r in rates.items():
        lines.append(f"{name:22s}" + "".join(f"  {v:8.0%}" for v in r))
    if n is not None:
        lines.append(f"{'oracle (known weights)':22s}"
                     + "".join(f"  {oracle_power(s, n, table['threshold']):8.0%}" for s in table["strengths"]))
    return "\n".join(lines)
