"""The training configuration of a Keras file: `compile_config` -> `model.compile(...)`, and back.

A `.keras` file of a compiled model carries, next to the architecture,

    "compile_config": {"optimizer": {"class_name": "Adam", "config": {"learning_rate": 0.003, ...}},
                       "loss": "binary_crossentropy", "metrics": ["accuracy"], ...}

Reading maps it to bricks's optimizer, loss and metric names with the same rule as the layers:
an argument bricks lacks is dropped only if its value changes nothing (no weight decay, no EMA,
no loss scaling, the default reduction), otherwise the file is refused, with a hint to load it
with `compile=False`. Writing gives Keras the same three things. The optimizer's state (the step
count, the learning rate, Adam's moments m and v per weight) moves too, in Keras's order, for
SGD, RMSprop and Adam with a constant learning rate: training resumes where it stopped.
"""
import h5py
import numpy as np

from bricks import losses, optimizers
from bricks.keras_format import untrusted
from bricks.keras_format.reader import HARMLESS, arguments

__all__ = ["compile_from_keras", "keras_compile_config", "write_optimizer_state", "read_optimizer_state"]

OPTIMIZER_HARMLESS = {
    "name": lambda v: True, "weight_decay": lambda v: not v, "use_ema": lambda v: not v,
    "ema_momentum": lambda v: True, "ema_overwrite_frequency": lambda v: v is None,
    "loss_scale_factor": lambda v: v is None, "gradient_accumulation_steps": lambda v: v is None,
    "is_legacy_optimizer": lambda v: not v, "decay": lambda v: not v, "jit_compile": lambda v: True,
}
LOSS_HARMLESS = {"reduction": lambda v: v in (None, "auto", "sum_over_batch_size"),
                 "label_smoothing": lambda v: not v, "axis": lambda v: v in (None, -1), "dtype": lambda v: True}
COMPILE_KEYS = {"optimizer", "loss", "metrics"}
COMPILE_HARMLESS = {"loss_weights": lambda v: v is None, "weighted_metrics": lambda v: not v,
                    "run_eagerly": lambda v: True, "steps_per_execution": lambda v: True,
                    "jit_compile": lambda v: True, "auto_scale_loss": lambda v: True}
HINT = " (or load the model with compile=False)"


def _hinted(fail):
    """`fail`, with the compile=False hint after what was expected."""
    return lambda where, expected, **received: fail(where, expected + HINT, **received)


def _optimizer(spec, fail):
    if isinstance(spec, str):
        return optimizers.get(spec)
    if not isinstance(spec, dict):
        fail("compile_config", "an optimizer name or {class_name, config}" + HINT, optimizer=spec)
    name, config = spec.get("class_name"), dict(spec.get("config") or {})
    if not isinstance(name, str):
        fail("compile_config", "an optimizer {class_name, config}" + HINT, optimizer=spec)
    cls = type(optimizers.get(name))
    if isinstance(config.get("learning_rate"), dict):
        fail("compile_config", "a constant learning_rate (schedules in Keras files are not read)" + HINT,
             learning_rate=config["learning_rate"].get("class_name"))
    kwargs = arguments(config, cls, f"optimizer {name!r}", _hinted(fail), {**HARMLESS, **OPTIMIZER_HARMLESS})
    return optimizers.get({"class_name": name, "config": kwargs})


def _loss(spec, fail):
    if spec is None or isinstance(spec, str):
        return spec
    if not isinstance(spec, dict) or not isinstance(spec.get("class_name"), str):
        fail("compile_config", "one loss, a name or {class_name, config}" + HINT, loss=spec)
    name = spec["class_name"]
    cls = type(losses.get({"class_name": name, "config": {}}))
    kwargs = arguments(dict(spec.get("config") or {}), cls, f"loss {name!r}", _hinted(fail),
                       {**HARMLESS, **LOSS_HARMLESS})
    return losses.get({"class_name": name, "config": kwargs})


def compile_from_keras(model, spec, fail):
    """Compile `model` as the Keras `compile_config` says; returns the model."""
    for key, value in spec.items():
        if key not in COMPILE_KEYS and not (key in COMPILE_HARMLESS and COMPILE_HARMLESS[key](value)):
            fail("compile_config", f"only optimizer, loss and metrics (bricks has no {key!r})" + HINT,
                 **{key: value})
    metrics = spec.get("metrics") or []
    if not isinstance(metrics, list) or not all(isinstance(m, str) for m in metrics):
        fail("compile_config", "metrics given by name, e.g. ['accuracy']" + HINT, metrics=metrics)
    try:
        return model.compile(optimizer=_optimizer(spec.get("optimizer", "rmsprop"), fail),
                             loss=_loss(spec.get("loss"), fail), metrics=metrics)
    except ValueError as exc:
        if str(exc).startswith(fail.path):
            raise
        raise ValueError(f"{fail.path}: compile_config: {exc}{HINT}") from None


