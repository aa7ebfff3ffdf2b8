"""Diagrams drawn by code at build time: `draw` (primitives), `networks` (Part I's pictures)."""
from bricks.teaching.diagrams import draw, networks  # noqa: F401
