"""Joint acceleration limits in the discrete sense: |v - v_prev| <= a_max dt."""

from __future__ import annotations

from vla_ros.core.safety.constraint import Constraint, Rows
from vla_ros.core.safety.context import StepContext


class JointAccelerationLimit(Constraint):
    name = "joint_acceleration"

    def rows(self, ctx: StepContext) -> Rows:
        step = ctx.limits.acceleration * ctx.dt
        return Rows(ctx.state.v - step, ctx.state.v + step, priority=0)
