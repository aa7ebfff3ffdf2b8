"""The walk-forward pipelines of chapters 14 and 16, as functions (so the power
calibration in tools/power_tables.py runs exactly the code the chapters run).

Each fold fits its own scaler on its own training block, trains a fresh model, and
forecasts the test block; nothing sees a test date or a later one. Two training recipes:

- the chapter's: a fixed number of epochs, one model;
- "tuned": up to `epochs` epochs with early stopping on the last `val_frac` of the training
  block (the most recent past, never the test block), the best epoch's weights restored,
  and the forecasts of `n_models` seeds averaged.

Usage::

    fc = rnn_forecasts(X, y, folds, units=8, epochs=5)             # (N,) NaN off-test
    run = panel_run(rets, factors, train_size=180, test_size=60)   # chapter 16
"""
import numpy as np

from bricks import errors

import bricks
from bricks.quant import prep

__all__ = ["fit_sequence_model", "rnn_forecasts", "linear_forecasts", "panel_run"]


def fit_sequence_model(x_train, y_train, x_test, cell="SimpleRNN", units=8, epochs=5, lr=0.003,
                       batch_size=64, seed=0, patience=None, val_frac=0.2, n_models=1):
    """Train `n_models` cell(units) -> Dense(1) models on (x_train, y_train); mean forecast.

    Input shapes: x_train (N, T, F), y_train (N,), x_test (M, T, F). Output (M,).
    With `patience`, each model stops when the loss on the last `val_frac` of the
    training samples (chronologically last) has not improved for `patience` epochs.
    """
    layer = getattr(bricks, cell)
    out = np.zeros(len(x_test))
    for m in range(n_models):
        bricks.set_random_seed(1000 * seed + m)
        model = bricks.Sequential([bricks.Input(x_train.shape[1:]), layer(units), bricks.Dense(1)])
        model.compile(optimizer=bricks.Adam(lr), loss="mse")
        kw = {}
        if patience is not None:
            kw = {"validation_split": val_frac,
                  "callbacks": [bricks.callbacks.EarlyStopping(patience=patience, restore_best_weights=True)]}
        model.fit(x_train, y_train[:, None], epochs=epochs, batch_size=batch_size, verbose=0,
                  seed=1000 * seed + m, **kw)
        out += model.predict(x_test, batch_size=8192)[:, 0] / n_models  # (M,)
    return out


def rnn_forecasts(X, y, folds, seed=0, **kw):
    """Walk-forward forecasts of y from windows X: (N, T, F), (N,) -> (N,), NaN off-test.

    Per fold: inputs standardised with the training block's mean and std per feature,
    target divided by the training std; forecasts returned in the target's units.
    """
    fc = np.full(len(y), np.nan)
    for k, f in enumerate(folds):
        sx = prep.StandardScaler().fit(X[f.train])  # the past only
        sy = y[f.train].std()
        fc[f.test] = sy * fit_sequence_model(sx.transform(X[f.train]), y[f.train] / sy,
                                             sx.transform(X[f.test]), seed=1000 * seed + k, **kw)
    return fc


def linear_forecasts(X, y, folds, lags=10):
    """Walk-forward least squares of y on the last `lags` rows of every input of X (+ intercept)."""
    Z = X[:, -lags:].reshape(len(X), -1)  # (N, lags * F)
    A = np.column_stack([np.ones(len(X)), Z])  # (N, 1 + lags * F)
    fc = np.full(len(y), np.nan)
    for f in folds:
        coef = np.linalg.lstsq(A[f.train], y[f.train], rcond=None)[0]
        fc[f.test] = A[f.test] @ coef
    return fc


