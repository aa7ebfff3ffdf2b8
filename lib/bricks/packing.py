"""Flat arrays behind a model's weights, so the guarded step copies and checks them at once.

`PackedWeights(layers)` moves every array of `layer.params`, `layer.state` and `layer.grads`
into one flat array per dtype, the weights first and then the gradients; the dicts then hold
views of it, with the same values and shapes::

    flat     [ dense/kernel | dense/bias | ... | batch_normalization/moving_mean | dense/kernel's grad | ... ]
    layer.params["kernel"] is flat[0:1280].reshape(20, 64)      a view: writes reach the flat array

The layers write their arrays in place, as they always did (`grads[k][...] = x.T @ g`,
`w -= lr * g`), so a snapshot of the model is one copy of the weights' half and "is everything
finite?" is one sum of squares, however many arrays the model has (guards.Snapshot).

A Sequential packs the layers it is given when it is built, and a packed array is never moved
again: a later `model.add`, or a built model put inside another, packs only the new arrays, in a
group of their own (so a model assembled by `add` after construction has a group per `add`). An
array taken out of `layer.params` after the build is the layer's and stays so. A layer's own
attribute that held an array before packing (`self.kernel = self.add_weight(...)`, as Keras's
custom layers do) is given the view as well.

Nothing is assumed: a layer's dicts are `WeightDict`s, which count every new array put in
them (`put_count`). A pack `holds` while that count is unchanged and the layers have the same
dicts, or, when anything changed, while the model has exactly the packed arrays; otherwise the
guard works array by array, as correct and slower. A copied or pickled model is not packed (its
arrays are not views of this flat array); `model.pack_weights()` packs it.
"""
import numpy as np

__all__ = ["PackedWeights", "WeightDict", "put_count", "ALIGN"]

ALIGN = 64  # bytes: each packed array starts a whole number of cache lines after the first
_puts = [0]  # new arrays put in any layer's WeightDict so far


def put_count():
    """How many new arrays have been put in layers' weight dicts so far (by anyone)."""
    return _puts[0]


