"""MoveItPy for the bridge: plan and execute to the home pose, and collision checks against the
live planning scene (the scene gate's predicate).

Uses MoveItPy's documented Python API: `moveit.planning.MoveItPy` (get_planning_component,
get_planning_scene_monitor, get_robot_model, execute), `PlanningComponent`
(set_start_state_to_current_state, set_goal_state, plan), `moveit.core.robot_state.RobotState`
(set_joint_group_positions, update) and the monitor's `read_only()` scene with
`is_state_colliding(robot_state=, joint_model_group_name=, verbose=)`. MoveItPy starts its own
rclcpp node (`node_name`), which needs the robot's MoveIt configuration as parameters:
`moveit_params_file` or the launch's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vla_ros.core.robot.config import ArmConfig, RobotConfig
from vla_ros.core.types import InvalidInput
from vla_ros.nodes.bridge.interfaces import require

WANTED_BY = "moveit_bridge backend 'moveit_py'"


@dataclass(frozen=True)
class PlanningGroup:
    arm: ArmConfig
    name: str


def planning_groups(robot: RobotConfig, configured: tuple[str, ...] | None) -> list[PlanningGroup]:
    if configured is None:
        return [PlanningGroup(arm, f"{robot.name}_{arm.name}") for arm in robot.arms]
    if len(configured) != len(robot.arms):
        raise InvalidInput(
            f"planning_groups needs one MoveIt group per arm of '{robot.name}' "
            f"({[a.name for a in robot.arms]}), got {list(configured)}"
        )
    return [PlanningGroup(arm, name) for arm, name in zip(robot.arms, configured)]


class MoveItPyPlanner:
    def __init__(
        self,
        robot: RobotConfig,
        groups: list[PlanningGroup],
        home_named_state: str = "",
        params_file: str = "",
        node_name: str = "vla_ros_moveit_py",
    ) -> None:
        planning = require("moveit.planning", WANTED_BY)
        self._robot_state = require("moveit.core.robot_state", WANTED_BY).RobotState
        options = {"node_name": node_name}
        if params_file:
            options["launch_params_filepaths"] = [params_file]
        self._moveit = planning.MoveItPy(**options)
        self._groups = groups
        self._components = {g.name: self._moveit.get_planning_component(g.name) for g in groups}
        self._named = home_named_state
        self._home = {
            g.name: robot.home[[robot.command_joints.index(j) for j in g.arm.joints]]
            for g in groups
        }

    def go_home(self) -> tuple[bool, str]:
        """Plan and execute each group to its home pose, one after the other; stops at a failure."""
        for group in self._groups:
            component = self._components[group.name]
            component.set_start_state_to_current_state()
            if self._named:
                component.set_goal_state(configuration_name=self._named)
            else:
                goal = self._robot_state(self._moveit.get_robot_model())
                goal.set_joint_group_positions(group.name, self._home[group.name])
                goal.update()
                component.set_goal_state(robot_state=goal)
            plan = component.plan()
            if not plan:
                return False, f"MoveIt found no plan to home for group '{group.name}'"
            if self._moveit.execute(plan.trajectory, controllers=[]) is False:
                return False, f"MoveIt could not execute the home move of group '{group.name}'"
        return True, "moved home"

    def colliding(self, joints: tuple[str, ...], q: np.ndarray) -> bool:
        """Whether the robot at `q` (positions of `joints`) collides in the live planning scene."""
        positions = dict(zip(joints, np.asarray(q, dtype=float)))
        with self._moveit.get_planning_scene_monitor().read_only() as scene:
            state = self._robot_state(self._moveit.get_robot_model())
            for group in self._groups:
                state.set_joint_group_positions(
                    group.name, [positions[j] for j in group.arm.joints]
                )
            state.update()
            return any(
                scene.is_state_colliding(
                    robot_state=state, joint_model_group_name=group.name, verbose=False
                )
                for group in self._groups
            )
