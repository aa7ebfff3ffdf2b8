"""The layer protocol every brick follows (Keras semantics, numpy inside).

A layer owns three dicts of arrays: `params` (trainable, Keras names such as
kernel, recurrent_kernel, bias, gamma), `grads` (same keys and shapes, filled
by `backward`) and `state` (non-trainable, e.g. moving_mean). `get_weights()`
returns params then state, in creation order, which is Keras's order.

A subclass writes `build`, `forward` and `backward`, and follows one pattern:

    def forward(self, x, training=False):
        x = self._prepare(x)            # float array, rank checked, built lazily
        y = x @ self.params["kernel"]
        return self._keep(x, y)         # keeps x for backward, notes y's shape, returns y

    def backward(self, grad_output):
        x = self._cached(grad_output)   # RuntimeError if forward never ran; ValueError if
        self.grads["kernel"][...] = x.T @ grad_output   # grad_output is not shaped like y
        return grad_output @ self.params["kernel"].T

`backward` writes the data gradient only; weight penalties (L1/L2) are added
by the model through `regularization_loss` / `add_regularization_grads`.

`_keep` and `_cached` are the two plain calls that let the base class check, for every
layer, that `grad_output` has the shape of the output the last `forward` returned.

A class that `load_model` and `deserialize` may build by name is registered explicitly,
with `@LAYERS.register` above it (Keras's `register_keras_serializable`); a subclass a
user writes is not, until they register it the same way.
"""
import numpy as np

from bricks import backend, errors, initializers, limits, regularizers
from bricks.packing import WeightDict
from bricks.registry import Registry

LAYERS = Registry("layers", kind="layer class")  # the loadable layers by class name (@LAYERS.register)