class WeightDict(dict):
    """A dict of a layer's arrays (params, grads or state) that counts each new array put in it;
    writing into an array (`d[k][...] = v`, `d[k] += v`) puts nothing new and is not counted."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self:
            _puts[0] += 1

    def __setitem__(self, key, value):
        if dict.get(self, key) is not value:
            _puts[0] += 1
        dict.__setitem__(self, key, value)

    def __delitem__(self, key):
        _puts[0] += 1
        dict.__delitem__(self, key)

    def _changed(name):  # the other ways to change a dict: counted, then done as dict does them
        method = getattr(dict, name)

        def changing(self, *args, **kwargs):
            _puts[0] += 1
            return method(self, *args, **kwargs)
        changing.__name__ = name
        return changing

    update, setdefault, pop, popitem, clear, __ior__ = map(_changed, (
        "update", "setdefault", "pop", "popitem", "clear", "__ior__"))
    del _changed


class PackedWeights:
    """The params, state and grads of `layers` as views of flat arrays (`flat`: per group and dtype,
    the weights then the gradients); `weights` and `grads` are their two halves, `views` lists
    every (dict, key, view).

    A packed array is never moved again: the groups of `reuse` (the model's earlier pack, a
    built submodel's) whose arrays all still belong to `layers` are kept as they are, and only
    the arrays in none of them are packed, into one new group. So `model.add` or wrapping a
    built model does not take an array a user holds away from its layer."""

    def __init__(self, layers, reuse=()):
        layers = list(layers)
        held = {(id(d), k): d[k] for layer in layers for d in (layer.params, layer.state, layer.grads) for k in d}
        self.groups, taken = [], set()
        for group in (g for pack in reuse if pack is not None for g in pack.groups):
            keys = [(id(d), k) for d, k, _ in group.views]
            if all(held.get(key) is view for key, (_, _, view) in zip(keys, group.views)) and not taken & set(keys):
                self.groups.append(group)
                taken.update(keys)
        weights = [(layer, d, k) for layer in layers for d in (layer.params, layer.state) for k in d
                   if (id(d), k) not in taken]
        grads = [(layer, layer.grads, k) for layer in layers for k in layer.grads if (id(layer.grads), k) not in taken]
        if weights or grads:
            self.groups.append(_Group(weights, grads))
        self.flat = [f for g in self.groups for f in g.flat]
        self.weights = [w for g in self.groups for w in g.weights]
        self.grads = [w for g in self.groups for w in g.grads]
        self.views = [v for g in self.groups for v in g.views]
        self.owners = [(layer, layer.params, layer.state, layer.grads) for layer in layers]
        self.watched = all(type(d) is WeightDict for _, *dicts in self.owners for d in dicts)  # else: walk each time
        self.puts = put_count()

    def holds(self, model):
        """True when `model`'s layers have exactly the packed arrays: the same dicts, and nothing put
        in them since packing (or, if anything was put anywhere, the model walked once says so)."""
        if self.watched and self.puts == put_count() and self._same_dicts():
            return True
        layers = [layer for _, layer in model.walk()]
        arrays = sum(len(layer.params) + len(layer.state) + len(layer.grads) for layer in layers)
        if arrays != len(self.views) or not all(d.get(k) is view for d, k, view in self.views):
            return False
        if [layer for layer, *_ in self.owners] != layers or not self._same_dicts():
            return False
        self.puts = put_count()
        return True

    def _same_dicts(self):
        """True when every packed layer still has the params, state and grads dicts it was packed with."""
        return all(layer.params is p and layer.state is s and layer.grads is g for layer, p, s, g in self.owners)

    def __reduce__(self):  # a copy or a pickle of a model does not share this flat array
        return (_unpacked, ())


class _Group:
    """Arrays packed together: one flat array per dtype, [weights | grads] (see PackedWeights)."""

    def __init__(self, weights, grads):
        self.flat, self.views, ends = _pack(weights + grads)
        last_weight = dict(ends[:len(weights)])  # dtype -> where its last weight ends
        self.weights = [flat[:last_weight.get(flat.dtype, 0)] for flat in self.flat]
        self.grads = [flat[last_weight.get(flat.dtype, 0):] for flat in self.flat]


def _unpacked():
    return None


def _pack(entries):
    """Move the arrays at `entries` [(layer, dict, key)] into one flat array per dtype, in order;
    returns those flat arrays, (dict, key, view) for each entry, and (dtype, end) of each entry's
    slot. Each slot is rounded up to whole cache lines; the padding stays 0 (nothing in a sum of
    squares). An attribute of the layer that held a moved array (`self.kernel = self.add_weight(...)`,
    Keras's custom-layer idiom) is given the view too."""
    slots, used = [], {}  # (dtype, start, end) of each entry; dtype -> elements used so far
    for _, d, key in entries:
        dtype, size = d[key].dtype, d[key].size
        line = max(1, ALIGN // dtype.itemsize)  # elements per cache line
        start = used.get(dtype, 0)
        used[dtype] = start + -(-size // line) * line
        slots.append((dtype, start, used[dtype]))
    flats = {dtype: np.zeros(size, dtype) for dtype, size in used.items()}
    views, moved = [], {}  # moved: id(old array) -> (old, view), per layer
    for (layer, d, key), (dtype, start, _) in zip(entries, slots):
        old = d[key]
        view = flats[dtype][start:start + old.size].reshape(old.shape)  # a view, C order like old
        view[...] = old
        d[key] = view
        views.append((d, key, view))
        moved.setdefault(id(layer), (layer, {}))[1][id(old)] = (old, view)
    for layer, arrays in moved.values():
        for name, value in list(vars(layer).items()):
            if id(value) in arrays and arrays[id(value)][0] is value:
                setattr(layer, name, arrays[id(value)][1])
    return list(flats.values()), views, [(dtype, end) for dtype, _, end in slots]
