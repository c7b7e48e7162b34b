"""Which rows of a safe joint command each controller takes (names may come in any order)."""

from __future__ import annotations

import numpy as np

from vla_ros.core.robot.config import ControllerConfig, RobotConfig
from vla_ros.core.types import InvalidInput


def controller_rows(controller: ControllerConfig, names: tuple[str, ...]) -> np.ndarray:
    """Indices into `names` of the controller's joints, in the controller's order.

    InvalidInput names the controller and the joints the command lacks: a controller is never sent
    a partial command."""
    index = {name: i for i, name in enumerate(names)}
    missing = [j for j in controller.joints if j not in index]
    if missing:
        raise InvalidInput(
            f"safe command lacks joints {missing} of controller '{controller.name}'"
        )
    return np.array([index[j] for j in controller.joints], dtype=int)


def commanded_controllers(
    robot: RobotConfig, grippers_by_action: bool
) -> tuple[ControllerConfig, ...]:
    """The controllers safe commands stream to: all of them, or only the arms' when the grippers
    are driven by actions instead (a gripper action server owns its joint; a second writer would
    fight it)."""
    if not grippers_by_action:
        return robot.controllers
    return tuple(arm.controller for arm in robot.arms)
