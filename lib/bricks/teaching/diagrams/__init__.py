"""Diagrams drawn by code at build time: `draw` (primitives), `networks` (Part I's pictures),
`cells` (Part III: the unrolled RNN, LSTM and GRU cells)."""
from bricks.teaching.diagrams import cells, draw, networks  # noqa: F401
