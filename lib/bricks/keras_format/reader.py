"""Keras layer configs -> bricks layers: every key mapped to a constructor argument or refused.

A Keras config names its class and its constructor arguments, and bricks's layers take the same
arguments under the same names, so most keys pass straight through. What needs translating:

    dtype          {"class_name": "DTypePolicy", "config": {"name": "float32"}} -> "float32"
    initializers   {"class_name": "GlorotUniform", "config": {"seed": None}} -> {"class_name": "glorot_uniform", ...}
    regularizers   {"class_name": "L2", "config": {"l2": 0.01}} -> {"class_name": "l2", ...}
    InputLayer     batch_shape [None, 6] (Keras 2: batch_input_shape) -> Input(shape=(6,))

A key bricks has no argument for is dropped only if its value cannot change what the model
computes (`HARMLESS`: no constraint, no quantization, no cuDNN switch); any other key or value
raises a ValueError that names the file, the layer and the value. So does a layer class bricks
lacks, a custom (registered) class and a functional model.
"""
import inspect

from bricks import errors, initializers
from bricks.layers.base import LAYERS
from bricks.keras_format.attention import ATTENTION_LAYERS
from bricks.keras_format.weights import snake_case

__all__ = ["build_model", "Refuser", "HARMLESS", "arguments"]

# key -> predicate on the value: True means "bricks computes the same thing without it"
HARMLESS = {
    **{k: (lambda v: v is None) for k in (
        "kernel_constraint", "bias_constraint", "recurrent_constraint", "embeddings_constraint",
        "beta_constraint", "gamma_constraint", "activity_regularizer", "quantization_config",
        "lora_rank", "lora_alpha", "renorm_clipping", "virtual_batch_size", "adjustment",
        "input_axes", "output_axes")},  # the last two: VarianceScaling's fan axes, None = Keras 2's fans
    **{k: (lambda v: not v) for k in ("sparse", "ragged", "optional", "renorm", "time_major",
                                      "rms_scaling")},
    **{k: (lambda v: True) for k in (
        "zero_output_for_mask",  # only matters with masks, which bricks never produces
        "synchronized", "renorm_momentum", "fused",  # BatchNormalization: training-time switches
        "implementation", "use_cudnn", "unroll")},  # how Keras runs the loop, not what it computes
}
KERAS_INITIALIZERS = {"Zeros", "Ones", "Constant", "RandomNormal", "RandomUniform", "TruncatedNormal",
                      "VarianceScaling", "GlorotUniform", "GlorotNormal", "HeUniform", "HeNormal",
                      "LecunUniform", "LecunNormal", "Orthogonal"}
KERAS_REGULARIZERS = {"L1": "l1", "L2": "l2", "L1L2": "l1_l2"}
KERAS_LAYERS = {
    "InputLayer", "Dense", "Activation", "Dropout", "AlphaDropout", "GaussianDropout", "GaussianNoise",
    "Flatten", "Reshape", "Embedding", "BatchNormalization", "LayerNormalization",
    "Conv1D", "Conv2D", "Conv3D", "Conv2DTranspose", "SimpleRNN", "LSTM", "GRU", "Bidirectional",
    *ATTENTION_LAYERS,  # self-attention in a chain: keras_format/attention.py
    *(f"{k}{n}D" for k in ("MaxPooling", "AveragePooling", "GlobalMaxPooling", "GlobalAveragePooling",
                            "Cropping", "UpSampling", "ZeroPadding") for n in (1, 2, 3)),
}
ALIASES = {"MaxPool1D": "MaxPooling1D", "MaxPool2D": "MaxPooling2D", "MaxPool3D": "MaxPooling3D",
           "AvgPool1D": "AveragePooling1D", "AvgPool2D": "AveragePooling2D", "AvgPool3D": "AveragePooling3D"}


class Refuser:
    """Raises ValueError('<file>: <where>: expected ... Received: ...') for one file."""

    def __init__(self, path):
        self.path = str(path)

    def __call__(self, where, expected, **received):
        errors.fail(f"{self.path}: {where}", expected, **received)