def panel_run(rets, factors, train_size, test_size, T=6, units=8, epochs=5, patience=None,
              n_models=1, seed=0, models=("LSTM", "linear")):
    """Chapter 16's walk-forward on a (months, assets) panel: scores of each model.

    Features from `prep.panel_features`, z-scored across assets each month, windows of T
    months; target the next month's cross-sectional rank in [-0.5, 0.5]; expanding
    training window, one-month gap. Returns {"pred": {model: (D, A)}, "nxt", "months",
    "folds", "dates", "names"}; "momentum" is the raw mom feature on the test months.
    """
    feats, names = prep.panel_features(rets, factors)
    Z = prep.cross_sectional_zscore(feats)  # (D, A, F) relative to the month
    r = np.asarray(rets, dtype=float)
    nxt = np.vstack([r[1:], np.full((1, r.shape[1]), np.nan)])  # (D, A) next month's return
    X, y, d, a = prep.panel_windows(Z, prep.cross_sectional_rank(nxt), T)  # one row per (month, asset)
    folds = prep.walk_forward(d, train_size, test_size, gap=1, expanding=True)
    pred = {k: np.full(r.shape, np.nan) for k in models}
    for k, f in enumerate(folds):
        assert d[f.train].max() + 1 < d[f.test].min()  # training labels realised before the test
        if "LSTM" in models:
            pred["LSTM"][d[f.test], a[f.test]] = fit_sequence_model(
                X[f.train], y[f.train], X[f.test], cell="LSTM", units=units, epochs=epochs, lr=0.01,
                batch_size=256, seed=1000 * seed + k, patience=patience, n_models=n_models)
        if "linear" in models:
            A = np.column_stack([np.ones(len(f.train)), X[f.train, -1]])  # (n, 1 + F)
            coef = np.linalg.lstsq(A, y[f.train], rcond=None)[0]
            pred["linear"][d[f.test], a[f.test]] = np.column_stack([np.ones(len(f.test)), X[f.test, -1]]) @ coef
    months = np.unique(np.concatenate([d[f.test] for f in folds]))
    on_test = np.zeros(r.shape, dtype=bool)
    on_test[months] = True
    pred["momentum"] = np.where(on_test & ~np.isnan(nxt), feats[..., names.index("mom")], np.nan)
    return {"pred": pred, "nxt": nxt, "months": months, "folds": folds, "dates": getattr(rets, "index", None),
            "names": names}


def planted_index(n=5030, ic=0.05, seed=0, window=20):
    """Chapter 14's shapes with a planted signal: windows (N, window, 3), targets (N,), dates.

    The three inputs of each day t are the planted return r_t, the visible signal s_t with
    corr(s_t, r_{t+1}) = ic (`data.planted_series`), and an input of pure noise in the
    third column (where the chapter has the day's range and volume change).
    """
    from bricks import backend
    from bricks.quant import data
    s = data.planted_series(n=n + 1, ic=ic, seed=seed)
    noise = backend.make_rng(seed + 10**6).standard_normal(n + 1)  # (n+1,)
    day = np.column_stack([s["ret"], s["signal"], noise])  # (n+1, 3) known at the close of t
    nxt = np.r_[s["ret"].to_numpy()[1:], np.nan]  # r_{t+1}
    X = prep.sliding_windows(day, window)[:-1]  # (n+1-window, window, 3)
    return X, nxt[window - 1:-1], s.index[window - 1:-1]


