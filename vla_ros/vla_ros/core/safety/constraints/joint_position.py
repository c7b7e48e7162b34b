"""Joint position limits with a margin, kept viable: the joint can always brake before the limit."""

from __future__ import annotations

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
        margin, q, a, dt = ctx.position_margin, ctx.state.q, ctx.limits.acceleration, ctx.dt
        toward_upper = max_viable_velocity(ctx.limits.upper - margin - q, a, dt)
        toward_lower = max_viable_velocity(q - ctx.limits.lower - margin, a, dt)
        return Rows(-toward_lower, toward_upper, priority=1)
