"""Sequential: a stack of layers that trains itself (Keras's compile / fit / predict / evaluate).

This file holds the structure (layers, build, the two passes, config); compile, the
training step, fit, evaluate and predict are the `Trainer`'s (bricks/training.py).
One training step (`train_step`), the loop of chapter 3 in four lines::

    y_pred = model.forward(x, training=True)           # every layer in order
    L = loss(y, y_pred) + sum of weight penalties       # what fit reports as "loss"
    model.backward(loss.gradient(y, y_pred))            # every layer in reverse; fills layer.grads
    optimizer.apply(model.variables())                  # clip, then update every weight in place

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
import numpy as np  # noqa: F401  (the doctests' np)

from bricks import errors, limits, packing, summary
from bricks.layers.base import LAYERS, Layer, deserialize, serialize
from bricks.layers.core import InputLayer
from bricks.training import Trainer

__all__ = ["Sequential"]


@LAYERS.register
class Sequential(Layer, Trainer):
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
        Layer.__init__(self, name=name, **kwargs)
        Trainer.__init__(self)  # optimizer, loss, metrics, the state of fit
        self.output_shapes = []
        self.packs_when_built = False  # the layers given here are packed once, together (bricks.packing)
        for layer in layers or []:
            self.add(layer)
        self.packs_when_built = True
        if self.built:
            self.pack_weights()

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
        if self.packs_when_built:
            self.pack_weights()

    def pack_weights(self):
        """Pack the weights not packed yet into one flat array per dtype (bricks.packing); arrays
        packed before (by an earlier build, or a built model inside this one) stay where they are."""
        layers = [layer for _, layer in self.walk()]
        self.packed_weights = packing.PackedWeights(layers, reuse=[self.packed_weights] + [
            getattr(layer, "packed_weights", None) for layer in layers[1:]])

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
        return self._keep(True, x)  # the layers keep their own caches

    def backward(self, grad_output):
        self._cached(grad_output)
        for layer in reversed(self.sublayers):
            grad_output = layer.backward(grad_output)
        return grad_output

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
        """Write the architecture and the weights to one file: .npz (bricks's), or .keras (Keras 3's);
        see bricks.saving."""
        from bricks.saving import save_model
        return save_model(self, path)
