"""Safety projection: every command is projected onto the safe set before it reaches the robot.

`SafetyProjector` (stateful, one per control loop) -> `project()` (one QP per tick) over
`Constraint`s, one per file; `HoldSupervisor` decides when to hold (e-stop, stale, invalid input).
"""

from vla_ros.core.robot.safety_config import SafetyConfig
from vla_ros.core.safety.constraint import Constraint, Rows
from vla_ros.core.safety.context import MotionState, StepContext
from vla_ros.core.safety.projection import Projection, project
from vla_ros.core.safety.projector import SafeCommand, SafetyProjector
from vla_ros.core.safety.supervisor import HoldSupervisor

__all__ = [
    "Constraint",
    "HoldSupervisor",
    "MotionState",
    "Projection",
    "Rows",
    "SafeCommand",
    "SafetyConfig",
    "SafetyProjector",
    "StepContext",
    "project",
]
