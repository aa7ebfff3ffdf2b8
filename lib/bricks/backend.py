"""Global defaults: float dtype, random seed, and Keras-style unique layer names.

Every random thing in bricks draws from a `numpy.random.Generator`. A layer or
initializer given `seed=` uses its own generator; otherwise it draws from the
global one, which `set_random_seed` resets, so a notebook run twice prints the
same numbers. A layer that draws while it runs (Dropout, GaussianNoise) holds a
`SeedGenerator`, which `set_random_seed` restarts too, even for layers built
before the call: re-running `set_random_seed(0); model.fit(...)` repeats the run.
"""
import re
from collections import defaultdict

import numpy as np

_state = {"floatx": "float64", "rng": np.random.default_rng(0), "names": defaultdict(int), "epoch": 0,
          "journal": None}  # journal: the RandomJournal of the running guarded step, if any


def floatx():
    """The default float dtype of new weights and inputs ('float64' unless changed)."""
    return _state["floatx"]


def set_floatx(dtype):
    """Set the default float dtype: 'float64' (exact gradient checks) or 'float32'."""
    if np.dtype(dtype) not in (np.float32, np.float64):
        raise ValueError(f"set_floatx: expected 'float32' or 'float64'. Received: dtype={dtype!r}")
    _state["floatx"] = np.dtype(dtype).name


def set_random_seed(seed):
    """Reset the global generator, every `SeedGenerator` and the layer-name counters.

    Like `keras.utils.set_random_seed`: after it, every random draw (initializers, shuffling,
    the noise of layers built before or after the call) is a function of `seed` alone.
    """
    if not (isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and seed >= 0):
        raise ValueError(f"set_random_seed: expected an integer seed >= 0. Received: seed={seed!r}")
    _state["rng"] = np.random.default_rng(seed)
    _state["epoch"] += 1
    clear_session()


def make_rng(seed=None):
    """A generator: a fresh one from `seed`, else a child of the global generator."""
    if seed is not None:
        return np.random.default_rng(seed)
    if _state["journal"] is not None:
        _state["journal"].note(GLOBAL_STREAM)  # where the global stream stood before this draw
    return np.random.default_rng(_state["rng"].integers(2**63))


class SeedGenerator:
    """The generator of a layer that draws while it runs; restarted by every `set_random_seed`.

    With a `seed`, the stream restarts at `default_rng(seed)`; without one, a child of the
    global generator is taken at creation and taken afresh at the first draw after each
    `set_random_seed`, so that draw depends on the new global seed only.
    """

    def __init__(self, seed=None):
        self.seed = seed
        self._rng = make_rng(seed)
        self._epoch = _state["epoch"]

    @property
    def rng(self):
        if _state["journal"] is not None:
            _state["journal"].note(self)  # where this stream stood before this draw
        if self._epoch != _state["epoch"]:
            self._rng, self._epoch = make_rng(self.seed), _state["epoch"]
        return self._rng

    def get_state(self):
        """Where the stream stands (for `set_state`): the generator's state and its seed epoch."""
        return self._rng, self._rng.bit_generator.state, self._epoch

    def set_state(self, state):
        self._rng, bit_state, self._epoch = state
        self._rng.bit_generator.state = bit_state


def get_rng_state():
    """The global generator and where it stands (for `set_rng_state`)."""
    return _state["rng"], _state["rng"].bit_generator.state


def set_rng_state(state):
    _state["rng"], bit_state = state
    _state["rng"].bit_generator.state = bit_state


class GlobalStream:
    """The global generator as a stream with get_state/set_state, like a SeedGenerator."""

    get_state = staticmethod(get_rng_state)
    set_state = staticmethod(set_rng_state)


GLOBAL_STREAM = GlobalStream()


class RandomJournal:
    """Where each random stream (the global one and every SeedGenerator) stood before its first
    draw between `start()` and `stop()`; `restore()` puts them back. A stream nobody draws from
    costs nothing. The guarded training step's undo for random streams (bricks.guards); also
    `with RandomJournal() as journal:`.
    """

    def __init__(self):
        self.saved = {}  # stream -> its state before the first draw from it
        self.outer, self.running = None, False  # outer: the journal running when this one started

    def note(self, stream):
        if stream not in self.saved:
            self.saved[stream] = stream.get_state()

    def start(self):
        """Start noting (again while running: nothing)."""
        if not self.running:
            self.outer, _state["journal"], self.running = _state["journal"], self, True
        return self

    def stop(self):
        """Stop noting (again: nothing). An outer journal takes the streams drawn inside too.
        Journals that overlap without nesting (A starts, B starts, A stops) are taken out of
        the chain wherever they are: B's outer becomes A's, and none is left running."""
        if not self.running:
            return
        inner, current = None, _state["journal"]
        while current is not None and current is not self:  # usually none: self is the running one
            inner, current = current, current.outer
        if current is self:  # take it out of the chain
            if inner is None:
                _state["journal"] = self.outer
            else:
                inner.outer = self.outer
            if self.outer is not None:
                for stream, state in self.saved.items():
                    self.outer.saved.setdefault(stream, state)
        self.running = False  # last: a stop interrupted before here is finished by the next

    def restore(self):
        for stream, state in self.saved.items():
            stream.set_state(state)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class preserved_rng:
    """`with preserved_rng():` draws inside leave the global generator as it was (save's check)."""

    def __enter__(self):
        self.saved = _state["rng"].bit_generator.state
        return self

    def __exit__(self, *exc):
        _state["rng"].bit_generator.state = self.saved


class expected_weights:
    """Within `with expected_weights({(layer name, weight name): shape})`, `Layer.add_weight`
    refuses a shape other than the expected one BEFORE allocating it (load_model uses this, so
    a tampered `units=1e11` is refused instead of raising MemoryError)."""

    def __init__(self, shapes, owner="load_model"):
        self.shapes, self.owner = shapes, owner

    def __enter__(self):
        self.outer, _state["expected"] = _state.get("expected"), self
        return self

    def __exit__(self, *exc):
        _state["expected"] = self.outer


def check_expected_weight(layer_name, name, shape):
    """Raise ValueError if an `expected_weights` block is active and disagrees with `shape`."""
    guard = _state.get("expected")
    if guard is None:
        return
    want = guard.shapes.get((layer_name, name))
    if want is None or tuple(want) != tuple(shape):
        raise ValueError(f"{guard.owner}: expected the weights the file holds. Received: {layer_name} "
                         f"builds {name!r} of shape {tuple(shape)}, the file has "
                         + ("none" if want is None else f"shape {tuple(want)}"))


def clear_session():
    """Forget the name counters, so the next Dense is called 'dense' again."""
    _state["names"].clear()


def snake_case(name):
    """'BatchNormalization' -> 'batch_normalization', 'Conv2D' -> 'conv2d'."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def unique_name(prefix):
    """Keras naming: 'dense', then 'dense_1', 'dense_2', ..."""
    count = _state["names"][prefix]
    _state["names"][prefix] += 1
    return prefix if count == 0 else f"{prefix}_{count}"