def planted_index_world(n=5030, ic=0.05, seed=0, window=20, world="iid"):
    """`planted_index` in a chosen world: 'iid' (Gaussian, constant volatility, linear),
    'clustered' (the S&P 500's own 20-day volatility path 1999-2018 and Student-t (4 df)
    shocks), or 'nonlinear' (r_{t+1} depends on g(s_t) = (s_t^2 - 1)/sqrt(2), a U shape with
    corr(s, g) = 0, so a linear model cannot see it). Also returns the oracle's forecast
    g(s_t) (s_t itself in the linear worlds), aligned with the targets.
    """
    from bricks import backend
    from bricks.quant import data
    rng = backend.make_rng(seed)
    s, noise = rng.standard_normal(n + 1), rng.standard_normal(n + 1)
    if world == "clustered":
        r = data.load_sp500()["close"].pct_change().to_numpy()[1:]
        vol = np.sqrt(np.convolve(np.nan_to_num(r) ** 2, np.ones(20) / 20, mode="full")[:len(r)])
        vol = np.r_[vol[:1], vol][:n + 1]
        vol = 0.01 * vol / vol.mean()
        e = rng.standard_t(4, n + 1) / np.sqrt(2.0)  # unit variance
    elif world in ("iid", "nonlinear"):
        vol, e = np.full(n + 1, 0.01), rng.standard_normal(n + 1)
    else:
        errors.fail("planted_index_world", "world 'iid', 'clustered' or 'nonlinear'", world=world)
    g = (s * s - 1) / np.sqrt(2) if world == "nonlinear" else s
    ret = np.empty(n + 1)
    ret[0] = 0.0002 + vol[0] * e[0]
    ret[1:] = 0.0002 + vol[1:] * (ic * g[:-1] + np.sqrt(1 - ic**2) * e[1:])
    day = np.column_stack([ret, s, noise])  # (n+1, 3) known at the close of t
    nxt = np.r_[ret[1:], np.nan]
    X = prep.sliding_windows(day, window)[:-1]
    dates = np.arange(n + 1)[window - 1:-1]
    return X, nxt[window - 1:-1], dates, g[window - 1:-1]


def index_world_run(ic, seed, world="iid", expanding=False, rnn=True):
    """{model: t} for one planted experiment of `planted_index_world`: the oracle, linear
    (last day) and the chapter's RNN, each with its iid t and its Newey-West t ('... NW')."""
    from bricks.quant import power
    X, y, d, oracle = planted_index_world(ic=ic, seed=seed, world=world)
    folds = prep.walk_forward(d, train_size=1000, test_size=250, gap=1, expanding=expanding)
    test = np.concatenate([f.test for f in folds])
    fc = {"oracle": oracle, "linear (last day)": linear_forecasts(X, y, folds, lags=1)}
    if rnn:
        fc["RNN (chapter)"] = rnn_forecasts(X, y, folds, seed=seed, **INDEX_RECIPES["RNN (chapter)"])
    out = {}
    for name, f in fc.items():
        rt = power.robust_t(f[test], y[test])
        out[name], out[name + " NW"] = rt["t_iid"], rt["t_nw"]
    return out


# The recipes of the power tables (tools/power_tables.py): the chapters' own, and a tuned one.
INDEX_RECIPES = {"RNN (chapter)": {"epochs": 5},
                 "RNN (tuned)": {"epochs": 60, "patience": 10, "n_models": 3}}
PANEL_RECIPES = {"LSTM (chapter)": {"epochs": 5},
                 "LSTM (tuned)": {"epochs": 60, "patience": 10, "n_models": 3}}


def index_power_run(ic, seed, recipes=None):
    """One planted experiment in chapter 14's shapes: {model: t of its pooled test IC}."""
    from bricks.quant import power
    X, y, d = planted_index(ic=ic, seed=seed)
    folds = prep.walk_forward(d, train_size=1000, test_size=250, gap=1)
    test = np.concatenate([f.test for f in folds])
    out = {"linear (last day)": power.ic_t(linear_forecasts(X, y, folds, lags=1)[test], y[test])["t"]}
    for name, kw in (INDEX_RECIPES if recipes is None else recipes).items():
        out[name] = power.ic_t(rnn_forecasts(X, y, folds, seed=seed, **kw)[test], y[test])["t"]
    return out


def panel_world_run(ic, seed, shape="nonlinear"):
    """`panel_power_run` on `data.planted_panel(shape=...)`, chapter recipe only: {model: t}."""
    from bricks import quant
    from bricks.quant import data
    rets, factors = data.planted_panel(n_dates=360, n_assets=30, ic=ic, seed=seed, shape=shape)
    run = panel_run(rets, factors, train_size=180, test_size=60, seed=seed, **PANEL_RECIPES["LSTM (chapter)"])
    m, nxt = run["months"], run["nxt"][run["months"]]
    out = {base: quant.ic_summary(quant.ic_by_date(run["pred"][base][m], nxt))["t"] for base in ("momentum", "linear")}
    out["LSTM (chapter)"] = quant.ic_summary(quant.ic_by_date(run["pred"]["LSTM"][m], nxt))["t"]
    return out


