"""Joint position limits with a margin, kept viable: the joint can always brake before the limit."""

from __future__ import annotations

import numpy as np

from vla_ros.core.safety.braking import max_viable_velocity
from vla_ros.core.safety.constraint import Constraint, Rows
from vla_ros.core.safety.context import StepContext


class JointPositionLimit(Constraint):
    """q_prev + dt v + B(v) <= upper - margin (and the mirror image for lower).

    B is the discrete braking distance at the acceleration limit (braking.py), so the bound is exact
    for the discrete-time trajectory, not only for the next sample.
    """

    name = "joint_position"

    def rows(self, ctx: StepContext) -> Rows:
        margin = ctx.position_margin
        q, a, dt = ctx.state.q, ctx.limits.acceleration, ctx.dt
        n = len(q)
        # Both sides in one call: distance to the upper limit, then to the lower one.
        both = max_viable_velocity(np.concatenate([ctx.limits.upper - margin - q, q - ctx.limits.lower - margin]), np.tile(a, 2), dt)
        return Rows(-both[n:], both[:n], priority=1)
