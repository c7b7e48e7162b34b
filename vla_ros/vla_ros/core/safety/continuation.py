"""Exact verification of a step: the step and the braking that would follow it, checked with exact kinematics.

The QP rows of kinematic constraints are linearizations; an answer is accepted only when the path it
starts (one tick at its velocity, then braking to a stop) keeps every constraint's exact check.
Braking is deterministic, so an accepted state's continuation is exactly where the arm goes if every
later tick holds: that is what makes braking always available (induction over ticks).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from vla_ros.core.safety.braking import brake
from vla_ros.core.safety.compiled import kernel
from vla_ros.core.safety.constraint import Constraint
from vla_ros.core.safety.context import StepContext

_MAX_CONTINUATION = 2000


def braking_path(ctx: StepContext, velocity: np.ndarray) -> np.ndarray:
    """Positions from the last output through one tick at `velocity`, then braking to a stop."""
    return _braking_path(ctx.state.q, velocity, ctx.limits.acceleration, ctx.dt)


@kernel("float64[:, :](float64[:], float64[:], float64[:], float64)")
def _braking_path(q, velocity, acceleration, dt) -> np.ndarray:
    """Iterates brake() from `velocity` until every joint stops (at most _MAX_CONTINUATION ticks)."""
    longest = 0.0
    for j in range(q.size):
        longest = max(longest, np.ceil(abs(velocity[j]) / (acceleration[j] * dt)))
    ticks = int(min(longest, _MAX_CONTINUATION))  # clamped before the cast: no overflow
    path = np.empty((ticks + 2, q.size))
    path[0] = q
    v = velocity.copy()
    for k in range(1, ticks + 2):
        path[k] = path[k - 1] + dt * v
        v = brake(v, acceleration, dt)
    return path


def continuation_violations(
    ctx: StepContext, constraints: Sequence[Constraint], velocity: np.ndarray
) -> dict[str, float]:
    """Worst exact violation per constraint over the step at `velocity` and its braking stop.

    Measured relative to the violation the arm already has (a state that starts outside a limit may
    not go further out), so a value > 0 means "this step makes things worse".
    """
    path = braking_path(ctx, velocity)
    worst = {}
    for c in constraints:
        worst[c.name] = c.violation(ctx, path)
        if worst[c.name] > 0.0:
            worst[c.name] -= max(0.0, c.violation(ctx, np.stack([ctx.state.q, ctx.state.q])))
    return worst


def failing(
    ctx: StepContext, constraints: Sequence[Constraint], velocity: np.ndarray
) -> list[str]:
    """Names of the constraints the step at `velocity` (with its braking continuation) would break."""
    return [
        name
        for name, worst in continuation_violations(ctx, constraints, velocity).items()
        if worst > 0.0
    ]
