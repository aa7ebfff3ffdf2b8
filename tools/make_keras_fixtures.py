"""Make the Keras fixtures in tests/fixtures/keras/ with real Keras, once, outside the repository's venv.

Keras is never a dependency of bricks: this script runs in a throwaway environment::

    python3 -m venv /tmp/kerasenv
    /tmp/kerasenv/bin/pip install keras==3.15.1 h5py==3.16.0 numpy scipy jax jaxlib
    KERAS_BACKEND=numpy /tmp/kerasenv/bin/python tools/make_keras_fixtures.py

(Keras's numpy backend imports scipy and jax, so both are installed.) The fixtures are built,
predicted and saved on the numpy backend; what needs training (the numpy backend cannot fit) runs
in a subprocess on the jax backend: the optimizer fixtures (a few steps of Adam, SGD with Nesterov
momentum, centered RMSprop, then one more recorded step) and chapter 4's platform model
(lib/bricks/keras_format/examples/up_day.keras). For every model it writes, float32 throughout:

    NAME.keras (and NAME.h5 for the legacy ones)   the model, saved by Keras
    NAME.x.npy, NAME.y.npy                         an input and Keras's prediction for it
    manifest.json                                  versions, backend, and what was checked

The .keras archives are repacked with zip deflate (their members byte for byte as Keras wrote
them), which shrinks the HDF5 padding 5-10x. Then the check phase loads every fixture with bricks
(lib/ is put on sys.path: bricks needs only numpy and h5py), saves it again with bricks's .keras
writer, opens THAT file with keras.saving.load_model and records in the manifest how far Keras's
prediction is from bricks's: the proof that files written by bricks open in Keras; and both
libraries resume training from the other's optimizer state (tools/keras_fixture_checks.py).
Run `... make_keras_fixtures.py check` to redo only the check phase.
"""
import json
import os
import pathlib
import subprocess
import sys
import zipfile

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "numpy")
import keras
from keras import layers as L

ROOT = pathlib.Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "fixtures" / "keras"
EXAMPLES = ROOT / "lib" / "bricks" / "keras_format" / "examples"


def seq(input_shape, *layers, dtype="float32"):
    return keras.Sequential([keras.Input(input_shape, dtype=dtype), *layers])


def models():
    """name -> (model, input sample shape, legacy .h5 too?). Small: a few hundred weights each."""
    return {**layer_models(), **recurrent_models()}


