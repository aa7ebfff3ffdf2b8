"""The Playground: TensorFlow Playground's page rebuilt on bricks (`app`: data sets and controls,
`train`: the runs, `draw`: the figures)."""
from bricks.playground.app import *  # noqa: F401,F403
from bricks.playground.app import __all__  # noqa: F401
