"""One flat array per dtype behind a model's weights, so the guarded step copies and checks them at once.

`PackedWeights(layers)` moves every array of `layer.params` and `layer.state` into one flat
array per dtype (`weights`), and every `layer.grads` array into another (`grads`); the
dicts then hold views of them, with the same values and shapes::

    weights  [ dense/kernel | dense/bias | dense_1/kernel | ... | batch_normalization/moving_mean ]
    layer.params["kernel"] is weights[0][0:1280].reshape(20, 64)     a view: writes reach the flat array

The layers write their arrays in place, as they always did (`grads[k][...] = x.T @ g`,
`w -= lr * g`), so a snapshot of the model is one copy of `weights` and "is everything
finite?" is two sums of squares, however many arrays the model has (guards.Snapshot).
Sequential packs its layers when it is built; an array taken out of `layer.params` after
that is the layer's and stays so (one kept from before, e.g. `add_weight`'s return value, is not).

Nothing is assumed: a layer's dicts are `WeightDict`s, which count every new array put in
them (`put_count`). A pack `holds` while that count is unchanged, or, when it changed, while
the model has exactly the packed arrays; otherwise the guard works array by array, as
correct and slower. A copied or pickled model is not packed (its arrays are not views of
this flat array).
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
    """The params, state and grads of `layers` as views of `flat` (one array per dtype: the weights,
    then the gradients); `weights` and `grads` are its two halves, `views` lists every (dict, key, view)."""

    def __init__(self, layers):
        dicts = [d for layer in layers for d in (layer.params, layer.state, layer.grads)]
        weights = [(d, k) for layer in layers for d in (layer.params, layer.state) for k in d]
        grads = [(layer.grads, k) for layer in layers for k in layer.grads]
        self.flat, self.views, ends = _pack(weights + grads)  # per dtype: [weights | grads]
        last_weight = dict(ends[:len(weights)])  # dtype -> where its last weight ends
        self.weights = [flat[:last_weight.get(flat.dtype, 0)] for flat in self.flat]
        self.grads = [flat[last_weight.get(flat.dtype, 0):] for flat in self.flat]
        self.watched = all(type(d) is WeightDict for d in dicts)  # else every `holds` looks at every array
        self.puts = put_count()

    def holds(self, model):
        """True when `model`'s layers have exactly the packed arrays: nothing put in their dicts since
        packing (or, if anything was, not in theirs: then the model is walked once to tell)."""
        if self.watched and self.puts == put_count():
            return True
        layers = [layer for _, layer in model.walk()]
        arrays = sum(len(layer.params) + len(layer.state) + len(layer.grads) for layer in layers)
        if arrays != len(self.views) or not all(d.get(k) is view for d, k, view in self.views):
            return False
        self.puts = put_count()
        return True

    def __reduce__(self):  # a copy or a pickle of a model does not share this flat array
        return (_unpacked, ())


def _unpacked():
    return None


def _pack(entries):
    """Move the arrays at `entries` [(dict, key)] into one flat array per dtype, in order; returns
    those flat arrays, (dict, key, view) for each entry, and (dtype, end) of each entry's slot.
    Each slot is rounded up to whole cache lines; the padding stays 0 (nothing in a sum of squares)."""
    slots, used = [], {}  # (dtype, start, end) of each entry; dtype -> elements used so far
    for d, key in entries:
        dtype, size = d[key].dtype, d[key].size
        line = max(1, ALIGN // dtype.itemsize)  # elements per cache line
        start = used.get(dtype, 0)
        used[dtype] = start + -(-size // line) * line
        slots.append((dtype, start, used[dtype]))
    flats = {dtype: np.zeros(size, dtype) for dtype, size in used.items()}
    views = []
    for (d, key), (dtype, start, _) in zip(entries, slots):
        old = d[key]
        view = flats[dtype][start:start + old.size].reshape(old.shape)  # a view, C order like old
        view[...] = old
        d[key] = view
        views.append((d, key, view))
    return list(flats.values()), views, [(dtype, end) for dtype, _, end in slots]
