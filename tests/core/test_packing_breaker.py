"""Trying to break the packed weights (bricks.packing) and the guarded step that relies on them.

Each test compares the packed, guarded behaviour with what the old one (every weight its own
array, the guard copying each) gave: the same weights bit for bit, a refused step leaving
everything as it was, an array a user holds still being the layer's.
"""
import copy
import pickle

import numpy as np
import pytest

import bricks
try:
    from bricks import packing
except ImportError:  # the library before packing (to check these tests pass on the old behaviour)
    packing = None


# ---- models -------------------------------------------------------------------------------------
def _dense(seed):
    return [bricks.Input((6,)), bricks.Dense(8, activation="tanh"), bricks.BatchNormalization(), bricks.Dense(1)]


def _nested(seed):
    inner = bricks.Sequential([bricks.Input((6,)), bricks.Dense(8, activation="tanh"), bricks.BatchNormalization()])
    return [bricks.Input((6,)), inner, bricks.Dense(1)]


def _residual(seed):
    inner = bricks.Sequential([bricks.Dense(6, activation="tanh"), bricks.BatchNormalization()])
    return [bricks.Input((6,)), bricks.Residual([inner]), bricks.Dense(1)]


def _bilstm(seed):
    return [bricks.Input((5, 3)), bricks.Bidirectional(bricks.LSTM(4)), bricks.Dense(1)]


def _encoder(seed):
    return [bricks.Input((5, 4)), bricks.TransformerEncoder(8, num_heads=2), bricks.GlobalAveragePooling1D(),
            bricks.Dense(1)]


def _embedding(seed):
    return [bricks.Input((5,)), bricks.Embedding(10, 4), bricks.Flatten(), bricks.Dense(1)]


def _conv(seed):
    return [bricks.Input((8, 8, 2)), bricks.Conv2D(3, 3), bricks.BatchNormalization(), bricks.Flatten(),
            bricks.Dense(1)]


def _conv1d(seed):
    return [bricks.Input((5, 3)), bricks.Conv1D(4, 2), bricks.GlobalMaxPooling1D(), bricks.Dense(1)]


def _mixed(seed):  # a float32 block in a float64 model
    return [bricks.Input((6,)), bricks.Dense(8, activation="tanh", dtype="float32"), bricks.Dense(1)]


MODELS = {"dense": (_dense, (6,)), "nested": (_nested, (6,)), "residual": (_residual, (6,)),
          "bilstm": (_bilstm, (5, 3)), "encoder": (_encoder, (5, 4)), "embedding": (_embedding, (5,)),
          "conv2d": (_conv, (8, 8, 2)), "conv1d": (_conv1d, (5, 3)), "mixed": (_mixed, (6,))}


def make(kind, seed=0, optimizer=None):
    builder, _ = MODELS[kind]
    bricks.set_random_seed(seed)
    model = bricks.Sequential(builder(seed))
    return model.compile(optimizer=optimizer or bricks.Adam(0.01), loss="mse")


def data(kind, n=24):
    rng = np.random.default_rng(1)
    shape = MODELS[kind][1]
    x = rng.integers(0, 10, (n, *shape)).astype(float) if kind == "embedding" else rng.standard_normal((n, *shape))
    return x, rng.standard_normal((n, 1))


def same(a, b):
    wa, wb = a.get_weights(), b.get_weights()
    assert len(wa) == len(wb)
    for u, v in zip(wa, wb):
        np.testing.assert_array_equal(u, v)


def slots(model):
    return {p: {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in s.items()}
            for p, s in model.optimizer.slots.items()}


def same_slots(a, b):
    assert a.keys() == b.keys()
    for p in a:
        assert a[p].keys() == b[p].keys()
        for k in a[p]:
            np.testing.assert_array_equal(a[p][k], b[p][k])


# ---- 2. guarded fit == unguarded fit, bit for bit ------------------------------------------------------
@pytest.mark.parametrize("kind", sorted(MODELS))
def test_guarded_fit_equals_unguarded_fit(kind):
    x, y = data(kind)
    a, b = make(kind), make(kind)
    a.fit(x, y, epochs=2, batch_size=8, seed=3, verbose=0)
    b.fit(x, y, epochs=2, batch_size=8, seed=3, verbose=0, guard=False)
    same(a, b)
    assert a.optimizer.iterations == b.optimizer.iterations == 6


# ---- 3. a refused step leaves everything as it was ---------------------------------------------------------
def _poison_last_dense(model):
    """The last Dense writes NaN into its kernel's gradient, in place, after its own backward."""
    layer = model.layers[-1]
    original = layer.backward

    def backward(g):
        out = original(g)
        layer.grads["kernel"][0, 0] = np.nan
        return out
    layer.backward = backward


