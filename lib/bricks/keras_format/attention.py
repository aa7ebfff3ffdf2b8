"""Attention layers in Keras files: the three places they differ from a one-input layer.

1. The call. Keras calls attention on several tensors: `MultiHeadAttention()(x, x)` (two
   arguments) and `Attention()([x, x])` (one list). A functional model whose attention layers all
   attend over the previous layer's output (self-attention) is still a chain, and bricks reads it
   as a Sequential model whose attention layers get one input (`graph.as_sequential` asks
   `self_attention_refs`). Keras's Sequential cannot hold such a layer (it would call it on one
   tensor), so the writer writes a model with attention as that functional chain (`as_functional`).
2. The build. Keras builds MultiHeadAttention from {"shapes_dict": {"query_shape", "value_shape"}}
   and Attention from a list of input shapes (`build_config`).
3. The weights. MultiHeadAttention keeps its weights in four EinsumDense sublayers (`slots`):

    layers/multi_head_attention/query_dense/vars/0, /1     kernel (D, N, H), bias (N, H)
    .../key_dense/vars, .../value_dense/vars, .../output_dense/vars (kernel (N, Hv, E), bias (E,))
    .../_softmax/vars, .../_dropout_layer/vars             empty
"""
__all__ = ["ATTENTION_LAYERS", "self_attention_refs", "slots", "build_config", "as_functional"]

ATTENTION_LAYERS = {"Attention", "AdditiveAttention", "MultiHeadAttention"}
MHA_DENSE = (("query", "query_dense"), ("key", "key_dense"), ("value", "value_dense"),
             ("attention_output", "output_dense"))


def self_attention_refs(class_name, refs, kwargs, previous):
    """(refs, kwargs) as a one-input layer's when `class_name` attends over `previous` alone:
    2 or 3 references to it, and no call argument but False/None ones. Otherwise unchanged."""
    same = [(previous, 0, 0)] * len(refs)
    if class_name in ATTENTION_LAYERS and len(refs) in (2, 3) and refs == same:
        return [(previous, 0, 0)], {k: v for k, v in kwargs.items() if v not in (None, False)}
    return refs, kwargs


def slots(layer, join):
    """MultiHeadAttention's weight groups (see module doc), in Keras's order."""
    out = [(join("vars"), layer.name, [])]
    for ours, theirs in MHA_DENSE:
        arrays = [layer.params[f"{ours}/{w}"] for w in ("kernel", "bias") if f"{ours}/{w}" in layer.params]
        out.append((join(f"{theirs}/vars"), ours, arrays))
    return out + [(join("_softmax/vars"), "softmax", []), (join("_dropout_layer/vars"), "dropout", [])]


def build_config(kind, input_shape):
    """Keras's build_config of a self-attention layer built on `input_shape`."""
    shape = list(input_shape)
    if kind == "MultiHeadAttention":
        return {"shapes_dict": {"query_shape": shape, "value_shape": shape}}
    return {"input_shape": [shape, shape]}


def _tensor(layer_name, shape, dtype):
    return {"class_name": "__keras_tensor__",
            "config": {"shape": list(shape), "dtype": dtype, "keras_history": [layer_name, 0, 0]}}


def as_functional(spec, shapes):
    """The functional chain equal to a Sequential spec from writer.model_config; `shapes` are the
    input shapes of its layers (the InputLayer's first). Attention layers attend over their input."""
    config = spec["config"]
    dtype = config["dtype"]["config"]["name"]
    layers, previous = [], None
    for layer, shape in zip(config["layers"], shapes):
        name = layer["config"]["name"]
        layer = {**layer, "name": name}
        if previous is None:
            layer["inbound_nodes"] = []
        else:
            x = _tensor(previous, shape, dtype)
            args = {"MultiHeadAttention": [x, x], "Attention": [[x, x]], "AdditiveAttention": [[x, x]]}
            layer["inbound_nodes"] = [{"args": args.get(layer["class_name"], [x]), "kwargs": {}}]
        layers.append(layer)
        previous = name
    return {"module": "keras.src.models.functional", "class_name": "Functional", "registered_name": "Functional",
            "config": {"name": config["name"], "trainable": config["trainable"], "layers": layers,
                       "input_layers": [layers[0]["name"], 0, 0], "output_layers": [previous, 0, 0]},
            "build_config": {"input_shape": None}}
