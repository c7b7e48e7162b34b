"""Stand-in of moveit.core.robot_state (see moveit/__init__.py)."""

from __future__ import annotations


class RobotState:
    def __init__(self, robot_model) -> None:
        self.robot_model = robot_model
        self.group_positions: dict[str, list[float]] = {}
        self.updated = False

    def set_joint_group_positions(self, joint_model_group_name: str, position_values) -> None:
        self.group_positions[joint_model_group_name] = [float(v) for v in position_values]
        self.updated = False

    def update(self, force: bool = False) -> None:
        self.updated = True