@pytest.mark.parametrize("kind", sorted(MODELS))
def test_a_refused_step_restores_weights_statistics_slots_and_iterations(kind):
    x, y = data(kind)
    model = make(kind)
    model.fit(x, y, epochs=1, batch_size=8, seed=3, verbose=0)
    weights, kept, its = model.get_weights(), slots(model), model.optimizer.iterations
    _poison_last_dense(model)
    assert np.isnan(model.train_on_batch(x[:8], y[:8]))
    for u, v in zip(model.get_weights(), weights):
        np.testing.assert_array_equal(u, v)
    same_slots(slots(model), kept)
    assert model.optimizer.iterations == its


@pytest.mark.parametrize("kind", ["dense", "nested", "bilstm"])
def test_an_overflowing_update_is_refused_and_restored(kind):
    x, y = data(kind)
    model = make(kind, optimizer=bricks.SGD(1e308))
    model.build((None, *MODELS[kind][1]))
    weights = model.get_weights()
    value = model.train_on_batch(x[:8] * 1e3, y[:8] * 1e3)
    assert np.isnan(value)
    for u, v in zip(model.get_weights(), weights):
        np.testing.assert_array_equal(u, v)


# ---- 1. save, load, continue ------------------------------------------------------------------------------
@pytest.mark.parametrize("kind, ext", [(k, "npz") for k in ("nested", "residual", "bilstm", "encoder", "conv2d",
                                                             "mixed", "embedding")]
                         + [(k, "keras") for k in ("dense", "bilstm", "conv2d", "embedding")])  # Keras's layers only
def test_save_load_then_continue_equals_the_uninterrupted_run(tmp_path, kind, ext):
    x, y = data(kind)
    straight, resumed = make(kind), make(kind)
    straight.fit(x, y, epochs=1, batch_size=8, seed=1, verbose=0)
    straight.fit(x, y, epochs=1, batch_size=8, seed=2, verbose=0)
    resumed.fit(x, y, epochs=1, batch_size=8, seed=1, verbose=0)
    resumed = bricks.load_model(resumed.save(tmp_path / f"m.{ext}"))
    resumed.fit(x, y, epochs=1, batch_size=8, seed=2, verbose=0)
    if ext == "npz":
        same(straight, resumed)
    else:  # Keras's file: float32 Adam counts may round; the weights must still agree closely
        for u, v in zip(straight.get_weights(), resumed.get_weights()):
            np.testing.assert_allclose(u, v, rtol=1e-6, atol=1e-9)


@pytest.mark.skipif(packing is None, reason="no packing")
def test_a_loaded_model_is_packed_and_its_pack_holds(tmp_path):
    x, y = data("nested")
    model = make("nested")
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    loaded = bricks.load_model(model.save(tmp_path / "m.npz"))
    assert loaded.packed_weights is not None and loaded.packed_weights.holds(loaded)


# ---- 4. set_weights, trainable, callbacks, add, copies ------------------------------------------------------
def guarded_equals_unguarded(kind, train):
    """Run `train(model, guard)` on two fresh `make(kind)` models, guarded and not: the same weights."""
    runs = []
    for guard in (True, False):
        m = make(kind)
        train(m, guard)
        runs.append(m)
    same(*runs)


def test_trainable_toggled_between_fits_equals_unguarded():
    x, y = data("nested")

    def train(m, guard):
        for seed, trainable in ((1, True), (2, False), (3, True)):
            m.layers[0].trainable = trainable
            m.fit(x, y, epochs=1, batch_size=8, seed=seed, verbose=0, guard=guard)
    guarded_equals_unguarded("nested", train)


def test_a_callback_that_sets_weights_mid_fit_equals_unguarded():
    x, y = data("dense")

    def train(m, guard):
        start = m.get_weights()

        def reset(batch, logs):
            if batch == 1:
                m.set_weights(start)
                m.optimizer.learning_rate = 0.05
        m.fit(x, y, epochs=2, batch_size=8, seed=1, verbose=0, guard=guard,
              callbacks=[bricks.LambdaCallback(on_batch_end=reset)])
    guarded_equals_unguarded("dense", train)


def test_add_after_fit_then_fit_equals_unguarded():
    x, y = data("dense")

    def train(m, guard):
        m.fit(x, y, epochs=1, batch_size=8, seed=1, verbose=0, guard=guard)
        m.add(bricks.Dense(1))
        m.fit(x, y, epochs=1, batch_size=8, seed=2, verbose=0, guard=guard)
    guarded_equals_unguarded("dense", train)


def test_an_array_held_after_build_stays_the_layers_after_model_add():
    """Old behaviour: `kernel` is the layer's array forever; fit updates it. model.add repacks."""
    x, y = data("dense")
    model = make("dense")
    kernel = model.layers[0].params["kernel"]  # taken after build, as packing.py says is safe
    model.add(bricks.Dense(1))
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    assert model.layers[0].params["kernel"] is kernel


def test_an_array_held_from_a_built_submodel_stays_the_layers_when_wrapped():
    """A built encoder, then a model around it (Keras's transfer-learning pattern)."""
    x, y = data("dense")
    encoder = bricks.Sequential([bricks.Input((6,)), bricks.Dense(8, activation="tanh")])
    kernel = encoder.layers[0].params["kernel"]
    model = bricks.Sequential([bricks.Input((6,)), encoder, bricks.Dense(1)]).compile("adam", "mse")
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    assert encoder.layers[0].params["kernel"] is kernel


