"""bricks: deep-learning layers from scratch in numpy, with Keras semantics.

    >>> import bricks
    >>> bricks.set_random_seed(0)
    >>> model = bricks.Sequential([bricks.Input((2,)), bricks.Dense(3, activation="sigmoid"), bricks.Dense(1)])

Each module owns one family and lists its public names in `__all__`; this file
re-exports them so a reader writes `bricks.Dense`, `bricks.Adam`, `bricks.load_model`.
Modules for the book's chapters stay namespaced: `bricks.gradcheck`, `bricks.visual`,
`bricks.data`, `bricks.quant`, `bricks.attribution`, `bricks.checks`, `bricks.playground`.
"""
from . import (activations, attribution, backend, checks, data, errors, gradcheck,  # noqa: F401
               initializers, losses, metrics, optimizers, playground, quant, regularizers,
               schedules, visual, xor)
from .backend import clear_session, floatx, set_floatx, set_random_seed  # noqa: F401
from .callbacks import *  # noqa: F401,F403
from .layers import *  # noqa: F401,F403
from .layers import Layer  # noqa: F401
from .losses import *  # noqa: F401,F403
from .model import *  # noqa: F401,F403
from .optimizers import *  # noqa: F401,F403
from .regularizers import L1, L1L2, L2  # noqa: F401
from .saving import *  # noqa: F401,F403
from .schedules import *  # noqa: F401,F403

__version__ = "0.1.0"
