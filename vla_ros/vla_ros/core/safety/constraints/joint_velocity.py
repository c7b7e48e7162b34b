"""Joint velocity limits: |v| <= v_max per joint."""

from __future__ import annotations

from vla_ros.core.safety.constraint import Constraint, Rows
from vla_ros.core.safety.context import StepContext


class JointVelocityLimit(Constraint):
    name = "joint_velocity"

    def rows(self, ctx: StepContext) -> Rows:
        # Gives way to acceleration only when the limit itself drops (a new robot_description).
        return Rows(-ctx.limits.velocity, ctx.limits.velocity.copy(), priority=1)
