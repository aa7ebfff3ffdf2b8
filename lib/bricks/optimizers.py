"""Optimizers: pure update rules, gradient clipping, and Keras-like classes that walk a model.

One step of training, as every optimizer here does it::

    1. read each gradient g = layer.grads[key]
    2. clip (optional, exactly one of):
         clipvalue=c:        g <- clip(g, -c, c)                   elementwise
         clipnorm=c:         g <- g * c / max(||g||, c)            each variable on its own
         global_clipnorm=c:  g <- g * c / max(||G||, c)            ||G|| = norm of all gradients together
    3. update the weight w in place (layers hold references to their arrays); its slots
       (m, v) are replaced by new arrays in its state dict, never written:

    SGD      m <- momentum m - lr g;  w <- w + m     (nesterov: w <- w + momentum m - lr g)
             (momentum = 0: w <- w - lr g)
    RMSprop  v <- rho v + (1 - rho) g^2;  w <- w - lr g / sqrt(v + eps)
             (centered: subtract the square of a running mean of g inside the root)
    Adam     m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2;
             w <- w - lr sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps)   (t = 1, 2, ...)
    AdamW    w <- w - lr * weight_decay * w   (decoupled decay, first), then Adam's step

`learning_rate` is a float or a schedule (bricks.ExponentialDecay, ...) evaluated
at `optimizer.iterations`, the number of steps taken so far (batches, not epochs).

Example: one training step by hand (what `train_on_batch` does):
    >>> model = bricks.Sequential([bricks.Input((2,)), bricks.Dense(1)])
    >>> model.compile(loss="mse")
    <Sequential name='sequential' built=True params=3>
    >>> x, y = np.ones((4, 2)), np.zeros((4, 1))
    >>> opt = Adam(learning_rate=0.01, clipnorm=1.0)
    >>> loss = model.gradients(x, y); opt.apply(model.variables())   # fills grads, then steps
    >>> model.gradients(x, y) < loss
    True
"""
import numpy as np

from bricks import errors, schedules
from bricks.registry import Registry

__all__ = ["Optimizer", "SGD", "RMSprop", "Adam", "AdamW", "clip_gradients", "sgd_update", "rmsprop_update",
           "adam_update"]


def _norm(grads):
    """The joint L2 norm of a list of arrays, without overflow (1e200 entries give 1e200, not inf)."""
    top = max((float(np.max(np.abs(g))) if g.size else 0.0 for g in grads), default=0.0)
    if top == 0.0 or not np.isfinite(top):
        return top  # 0, inf or nan: nothing to scale
    return top * float(np.sqrt(sum(np.sum(np.square(g / top)) for g in grads)))  # ||G||


def _rescale(grads, c):
    """`grads` scaled together to norm c when their norm exceeds c: g * c / max(||G||, c).

    An infinite entry makes ||G|| infinite; the limit of g * c / ||G|| then keeps only the
    infinite entries, c * sign(g) / sqrt(k) for k of them (inf * 0 would give NaN).
    """
    norm = _norm(grads)
    if not norm > c:  # small enough, or NaN: left as it is (a NaN is not spread over every entry;
        return list(grads)  # the training step refuses it, naming the variable that holds it)
    if np.isinf(norm):
        infs = [np.isinf(g) for g in grads]
        k = sum(int(i.sum()) for i in infs)
        return [np.where(i, np.sign(g) * (c / np.sqrt(k)), 0.0).astype(g.dtype) for g, i in zip(grads, infs)]
    return [g * (c / norm) for g in grads]


def clip_gradients(grads, clipnorm=None, clipvalue=None, global_clipnorm=None):
    """Clipped copies of `grads` (a list of arrays); the step that tames exploding gradients.

    clipvalue caps every entry, clipnorm rescales each array whose L2 norm exceeds it,
    global_clipnorm rescales all arrays together when their joint norm exceeds it
    (keeping the direction of the whole update). An inf entry is clipped too (to c, or to
    the limit direction of the rescaling); a NaN stays where it is, unspread (scaling by
    c / NaN would turn every entry NaN), for the training step to refuse.

    >>> clip_gradients([np.array([np.inf, 1.0, -np.inf])], clipnorm=1.0)[0].round(3)
    array([ 0.707,  0.   , -0.707])
    """
    if global_clipnorm is not None:
        grads = _rescale(grads, global_clipnorm)
    if clipnorm is not None:
        grads = [_rescale([g], clipnorm)[0] for g in grads]
    if clipvalue is not None:
        grads = [np.clip(g, -clipvalue, clipvalue) for g in grads]
    return grads


def _slot(state, name, w):
    """state[name], or zeros shaped like w before the first step."""
    return state[name] if name in state else np.zeros_like(w)