def layer_models():
    """The feed-forward half of `models()`: dense, reshaping, convolution, pooling, noise, normalization."""
    return {
        "dense_mlp": (compiled(seq((6,), L.Dense(8, "relu", kernel_initializer="he_normal",
                                                 kernel_regularizer=keras.regularizers.L2(1e-3)),
                                   L.Dropout(0.3), L.Dense(3, "softmax")),
                               optimizer=keras.optimizers.Adam(1e-3, clipnorm=1.0),
                               loss="categorical_crossentropy", metrics=["accuracy"]), (6,), True),
        "dense_activations": (seq((4,), L.Dense(5, "elu"), L.Dense(5, "selu"), L.Dense(5, "softplus"),
                                  L.Dense(5, "leaky_relu"), L.Dense(5, "sigmoid"), L.Activation("tanh"),
                                  L.Dense(2, use_bias=False)), (4,), False),
        "reshape_flatten": (seq((12,), L.Reshape((3, 4)), L.Dense(5, "tanh"), L.Flatten(), L.Dense(2)),
                            (12,), False),
        "conv1d_pool": (seq((16, 3), L.Conv1D(4, 3, padding="causal", dilation_rate=2, activation="relu"),
                            L.Conv1D(4, 3, strides=2, padding="same"), L.MaxPooling1D(2),
                            L.ZeroPadding1D((1, 2)), L.Cropping1D((0, 1)), L.UpSampling1D(2),
                            L.AveragePooling1D(3, strides=2, padding="same"), L.GlobalAveragePooling1D(),
                            L.Dense(2)), (16, 3), False),
        "conv2d_pool": (seq((8, 8, 2), L.Conv2D(3, 3, padding="same", activation="relu"), L.MaxPooling2D(),
                            L.ZeroPadding2D(((1, 0), (0, 1))), L.Conv2D(4, (2, 3), strides=(1, 2)),
                            L.BatchNormalization(), L.UpSampling2D(2), L.Cropping2D(((1, 1), (0, 1))),
                            L.AveragePooling2D(2, padding="same"), L.GlobalMaxPooling2D(), L.Dense(2)),
                        (8, 8, 2), False),
        "conv2d_transpose": (seq((4, 4, 3), L.Conv2DTranspose(2, 3, strides=2, padding="same"),
                                 L.Conv2DTranspose(3, (2, 3), padding="valid", activation="tanh"),
                                 L.GlobalAveragePooling2D(), L.Dense(2)), (4, 4, 3), False),
        "conv3d_pool": (seq((4, 6, 6, 1), L.Conv3D(2, (2, 3, 3), activation="relu"), L.ZeroPadding3D(1),
                            L.MaxPooling3D(2), L.UpSampling3D((1, 2, 2)), L.Cropping3D(((0, 1), (1, 1), (1, 1))),
                            L.AveragePooling3D(2, padding="same"), L.GlobalAveragePooling3D(), L.Dense(1)),
                        (4, 6, 6, 1), False),
        "noise_layers": (seq((5,), L.GaussianNoise(0.1), L.Dense(4, "relu"), L.GaussianDropout(0.2),
                             L.AlphaDropout(0.1), L.Dropout(0.5), L.Dense(1)), (5,), False),
        "embedding": (seq((6,), L.Embedding(10, 4), L.Flatten(), L.Dense(2), dtype="int32"), (6,), False),
        "normalization": (seq((6,), L.Dense(5), L.BatchNormalization(momentum=0.9, epsilon=1e-2),
                              L.Dense(4, "relu"), L.LayerNormalization(epsilon=1e-5), L.Dense(1)), (6,), False),
    }


def recurrent_models():
    """The recurrent half of `models()`: SimpleRNN, LSTM, GRU (both reset_after), Bidirectional, nesting."""
    return {
        "simple_rnn": (seq((7, 3), L.SimpleRNN(5, return_sequences=True, activation="relu"),
                           L.SimpleRNN(4, go_backwards=True), L.Dense(1)), (7, 3), False),
        "lstm": (seq((6, 3), L.LSTM(5, return_sequences=True), L.LSTM(3, unit_forget_bias=False),
                     L.Dense(1)), (6, 3), True),
        "gru_reset_after": (seq((6, 3), L.GRU(4, return_sequences=True), L.GRU(3)), (6, 3), False),
        "gru_reset_before": (seq((6, 3), L.GRU(4, reset_after=False, return_sequences=True),
                                 L.GRU(3, reset_after=False, recurrent_activation="hard_sigmoid")),
                             (6, 3), True),
        "bidirectional": (seq((5, 3), L.Bidirectional(L.LSTM(3, return_sequences=True)),
                              L.Bidirectional(L.GRU(3, return_sequences=True), merge_mode="sum"),
                              L.Bidirectional(L.SimpleRNN(3, return_sequences=True), merge_mode="mul"),
                              L.Bidirectional(L.LSTM(2), merge_mode="ave"), L.Dense(1)), (5, 3), False),
        "bidirectional_gru": (seq((5, 3), L.Bidirectional(L.GRU(3)), L.Dense(1)), (5, 3), True),
        "nested_sequential": (seq((4,), keras.Sequential([L.Dense(6, "tanh"), L.Dense(3)]), L.Dense(1)),
                              (4,), False),
        "functional_chain": (chain((6,), L.Dense(5, "relu"), L.BatchNormalization(), L.Dense(2)), (6,), True),
    }


