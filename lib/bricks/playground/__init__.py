"""The Playground: TensorFlow Playground's page rebuilt on bricks (`app`: data sets and controls,
`train`: the runs, `features`: feature crosses, train/test split, dead ReLU units,
`draw`: the figures, `explore`: the grid of runs behind the site's explorable player)."""
from bricks.playground.app import *  # noqa: F403
from bricks.playground.app import __all__ as _app_all
from bricks.playground.explore import *  # noqa: F403
from bricks.playground.explore import __all__ as _explore_all

__all__ = [*_app_all, *_explore_all]