def panel_power_run(ic, seed, recipes=None):
    """One planted experiment in chapter 16's shapes: {model: t of its mean monthly IC}."""
    from bricks import quant
    from bricks.quant import data
    rets, factors = data.planted_panel(n_dates=360, n_assets=30, ic=ic, seed=seed)
    out = {}
    for k, (name, kw) in enumerate((PANEL_RECIPES if recipes is None else recipes).items()):
        run = panel_run(rets, factors, train_size=180, test_size=60, seed=seed, **kw)
        m, nxt = run["months"], run["nxt"][run["months"]]
        if k == 0:
            for base in ("momentum", "linear"):
                out[base] = quant.ic_summary(quant.ic_by_date(run["pred"][base][m], nxt))["t"]
        out[name] = quant.ic_summary(quant.ic_by_date(run["pred"]["LSTM"][m], nxt))["t"]
    return out


def index_windows(px, window=20):
    """Chapter 14's inputs from daily OHLCV: windows (N, window, 3), next returns (N,), dates.

    Day t's inputs: the return r_t of the adjusted close (the close if the file has no
    adj_close column, as an index export has none), the range log(H_t / L_t), the change in
    log volume; the target is r_{t+1}. The window ending on day t pairs with r_{t+1}.
    """
    ret = px["adj_close" if "adj_close" in px.columns else "close"].pct_change().to_numpy()  # r_t
    day = np.column_stack([ret, np.log(px["high"] / px["low"]), np.log(px["volume"]).diff()])[1:]
    nxt = np.r_[ret[2:], np.nan]  # (n-1,) r_{t+1}, aligned with day t
    X = prep.sliding_windows(day, window)[:-1]  # (N, window, 3)
    return X, nxt[window - 1:-1], px.index[1:][window - 1:-1]


def real_runs(name, seeds=range(5)):
    """The chapters' real-data results for several seeds, chapter and tuned recipes.

    ch14: {recipe: {"acc", "ic", "t", "sharpe"} lists over seeds} on the S&P 500;
    ch16: {recipe: {"ic", "t", "net_sharpe"} lists} on the French panel.
    """
    from bricks import quant
    from bricks.quant import data, power
    out = {}
    if name == "ch14":
        X, y, d = index_windows(data.load_sp500())
        folds = prep.walk_forward(d, train_size=1000, test_size=250, gap=1)
        test = np.concatenate([f.test for f in folds])
        for recipe, kw in INDEX_RECIPES.items():
            rows = out[recipe] = {"acc": [], "ic": [], "t": [], "sharpe": []}
            for seed in seeds:
                fc = rnn_forecasts(X, y, folds, seed=seed, **kw)[test]
                it = power.ic_t(fc, y[test])
                net, _ = quant.sign_strategy(fc, y[test], cost_bp=5)
                for k, v in zip(rows, (quant.direction_accuracy(y[test], fc), it["ic"], it["t"], quant.sharpe(net))):
                    rows[k].append(round(float(v), 6))
        return out
    rets, factors = data.load_french_panel()
    for recipe, kw in PANEL_RECIPES.items():
        rows = out[recipe] = {"ic": [], "t": [], "net_sharpe": []}
        for seed in seeds:
            run = panel_run(rets, factors[["MktRF", "SMB", "HML"]], 300, 150, seed=seed, models=("LSTM",), **kw)
            m, p = run["months"], run["pred"]["LSTM"][run["months"]]
            s = quant.ic_summary(quant.ic_by_date(p, run["nxt"][m]))
            _, spread = quant.quantile_returns(p, run["nxt"][m], 5)
            net = quant.apply_costs(spread, quant.turnover(quant.long_short_weights(p, 5)), 10)
            for k, v in zip(rows, (s["mean"], s["t"], quant.sharpe(net, 12))):
                rows[k].append(round(float(v), 6))
    return out