def test_a_shared_layer_trained_through_two_models_equals_unguarded():
    x, y = data("dense")
    runs = []
    for guard in (True, False):
        bricks.set_random_seed(0)
        shared = bricks.Dense(8, activation="tanh")
        a = bricks.Sequential([bricks.Input((6,)), shared, bricks.Dense(1)]).compile(bricks.Adam(0.01), "mse")
        b = bricks.Sequential([bricks.Input((6,)), shared, bricks.Dense(1)]).compile(bricks.Adam(0.01), "mse")
        for seed in range(3):
            a.fit(x, y, epochs=1, batch_size=8, seed=seed, verbose=0, guard=guard)
            b.fit(x, y, epochs=1, batch_size=8, seed=seed, verbose=0, guard=guard)
        runs.append((a, b))
    same(runs[0][0], runs[1][0])
    same(runs[0][1], runs[1][1])


@pytest.mark.parametrize("clone", ["deepcopy", "pickle"])
@pytest.mark.parametrize("kind", sorted(MODELS))
def test_a_copy_and_its_original_both_train_as_unguarded(kind, clone):
    """A deep copy or a pickled copy (activations pickle by name, e.g. for multiprocessing) trains
    on, beside its original, exactly as an unguarded copy does."""
    x, y = data(kind)
    original = make(kind)
    original.fit(x, y, epochs=1, batch_size=8, seed=1, verbose=0)
    twin = copy.deepcopy(original) if clone == "deepcopy" else pickle.loads(pickle.dumps(original))
    np.testing.assert_array_equal(twin.predict(x), original.predict(x))
    reference = copy.deepcopy(original)
    for m in (original, twin):
        m.fit(x, y, epochs=1, batch_size=8, seed=2, verbose=0)
    reference.fit(x, y, epochs=1, batch_size=8, seed=2, verbose=0, guard=False)
    same(original, reference)
    same(twin, reference)


# ---- the O(1) "nothing was put" test trusts only WeightDict.__setitem__ --------------------------------------
REBINDS = {
    "plain dict": lambda layer: {k: v.copy() for k, v in layer.params.items()},
    "WeightDict(mapping)": lambda layer: type(layer.params)({k: v.copy() for k, v in layer.params.items()}),
}


@pytest.mark.parametrize("rebind", sorted(REBINDS))
def test_rebinding_a_layers_params_dict_then_an_overflowing_step_is_refused(rebind):
    """`layer.params = {...}` puts no array through WeightDict.__setitem__: the pack still 'holds',
    the snapshot and the finiteness check look at the old flat array, not at the layer's weights."""
    x, y = data("dense")
    model = make("dense", optimizer=bricks.SGD(1e308))
    layer = model.layers[0]
    layer.params = REBINDS[rebind](layer)
    before = model.get_weights()
    value = model.train_on_batch(x[:8] * 1e3, y[:8] * 1e3)
    after = model.get_weights()
    assert all(np.isfinite(w).all() for w in after), "non-finite weights kept by the guard"
    assert np.isnan(value)
    for u, v in zip(after, before):
        np.testing.assert_array_equal(u, v)


@pytest.mark.parametrize("rebind", sorted(REBINDS))
def test_rebinding_a_layers_params_dict_then_a_nan_gradient_is_restored(rebind):
    x, y = data("dense")
    model = make("dense")
    model.fit(x, y, epochs=1, batch_size=8, seed=3, verbose=0)
    model.layers[0].params = REBINDS[rebind](model.layers[0])
    before = model.get_weights()
    _poison_last_dense(model)
    assert np.isnan(model.train_on_batch(x[:8], y[:8]))
    for u, v in zip(model.get_weights(), before):
        np.testing.assert_array_equal(u, v)


# ---- 6. Keras's idiom: `self.kernel = self.add_weight(...)`, used in forward ----------------------------------
class MyDense(bricks.Layer):
    """A user's layer written as Keras teaches: keep add_weight's return value and use it."""

    def build(self, input_shape):
        self.kernel = self.add_weight("kernel", (input_shape[-1], 1), "glorot_uniform")
        super().build(input_shape)

    def forward(self, x, training=False):
        x = self._prepare(x)
        return self._keep(x, x @ self.kernel)

    def backward(self, grad_output):
        x = self._cached(grad_output)
        self.grads["kernel"][...] = x.T @ grad_output
        return grad_output @ self.kernel.T


def test_a_layer_that_keeps_add_weights_return_value_is_trained():
    x, y = data("dense")
    model = bricks.Sequential([bricks.Input((6,)), MyDense()]).compile(bricks.SGD(0.1), "mse")
    layer = model.layers[0]
    model.fit(x, y, epochs=3, batch_size=8, verbose=0)
    np.testing.assert_array_equal(model.predict(x), x @ layer.params["kernel"])  # what fit trained is what predicts
    assert layer.kernel is layer.params["kernel"]
