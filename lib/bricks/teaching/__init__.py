"""The teaching helpers: gradient checks, students' self-checks, animation players, XOR's geometry."""
from bricks.teaching import checks, gradcheck, visual, xor  # noqa: F401
