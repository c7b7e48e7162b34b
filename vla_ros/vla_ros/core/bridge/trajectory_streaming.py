"""Safe joint targets -> one-point trajectories for ros2_control JointTrajectoryControllers.

A JointTrajectoryController replaces its trajectory from a new message's start time and drops
points already in the past, so each control tick sends one point `lookahead_s` ahead of the
message stamp. Positions plus velocities make the controller interpolate cubically (C1) from
where it is to the target, instead of the linear ramp positions alone would give.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vla_ros.core.bridge.joint_routing import controller_rows
from vla_ros.core.robot.config import ControllerConfig
from vla_ros.core.types import InvalidInput


@dataclass(frozen=True)
class StreamedPoint:
    controller: ControllerConfig
    joint_names: tuple[str, ...]
    positions: np.ndarray
    velocities: np.ndarray
    time_from_start_s: float


class TrajectoryStreamer:
    def __init__(
        self, controllers: tuple[ControllerConfig, ...], lookahead_s: float = 0.05
    ) -> None:
        if not lookahead_s > 0.0:
            raise InvalidInput(f"lookahead_s must be > 0, got {lookahead_s}")
        self.lookahead_s = lookahead_s
        self.controllers = controllers

    def points(
        self, names: tuple[str, ...], positions: np.ndarray, velocities: np.ndarray | None
    ) -> list[StreamedPoint]:
        """One point per controller from a safe joint command (names may come in any order)."""
        velocities = (
            np.zeros_like(positions) if velocities is None or len(velocities) == 0 else velocities
        )
        points = []
        for controller in self.controllers:
            rows = controller_rows(controller, names)
            points.append(
                StreamedPoint(
                    controller,
                    controller.joints,
                    positions[rows],
                    velocities[rows],
                    self.lookahead_s,
                )
            )
        return points
