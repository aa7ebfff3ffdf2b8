"""Where Keras keeps each weight: the HDF5 groups of `model.weights.h5` and of legacy `.h5` files.

Keras 3 (`model.weights.h5` inside a `.keras` zip) stores a layer's variables as datasets
"0", "1", ... of a group `<path>/vars`, in the order the layer created them, which is bricks's
`get_weights()` order. The path is not the layer's name but its class name in snake case,
made unique inside each container (`dense`, `dense_1`, ...)::

    vars                                   the Sequential model's own (none)
    layers/dense/vars/0, /1                Dense: kernel, bias
    layers/lstm/cell/vars/0, /1, /2        a recurrent layer keeps its weights in its cell
    layers/bidirectional/forward_layer/cell/vars/...   then backward_layer/cell/vars/...
    layers/sequential/layers/dense/vars/...            a nested Sequential

Legacy `.h5` (Keras 2, and Keras 3's `save("m.h5")`): group `model_weights/<layer name>` whose
attribute `weight_names` lists the layer's datasets, every nested weight included, in order.
"""
import re

import h5py
import numpy as np

from bricks.keras_format import attention, untrusted
from bricks.layers.attention import Attention
from bricks.layers.core import InputLayer
from bricks.layers.multi_head_attention import MultiHeadAttention
from bricks.layers.recurrent.base import Recurrent
from bricks.layers.recurrent.bidirectional import Bidirectional
from bricks.model import Sequential

__all__ = ["snake_case", "slots", "read_v3", "write_v3", "read_legacy"]

SELF_ATTENTION = (Attention, MultiHeadAttention)  # AdditiveAttention is an Attention


def snake_case(name):
    """Keras's `to_snake_case`: 'Conv2DTranspose' -> 'conv2d_transpose', 'LSTM' -> 'lstm'.

    >>> snake_case("Conv2DTranspose"), snake_case("SimpleRNN"), snake_case("BatchNormalization")
    ('conv2d_transpose', 'simple_rnn', 'batch_normalization')
    """
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def _unique(name, used):
    if name in used:
        used[name] += 1
        return f"{name}_{used[name]}"
    used[name] = 0
    return name


def slots(layer, path=""):
    """[(group path, Keras object name, [weight arrays of `layer`])] in Keras's saving order."""
    join = (lambda part: f"{path}/{part}") if path else (lambda part: part)
    if isinstance(layer, Sequential):
        out, used = [(join("vars"), layer.name, [])], {}
        if not path and any(isinstance(sub, SELF_ATTENTION) for sub in layer.sublayers):
            out.append(("layers/input_layer/vars", "input_layer", []))  # written as a functional model
        for sub in layer.sublayers:
            if not isinstance(sub, InputLayer):
                out += slots(sub, join("layers/" + _unique(snake_case(type(sub).__name__), used)))
        return out
    if isinstance(layer, Bidirectional):
        fwd, bwd = layer.sublayers
        return [(join("vars"), layer.name, [])] + slots(fwd, join("forward_layer")) + slots(bwd, join("backward_layer"))
    if isinstance(layer, MultiHeadAttention):
        return attention.slots(layer, join)
    if isinstance(layer, Recurrent):  # the weights live in the layer's cell
        return [(join("vars"), layer.name, []), (join("cell/vars"), layer.keras_cell, layer.weight_arrays())]
    return [(join("vars"), layer.name, layer.weight_arrays())]


def _assign(targets, node, keys, where, fail):
    """Copy the datasets `keys` of `node` into a layer's arrays, in place: their count, then each
    one's shape (before it is read) and values (finite) checked."""
    if len(keys) != len(targets):
        fail(where, f"{len(targets)} weight arrays", **{"arrays in file": len(keys)})
    for i, (w, key) in enumerate(zip(targets, keys)):
        label = f"weight {i}" if key == str(i) else f"weight {i} ({key!r})"
        w[...] = untrusted.read_dataset(node, key, w.shape, where, fail, label).astype(w.dtype, copy=False)


def read_v3(h5, model, fail):
    """Fill every weight of `model` from a Keras 3 weights file (an open h5py.File)."""
    for group, name, arrays in slots(model):
        node = h5.get(group)
        if node is not None and not isinstance(node, h5py.Group):
            fail(f"weights of {name!r} ('{group}')", "a group of datasets 0, 1, ...", **{"in file": "a dataset"})
        count = 0 if node is None else len(node.keys())
        _assign(arrays, node, [str(i) for i in range(count)], f"weights of {name!r} ('{group}')", fail)


def write_v3(h5, model):
    """Write every weight of `model` as Keras 3 lays them out (groups named as Keras names them)."""
    for group, name, arrays in slots(model):
        node = h5.require_group(group)
        node.attrs["name"] = name
        for i, w in enumerate(arrays):
            node.create_dataset(str(i), data=w)


def _names(group):
    names = group.attrs.get("weight_names", [])
    return [n.decode() if isinstance(n, bytes) else str(n) for n in np.asarray(names).ravel()]


def read_legacy(h5, model, fail):
    """Fill every weight of `model` from a legacy .h5 file's `model_weights` group (or a Keras 2
    weights-only file: the same groups at the root). Layers are matched by name; failing that, like
    Keras 2's `load_weights`, the layers that have weights are matched in order."""
    root = h5["model_weights"] if "model_weights" in h5 else h5
    if not isinstance(root, h5py.Group):
        fail("model_weights", "a group of layer groups", **{"in file": "a dataset"})
    layers = [layer for layer in model.sublayers if not isinstance(layer, InputLayer) and layer.weight_arrays()]
    groups = {name: node for name, node in root.items() if isinstance(node, h5py.Group)}
    if all(layer.name in groups for layer in layers):
        pairs = [(layer, groups[layer.name]) for layer in layers]
    else:
        names = np.asarray(root.attrs.get("layer_names", [])).ravel()
        order = [n.decode() if isinstance(n, bytes) else str(n) for n in names]
        ordered = [groups[n] for n in order if n in groups and _names(groups[n])]
        if len(ordered) != len(layers):
            fail("weights", f"{len(layers)} layers with weights, matched by name or in order "
                 f"({[layer.name for layer in layers]})", **{"layers with weights in file": [g.name for g in ordered]})
        pairs = list(zip(layers, ordered))
    for layer, group in pairs:
        _assign(layer.weight_arrays(), group, _names(group), f"weights of {layer.name!r}", fail)
