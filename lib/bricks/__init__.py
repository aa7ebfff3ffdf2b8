"""bricks: deep-learning layers from scratch in numpy, with Keras semantics.

    >>> import bricks
    >>> bricks.set_random_seed(0)
    >>> model = bricks.Sequential([bricks.Input((2,)), bricks.Dense(3, activation="sigmoid"),
    ...                            bricks.Dense(1)])
    >>> model.predict(np.zeros((5, 2))).shape, model.count_params()   # 2*3 + 3 + 3*1 + 1
    ((5, 1), 13)

The package shows the architecture: the Keras-like core at the top level (backend, errors,
activations, initializers, regularizers, losses, metrics, optimizers, schedules, callbacks, model,
saving) and `layers/` (one family a module, `layers/recurrent/` its own subpackage); beside the core,
the book's applications: `quant/` (data, prep, evaluation, attribution), `playground/`, and
`teaching/` (gradcheck, checks, visual, xor). This file re-exports the core's public names, so a
reader writes `bricks.Dense`, `bricks.Adam`, `bricks.load_model`; the applications stay namespaced
(`bricks.quant.data`, `bricks.teaching.visual`, `bricks.playground`).
"""
from bricks import (activations, backend, errors, initializers, limits, losses, metrics,  # noqa: F401
                    optimizers, playground, quant, regularizers, schedules, teaching)
from bricks.backend import clear_session, floatx, set_floatx, set_random_seed  # noqa: F401
from bricks.callbacks import *  # noqa: F403
from bricks.layers import *  # noqa: F403
from bricks.layers import Layer  # noqa: F401
from bricks.losses import *  # noqa: F403
from bricks.model import *  # noqa: F403
from bricks.optimizers import *  # noqa: F403
from bricks.regularizers import L1, L1L2, L2  # noqa: F401
from bricks.saving import *  # noqa: F403
from bricks.schedules import *  # noqa: F403

__version__ = "0.1.0"