def chain(input_shape, *layers):
    """The functional API used for a plain stack: keras.Model(inputs, outputs)."""
    x = inputs = keras.Input(input_shape)
    for layer in layers:
        x = layer(x)
    return keras.Model(inputs, x)


def compiled(model, **kwargs):
    model.compile(**kwargs)
    return model


def refused():
    """Files bricks must refuse, each with the reason the test expects in the message."""
    inp = keras.Input((3,))
    functional = keras.Model(inp, L.Dense(1)(L.Dense(2)(inp)) + L.Dense(1)(inp))
    return {"refused_functional": functional,
            "refused_unknown_layer": seq((4,), L.Dense(3), L.PReLU(), L.Dense(1)),
            "refused_argument": seq((4,), L.Dense(3), L.LayerNormalization(rms_scaling=True)),
            "refused_rnn_dropout": seq((5, 2), L.LSTM(3, dropout=0.2), L.Dense(1)),
            "refused_compile": compiled(seq((3,), L.Dense(1)), optimizer=keras.optimizers.Adam(weight_decay=0.01),
                                        loss="mse")}


def randomize(model, seed):
    """Every weight drawn at random (biases and moving statistics too), so nothing hides behind zeros."""
    rng = np.random.default_rng(seed)
    for v in model.weights:
        shape = tuple(v.shape)
        if "moving_variance" in v.path:
            v.assign(rng.uniform(0.5, 1.5, shape).astype("float32"))
        else:
            v.assign(rng.normal(0.0, 0.5, shape).astype("float32"))


def sample(model, shape, seed):
    rng = np.random.default_rng(seed)
    if model.inputs[0].dtype.startswith("int"):
        return rng.integers(0, 10, (5, *shape)).astype("int32")
    return rng.normal(0.0, 1.0, (5, *shape)).astype("float32")


def save_deflated(model, path):
    """model.save, then the same zip members recompressed with deflate."""
    raw = path.with_suffix(".raw.keras")
    model.save(raw)
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename))
    raw.unlink()


def make():
    OUT.mkdir(parents=True, exist_ok=True)
    manifest = {"keras_version": keras.__version__, "backend": keras.backend.backend(),
                "numpy_version": np.__version__, "h5py_version": __import__("h5py").__version__,
                "generated_by": "tools/make_keras_fixtures.py", "fixtures": {}, "refused": {}}
    for i, (name, (model, shape, legacy)) in enumerate(models().items()):
        randomize(model, seed=i)
        x = sample(model, shape, seed=100 + i)
        y = np.asarray(model.predict(x, verbose=0))
        save_deflated(model, OUT / f"{name}.keras")
        files = [f"{name}.keras"]
        if legacy:
            model.save(OUT / f"{name}.h5")
            files.append(f"{name}.h5")
        if name == "lstm":
            model.save_weights(OUT / f"{name}.weights.h5")  # weights only: Keras 3's save_weights
        np.save(OUT / f"{name}.x.npy", x, allow_pickle=False)
        np.save(OUT / f"{name}.y.npy", y.astype("float32"), allow_pickle=False)
        kinds = [type(layer).__name__ for layer in model.layers]  # a functional model lists its InputLayer
        manifest["fixtures"][name] = {"files": files, "layers": [k for k in kinds if k != "InputLayer"],
                                      "params": int(model.count_params()), "x_shape": list(x.shape),
                                      "y_shape": list(y.shape)}
    for name, model in refused().items():
        randomize(model, seed=7)
        save_deflated(model, OUT / f"{name}.keras")
        manifest["refused"][name] = {"files": [f"{name}.keras"]}
    write_manifest(manifest)


