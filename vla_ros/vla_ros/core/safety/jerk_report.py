"""The jerk each output really has, per joint, against its limit: measured after every tick.

jerk = ((v - v_prev) / dt - a_prev) / dt. The jerk box is the one limit that yields (to
acceleration and position when stopping in time needs it, and braking toward a hold takes the full
deceleration at once), so it is not guaranteed; every tick that exceeds it is counted instead.
"""

from __future__ import annotations

import numpy as np

from vla_ros.core.safety.compiled import kernel
from vla_ros.core.safety.context import MotionState

# A tick counts as exceeding when some joint's jerk is above its limit by more than this fraction:
# the rounding of velocity differences stays far below it (at 1 kHz too), so a tick that rides on
# the limit is never counted, and any real exceedance is.
EXCEEDANCE = 1e-6


def jerk_ratios(
    state: MotionState, velocity: np.ndarray, jerk_limit: np.ndarray, dt: float
) -> np.ndarray:
    """|jerk| / limit per joint of moving from `state` at `velocity` for one tick."""
    return _ratios(velocity, state.v, state.a, jerk_limit, dt)


@kernel("float64[:](float64[:], float64[:], float64[:], float64[:], float64)")
def _ratios(velocity, previous_velocity, previous_acceleration, jerk_limit, dt):
    out = np.empty(velocity.size)
    for j in range(velocity.size):
        out[j] = (
            abs(((velocity[j] - previous_velocity[j]) / dt - previous_acceleration[j]) / dt)
            / jerk_limit[j]
        )
    return out


def exceeding(ratios: np.ndarray | float) -> np.ndarray | bool:
    """Per ratio: does the jerk exceed its limit (beyond rounding)?"""
    return ratios > 1.0 + EXCEEDANCE