# Each update rule writes the weight w in place (its layer holds that array) and puts NEW
# arrays in `state`, never writing an old one: a copy of the state dict (guards.Snapshot)
# then keeps the optimizer as it was, with no array copied.

def sgd_update(w, dw, state, lr, momentum=0.0, nesterov=False):
    """One SGD step on `w` in place; `state` holds the velocity 'm' (created on first use)."""
    if momentum == 0.0:
        w -= lr * dw
        return state
    m = state["m"] = momentum * _slot(state, "m", w) - lr * dw  # m <- momentum m - lr g
    if nesterov:
        w += momentum * m - lr * dw  # look ahead along the new velocity
    else:
        w += m
    return state


def rmsprop_update(w, dw, state, lr, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False):
    """One RMSprop step on `w` in place; `state` holds 'v' (and 'mg' centered, 'm' momentum)."""
    v = state["v"] = rho * _slot(state, "v", w) + (1 - rho) * dw * dw  # running mean of g^2
    if centered:
        mg = state["mg"] = rho * _slot(state, "mg", w) + (1 - rho) * dw  # running mean of g
        denominator = v - mg * mg + epsilon  # a running variance of g
    else:
        denominator = v + epsilon
    increment = lr * dw / np.sqrt(denominator)
    if momentum > 0:
        increment = state["m"] = momentum * _slot(state, "m", w) + increment
    w -= increment
    return state


def adam_update(w, dw, state, lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False):
    """One Adam step on `w` in place; `state` holds 'm', 'v', the step count 't' (and 'v_hat')."""
    t = state["t"] = state.get("t", 0) + 1
    alpha = lr * np.sqrt(1 - beta_2**t) / (1 - beta_1**t)  # bias corrections folded into the rate
    m = _slot(state, "m", w)
    m = state["m"] = m + (dw - m) * (1 - beta_1)  # first moment
    v = _slot(state, "v", w)
    v = state["v"] = v + (dw * dw - v) * (1 - beta_2)  # second moment
    if amsgrad:
        v = state["v_hat"] = np.maximum(_slot(state, "v_hat", w), v)
    w -= alpha * m / (np.sqrt(v) + epsilon)
    return state


class Optimizer:
    """Base class: clipping, the learning rate (float or schedule), per-variable state, `apply`."""

    def __init__(self, learning_rate=0.001, clipnorm=None, clipvalue=None, global_clipnorm=None, name=None):
        owner = name or type(self).__name__.lower()
        if sum(c is not None for c in (clipnorm, clipvalue, global_clipnorm)) > 1:
            errors.fail(owner, "only one of clipnorm, clipvalue, global_clipnorm",
                        clipnorm=clipnorm, clipvalue=clipvalue, global_clipnorm=global_clipnorm)
        for arg, value in (("clipnorm", clipnorm), ("clipvalue", clipvalue), ("global_clipnorm", global_clipnorm)):
            if value is not None:
                errors.check_number(owner, arg, value, 0, None, "()")
        if not callable(learning_rate):
            learning_rate = errors.check_number(owner, "learning_rate", learning_rate, 0, None, "()")
        self.learning_rate = learning_rate
        self.clipnorm, self.clipvalue, self.global_clipnorm = clipnorm, clipvalue, global_clipnorm
        self.name = name or type(self).__name__.lower()
        self.iterations = 0
        self.slots = {}  # variable path ('sequential/dense/kernel') -> state dict of that weight

    @property
    def current_learning_rate(self):
        """The rate the next step will use: the float, or the schedule at `iterations`."""
        lr = self.learning_rate
        return float(lr(self.iterations)) if callable(lr) else float(lr)

    def update(self, w, dw, state, lr):
        """One step on the weight `w` (write it in place: its layer holds it); `state` is this
        weight's dict of slots. A subclass may write its slots in place: the guarded step copies
        the slots of every optimizer but the built-in ones (`writes_new_slots`) to undo a failed step."""
        raise NotImplementedError(f"{type(self).__name__}: a subclass of Optimizer defines update(self, w, dw, "
                                  "state, lr), one step on the weight w in place (see SGD.update)")

    def keras_slot_groups(self):
        """Keras's order of this optimizer's per-weight slots in a .keras file, as groups of slot
        names; inside a group Keras interleaves them weight by weight (Adam: m0, v0, m1, v1, ...).
        None: no Keras layout known, and a .keras file then carries no optimizer state."""
        return None

    def apply(self, variables):
        """One step for every (path, layer, key) in `variables` (from `model.variables()`)."""
        variables = list(variables)
        grads = clip_gradients([layer.grads[key] for _, layer, key in variables],
                               self.clipnorm, self.clipvalue, self.global_clipnorm)
        lr = self.current_learning_rate
        for (path, layer, key), g in zip(variables, grads):
            state = self.slots.setdefault(path, {})  # by name, so a checkpoint can restore it
            self.update(layer.params[key], g, state, lr)
        self.iterations += 1

    def get_config(self):
        lr = self.learning_rate
        lr = schedules.serialize(lr) if isinstance(lr, schedules.LearningRateSchedule) else lr
        return {"name": self.name, "learning_rate": lr, "clipnorm": self.clipnorm,
                "clipvalue": self.clipvalue, "global_clipnorm": self.global_clipnorm}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.get(config["learning_rate"])
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} learning_rate={self.learning_rate!r} iterations={self.iterations}>"