# Section 16b's networks (its `network()` recipe: Adam 0.01, 5 epochs, batches of 256, seed
# 100 * seed + fold), and the attention model of the attention chapters: a small Transformer
# encoder over the 6-month window (qlib's benchmark has one beside its LSTM and GRU).
STOCK_MODELS = {
    "LSTM": lambda: [bricks.LSTM(8), bricks.Dense(1)],
    "GRU": lambda: [bricks.GRU(8), bricks.Dense(1)],
    "Transformer": lambda: [bricks.Dense(16), bricks.Residual([bricks.PositionEmbedding(6)]),
                            bricks.TransformerEncoder(32, num_heads=2), bricks.GlobalAveragePooling1D(),
                            bricks.Dense(1)],
}


def stock_power_run(planted, seed, models=("LightGBM", "LSTM", "GRU", "Transformer")):
    """One planted experiment in section 16b's shapes: {model: Newey-West t of its mean monthly rank IC}.

    The generated A-share panel (`panel.generate`, 500 stocks, 9 years, seed `seed`) with its
    planted effects scaled by `planted` (0: none); month-end features of the index members,
    6-month windows, walk-forward (36 months first, 12 a test block, expanding, one month's
    gap). Rows: the planted score itself (no fitting: the oracle), the linear model on the last
    month, and each model named in `models`: "LightGBM" (`stocks.lightgbm_forecast`, the
    section's boosted trees on all 36 inputs of a window; imports LightGBM) and the networks of
    `STOCK_MODELS`. Fold k of seed s seeds every fitted model with 100 * s + k (the section's
    own panel is seed 0: its fold k, its seed k).
    """
    from bricks import quant
    from bricks.quant import panel, stocks
    m = stocks.monthly_panel(panel.generate(planted=planted, seed=seed))
    X, y, d, a = prep.panel_windows(m["Z"], m["rank"], 6)  # (N, 6, 6), (N,)
    folds = prep.walk_forward(d, train_size=36, test_size=12, gap=1, expanding=True)
    test = np.unique(np.concatenate([d[f.test] for f in folds]))
    Z = m["Z"]  # (M, A, 6): rev20, turn20, size are 3, 4, 5
    oracle = -(0.5 * Z[..., 3] + 0.4 * Z[..., 4] + 0.15 * Z[..., 5])
    preds = {"planted score": np.where(np.isin(np.arange(len(Z)), test)[:, None], oracle, np.nan)}
    preds["linear"] = np.full(m["nxt"].shape, np.nan)
    for name in models:
        preds[name] = np.full(m["nxt"].shape, np.nan)
    networks = [name for name in models if name != "LightGBM"]
    for k, f in enumerate(folds):
        A = np.column_stack([np.ones(len(f.train)), X[f.train, -1]])  # (n, 1 + 6)
        coef = np.linalg.lstsq(A, y[f.train], rcond=None)[0]
        preds["linear"][d[f.test], a[f.test]] = np.column_stack([np.ones(len(f.test)), X[f.test, -1]]) @ coef
        if "LightGBM" in models:
            preds["LightGBM"][d[f.test], a[f.test]] = stocks.lightgbm_forecast(
                X[f.train], y[f.train], X[f.test], seed=100 * seed + k)
        for name in networks:
            bricks.set_random_seed(100 * seed + k)
            model = bricks.Sequential([bricks.Input(X.shape[1:]), *STOCK_MODELS[name]()])
            model.compile(optimizer=bricks.Adam(0.01), loss="mse")
            model.fit(X[f.train], y[f.train, None], epochs=5, batch_size=256, verbose=0, seed=100 * seed + k)
            preds[name][d[f.test], a[f.test]] = model.predict(X[f.test], batch_size=8192)[:, 0]
    return {name: stocks.nw_mean_t(quant.rank_ic_by_date(p, m["nxt"]))["t_nw"] for name, p in preds.items()}