def keras_compile_config(model):
    """Keras's compile_config for a compiled bricks model; None for an uncompiled one, and for a
    learning-rate schedule (not mapped: the file then carries architecture and weights only)."""
    if getattr(model, "optimizer", None) is None or getattr(model, "loss", None) is None:
        return None
    if callable(model.optimizer.learning_rate):
        return None
    opt, loss = optimizers.serialize(model.optimizer), losses.serialize(model.loss)
    return {"optimizer": {"module": "keras.optimizers", "class_name": opt["class_name"],
                          "config": opt["config"], "registered_name": None},
            "loss": {"module": "keras.losses", "class_name": loss["class_name"], "config": loss["config"],
                     "registered_name": None},
            "metrics": [m for m in getattr(model, "_metric_ids", []) if isinstance(m, str)],
            "loss_weights": None, "weighted_metrics": None, "run_eagerly": False,
            "steps_per_execution": 1, "jit_compile": False}


# ---- the optimizer's state: Keras's "optimizer/vars" group ------------------------------------------
def _slots(model):
    """[(state dict, slot name, weight)] in Keras's variable order, or None if the layout is unknown."""
    opt = model.optimizer
    groups = opt.keras_slot_groups()  # each optimizer says how Keras lays its slots out
    if groups is None or callable(opt.learning_rate):  # a schedule has no learning_rate variable
        return None
    weights = [(opt.slots.setdefault(path, {}), layer.params[key]) for path, layer, key in model.variables()]
    return [(state, name, w) for group in groups for state, w in weights for name in group]


def write_optimizer_state(h5, model):
    """Write `optimizer/vars` as Keras does: iteration, learning_rate, then the slots (zeros if unused)."""
    slots = _slots(model) if keras_compile_config(model) else None
    if slots is None:
        return
    node = h5.require_group("optimizer/vars")
    node.attrs["name"] = model.optimizer.name
    node.create_dataset("0", data=np.int64(model.optimizer.iterations))
    node.create_dataset("1", data=np.float64(model.optimizer.learning_rate))  # Keras casts to its floatx
    for i, (state, name, w) in enumerate(slots, start=2):
        node.create_dataset(str(i), data=state.get(name, np.zeros_like(w)))


def read_optimizer_state(h5, model, fail):
    """Fill the bricks optimizer's slots from Keras's `optimizer/vars`, when the file has them."""
    node = h5.get("optimizer/vars")
    slots = _slots(model)
    if node is not None and not isinstance(node, h5py.Group):
        fail("optimizer state", "optimizer/vars as a group of datasets" + HINT, **{"in file": "a dataset"})
    if node is None or len(node.keys()) == 0 or slots is None:
        return
    if len(node.keys()) not in (2, 2 + len(slots)):  # 2: compiled, never trained (no slots yet)
        fail("optimizer state", f"{2 + len(slots)} arrays for {type(model.optimizer).__name__}" + HINT,
             **{"arrays in file": len(node.keys())})
    where = "optimizer state"
    iterations = untrusted.read_dataset(node, "0", (), where, _hinted(fail))
    if iterations.dtype.kind not in "iu" or int(iterations) < 0:
        fail(where, "the step count (dataset '0') as an integer >= 0" + HINT, iterations=iterations.item())
    rate = untrusted.read_dataset(node, "1", (), where, _hinted(fail))
    if rate.dtype.kind != "f" or not float(rate) > 0:
        fail(where, "the learning rate (dataset '1') as a finite number > 0" + HINT, learning_rate=rate.item())
    stored = [untrusted.read_dataset(node, str(i), w.shape, where, _hinted(fail))  # all checked before any is kept
              for i, (_, _, w) in enumerate(slots[:len(node.keys()) - 2], start=2)]
    model.optimizer.iterations, model.optimizer.learning_rate = int(iterations), float(rate)
    for (state, name, w), value in zip(slots, stored):
        state[name] = value.astype(w.dtype)
        if isinstance(model.optimizer, optimizers.Adam):
            state["t"] = model.optimizer.iterations  # bricks's Adam (and AdamW) counts steps per weight
