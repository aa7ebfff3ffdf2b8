"""Learning-rate schedules: values at chosen steps (Keras formulas)."""
import math

import pytest

import bricks
from bricks import schedules


def test_exponential_decay():
    s = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    assert s(0) == pytest.approx(0.1)
    assert s(5) == pytest.approx(0.1 * 0.5**0.5)
    assert s(20) == pytest.approx(0.025)
    stair = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5, staircase=True)
    assert [stair(k) for k in (0, 9, 10, 19, 20)] == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025])


def test_step_decay_is_staircase_exponential():
    s = schedules.StepDecay(0.2, drop=0.5, every=3)
    e = schedules.ExponentialDecay(0.2, 3, 0.5, staircase=True)
    assert [s(k) for k in range(10)] == pytest.approx([e(k) for k in range(10)])
    assert s(6) == pytest.approx(0.05)
    assert schedules.StepDecay(1.0)(10) == pytest.approx(0.5)  # defaults drop=0.5, every=10


def test_inverse_time_decay():
    s = schedules.InverseTimeDecay(0.1, decay_steps=1, decay_rate=0.5)
    assert [s(k) for k in (0, 1, 2)] == pytest.approx([0.1, 0.1 / 1.5, 0.05])
    stair = schedules.InverseTimeDecay(0.1, decay_steps=2, decay_rate=1.0, staircase=True)
    assert [stair(k) for k in (0, 1, 2, 3)] == pytest.approx([0.1, 0.1, 0.05, 0.05])


def test_piecewise_constant():
    s = schedules.PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])
    assert [s(k) for k in (0, 10, 11, 20, 21, 1000)] == pytest.approx([1.0, 1.0, 0.5, 0.5, 0.1, 0.1])
    with pytest.raises(ValueError, match="PiecewiseConstantDecay"):
        schedules.PiecewiseConstantDecay([10], [1.0])


def test_cosine_decay():
    s = schedules.CosineDecay(1.0, decay_steps=100, alpha=0.1)
    assert s(0) == pytest.approx(1.0)
    assert s(50) == pytest.approx(0.9 * 0.5 + 0.1)
    assert s(100) == pytest.approx(0.1) and s(1000) == pytest.approx(0.1)
    w = schedules.CosineDecay(0.0, decay_steps=10, warmup_target=1.0, warmup_steps=5)
    assert w(0) == 0.0 and w(2) == pytest.approx(0.4) and w(5) == pytest.approx(1.0)
    assert w(10) == pytest.approx(0.5 * (1 + math.cos(math.pi * 5 / 10)))


def test_round_trip_and_exports():
    s = bricks.StepDecay(0.3, drop=0.1, every=7)
    clone = schedules.get(schedules.serialize(s))
    assert isinstance(clone, schedules.StepDecay) and clone(14) == pytest.approx(s(14))
    with pytest.raises(ValueError, match="decay_steps"):
        schedules.ExponentialDecay(0.1, 0, 0.5)
