"""Joint jerk limits: |(v - v_prev)/dt - a_prev| <= j_max dt.

Lowest priority: when stopping in time needs more jerk (an e-stop, a limit ahead), the jerk bound
gives way for that joint and the projector counts it; acceleration and position never give way.
"""

from __future__ import annotations

from vla_ros.core.safety.constraint import Constraint, Rows
from vla_ros.core.safety.context import StepContext


class JointJerkLimit(Constraint):
    name = "joint_jerk"

    def rows(self, ctx: StepContext) -> Rows:
        dt = ctx.dt
        centre = ctx.state.v + ctx.state.a * dt
        step = ctx.limits.jerk * dt * dt
        return Rows(centre - step, centre + step, priority=2)
