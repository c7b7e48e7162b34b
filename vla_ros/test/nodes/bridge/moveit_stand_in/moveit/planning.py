"""Stand-in of moveit.planning (see moveit/__init__.py)."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass
class World:
    """What the stand-in's scene says and what was asked of it."""

    colliding: Any = lambda group, positions: False
    plan_succeeds: bool = True
    instances: list = field(default_factory=list)
    calls: list = field(default_factory=list)


WORLD = World()


@dataclass
class PlanResult:
    trajectory: Any


class PlanningComponent:
    def __init__(self, group: str) -> None:
        self.group = group

    def set_start_state_to_current_state(self) -> None:
        WORLD.calls.append(("start_state_current", self.group))

    def set_goal_state(self, configuration_name=None, robot_state=None, pose_stamped_msg=None,
                       pose_link=None, motion_plan_constraints=None) -> None:  # fmt: skip
        goal = configuration_name
        if robot_state is not None:
            if not robot_state.updated:
                raise RuntimeError("goal RobotState used before update()")
            goal = dict(robot_state.group_positions)
        WORLD.calls.append(("goal", self.group, goal))

    def plan(self, single_plan_parameters=None, multi_plan_parameters=None):
        WORLD.calls.append(("plan", self.group))
        return PlanResult(("trajectory", self.group)) if WORLD.plan_succeeds else None


class PlanningScene:
    def is_state_colliding(self, robot_state=None, joint_model_group_name=None, verbose=False):
        if not robot_state.updated:
            raise RuntimeError("RobotState checked before update()")
        positions = robot_state.group_positions[joint_model_group_name]
        return bool(WORLD.colliding(joint_model_group_name, positions))


class PlanningSceneMonitor:
    @contextmanager
    def read_only(self):
        yield PlanningScene()


class MoveItPy:
    def __init__(self, node_name="moveit_py", name_space="", launch_params_filepaths=None,
                 config_dict=None, provide_planning_service=False) -> None:  # fmt: skip
        WORLD.instances.append({"node_name": node_name, "params": launch_params_filepaths})

    def get_planning_component(self, planning_component_name: str) -> PlanningComponent:
        return PlanningComponent(planning_component_name)

    def get_planning_scene_monitor(self) -> PlanningSceneMonitor:
        return PlanningSceneMonitor()

    def get_robot_model(self):
        return "robot_model"

    def execute(self, robot_trajectory, controllers=None, blocking=True):
        WORLD.calls.append(("execute", robot_trajectory, controllers))
        return True