class Layer:
    """Base class. Subclasses set `input_rank` and `layout` for input checks."""

    input_rank = None  # int or tuple of ints the input may have; None: any
    layout = ""  # e.g. "(batch, features)", used in error messages

    def __init__(self, name=None, dtype=None, trainable=True, input_shape=None, **kwargs):
        if kwargs:
            raise TypeError(f"{type(self).__name__}: unexpected arguments {sorted(kwargs)}")
        if name is not None and (not isinstance(name, str) or "/" in name or not name):
            errors.fail(type(self).__name__, "a name: non-empty text without '/' (it separates weight paths "
                        "in saved files)", name=name)
        self.name = name or backend.unique_name(backend.snake_case(type(self).__name__))
        self.dtype = _float_dtype(self.name, dtype or backend.floatx())
        self.trainable = trainable
        self.batch_input_shape = None if input_shape is None else (None, *input_shape)
        self.params, self.grads, self.state = WeightDict(), WeightDict(), WeightDict()  # dicts that count new arrays
        self.regularizers = {}
        self.sublayers = []
        self.input_shape = None
        self.built = False
        self.cache = None  # what the last forward kept for backward
        self.last_output_shape = None  # the shape of what it returned (a list for several outputs)

    # ---- building -------------------------------------------------------
    def build(self, input_shape):
        """Create the weights for inputs of `input_shape` (batch axis included)."""
        self.input_shape = tuple(input_shape)
        self.built = True

    def add_weight(self, name, shape, initializer="zeros", regularizer=None, trainable=True):
        """Create a named weight; trainable ones go to `params` (with a zero `grads` twin)."""
        backend.check_expected_weight(self.name, name, shape)  # load_model: shapes checked before allocating
        limits.check_array(self, name, shape, self.dtype)  # units=2e7 refused before numpy allocates it
        value = initializers.get(initializer)(tuple(shape), self.dtype)
        if trainable:
            self.params[name] = value
            self.grads[name] = np.zeros_like(value)
            if regularizer is not None:
                self.regularizers[name] = regularizers.get(regularizer)
        else:
            self.state[name] = value
        return value

    def compute_output_shape(self, input_shape):
        """Output shape for `input_shape`; by default found by a forward pass on zeros."""
        probe = tuple(1 if d is None else d for d in input_shape)
        out = self.forward(np.zeros(probe, dtype=self.dtype))
        self.cache = None
        first = out[0] if isinstance(out, (list, tuple)) else out
        return (input_shape[0], *first.shape[1:])

    # ---- the two passes -------------------------------------------------
    def forward(self, x, training=False):
        raise NotImplementedError

    def backward(self, grad_output):
        raise NotImplementedError

    def __call__(self, x, training=False):
        return self.forward(x, training=training)

    def _prepare(self, x):
        """Validate and convert an input: float array of this layer's dtype, right rank, built."""
        x = errors.as_float_array(self, x)
        x = x.astype(self.dtype, copy=False)
        if self.input_rank is not None:
            errors.check_rank(self, x, self.input_rank, self.layout)
        if not self.built:
            self.build((None, *x.shape[1:]))
        self.check_input(x)
        return x

    def check_input(self, x):
        """Raise if `x` does not fit the built layer; by default compare the last axis."""
        if self.input_shape and x.ndim == len(self.input_shape) and self.input_shape[-1] is not None:
            errors.check_axis(self, x, -1, self.input_shape[-1], "last axis (features/channels)")

    def _keep(self, cache, out):
        """Keep `cache` for backward and note the shape of `out`, what forward returns; returns `out`."""
        self.cache = cache
        self.last_output_shape = _output_shapes(out)
        return out

    def _cached(self, grad_output=None):
        """What forward kept for backward. RuntimeError when forward has not run; ValueError
        when `grad_output` is not shaped like the output forward returned."""
        if self.cache is None:
            raise RuntimeError(f"{self.name}: backward() called before forward()")
        expected = self.last_output_shape
        if grad_output is not None and expected is not None and not (
                type(grad_output) is np.ndarray and grad_output.shape == expected):  # the usual case: no call
            errors.check_grad_shape(self, grad_output, expected)
        return self.cache

    # ---- weights ----------------------------------------------------------
    def walk(self, prefix="", trainable_only=False):
        """(path, layer) for this layer and every layer below it, depth first, paths such as
        'sequential/dense/'; trainable_only skips a non-trainable layer and all below it.
        The one walk over the tree: variables, weight_arrays, saving and snapshots use it."""
        if trainable_only and not self.trainable:
            return
        path = f"{prefix}{self.name}/"
        yield path, self
        for sub in self.sublayers:
            yield from sub.walk(path, trainable_only)

    def variables(self, prefix=""):
        """(path, layer, key) for every trainable array, this layer's then its sublayers'."""
        return [(path + k, layer, k) for path, layer in self.walk(prefix, trainable_only=True) for k in layer.params]

    def weight_arrays(self):
        """Every weight array in Keras order: own params, own state, then sublayers'."""
        return [w for _, layer in self.walk() for w in (*layer.params.values(), *layer.state.values())]

    def get_weights(self):
        return [w.copy() for w in self.weight_arrays()]

    def set_weights(self, weights):
        current = self.weight_arrays()
        if len(weights) != len(current):
            errors.fail(self, f"a list of {len(current)} arrays", **{"len(weights)": len(weights)})
        for i, (old, new) in enumerate(zip(current, weights)):
            new = np.asarray(new)
            if new.shape != old.shape:
                errors.fail(self, f"weight {i} of shape {old.shape}", **{f"weights[{i}].shape": new.shape})
            old[...] = new  # in place: optimizers and caches keep their references

    def count_params(self):
        return int(sum(w.size for w in self.weight_arrays()))

    # ---- penalties ----------------------------------------------------------
    def regularization_loss(self):
        """Sum of the weight penalties of this layer and its sublayers."""
        total = sum(reg(self.params[k]) for k, reg in self.regularizers.items())
        return float(total + sum(sub.regularization_loss() for sub in self.sublayers))

    def add_regularization_grads(self):
        """Add each penalty's gradient to `grads` (the model calls this after backward)."""
        for k, reg in self.regularizers.items():
            self.grads[k] += reg.gradient(self.params[k])
        for sub in self.sublayers:
            sub.add_regularization_grads()

    # ---- configuration --------------------------------------------------------
    def get_config(self):
        """Constructor arguments; subclasses add theirs. `from_config(get_config())` rebuilds."""
        config = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype.name}
        if self.batch_input_shape is not None:
            config["input_shape"] = list(self.batch_input_shape[1:])
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        params = self.count_params() if self.built else "?"
        return f"<{type(self).__name__} name={self.name!r} built={self.built} params={params}>"


def _float_dtype(owner, dtype):
    """np.dtype of 'float32' or 'float64'; anything else (int32, float16, 'banana') raises."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    if dt not in (np.float32, np.float64):
        errors.fail(owner, "dtype 'float32' or 'float64' (gradients need real floats)", dtype=str(dtype))
    return dt


def _output_shapes(out):
    """The shape of a forward's output, or a list of shapes for a list of outputs."""
    return [np.shape(o) for o in out] if isinstance(out, (list, tuple)) else np.shape(out)


def serialize(layer):
    """Keras's {"class_name": ..., "config": layer.get_config()} (None stays None)."""
    return LAYERS.serialize(layer)


def deserialize(spec, owner=None):
    """The layer a {"class_name", "config"} dict describes (anything else is returned as is,
    for the caller to accept (a Layer, None) or refuse)."""
    if not isinstance(spec, dict):
        return spec
    return LAYERS.deserialize(spec, owner)
