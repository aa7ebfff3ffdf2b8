"""Every layer of bricks, one family a module; all of them importable from `bricks.layers`."""
from .base import Layer
from ._dev_import import _star
_star(__name__, ["core", "conv", "pooling", "reshaping", "noise", "embedding", "normalization", "residual", "recurrent"], globals())
