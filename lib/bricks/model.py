"""Sequential: a stack of layers that trains itself (Keras's compile / fit / predict / evaluate).

One training step (`train_on_batch`), the loop of chapter 3 in four lines::

    y_pred = model.forward(x, training=True)           # every layer in order
    L = loss(y, y_pred) + sum of weight penalties       # what fit reports as "loss"
    model.backward(loss.gradient(y, y_pred))            # every layer in reverse; fills layer.grads
    optimizer.apply(model.variables())                  # clip, then update every weight in place

`fit` repeats it (`bricks.training.fit` calls `train_on_batch` for every batch) over
shuffled mini-batches for some epochs, reports the epoch means (and validation
scores) to callbacks and a History, and stops with a message, never writing NaN
into the history, if the loss stops being finite.

Example: XOR, the four points no straight line separates:
    >>> x = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    >>> y = np.array([[0.0], [1.0], [1.0], [0.0]])
    >>> model = Sequential([bricks.Input((2,)), bricks.Dense(8, activation="tanh"),
    ...                     bricks.Dense(1, activation="sigmoid")])
    >>> model.compile(optimizer=bricks.Adam(0.05), loss="binary_crossentropy", metrics=["accuracy"])
    <Sequential name='sequential' built=True params=33>
    >>> history = model.fit(x, y, epochs=200, batch_size=4, verbose=0)
    >>> history.history["accuracy"][-1], model.predict(x).round().ravel()
    (1.0, array([0., 1., 1., 0.]))
"""
import numpy as np

from bricks import errors, guards, limits, losses, metrics as metrics_module, optimizers, summary, training
from bricks.layers.base import Layer, deserialize, serialize
from bricks.layers.core import InputLayer

__all__ = ["Sequential"]


