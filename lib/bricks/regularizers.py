"""Weight penalties, added to the loss by the model.

    L1(l1):      penalty = l1 * sum(|w|),     gradient = l1 * sign(w)
    L2(l2):      penalty = l2 * sum(w ** 2),  gradient = 2 * l2 * w
    L1L2(l1, l2): both.

Keras's L2 has no 1/2: `L2(0.01)` adds 0.01 * sum(w^2). (Chapter 2's by-hand
network writes its penalty as sum(W^2) / 2N; `L2(1 / (2N))` is the same thing.)
"""
import numpy as np

from bricks import errors
from bricks.registry import Registry


class Regularizer:
    def __call__(self, w):
        raise NotImplementedError

    def gradient(self, w):
        raise NotImplementedError

    def get_config(self):
        return dict(vars(self))


class L1L2(Regularizer):
    def __init__(self, l1=0.0, l2=0.0):
        for name, value in (("l1", l1), ("l2", l2)):
            errors.check_number("L1L2", name, value, 0, None, "[]")
        self.l1, self.l2 = float(l1), float(l2)

    def __call__(self, w):
        return self.l1 * np.abs(w).sum() + self.l2 * np.square(w).sum()

    def gradient(self, w):
        return self.l1 * np.sign(w) + 2.0 * self.l2 * w


class L1(L1L2):
    def __init__(self, l1=0.01):
        super().__init__(l1=l1)

    def get_config(self):
        return {"l1": self.l1}


class L2(L1L2):
    def __init__(self, l2=0.01):
        super().__init__(l2=l2)

    def get_config(self):
        return {"l2": self.l2}


REGULARIZERS = Registry("regularizers", base=Regularizer)
REGULARIZERS.register(L1, "l1")
REGULARIZERS.register(L2, "l2")
REGULARIZERS.register(L1L2, "l1_l2")

get = REGULARIZERS.get  # a regularizer from an instance, a name or a {"class_name", "config"} dict
serialize = REGULARIZERS.serialize  # its inverse: Keras's {"class_name", "config"}
