"""Property-based tests (hypothesis, derandomized so every run draws the same examples):
random layer configurations and shapes, and generated broker CSV files.

Each property states what must hold for EVERY example: a layer's output has the shape
`compute_output_shape` promises, is finite, and its backward matches finite differences;
a valid CSV written in any supported style reads back to the same numbers; a file with
one planted fault is refused with a message naming that fault and its row.
"""
import io

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import bricks
from bricks.quant import data
from bricks.teaching import gradcheck

FAST = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SMOOTH = ["linear", "tanh", "sigmoid", "softplus"]  # no kinks: finite differences stay exact


@st.composite
def layer_and_input(draw):
    """A random (layer, input shape) among the differentiable families."""
    n = draw(st.integers(1, 3))
    kind = draw(st.sampled_from(["dense", "conv1d", "conv2d", "pool1d", "rnn", "norm", "reshape"]))
    if kind == "dense":
        shape = (n, *draw(st.lists(st.integers(1, 4), min_size=1, max_size=2)))
        return bricks.Dense(draw(st.integers(1, 4)), draw(st.sampled_from(SMOOTH))), shape
    if kind == "conv1d":
        k, s, d = draw(st.integers(1, 3)), draw(st.integers(1, 2)), draw(st.integers(1, 2))
        pad = draw(st.sampled_from(["valid", "same", "causal"]))
        s = 1 if d > 1 else s  # Keras: strides > 1 with dilation > 1 is not supported
        t = draw(st.integers((k - 1) * d + 1, 7))
        return bricks.Conv1D(draw(st.integers(1, 3)), k, strides=s, padding=pad, dilation_rate=d,
                             activation=draw(st.sampled_from(SMOOTH))), (n, t, draw(st.integers(1, 3)))
    if kind == "conv2d":
        k, pad = draw(st.integers(1, 3)), draw(st.sampled_from(["valid", "same"]))
        h, w = draw(st.integers(k, 5)), draw(st.integers(k, 5))
        return bricks.Conv2D(draw(st.integers(1, 2)), k, strides=draw(st.integers(1, 2)), padding=pad), (n, h, w, 2)
    if kind == "pool1d":
        p = draw(st.integers(1, 3))
        padding = draw(st.sampled_from(["valid", "same"]))
        return bricks.AveragePooling1D(p, padding=padding), (n, draw(st.integers(p, 7)), 2)
    if kind == "rnn":
        cls = draw(st.sampled_from([bricks.SimpleRNN, bricks.LSTM, bricks.GRU]))
        layer = cls(draw(st.integers(1, 3)), return_sequences=draw(st.booleans()), go_backwards=draw(st.booleans()))
        return layer, (n, draw(st.integers(1, 4)), draw(st.integers(1, 3)))
    if kind == "norm":
        shape = (draw(st.integers(2, 4)), *draw(st.lists(st.integers(2, 3), min_size=1, max_size=2)))
        return draw(st.sampled_from([bricks.LayerNormalization(), bricks.BatchNormalization()])), shape
    shape = (n, draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    return draw(st.sampled_from([bricks.Flatten(), bricks.Reshape((-1,))])), shape


@FAST
@given(layer_and_input(), st.integers(0, 2**16))
def test_any_layer_configuration_has_the_promised_shape_a_finite_output_and_exact_gradients(case, seed):
    layer, shape = case
    x = np.random.default_rng(seed).standard_normal(shape)
    training = isinstance(layer, bricks.BatchNormalization)
    y = layer.forward(x, training=training)
    promised = tuple(layer.compute_output_shape((None, *shape[1:])))  # (None, ...)
    assert y.shape == (shape[0], *promised[1:])
    assert np.isfinite(y).all()
    errs = gradcheck.check_layer(layer, x, training=training)
    assert max(errs.values()) < 1e-6, errs


# ---- generated broker files -----------------------------------------------------------------------
@st.composite
def price_table(draw):
    """(dates, ohlcv rows): a valid daily table of 2..12 rows with 1-4 day steps."""
    n = draw(st.integers(2, 12))
    steps = draw(st.lists(st.integers(1, 4), min_size=n - 1, max_size=n - 1))
    dates = np.datetime64("2021-01-04") + np.concatenate([[0], np.cumsum(steps)]).astype("timedelta64[D]")
    rows = []
    for _ in range(n):
        lo = draw(st.integers(100, 500_000)) / 100  # cents: exact in any written style
        o, c = lo + draw(st.integers(0, 5000)) / 100, lo + draw(st.integers(0, 5000)) / 100
        hi = max(o, c) + draw(st.integers(0, 5000)) / 100
        rows.append((round(o, 2), round(hi, 2), lo, round(c, 2), draw(st.integers(0, 10**9))))
    return [str(d) for d in dates], rows


STYLES = {  # name: (header, date format, number format, delimiter, load_csv kwargs)
    "english csv": (["date", "open", "high", "low", "close", "volume"], lambda d: d, "{:.2f}".format, ",", {}),
    "通达信 tab": (["日期", "开盘", "最高", "最低", "收盘", "成交量"], lambda d: d.replace("-", "/"),
                 "{:.2f}".format, "\t", {}),
    "tushare": (["trade_date", "open", "high", "low", "close", "vol"], lambda d: d.replace("-", ""),
                "{:.2f}".format, ",", {}),
    "grouped": (["Date", "Open", "High", "Low", "Close", "Volume"], lambda d: d, '"{:,.2f}"'.format, ",", {}),
    "european": (["date", "open", "high", "low", "close", "volume"],
                 lambda d: f"{d[8:]}.{d[5:7]}.{d[:4]}",
                 lambda v: f"{v:,.2f}".replace(",", " ").replace(".", ",").replace(" ", "."), ";",
                 {"thousands": ".", "decimal": ",", "dayfirst": True}),
}


def write(dates, rows, style, title, footer):
    header, date_fmt, num, sep, _ = STYLES[style]
    lines = (["000300 沪深300 日线"] if title else []) + [sep.join(header)]
    lines += [sep.join([date_fmt(d), *(num(v) for v in r[:4]), str(r[4])]) for d, r in zip(dates, rows)]
    return "\n".join(lines + (["数据来源:通达信"] if footer else [])) + "\n"


@FAST
@given(price_table(), st.sampled_from(sorted(STYLES)), st.sampled_from(["utf-8", "utf-8-sig", "gbk", "utf-16"]),
       st.booleans(), st.booleans())
def test_a_valid_file_in_any_style_and_encoding_reads_back_exactly(table, style, encoding, title, footer):
    dates, rows = table
    text = write(dates, rows, style, title, footer)
    df = data.load_csv(io.BytesIO(text.encode(encoding)), **STYLES[style][4])
    assert [str(d.date()) for d in df.index] == dates
    np.testing.assert_array_equal(df[["open", "high", "low", "close", "volume"]].to_numpy(), np.array(rows, float))


FAULTS = {  # name: (edit of row i's fields [date, o, h, l, c, v], the message's pattern)
    "inf close": (lambda f: f.__setitem__(4, "inf"), r"finite values in column 'close'"),
    "zero open": (lambda f: f.__setitem__(1, "0"), r"prices > 0 in column 'open'"),
    "high below low": (lambda f: f.__setitem__(2, str(float(f[3]) - 1)), r"low <= .* <= high"),
    "negative volume": (lambda f: f.__setitem__(5, "-3"), r"volume >= 0"),
    "text price": (lambda f: f.__setitem__(3, "n/a?"), r"a number in every row of column 'low'"),
    "empty price": (lambda f: f.__setitem__(1, ""), r"a value in every row of column 'open'"),
    "bad date": (lambda f: f.__setitem__(0, "2021-02-30"), r"a readable date"),
}


@FAST
@given(price_table(), st.sampled_from(sorted(FAULTS)), st.data())
def test_one_planted_fault_is_named_with_its_row(table, fault, pick):
    dates, rows = table
    i = pick.draw(st.integers(0, len(rows) - 1))
    lines = write(dates, rows, "english csv", False, False).splitlines()
    fields = lines[i + 1].split(",")
    edit, pattern = FAULTS[fault]
    edit(fields)
    lines[i + 1] = ",".join(fields)
    with pytest.raises(ValueError, match=rf"^load_csv\(file\): expected {pattern}.*row={i + 1}"):
        data.load_csv(io.StringIO("\n".join(lines) + "\n"))


# ---- random models through save and load --------------------------------------------------------
OPTIMIZER_CHOICES = [lambda: bricks.SGD(0.05, momentum=0.9), lambda: bricks.Adam(0.01),
                     lambda: bricks.RMSprop(0.01, centered=True),
                     lambda: bricks.Adam(bricks.ExponentialDecay(0.02, 3, 0.7), clipnorm=1.0)]


@st.composite
def small_model(draw):
    """(model, x, y): a compiled random Sequential on sequences (N, T, D) or rows (N, D)."""
    seq = draw(st.booleans())
    shape = (draw(st.integers(2, 4)), draw(st.integers(1, 3))) if seq else (draw(st.integers(1, 4)),)
    layers = [bricks.Input(shape)]
    if seq:
        kind = draw(st.sampled_from(["rnn", "conv"]))
        layers.append(draw(st.sampled_from([bricks.SimpleRNN, bricks.LSTM, bricks.GRU]))(draw(st.integers(1, 3)))
                      if kind == "rnn" else bricks.Conv1D(2, 2, padding="causal", activation="tanh"))
        if kind == "conv":
            layers.append(bricks.Flatten())
    for _ in range(draw(st.integers(0, 2))):
        layers.append(draw(st.sampled_from([
            lambda: bricks.Dense(draw(st.integers(1, 4)), draw(st.sampled_from(SMOOTH + ["relu"]))),
            lambda: bricks.BatchNormalization(), lambda: bricks.LayerNormalization(),
            lambda: bricks.Dropout(0.2, seed=draw(st.integers(0, 9)))]))())
    layers.append(bricks.Dense(1))
    model = bricks.Sequential(layers).compile(optimizer=draw(st.sampled_from(OPTIMIZER_CHOICES))(), loss="mse")
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.standard_normal((12, *shape))
    return model, x, rng.standard_normal((12, 1))


@FAST
@given(small_model())
def test_any_model_saved_and_loaded_predicts_and_trains_on_identically(case):
    import os
    import tempfile
    model, x, y = case
    bricks.set_random_seed(0)
    model.fit(x, y, epochs=1, batch_size=4, verbose=0)
    with tempfile.TemporaryDirectory() as folder:
        same = bricks.load_model(model.save(os.path.join(folder, "m.npz")))
    np.testing.assert_array_equal(same.predict(x), model.predict(x))
    for m in (model, same):  # resumed training: the same seed, the same steps, the same numbers
        bricks.set_random_seed(1)
        m.fit(x, y, epochs=1, batch_size=4, seed=3, verbose=0)
    for a, b in zip(model.get_weights(), same.get_weights()):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
