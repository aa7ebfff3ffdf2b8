"""A Keras functional model that is one straight chain of layers is a Sequential model.

Platforms often build even a plain stack with the functional API, `keras.Model(inputs, outputs)`.
Its config lists the layers with the tensors each one was called on (`inbound_nodes`); when
every layer is called once, on the output of the layer listed before it, from one input to one
output, nothing is lost by reading it as a Sequential model (the weights are stored alike). Any
other graph (a merge, a skip connection, a layer shared or called twice, several inputs or
outputs) is refused with the first layer that breaks the chain.

    Keras 3 node: {"args": [{"class_name": "__keras_tensor__", "config": {"keras_history": ["dense", 0, 0]}}],
                   "kwargs": {}}
    Keras 2 node: [["dense", 0, 0, {}]]
"""
from bricks.keras_format.attention import self_attention_refs

__all__ = ["as_sequential"]


def _inbound(node):
    """The (layer, node index, tensor index) triples one call read, and its keyword arguments."""
    if isinstance(node, dict):  # Keras 3
        refs = []
        for arg in node.get("args", []):
            for a in (arg if isinstance(arg, list) else [arg]):  # Attention()([q, v]): one list argument
                history = a.get("config", {}).get("keras_history") if isinstance(a, dict) else None
                refs.append(tuple(history) if history else repr(a))
        return refs, node.get("kwargs") or {}
    refs = [tuple(t[:3]) for t in node]  # Keras 2
    kwargs = {k: v for t in node if len(t) > 3 and t[3] for k, v in t[3].items()}
    return refs, kwargs


def _endpoints(value):
    """input_layers / output_layers: ["x", 0, 0] or [["x", 0, 0], ...] -> [("x", 0, 0), ...]."""
    if value and isinstance(value[0], str):
        return [tuple(value)]
    return [tuple(v) for v in value or []]


def as_sequential(spec, fail):
    """The Sequential spec equal to a chain-shaped functional spec; ValueError for any other graph."""
    config = spec.get("config") or {}
    layers = config.get("layers") or []
    names = [layer.get("name") or (layer.get("config") or {}).get("name") for layer in layers]
    ins, outs = _endpoints(config.get("input_layers")), _endpoints(config.get("output_layers"))

    def refuse(why, **received):
        fail("the model", f"a Sequential model, or a functional one that is a single chain of layers ({why}); "
             "bricks has no graph of layers", **received)

    if len(ins) != 1 or len(outs) != 1:
        refuse("one input and one output", inputs=[i[0] for i in ins], outputs=[o[0] for o in outs])
    if not layers or layers[0].get("class_name") != "InputLayer" or names[0] != ins[0][0]:
        refuse("its input layer first", first=names[:1])
    for previous, layer, name in zip(names, layers[1:], names[1:]):
        nodes = layer.get("inbound_nodes") or []
        if len(nodes) != 1:
            refuse("every layer called once", layer=name, calls=len(nodes))
        refs, kwargs = _inbound(nodes[0])
        refs, kwargs = self_attention_refs(layer.get("class_name"), refs, kwargs, previous)  # attention(x, x)
        kwargs = {k: v for k, v in kwargs.items() if v is not None}  # mask=None: nothing passed
        if refs != [(previous, 0, 0)] or kwargs:
            refuse(f"every layer fed by the one listed before it, {previous!r}", layer=name,
                   inputs=[r[0] if isinstance(r, tuple) else r for r in refs], **({"kwargs": kwargs} if kwargs else {}))
    if outs[0][0] != names[-1]:
        refuse("the last layer as the output", output=outs[0][0])
    chain = [{k: v for k, v in layer.items() if k not in ("inbound_nodes", "name")} for layer in layers]
    return {**spec, "class_name": "Sequential",
            "config": {"name": config.get("name"), "trainable": config.get("trainable", True),
                       "dtype": config.get("dtype"), "layers": chain}}