def accepted_arguments(cls):
    """Every keyword the bricks class's constructor chain accepts."""
    names = set()
    for klass in cls.__mro__:
        if "__init__" in vars(klass):
            names |= {p for p in inspect.signature(klass.__init__).parameters if p not in ("self", "kwargs")}
    return names


def _dtype(value, where, fail):
    name = value.get("config", {}).get("name") if isinstance(value, dict) else value
    if name not in ("float32", "float64", None):
        fail(where, "dtype float32 or float64 (bricks has no mixed precision or half floats)", dtype=name)
    return name


def _named(value, kind, known, where, fail):
    """A Keras initializer/regularizer spec as bricks's: a name stays, a config is checked."""
    if value is None or isinstance(value, str):
        return value
    if not isinstance(value, dict) or not isinstance(value.get("config", {}), (dict, type(None))):
        fail(where, f"{kind} as a name or {{class_name, config}}", **{kind: value})
    name = value.get("class_name")
    if name not in known:
        article = "an" if kind[0] in "aeiou" else "a"
        fail(where, f"{article} {kind} bricks has, one of {sorted(known)}", **{kind: name})
    if kind == "initializer":
        cls = initializers.INITIALIZERS.lookup(name)
        return {"class_name": snake_case(name), "config": arguments(value.get("config", {}), cls, where, fail)}
    return {"class_name": KERAS_REGULARIZERS[name], "config": dict(value.get("config", {}))}


def _initializer(value, where, fail):
    return _named(value, "initializer", KERAS_INITIALIZERS, where, fail)


def _regularizer(value, where, fail):
    return _named(value, "regularizer", KERAS_REGULARIZERS, where, fail)


def _activation(value):
    if isinstance(value, dict):  # {"class_name": "function", "config": "relu"} in some writers
        return value.get("config") if isinstance(value.get("config"), str) else value.get("class_name")
    return value


def arguments(config, cls, where, fail, harmless=HARMLESS):
    """The keys of a Keras (sub)config that `cls` accepts; `harmless` ones dropped; others refused."""
    accepted, out = accepted_arguments(cls), {}
    for key, value in config.items():
        if key in accepted:
            out[key] = value
        elif key in harmless and not harmless[key](value):
            fail(where, f"a value of {key!r} that does not change the result (bricks's {cls.__name__} "
                 f"has no {key!r} argument)", **{key: value})
        elif key not in harmless:
            fail(where, f"only arguments bricks's {cls.__name__} has", **{key: value})
    return out


def _convert(key, value, where, fail):
    if key == "dtype":
        return _dtype(value, where, fail)
    if key.endswith("_initializer"):
        return _initializer(value, where, fail)
    if key.endswith("_regularizer") and key != "activity_regularizer":
        return _regularizer(value, where, fail)
    if key in ("activation", "recurrent_activation"):
        return _activation(value)
    return value


def _check_spec(spec, where, fail):
    """Refuse a spec that is not {"class_name": str, "config": dict or None, ...} before anything reads it."""
    if not isinstance(spec, dict):
        fail(where, 'a JSON object {"class_name": ..., "config": {...}}', **{"JSON type": type(spec).__name__})
    if not isinstance(spec.get("class_name"), str):
        fail(where, "a class_name given as text", class_name=spec.get("class_name"))
    for key in ("config", "build_config"):
        if spec.get(key) is not None and not isinstance(spec[key], dict):
            fail(f"{where} ({spec['class_name']})", f"{key} as a JSON object", **{key: type(spec[key]).__name__})


