"""What a tick forwards when the QP's answer fails exact verification: a blend toward braking.

Braking (blend factor s = 0) is safe by induction, the answer (s = 1) was not; bisection finds a safe
s_safe on braking + s (answer - braking). Braking takes the full deceleration at once, so a small s
can exceed the jerk limit. When s_safe does, gentler safe velocities are sought, each verified like
the answer and kept only if it passes:
  1. on the segment: the factor nearest s_safe whose velocity keeps the jerk box (the largest below
     s_safe, or the smallest above it when that is below the first factor known to fail), else the
     factor in [0, s_safe] with the least jerk exceedance;
  2. then per group of joints (the grippers, each arm): that group clipped into the joint boxes with
     the jerk box, the others kept (the grippers, or the arm that caused no violation, keep their
     jerk while the other brakes).
Whatever jerk remains is measured and counted after the tick (jerk_report.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from vla_ros.core.safety.compiled import kernel
from vla_ros.core.safety.constraint import Constraint
from vla_ros.core.safety.context import StepContext
from vla_ros.core.safety.continuation import failing
from vla_ros.core.safety.jerk_report import exceeding, jerk_ratios

_BISECTIONS = 6


def blend_toward_braking(
    ctx: StepContext,
    constraints: Sequence[Constraint],
    velocity: np.ndarray,
    braking: np.ndarray,
    boxes: tuple[np.ndarray, np.ndarray],
) -> tuple[np.ndarray, list[str]]:
    """`velocity` when its continuation is safe, else the blend chosen above; and what blocked it.

    `boxes`: lower and upper velocity bounds of every joint box, the jerk box included where it
    does not conflict with the others.
    """
    blocked = failing(ctx, constraints, velocity)
    if not blocked:
        return velocity, []
    direction = velocity - braking
    safe, unsafe = 0.0, 1.0
    for _ in range(_BISECTIONS):
        middle = 0.5 * (safe + unsafe)
        if failing(ctx, constraints, braking + middle * direction):
            unsafe = middle
        else:
            safe = middle
    chosen = braking + safe * direction
    ratios = _jerk_ratios(ctx, chosen)
    if not exceeding(ratios).any():
        return chosen, blocked
    gentler = _segment_factor(ctx, braking, direction, safe, unsafe)
    if gentler != safe:
        candidate = braking + gentler * direction
        if _jerk_ratios(ctx, candidate).max() < ratios.max() and not failing(
            ctx, constraints, candidate
        ):
            chosen, ratios = candidate, _jerk_ratios(ctx, candidate)
    lower, upper = boxes
    for group in _groups(ctx):
        if not exceeding(ratios[group]).any():
            continue
        candidate = chosen.copy()
        candidate[group] = np.minimum(np.maximum(chosen[group], lower[group]), upper[group])
        if not failing(ctx, constraints, candidate):
            chosen, ratios = candidate, _jerk_ratios(ctx, candidate)
    return chosen, blocked


def _segment_factor(
    ctx: StepContext, braking: np.ndarray, direction: np.ndarray, safe: float, unsafe: float
) -> float:
    """Candidate 1 of the module docstring: a blend factor (`safe` itself when none is better)."""
    offset = braking - (ctx.state.v + ctx.state.a * ctx.dt)  # from the centre of the jerk box
    half = ctx.limits.jerk * ctx.dt * ctx.dt
    low, high = _box_interval(offset, direction, half)
    if low <= high and low < unsafe:
        return min(max(safe, low), high)
    return _least_ratio(offset, direction, half, safe)


def _groups(ctx: StepContext) -> list[np.ndarray]:
    """Joints that move together: the grippers, then each arm (all joints when there is no model)."""
    if ctx.model is None:
        return [np.arange(ctx.state.q.size)]
    grippers = (
        [np.array(ctx.model.gripper_columns, dtype=np.int64)] if ctx.model.gripper_columns else []
    )
    return grippers + list(ctx.model.arm_columns)


def _jerk_ratios(ctx: StepContext, velocity: np.ndarray) -> np.ndarray:
    return jerk_ratios(ctx.state, velocity, ctx.limits.jerk, ctx.dt)


@kernel("UniTuple(float64, 2)(float64[:], float64[:], float64[:])")
def _box_interval(offset, direction, half):
    """[low, high] of s in [0, 1] with |offset + s direction| <= half on every joint (low > high: none)."""
    low, high = 0.0, 1.0
    for j in range(offset.size):
        if direction[j] == 0.0:
            if abs(offset[j]) > half[j]:
                return 1.0, 0.0
            continue
        a, b = (-half[j] - offset[j]) / direction[j], (half[j] - offset[j]) / direction[j]
        low, high = max(low, min(a, b)), min(high, max(a, b))
    return low, high


@kernel("UniTuple(float64, 2)(float64[:], float64[:], float64, float64, float64, float64)")
def _better(a, b, s, s_max, best, best_value):
    """(s, its value max_j |a_j + s b_j|) when s is in [0, s_max] and beats (best, best_value)."""
    if not 0.0 <= s <= s_max:
        return best, best_value
    value = 0.0
    for j in range(a.size):
        value = max(value, abs(a[j] + s * b[j]))
    if value < best_value or (value == best_value and s > best):
        return s, value
    return best, best_value


@kernel("float64(float64[:], float64[:], float64[:], float64)")
def _least_ratio(offset, direction, half, s_max):
    """The s in [0, s_max] minimizing max_j |offset_j + s direction_j| / half_j (the largest on ties).

    The objective is convex and piecewise linear, so its minimum lies at an end of the interval, where
    one term crosses zero, or where two terms (either sign) cross: all of them are evaluated.
    """
    n = offset.size
    a, b = offset / half, direction / half
    best, best_value = _better(a, b, s_max, s_max, 0.0, np.inf)
    best, best_value = _better(a, b, 0.0, s_max, best, best_value)
    for i in range(n):
        if b[i] != 0.0:
            best, best_value = _better(a, b, -a[i] / b[i], s_max, best, best_value)
        for j in range(i + 1, n):
            if b[i] != b[j]:
                best, best_value = _better(
                    a, b, (a[j] - a[i]) / (b[i] - b[j]), s_max, best, best_value
                )
            if b[i] != -b[j]:
                best, best_value = _better(
                    a, b, -(a[i] + a[j]) / (b[i] + b[j]), s_max, best, best_value
                )
    return best
