"""One lookup by name for everything bricks builds from a name or a config.

Each family (activations, initializers, regularizers, losses, metrics, optimizers,
schedules, layers) owns one `Registry`. An entry is a class (or, for activations and
metrics, a named function object), found by its class name ('GlorotUniform'), by an
alias ('glorot_uniform'), or from Keras's config convention, the one format every
file and every `get_config` of bricks uses:

    {"class_name": "GlorotUniform", "config": {"seed": 0}}

`get(identifier)` turns any of these into an object:

    an instance of the family's base class   -> itself
    a name or alias                          -> a new default instance (a class entry)
                                                or the entry itself (a function entry)
    {"class_name": ..., "config": {...}}     -> cls.from_config(config), else cls(**config)

and `serialize(obj)` is its inverse: {"class_name": type(obj).__name__, "config":
obj.get_config()} for objects, the name for function entries, names and None unchanged.

Example:
    >>> from bricks import initializers
    >>> init = initializers.get("glorot_uniform")
    >>> initializers.serialize(init)
    {'class_name': 'GlorotUniform', 'config': {'seed': None}}
    >>> type(initializers.get(initializers.serialize(init))).__name__
    'GlorotUniform'
"""
from bricks import errors

__all__ = ["Registry"]


class Registry:
    """Named entries of one family, with Keras-style `get` / `serialize` / `deserialize`.

    Args:
        family: the family's name, used in error messages ('initializers').
        base: instances of this class are returned by `get` unchanged (None: no base).
        kind: what an entry is called in messages ('initializer', 'layer class').
    """

    def __init__(self, family, base=None, kind=None):
        self.family, self.base, self.kind = family, base, kind or family.rstrip("s")
        self.entries, self.aliases = {}, {}

    def register(self, entry, *aliases, name=None):
        """Add `entry` under `name` (default: its `__name__` or `.name`) and `aliases`; returns it."""
        name = name or getattr(entry, "__name__", None) or entry.name
        self.entries[name] = entry
        for alias in aliases:
            self.aliases[alias] = name
        return entry

    def names(self):
        """Every name `get` accepts, sorted."""
        return sorted(set(self.entries) | set(self.aliases))

    def __contains__(self, name):
        return isinstance(name, str) and self.aliases.get(name, name) in self.entries

    def lookup(self, name, owner=None):
        """The entry registered under `name` or an alias of it; ValueError naming the choices."""
        if name not in self:
            errors.fail(owner or f"{self.family}.get", f"a known {self.kind}, one of {self.names()}",
                        **{self.kind.replace(" ", "_"): name})
        return self.entries[self.aliases.get(name, name)]

    def get(self, identifier, owner=None):
        """An object from an instance, a name or a {"class_name", "config"} dict (see module doc)."""
        if self.base is not None and isinstance(identifier, self.base):
            return identifier
        if isinstance(identifier, str):
            entry = self.lookup(identifier, owner)
            return entry() if isinstance(entry, type) else entry
        if isinstance(identifier, dict):
            return self.deserialize(identifier, owner)
        expected = f"one of {self.names()}" + (f", or a {self.base.__name__}" if self.base else "")
        errors.fail(owner or f"{self.family}.get", expected, identifier=identifier)

    def deserialize(self, spec, owner=None):
        """Build the object a {"class_name": ..., "config": {...}} dict describes."""
        owner = owner or f"{self.family}.deserialize"
        if not isinstance(spec, dict) or not isinstance(spec.get("class_name"), str):
            errors.fail(owner, 'a dict {"class_name": ..., "config": {...}}', spec=spec)
        config = spec.get("config") or {}
        if not isinstance(config, dict):
            errors.fail(owner, "a config dict", **{"config": config})
        cls = self.lookup(spec["class_name"], owner)
        return cls.from_config(config) if hasattr(cls, "from_config") else cls(**config)

    def serialize(self, obj):
        """Keras's {"class_name", "config"} for an object; names, None and function entries as names."""
        if obj is None or isinstance(obj, (str, dict)):
            return obj  # a name, or already a {"class_name", "config"} spec
        if obj in self.entries.values() and not isinstance(obj, type):
            return next(name for name, entry in self.entries.items() if entry is obj)
        name = type(obj).__name__
        if self.entries.get(name) is not type(obj):
            errors.fail(f"{self.family}.serialize", f"an object of a registered class, one of "
                        f"{sorted(self.entries)}", **{"type": name})
        return {"class_name": name, "config": obj.get_config()}
