"""bricks layers -> Keras 3 layer configs (the inverse of reader.py), as `keras.saving.load_model` reads them.

Each layer's `get_config()` already uses Keras's argument names; the writer only wraps values
in Keras's serialized forms (dtype policies, CamelCase initializer and regularizer classes),
drops bricks-only keys (`input_shape`, which the InputLayer carries), and adds the
`module`/`build_config` fields Keras 3 expects. A layer Keras has no counterpart for (Residual)
raises a ValueError naming it.
"""
from bricks.keras_format import attention
from bricks.keras_format.reader import KERAS_LAYERS, KERAS_REGULARIZERS
from bricks.layers.core import InputLayer
from bricks.layers.recurrent.bidirectional import Bidirectional
from bricks.model import Sequential

__all__ = ["model_config", "layer_config"]

BRICKS_ONLY_KEYS = ("input_shape", "input_length", "use_fused")


def camel(name):
    """'glorot_uniform' -> 'GlorotUniform', 'l1_l2' -> 'L1L2'."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def _policy(dtype):
    return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": dtype}, "registered_name": None}


def _initializer(value):
    if value is None:
        return None
    if isinstance(value, str):
        value = {"class_name": value, "config": {}}
    name = {"uniform": "random_uniform", "normal": "random_normal"}.get(value["class_name"], value["class_name"])
    return {"module": "keras.initializers", "class_name": camel(name), "config": dict(value.get("config") or {}),
            "registered_name": None}


def _regularizer(value):
    if value is None:
        return None
    if isinstance(value, str):
        value = {"class_name": value, "config": {}}
    names = {v: k for k, v in KERAS_REGULARIZERS.items()}
    return {"module": "keras.regularizers", "class_name": names.get(value["class_name"], value["class_name"]),
            "config": dict(value.get("config") or {}), "registered_name": None}


def _value(key, value):
    if key == "dtype":
        return _policy(value)
    if key.endswith("_initializer"):
        return _initializer(value)
    if key.endswith("_regularizer"):
        return _regularizer(value)
    return value


def layer_config(layer, input_shape, fail):
    """The Keras spec {"module", "class_name", "config", "build_config"} of one built bricks layer."""
    kind = type(layer).__name__  # Keras names a layer's class in its config
    if isinstance(layer, Sequential):
        return model_config(layer, fail, input_shape)
    if kind not in KERAS_LAYERS:
        fail(f"layer {layer.name!r} ({kind})", f"a layer Keras has, one of {sorted(KERAS_LAYERS)}", class_name=kind)
    config = {k: _value(k, v) for k, v in layer.get_config().items() if k not in BRICKS_ONLY_KEYS}
    if isinstance(layer, Bidirectional):
        fwd, bwd = layer.sublayers
        config["layer"] = layer_config(fwd, input_shape, fail)
        config["backward_layer"] = layer_config(bwd, input_shape, fail)
    spec = {"module": "keras.layers", "class_name": kind, "config": config, "registered_name": None}
    if input_shape is not None:
        spec["build_config"] = {"input_shape": list(input_shape)}
        if kind in attention.ATTENTION_LAYERS:
            spec["build_config"] = attention.build_config(kind, input_shape)
    return spec


def _input_spec(model):
    shape = list(model.input_shape)
    return {"module": "keras.layers", "class_name": "InputLayer",
            "config": {"batch_shape": shape, "dtype": model.dtype.name, "sparse": False, "ragged": False,
                       "name": f"{model.name}_input", "optional": False}, "registered_name": None}


def model_config(model, fail, input_shape=None):
    """The Keras 3 config.json content of a built bricks Sequential model."""
    if not isinstance(model, Sequential):
        fail("save", "a Sequential model (the only kind bricks writes as .keras)", model=type(model).__name__)
    if not model.built:
        fail(f"model {model.name!r}", "a built model (give it an Input or call it on data first)", built=False)
    layers, shape, in_shapes = [], tuple(model.input_shape), []
    for sub, out_shape in zip(model.sublayers, model.output_shapes):
        in_shapes.append(shape)
        if isinstance(sub, InputLayer):
            cfg = sub.get_config()
            layers.append({"module": "keras.layers", "class_name": "InputLayer", "registered_name": None,
                           "config": {"batch_shape": [cfg["batch_size"], *cfg["shape"]], "dtype": cfg["dtype"],
                                      "sparse": False, "ragged": False, "name": cfg["name"], "optional": False}})
        else:
            layers.append(layer_config(sub, shape, fail))
        shape = out_shape
    if not layers or layers[0]["class_name"] != "InputLayer":
        layers.insert(0, _input_spec(model))
        in_shapes.insert(0, tuple(model.input_shape))
    config = {"name": model.name, "trainable": model.trainable, "dtype": _policy(model.dtype.name),
              "layers": layers, "build_input_shape": list(model.input_shape)}
    spec = {"module": "keras", "class_name": "Sequential", "config": config, "registered_name": None,
            "build_config": {"input_shape": list(model.input_shape)}}
    if input_shape is None and any(layer["class_name"] in attention.ATTENTION_LAYERS for layer in layers):
        return attention.as_functional(spec, in_shapes)  # Keras's Sequential cannot call attention on (x, x)
    return spec