class Sequential(Layer):
    """A linear stack of layers, itself a Layer (so it nests inside Residual blocks).

    Args:
        layers: a list of layers, optionally starting with `Input(shape)`.
        name: the model's name ('sequential', 'sequential_1', ...).
    Input shape: the first layer's. Output shape: the last layer's.

    Example:
        >>> x = np.random.default_rng(0).normal(size=(32, 2)); y = (x[:, :1] * x[:, 1:] > 0) * 1.0
        >>> model = Sequential([bricks.Input((2,)), bricks.Dense(8, activation="tanh"),
        ...                     bricks.Dense(1, activation="sigmoid")])
        >>> model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
        <Sequential name='sequential' built=True params=33>
        >>> losses = model.fit(x, y, epochs=100, verbose=0).history["loss"]   # one per epoch
        >>> len(losses), losses[-1] < losses[0]
        (100, True)
    """

    def __init__(self, layers=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.optimizer = self.loss = None
        self.metric_names, self.metric_fns, self._metric_ids = [], [], []
        self.stop_training = False
        self.history = None
        self.output_shapes = []
        for layer in layers or []:
            self.add(layer)

    # ---- structure ----------------------------------------------------------
    @property
    def layers(self):
        """The layers, without the InputLayer (as Keras's `model.layers`)."""
        return [layer for layer in self.sublayers if not isinstance(layer, InputLayer)]

    def add(self, layer):
        """Append a layer; an Input (or a first layer's input_shape) fixes the model's input shape."""
        if not isinstance(layer, Layer):
            errors.fail(self, "a bricks Layer", **{"type(layer)": type(layer).__name__})
        if isinstance(layer, InputLayer) and self.sublayers:
            errors.fail(self, "Input only as the first layer", layer=layer.name)
        if layer.name in {s.name for s in self.sublayers}:
            errors.fail(self, "unique layer names", name=layer.name)
        self.sublayers.append(layer)
        first = self.sublayers[0]
        if self.batch_input_shape is None and first.batch_input_shape is not None:
            self.batch_input_shape = first.batch_input_shape
        if self.batch_input_shape is not None:
            self.build(self.batch_input_shape)
        else:
            self.built = False

    def get_layer(self, name=None, index=None):
        """A layer by name or by index into `layers`."""
        if index is not None:
            return self.layers[index]
        for layer in self.sublayers:
            if layer.name == name:
                return layer
        errors.fail(self, f"a layer named one of {[s.name for s in self.sublayers]}", name=name)

    def build(self, input_shape):
        """Build every layer in turn, passing each one's output shape to the next."""
        shape = tuple(input_shape)
        self.output_shapes = []
        limits.check_sample(self, shape, self.dtype)
        for layer in self.sublayers:
            if not layer.built:
                layer.build(shape)
            shape = tuple(layer.compute_output_shape(shape))
            limits.check_sample(layer, shape, layer.dtype)  # before the next layer probes it
            self.output_shapes.append(shape)
        super().build(input_shape)

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        for layer in self.sublayers:
            shape = tuple(layer.compute_output_shape(shape))
        return shape

    @property
    def output_shape(self):
        return self.output_shapes[-1] if self.built and self.output_shapes else None

    def check_input(self, x):
        want = self.input_shape
        if x.ndim != len(want) or any(w is not None and w != d for w, d in zip(want[1:], x.shape[1:])):
            errors.fail(self, f"input of shape {want}", **{"x.shape": tuple(x.shape)})

    # ---- the two passes ------------------------------------------------------
    def forward(self, x, training=False):
        x = self._prepare(x)  # builds on the first call, checks the shape against the model's input
        for layer in self.sublayers:
            x = layer.forward(x, training=training)
        self.cache = True
        return x

    def backward(self, grad_output):
        self._cached()
        for layer in reversed(self.sublayers):
            grad_output = layer.backward(grad_output)
        return grad_output

    # ---- training -------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, metrics=None):
        """Choose the optimizer, the loss and the metrics to report. Returns the model (chainable)."""
        self.optimizer = optimizers.get(optimizer)
        self.loss = None if loss is None else losses.get(loss)
        self.metric_names = [m if isinstance(m, str) else getattr(m, "__name__", "metric") for m in metrics or []]
        self._metric_ids = list(metrics or [])
        self.metric_fns = []
        return self

    def _resolve_metrics(self):
        size = self.output_shape[-1] if self.output_shape else None
        self.metric_fns = [metrics_module.get(m, self.loss, size) for m in self._metric_ids]

    def _require_compiled(self, what):
        if self.loss is None or self.optimizer is None:
            errors.fail(self, f"compile(optimizer=..., loss=...) before {what}", loss=self.loss)

    def _check_xy(self, x, y, what="x"):
        """x and y where data enters: numeric, same length, finite, y in the loss's domain."""
        x = errors.as_float_array(self, x, name=what)
        y = np.asarray(y)
        if x.ndim == 0 or y.ndim == 0 or len(x) != len(y) or len(x) == 0:
            errors.fail(self, f"{what} and y with the same (non-zero) number of samples",
                        **{f"{what}.shape": x.shape, "y.shape": y.shape})
        if np.iscomplexobj(y):
            errors.fail(self, "a real array y (complex numbers are not supported)", **{"y.dtype": str(y.dtype)})
        guards.check_finite(self, x, what)
        guards.check_finite(self, y, "y" if what == "x" else f"y of {what}")
        if self.loss is not None:
            self.loss.check_targets(y)
        if not self.built:
            self.build((None, *x.shape[1:]))
        self.check_input(x)
        return x, y

    def gradients(self, x, y, training=True):
        """Forward, loss (with penalties), backward and penalty gradients; returns the loss.

        Afterwards every `layer.grads[key]` holds dL/dW for this batch, e.g. to plot
        gradient norms per layer (see `gradient_norms`).
        """
        self._require_compiled("gradients()")
        y_pred = self.forward(x, training=training)
        value = self.loss(y, y_pred) + self.regularization_loss()
        self.backward(self.loss.gradient(y, y_pred))
        self.add_regularization_grads()
        self._last_pred = y_pred
        return float(value)

    def gradient_norms(self):
        """{path: ||grad||} of every trainable array, from the last `gradients` call."""
        return {path: float(np.linalg.norm(layer.grads[k])) for path, layer, k in self.variables()}

    def train_on_batch(self, x, y):
        """One training step, the one `fit` repeats: gradients, then the optimizer's update.

        The step is all or nothing (`bricks.guards.Transaction`): the update is kept only
        when the loss, every gradient and every new weight are finite. Otherwise the weights,
        the BatchNormalization moving statistics and the optimizer's slots and step count are
        put back as they were, `model.step_fault` says why (a data fault or divergence, and
        where), and NaN is returned (`fit` then stops with that message).
        Returns the batch's loss (data loss plus weight penalties), NaN if the step was refused.
        """
        x, y = self._check_xy(x, y)
        self._resolve_metrics()
        self.step_fault = None
        step = guards.Transaction(self, self.optimizer)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # a non-finite step is reported
            value = self.gradients(x, y)
            ok = np.isfinite(value) and guards.bad_gradient(self) is None
            if ok:
                self.optimizer.apply(self.variables())
                ok = step.finite(self)
        if not ok:
            self.step_fault = guards.diagnose(self, value, x, y)
            step.rollback()
            return float("nan")
        return value

    def _scores(self, x, y, batch_size):
        """(loss, [metrics]) over x, y in batches of `batch_size`, batch means weighted by batch size."""
        n = len(x)
        total, mtotal = 0.0, np.zeros(len(self.metric_fns))
        for start in range(0, n, batch_size):
            xb, yb = x[start:start + batch_size], y[start:start + batch_size]
            pred = self.forward(xb, training=False)
            total += self.loss(yb, pred) * len(xb)
            mtotal += np.array([fn(yb, pred) for fn in self.metric_fns]) * len(xb)
        return float(total / n + self.regularization_loss()), (mtotal / n).tolist()

    def fit(self, x, y, batch_size=32, epochs=1, verbose=1, callbacks=None, validation_split=0.0,
            validation_data=None, shuffle=True, seed=None):
        """Train for `epochs` passes over (x, y) in shuffled mini-batches; returns a History.

        Each batch is one `train_on_batch` call (the loop is `bricks.training.fit`).

        Args:
            x, y: inputs (N, ...) and targets (N, ...).
            batch_size: samples per update (None: 32).
            epochs: passes over the data.
            verbose: 0 silent, 1 one line updated in place, 2 one line per epoch.
            callbacks: a list of bricks.callbacks objects.
            validation_split: the fraction of the LAST samples held out (taken before shuffling).
            validation_data: (x_val, y_val), scored after every epoch.
            shuffle: reshuffle the training samples every epoch, with backend.make_rng(seed).
        Returns:
            History: history.history["loss"], ["val_loss"], ...; history.stopped_reason.
        """
        return training.fit(self, x, y, batch_size=batch_size, epochs=epochs, verbose=verbose,
                            callbacks=callbacks, validation_split=validation_split,
                            validation_data=validation_data, shuffle=shuffle, seed=seed)

    def _nonfinite_message(self, value, batch, batches, fault=None):
        epoch, epochs = getattr(self, "_epoch", (0, 1))
        where = f"epoch {epoch + 1}/{epochs}" + ("" if batch is None else f", batch {batch + 1}/{batches}")
        what = "loss" if batch is not None else "validation loss"
        fault = fault or getattr(self, "step_fault", None) if batch is not None else fault
        if fault and fault.startswith("a data fault"):
            return (f"{self.name}: training stopped at {where}: {fault}. The weights, optimizer state and "
                    f"BatchNormalization statistics are those before this batch.")
        lr = self.optimizer.current_learning_rate
        why = fault or f"divergence: the {what} is {value} (not a finite number)"
        kept = ("the weights, optimizer state and BatchNormalization statistics are those before this batch, "
                if batch is not None else "")
        return (f"{self.name}: training stopped at {where}: {why}, so the weights have diverged; "
                f"{kept}nothing from this point on was written to the history. "
                f"Try first: (1) a lower learning rate (now {lr:g}), e.g. {lr / 10:g}; (2) gradient clipping, "
                f"e.g. clipnorm=0.5 in the optimizer. A decaying schedule helps only if the rate falls "
                f"before the weights blow up; L2/L1 penalties help a loss that creeps up slowly, not a step "
                f"that is too long (chapter 3 measures all four).")

    def predict(self, x, batch_size=None, verbose=0):
        """Outputs for x in inference mode (training=False), computed in batches of batch_size (32)."""
        x = errors.as_float_array(self, x)
        guards.check_finite(self, x, "x")
        if not self.built:
            self.build((None, *x.shape[1:]))
        self.check_input(x)
        batch_size = guards.check_fit_arguments(self, batch_size, 1, 0.0)[0]
        outs = [self.forward(x[i:i + batch_size], training=False) for i in range(0, len(x), batch_size)]
        return np.concatenate(outs, axis=0)

    def evaluate(self, x, y, batch_size=None, verbose=0, return_dict=False):
        """The loss (with penalties) and metrics on (x, y): a float, or ``[loss, *metrics]`` like Keras."""
        self._require_compiled("evaluate()")
        x, y = self._check_xy(x, y)
        batch_size = guards.check_fit_arguments(self, batch_size, 1, 0.0)[0]
        self._resolve_metrics()
        loss, scores = self._scores(x, y, batch_size)
        if return_dict:
            return {"loss": loss, **dict(zip(self.metric_names, scores))}
        return [loss, *scores] if self.metric_fns else loss

    # ---- description ---------------------------------------------------------
    def summary(self, print_fn=print, line_length=65):
        """Print a Keras-like table: Layer (type) | Output Shape | Param #, then the totals."""
        summary.print_summary(self, print_fn, line_length)

    # ---- configuration and files ----------------------------------------------
    def get_config(self):
        config = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype.name,
                  "layers": [serialize(layer) for layer in self.sublayers]}
        if self.built:
            config["build_input_shape"] = list(self.input_shape)
        return config

    @classmethod
    def from_config(cls, config):
        layers = [deserialize(spec, config.get("name", "Sequential")) for spec in config["layers"]]
        model = cls(layers, name=config.get("name"), trainable=config.get("trainable", True),
                    dtype=config.get("dtype"))
        if config.get("build_input_shape") and not model.built:
            model.build(tuple(config["build_input_shape"]))
        return model

    def save(self, path):
        """Write the architecture and the weights to one file: .npz (bricks's), or .keras (Keras 3's); see bricks.saving."""
        from bricks.saving import save_model
        return save_model(self, path)