def build_layer(spec, fail):
    """One bricks layer from a Keras {"class_name", "config"} spec (Sequential and Bidirectional nest)."""
    _check_spec(spec, "a layer", fail)
    name = ALIASES.get(spec.get("class_name"), spec.get("class_name"))
    config = dict(spec.get("config") or {})
    where = f"layer {config.get('name')!r} ({name})"
    if name in ("Functional", "Model"):
        fail(where, "a Sequential model inside a Sequential (a nested functional model is not read)",
             class_name=name)
    if name == "Sequential":
        return build_model(spec, fail)
    if spec.get("registered_name") not in (None, name) or name not in KERAS_LAYERS:
        fail(where, f"a Keras layer bricks has, one of {sorted(KERAS_LAYERS)}",
             class_name=spec.get("registered_name") or name)
    cls = LAYERS.lookup(name)
    if name == "InputLayer":
        return _input_layer(config, where, fail)
    batch_input_shape = config.pop("batch_input_shape", None)  # Keras 2: on the first layer
    for key in ("layer", "backward_layer"):
        if isinstance(config.get(key), dict):
            config[key] = build_layer(config[key], fail)
    kwargs = {k: _convert(k, v, where, fail) for k, v in arguments(config, cls, where, fail).items()}
    if batch_input_shape is not None:
        kwargs["input_shape"] = tuple(batch_input_shape[1:])
    _refuse_values(name, kwargs, where, fail)
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as exc:  # bricks's own checks (e.g. RNN dropout), now naming the file
        raise ValueError(f"{fail.path}: {where}: {exc}") from None


def _refuse_values(name, kwargs, where, fail):
    """Values bricks would accept but compute differently from Keras."""
    if kwargs.get("mask_zero"):
        fail(where, "mask_zero=False (bricks layers do not consume masks, so a masked model "
             "would predict differently)", mask_zero=True)
    axis = kwargs.get("axis")
    if name == "BatchNormalization" and isinstance(axis, list):
        if len(axis) != 1:
            fail(where, "a single axis", axis=axis)
        kwargs["axis"] = axis[0]


def _input_layer(config, where, fail):
    shape = config.get("batch_shape") or config.get("batch_input_shape")
    if shape is None:
        fail(where, "batch_shape (Keras 3) or batch_input_shape (Keras 2)", config=sorted(config))
    for key in ("sparse", "ragged", "optional"):
        if config.get(key):
            fail(where, f"{key}=False", **{key: config[key]})
    dtype = config.get("dtype")
    dtype = _dtype(dtype, where, fail) if dtype in (None, "float32", "float64") or isinstance(dtype, dict) else None
    if not isinstance(shape, list) or not shape:
        fail(where, "batch_shape as a list [batch, ...]", batch_shape=shape)
    try:
        return LAYERS.lookup("InputLayer")(shape=tuple(shape[1:]), batch_size=shape[0], name=config.get("name"),
                                            dtype=dtype)  # integer inputs (ids) are read as floats, as bricks does
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{fail.path}: {where}: {exc}") from None


def build_model(spec, fail):
    """A bricks Sequential from a Keras Sequential spec (or a chain-shaped functional one, see
    graph.py), built when its input shape is known."""
    _check_spec(spec, "the model", fail)
    name = spec.get("class_name")
    if name in ("Functional", "Model"):
        from bricks.keras_format.graph import as_sequential
        spec, name = as_sequential(spec, fail), "Sequential"  # a chain of layers, else refused
    if name != "Sequential":
        fail("the model", "a Sequential model (bricks cannot load a model class)", class_name=name)
    config = spec.get("config") or {}
    if not isinstance(config.get("layers"), list):
        fail("the model", "a Sequential config with a list of layers", config=sorted(config))
    for i, layer in enumerate(config["layers"]):
        _check_spec(layer, f"layer {i} of the model", fail)
    layers = [build_layer(s, fail) for s in config["layers"]]
    dtype = _dtype(config.get("dtype"), "the model", fail)
    shape = config.get("build_input_shape") or (spec.get("build_config") or {}).get("input_shape")
    try:  # building checks each layer's output size (bricks.limits) before making it
        model = LAYERS.lookup("Sequential")(layers, name=config.get("name"), trainable=config.get("trainable", True),
                                             dtype=dtype)
        if not model.built and shape:
            model.build(tuple(shape))
    except (TypeError, ValueError) as exc:
        if str(exc).startswith(fail.path):
            raise
        raise ValueError(f"{fail.path}: the model: {exc}") from None
    if not model.built:
        fail("the model", "a known input shape (an InputLayer, build_input_shape or build_config)", built=False)
    return model
