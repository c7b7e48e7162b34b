"""The reference velocity toward a joint-space target, the part of a command the QP then projects.

Exact when one tick lands on the target within the velocity, acceleration and jerk limits (so a
safe stream is tracked to the last bit). Otherwise the joint closes the remaining error at the
speed from which it can still stop at half its acceleration limit (max_viable_velocity), after a
lag for turning its acceleration around at the jerk limit; the QP's hard boxes keep the full
limits, so this plan stays feasible and a jump in the target is closed without oscillating.
"""

from __future__ import annotations

import numpy as np

from vla_ros.core.safety.braking import max_viable_velocity
from vla_ros.core.safety.compiled import kernel
from vla_ros.core.safety.context import StepContext

# Fraction of the acceleration limit a planned stop uses (the rest absorbs jerk-limited ramps).
PLANNED_DECELERATION = 0.5


def approach_velocity(
    target: np.ndarray, target_velocity: np.ndarray, ctx: StepContext
) -> np.ndarray:
    state, limits = ctx.state, ctx.limits
    return _approach(
        np.asarray(target, float),
        np.asarray(target_velocity, float),
        state.q,
        state.v,
        state.a,
        limits.velocity,
        limits.acceleration,
        limits.jerk,
        ctx.dt,
    )


@kernel(
    "float64[:](float64[:], float64[:], float64[:], float64[:], float64[:], float64[:], "
    "float64[:], float64[:], float64)"
)
def _approach(
    target, target_velocity, q, v, a, max_velocity, max_acceleration, max_jerk, dt
) -> np.ndarray:
    exact = (target - q) / dt
    acceleration = (exact - v) / dt
    # Landing must also leave a state that can go on with the target (not arrive too fast to stay).
    onward = (target_velocity - exact) / dt
    if (
        np.all(np.abs(exact) <= max_velocity)
        and np.all(np.abs(acceleration) <= max_acceleration)
        and np.all(np.abs(acceleration - a) <= max_jerk * dt)
        and np.all(np.abs(onward) <= max_acceleration)
    ):
        return exact
    # Relative to the moving target: error left after it moves this tick, closing speed so far.
    error = target - dt * target_velocity - q
    closing = v - target_velocity
    direction = np.sign(error)
    # At most what the jerk limit can take away in one tick: the plan ends with the deceleration
    # dropping to zero at once, which would otherwise overshoot and circle a jerk-limited joint.
    deceleration = np.minimum(PLANNED_DECELERATION * max_acceleration, max_jerk * dt)
    # Time to swing the acceleration from its current value to -deceleration, and the distance
    # covered meanwhile at the current closing speed.
    pushing = np.maximum(direction * a, 0.0)
    swing = (pushing + deceleration) / max_jerk
    # While the acceleration swings down the joint still speeds up by pushing^2 / 2j.
    peak = np.maximum(direction * closing, 0.0) + pushing**2 / (2.0 * max_jerk)
    room = np.abs(error) - peak * swing
    speed = max_viable_velocity(np.maximum(room, 0.0), deceleration, dt)
    return target_velocity + direction * speed
