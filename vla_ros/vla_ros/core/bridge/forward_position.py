"""Safe joint targets -> std_msgs/Float64MultiArray for forward position controllers.

A forward_command_controller / JointGroupPositionController takes one array per tick on
`/<controller>/commands`, in the order of its `joints` parameter (the robot config's controller
joints). Unlike a JointTrajectoryController it never replaces a running trajectory, so MoveIt
Servo and this bridge can share it without preempting each other.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vla_ros.core.bridge.joint_routing import controller_rows
from vla_ros.core.robot.config import ControllerConfig


def commands_topic(controller: ControllerConfig) -> str:
    return f"/{controller.name}/commands"


@dataclass(frozen=True)
class ForwardCommand:
    controller: ControllerConfig
    positions: np.ndarray


def forward_commands(
    controllers: tuple[ControllerConfig, ...], names: tuple[str, ...], positions: np.ndarray
) -> list[ForwardCommand]:
    """One position array per controller, in its joint order (InvalidInput: a joint is missing)."""
    return [ForwardCommand(c, positions[controller_rows(c, names)]) for c in controllers]
