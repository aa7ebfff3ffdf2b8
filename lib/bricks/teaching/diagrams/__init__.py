"""Diagrams drawn by code at build time: `draw` (primitives), `networks` (Part I's pictures),
`cells` (Part III: the unrolled RNN, LSTM and GRU cells), `layers` (Part II: convolution taps,
resizing layers, a residual block)."""
from bricks.teaching.diagrams import cells, draw, layers, networks  # noqa: F401
