"""The instructor side of the book's "your turn" cells: references, argument sets, slips.

A your-turn cell in a chapter holds only the student's function and one line,

    sigmoid_grad = checks.your_turn(sigmoid_grad, "ch02.sigmoid_grad")

Everything the check needs lives here, one module per chapter (`ch02.py` holds the
exercises `ch02.*`), never in the notebook, so the student set carries no answer:

- `reference`: a correct function with the student's signature; the notebook uses it
  instead of the student's function while that one is unwritten or wrong;
- `cases`: several argument sets, seeded, asymmetric, non-degenerate, of different shapes,
  with the boundary points (z = 0, a norm equal to the threshold, repeated ids ...);
- `forbidden`: the library functions the answer must not merely call ("module:qualname");
- `mistakes`: plausible wrong answers, each with what it gets wrong. The check names the
  slip when an answer behaves like one of them, and `tests/teaching/test_mistakes.py`
  proves that every one of them is caught.

A new chapter adds a module here (`attn.py` holds the exercises "attn.*"): it is found
without editing this file, and the tests hold it to the same rules (at least two argument
sets, at least five slips, each caught and named).

A determined student can read this package; the notebook gives nothing away.
"""

import dataclasses
import importlib
from typing import Any, Callable

__all__ = ["Case", "Mistake", "Exercise", "register", "get", "all_exercises", "MODULES"]

MODULES = (
    "ch01",
    "ch02",
    "ch02a",
    "ch02b",
    "ch03",
    "ch03a",
    "ch04",
    "ch05",
    "ch06",
    "ch07",
    "ch08",
    "ch09",
    "ch10",
    "ch11",
    "attn",  # Part III, chapters 12-13: attention and the Transformer
    "ch14",
    "ch15",
    "ch16",
    "ch16a",
    "ch17",
    "playground",
)


@dataclasses.dataclass
class Case:
    """One argument set: `fn(*args, **kwargs)`; `note` says what is special about it."""

    args: tuple
    kwargs: dict = dataclasses.field(default_factory=dict)
    note: str = ""


@dataclasses.dataclass
class Mistake:
    """A plausible wrong answer: `fn` has the exercise's signature; `why` names the slip.

    `kind` is one of "sign", "transpose", "missing term", "factor", "shape", "off-by-one",
    "index", "formula", "library" (only calls the library function), "in-place", "other".
    """

    fn: Callable
    why: str
    kind: str = "other"


@dataclasses.dataclass
class Exercise:
    """Everything a your-turn check needs; `cases(**context)` returns a list of `Case`.

    `make_reference(**context)`, when given, builds the reference from the notebook's context
    (a trained model, a table); otherwise `reference` is used as is. `whole` marks a whole
    piece (a layer's forward and backward, a loop) rather than one line.
    `gradient(answer, case)`, when given, returns {part: rel_error} of the answer's gradient
    against finite differences for that argument set (checked below 1e-6).
    `outputs` names the values of a returned tuple, in order ("dU", "dW", "db", "dh0"): a verdict
    then says "dh0 (output 4 of 4) differs" rather than "rnn_backward[3] differs".
    """

    id: str
    reference: Callable = None
    cases: Callable[..., list] = None
    forbidden: tuple = ()
    mistakes: list = dataclasses.field(default_factory=list)
    rtol: float = 1e-7
    atol: float = 1e-9
    make_reference: Callable = None
    whole: bool = False
    gradient: Callable = None
    accept: list = dataclasses.field(default_factory=list)  # other right forms, as Mistake(fn, why)
    test_context: Callable[[], dict] = None  # a context for the tests when the notebook passes one
    outputs: tuple = ()  # the names of a returned tuple's values, as the your-turn docstring lists them

    @property
    def name(self):
        return self.id.split(".", 1)[1]

    def reference_for(self, **context):
        return self.make_reference(**context) if self.make_reference else self.reference

    def cases_for(self, **context):
        out = self.cases(**context)
        return [c if isinstance(c, Case) else Case(c if isinstance(c, tuple) else (c,)) for c in out]

    def forbidden_objects(self):
        """The forbidden library objects, imported from their "module:qualname"."""
        objs = []
        for spec in self.forbidden:
            module, _, qual = spec.partition(":")
            obj = importlib.import_module(module)
            for part in qual.split("."):
                obj = getattr(obj, part)
            objs.append((spec, obj))
        return objs


_REGISTRY: dict[str, Exercise] = {}


def register(exercise_id, **fields: Any) -> Exercise:
    """Add an exercise; returns it. Raises ValueError on a duplicate id."""
    if exercise_id in _REGISTRY:
        raise ValueError(f"register: the exercise {exercise_id!r} is already registered")
    ex = Exercise(id=exercise_id, **fields)
    _REGISTRY[exercise_id] = ex
    return ex


def _modules():
    """The chapter modules: MODULES in book order, then any other module of this package (a new chapter's)."""
    import pkgutil
    found = sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))
    return list(MODULES) + [m for m in found if m not in MODULES]


def get(exercise_id) -> Exercise:
    """The exercise `exercise_id` ("ch02.sigmoid_grad"), importing its chapter's module."""
    chapter = exercise_id.split(".", 1)[0]
    if chapter not in _modules():
        raise KeyError(f"exercises.get: no chapter module {chapter!r} for {exercise_id!r}; "
                       f"expected one of {', '.join(_modules())}")
    importlib.import_module(f"{__name__}.{chapter}")
    if exercise_id not in _REGISTRY:
        known = sorted(k for k in _REGISTRY if k.startswith(chapter + "."))
        raise KeyError(f"exercises.get: no exercise {exercise_id!r}; {chapter} has {known}")
    return _REGISTRY[exercise_id]


def all_exercises() -> list[Exercise]:
    """Every exercise of every chapter, in book order."""
    modules = _modules()
    for chapter in modules:
        importlib.import_module(f"{__name__}.{chapter}")
    order = {c: i for i, c in enumerate(modules)}
    return sorted(_REGISTRY.values(), key=lambda e: order.get(e.id.split(".", 1)[0], len(order)))