class SGD(Optimizer):
    """Stochastic gradient descent, with optional (Nesterov) momentum. Keras defaults."""

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.momentum = errors.check_number(self, "momentum", momentum, 0, 1, "[)")
        self.nesterov = bool(nesterov)

    def update(self, w, dw, state, lr):
        return sgd_update(w, dw, state, lr, self.momentum, self.nesterov)

    def keras_slot_groups(self):
        return [("m",)] if self.momentum else []

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


class RMSprop(Optimizer):
    """Divide each step by a running root-mean-square of the gradient. Keras defaults."""

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.rho = errors.check_number(self, "rho", rho, 0, 1, "[)")
        self.momentum = errors.check_number(self, "momentum", momentum, 0, 1, "[)")
        self.epsilon = errors.check_number(self, "epsilon", epsilon, 0, None, "()")
        self.centered = bool(centered)

    def update(self, w, dw, state, lr):
        return rmsprop_update(w, dw, state, lr, self.rho, self.momentum, self.epsilon, self.centered)

    def keras_slot_groups(self):
        return [("v",)] + ([("m",)] if self.momentum else []) + ([("mg",)] if self.centered else [])

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}


class Adam(Optimizer):
    """Adaptive moments with bias correction (Kingma & Ba). Keras defaults."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.beta_1 = errors.check_number(self, "beta_1", beta_1, 0, 1, "[)")
        self.beta_2 = errors.check_number(self, "beta_2", beta_2, 0, 1, "[)")
        self.epsilon = errors.check_number(self, "epsilon", epsilon, 0, None, "()")
        self.amsgrad = bool(amsgrad)

    def update(self, w, dw, state, lr):
        return adam_update(w, dw, state, lr, self.beta_1, self.beta_2, self.epsilon, self.amsgrad)

    def keras_slot_groups(self):  # AdamW's too: Keras's AdamW keeps Adam's variables
        return [("m", "v")] + ([("v_hat",)] if self.amsgrad else [])

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "amsgrad": self.amsgrad}


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019). Keras defaults and order.

    Each step first shrinks every weight by the same fraction, then takes Adam's step:

        w <- w - lr * weight_decay * w          (not divided by sqrt(v): every weight alike)
        w <- Adam(w, g)                         (g is the loss gradient only)

    An L2 penalty instead adds lambda * w to g, which Adam then divides by sqrt(v): weights with
    large gradients are barely decayed and weights with none move by about lr per step.
    Like Keras 3, the decay applies to every variable it is given (biases included).
    """

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, **kwargs):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, amsgrad, **kwargs)
        self.weight_decay = errors.check_number(self, "weight_decay", weight_decay, 0, None, "[)")

    def update(self, w, dw, state, lr):
        w -= lr * self.weight_decay * w  # in place: the layer holds this array
        return super().update(w, dw, state, lr)

    def get_config(self):
        return {**super().get_config(), "weight_decay": self.weight_decay}


# The update methods whose rules put new slot arrays in the state dict and never write one: a
# copy of each state dict keeps their slots (guards.Snapshot); any other update's are copied.
FRESH_SLOT_UPDATES = frozenset({SGD.update, RMSprop.update, Adam.update, AdamW.update})


def writes_new_slots(optimizer):
    """True when `optimizer` steps by a built-in update rule through Optimizer.apply, so its step puts
    new slot arrays in its state dicts and writes none in place (a subclass's own update or apply may)."""
    kind = type(optimizer)
    return kind.update in FRESH_SLOT_UPDATES and kind.apply is Optimizer.apply


OPTIMIZERS = Registry("optimizers", base=Optimizer)
OPTIMIZERS.register(SGD, "sgd")
OPTIMIZERS.register(RMSprop, "rmsprop")
OPTIMIZERS.register(Adam, "adam")
OPTIMIZERS.register(AdamW, "adamw")


def get(identifier):
    """An optimizer from a name ('sgd', 'rmsprop', 'adam', 'adamw'), a config dict or an instance."""
    if isinstance(identifier, str) and identifier.lower() in OPTIMIZERS:
        identifier = identifier.lower()  # Keras accepts 'Adam' and 'adam'
    return OPTIMIZERS.get(identifier)


def serialize(optimizer):
    """Keras's {"class_name", "config"} for an optimizer (its schedule nested the same way)."""
    return OPTIMIZERS.serialize(optimizer)
