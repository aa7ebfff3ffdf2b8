"""Learning-rate schedules: `schedule(step) -> learning rate` (Keras names and formulas).

`step` is the optimizer's `iterations`, the number of updates (batches) taken so
far, not the epoch. Give a schedule to an optimizer as its learning_rate:
`SGD(learning_rate=ExponentialDecay(0.1, decay_steps=100, decay_rate=0.5))`::

    ExponentialDecay        lr0 * rate ^ (step / decay_steps)          (staircase: floor the exponent)
    InverseTimeDecay        lr0 / (1 + rate * step / decay_steps)      (staircase: floor the ratio)
    PiecewiseConstantDecay  values[i] while boundaries[i-1] < step <= boundaries[i]
    CosineDecay             lr0 * ((1 - alpha) * (1 + cos(pi * min(step, T) / T)) / 2 + alpha)
    StepDecay               lr0 * drop ^ floor(step / every)   = ExponentialDecay(lr0, every, drop, staircase=True)

Example:
    >>> ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)(20)   # 0.1 * 0.5^(20 / 10)
    0.025
"""
import math

from bricks import errors
from bricks.registry import Registry

__all__ = ["LearningRateSchedule", "ExponentialDecay", "PiecewiseConstantDecay", "InverseTimeDecay",
           "CosineDecay", "StepDecay"]


class LearningRateSchedule:
    """Base class: a callable of the step with a JSON-able `get_config`."""

    def __call__(self, step):
        raise NotImplementedError

    def get_config(self):
        return dict(vars(self))

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class _StepDecay(LearningRateSchedule):
    """Shared by the Keras decays of the form f(initial_learning_rate, decay_rate, p), p = step / decay_steps."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False):
        owner = type(self).__name__
        errors.check_number(owner, "decay_steps", decay_steps, 0, None, "()")
        self.initial_learning_rate = errors.check_number(owner, "initial_learning_rate",
                                                         initial_learning_rate, 0, None, "()")
        self.decay_steps = decay_steps
        self.decay_rate = errors.check_number(owner, "decay_rate", decay_rate, 0, None, "()")
        self.staircase = staircase

    def progress(self, step):
        """step / decay_steps, floored when staircase=True."""
        p = step / self.decay_steps
        return math.floor(p) if self.staircase else p


class ExponentialDecay(_StepDecay):
    """lr = initial_learning_rate * decay_rate ^ (step / decay_steps); staircase floors the exponent."""

    def __call__(self, step):
        return self.initial_learning_rate * self.decay_rate ** self.progress(step)


class InverseTimeDecay(_StepDecay):
    """lr = initial_learning_rate / (1 + decay_rate * step / decay_steps); staircase floors the ratio."""

    def __call__(self, step):
        return self.initial_learning_rate / (1 + self.decay_rate * self.progress(step))


class PiecewiseConstantDecay(LearningRateSchedule):
    """values[0] for step <= boundaries[0], values[i] for boundaries[i-1] < step <= boundaries[i],
    values[-1] after the last boundary."""

    def __init__(self, boundaries, values):
        if len(values) != len(boundaries) + 1:
            errors.fail("PiecewiseConstantDecay", "len(values) == len(boundaries) + 1",
                        **{"len(boundaries)": len(boundaries), "len(values)": len(values)})
        for v in values:
            errors.check_number("PiecewiseConstantDecay", "values[i]", v, 0, None, "()")
        if list(boundaries) != sorted(boundaries):
            errors.fail("PiecewiseConstantDecay", "increasing boundaries", boundaries=list(boundaries))
        self.boundaries, self.values = list(boundaries), [float(v) for v in values]

    def __call__(self, step):
        for b, v in zip(self.boundaries, self.values):
            if step <= b:
                return v
        return self.values[-1]


class CosineDecay(LearningRateSchedule):
    """Half a cosine from initial_learning_rate down to alpha * initial over decay_steps,
    optionally after a linear warm-up from initial_learning_rate to warmup_target."""

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, warmup_target=None, warmup_steps=0):
        errors.check_number("CosineDecay", "decay_steps", decay_steps, 0, None, "()")
        errors.check_number("CosineDecay", "warmup_steps", warmup_steps, 0, None, "[]")
        errors.check_number("CosineDecay", "alpha", alpha, 0, 1, "[]")
        if warmup_target is not None:
            errors.check_number("CosineDecay", "warmup_target", warmup_target, 0, None, "()")
        self.initial_learning_rate = errors.check_number("CosineDecay", "initial_learning_rate",
                                                         initial_learning_rate, 0, None, "[)")
        self.decay_steps, self.alpha = decay_steps, alpha
        self.warmup_target, self.warmup_steps = warmup_target, warmup_steps

    def __call__(self, step):
        top = self.initial_learning_rate
        if self.warmup_target is not None:
            if step < self.warmup_steps:  # linear warm-up
                return top + (self.warmup_target - top) * step / self.warmup_steps
            top, step = self.warmup_target, step - self.warmup_steps
        cosine = 0.5 * (1 + math.cos(math.pi * min(step, self.decay_steps) / self.decay_steps))
        return top * ((1 - self.alpha) * cosine + self.alpha)


class StepDecay(ExponentialDecay):
    """Multiply the rate by `drop` every `every` steps: lr0 * drop ^ floor(step / every).

    Not a Keras class: it is ExponentialDecay(lr0, decay_steps=every, decay_rate=drop,
    staircase=True), spelled the way the classic "step decay" recipe is.
    """

    def __init__(self, initial_learning_rate, drop=0.5, every=10):
        super().__init__(initial_learning_rate, every, drop, staircase=True)
        self.drop, self.every = float(drop), every

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "drop": self.drop, "every": self.every}


SCHEDULES = Registry("schedules", base=LearningRateSchedule)
for _cls in (ExponentialDecay, PiecewiseConstantDecay, InverseTimeDecay, CosineDecay, StepDecay):
    SCHEDULES.register(_cls)

get = SCHEDULES.get  # a schedule from an instance, a name or a {"class_name", "config"} dict
serialize = SCHEDULES.serialize  # its inverse: Keras's {"class_name", "config"}