def chapter4_data():
    """The simulated up-day windows of chapter 4 (book/part2-layers/04-build-train-predict.md), same lines."""
    rng = np.random.default_rng(0)
    T, L = 4000, 10
    ret, vol = rng.normal(size=T), rng.normal(size=T)
    mom = np.convolve(ret, np.ones(5) / 5)[:T]
    logit = 0.6 * np.sqrt(5) * mom - 1.5 * ret * np.tanh(2 * vol)
    up = (rng.uniform(size=T) < 1 / (1 + np.exp(-logit))).astype(float)
    features = np.stack([ret, vol], axis=1)
    days = np.arange(L - 1, T - 1)
    X = np.stack([features[t - L + 1:t + 1] for t in days])
    y = up[days][:, None]
    a, b = int(0.6 * len(X)), int(0.8 * len(X))
    return X[:a], y[:a], X[b:]


def platform():
    """A model trained by Keras (jax backend: the numpy backend cannot fit) on chapter 4's training days,
    shipped in bricks.keras_format.EXAMPLES for the chapter's section "From a Keras platform to bricks and back"."""
    optimizer_fixtures()
    keras.utils.set_random_seed(0)
    X_train, y_train, X_test = chapter4_data()
    model = seq((10, 2), L.Flatten(), L.Dense(32, activation="relu"), L.Dropout(0.2), L.Dense(16),
                L.Activation("relu"), L.Dense(1, activation="sigmoid"))
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(X_train.astype("float32"), y_train.astype("float32"), epochs=30, batch_size=64, verbose=0)
    EXAMPLES.mkdir(exist_ok=True)
    save_deflated(model, EXAMPLES / "up_day.keras")
    proba = np.asarray(model.predict(X_test.astype("float32"), verbose=0), dtype="float32")
    np.save(EXAMPLES / "up_day.test_proba.npy", proba, allow_pickle=False)
    (EXAMPLES / "up_day.json").write_text(json.dumps(
        {"keras_version": keras.__version__, "backend": keras.backend.backend(), "trained_on": "chapter 4, "
         "first 60% of the windows, Adam(3e-3), 30 epochs, batch 64, keras.utils.set_random_seed(0)",
         "test_proba": "model.predict on the last 20% of the windows (float32)"}, indent=1) + "\n")


def optimizer_fixtures():
    """Models trained a little by Keras (jax backend), saved with their optimizer state, then one more
    train_on_batch in Keras: bricks, loading the file and taking the same step, must land on the same weights."""
    rng = np.random.default_rng(5)
    x = rng.normal(size=(64, 4)).astype("float32")
    y = (x @ np.array([[1.0], [-2.0], [0.5], [0.0]]) + 0.1 * rng.normal(size=(64, 1))).astype("float32")
    opts = {"adam": keras.optimizers.Adam(1e-2),
            "sgd_nesterov": keras.optimizers.SGD(1e-2, momentum=0.9, nesterov=True),
            "rmsprop_centered": keras.optimizers.RMSprop(1e-2, momentum=0.5, centered=True)}
    for name, opt in opts.items():
        keras.utils.set_random_seed(1)
        model = compiled(seq((4,), L.Dense(5, "tanh"), L.Dense(1)), optimizer=opt, loss="mse")
        model.fit(x, y, epochs=3, batch_size=16, shuffle=False, verbose=0)
        save_deflated(model, OUT / f"optimizer_{name}.keras")
        model.train_on_batch(x[:16], y[:16])
        np.savez(OUT / f"optimizer_{name}.step.npz", x=x[:16], y=y[:16],
                 **{f"w{i}": np.asarray(w) for i, w in enumerate(model.get_weights())})


def write_manifest(manifest):
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "tools"))
    import keras_fixture_checks as checks
    if sys.argv[1:] in (["platform"], ["check_optimizer_state"]):
        platform() if sys.argv[1] == "platform" else checks.check_optimizer_state()
        raise SystemExit
    if sys.argv[1:] != ["check"]:
        make()
        env = {**os.environ, "KERAS_BACKEND": "jax"}
        subprocess.run([sys.executable, __file__, "platform"], env=env, check=True)
    checks.check()
    subprocess.run([sys.executable, __file__, "check_optimizer_state"], env={**os.environ, "KERAS_BACKEND": "jax"},
                   check=True)
