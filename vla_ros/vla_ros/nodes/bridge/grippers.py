"""Grippers driven by actions: control_msgs/action/GripperCommand or franka_msgs Move/Grasp.

A goal goes out only when core/bridge/gripper_goals.py says so (changed enough, not too soon); a
goal still running is cancelled first (preemption); results become the gripper's diagnostics. An
action server that is not up yet is reported, and the goal is tried again on a later command.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rclpy.action import ActionClient
from rclpy.node import Node

from vla_ros.core.bridge.gripper_goals import (
    GoalKind,
    GripperGoal,
    GripperGoalConfig,
    GripperGoalPolicy,
)
from vla_ros.core.robot.config import ArmConfig, RobotConfig
from vla_ros.core.types import InvalidInput, JointState
from vla_ros.nodes.bridge.interfaces import require

WANTED_BY = "moveit_bridge parameter gripper"


@dataclass
class _Gripper:
    arm: ArmConfig
    policy: GripperGoalPolicy
    clients: dict[GoalKind, ActionClient]
    running: Any = None  # the running goal's handle
    status: tuple[str, str] = ("ok", "no gripper goal yet")


def gripper_action_names(
    robot: RobotConfig, route: str, configured: tuple[str, ...] | None
) -> list[dict[GoalKind, str]]:
    """Per arm with a gripper: goal kind -> action name (parameter, else the bringup notes)."""
    arms = [arm for arm in robot.arms if arm.gripper is not None]
    notes = robot.bringup
    if configured is not None and len(configured) != len(arms):
        raise InvalidInput(
            f"gripper_actions needs one entry per gripper of '{robot.name}' ({len(arms)}), "
            f"got {list(configured)}"
        )
    names = []
    for index, _ in enumerate(arms):
        if route == "franka":
            base = configured[index].rstrip("/") if configured else None
            move = f"{base}/move" if base else (notes.gripper.move_action if notes.gripper else "")
            grasp = (
                f"{base}/grasp" if base else (notes.gripper.grasp_action if notes.gripper else "")
            )
            names.append({GoalKind.MOVE: move, GoalKind.GRASP: grasp})
        else:
            default = (
                notes.gripper.command_action if notes.gripper else ""
            ) or notes.gripper_action
            names.append({GoalKind.COMMAND: configured[index] if configured else default})
    missing = [kind.value for entry in names for kind, name in entry.items() if not name]
    if missing:
        raise InvalidInput(
            f"gripper '{route}' of robot '{robot.name}' has no {missing} action: set "
            "gripper_actions or the robot config's bringup gripper entries"
        )
    return names


class GripperActionSink:
    def __init__(
        self, node: Node, robot: RobotConfig, route: str, actions: tuple[str, ...] | None,
        config: GripperGoalConfig,
    ) -> None:  # fmt: skip
        franka = route == "franka"
        module = require("franka_msgs.action" if franka else "control_msgs.action", WANTED_BY)
        self._franka = require("franka_msgs.msg", WANTED_BY) if franka else None
        self._types = (
            {GoalKind.MOVE: module.Move, GoalKind.GRASP: module.Grasp}
            if franka
            else {GoalKind.COMMAND: module.GripperCommand}
        )
        self._config, self._node = config, node
        width = robot.bringup.gripper.width_per_finger_joint if robot.bringup.gripper else 1.0
        arms = [arm for arm in robot.arms if arm.gripper is not None]
        per_arm = gripper_action_names(robot, route, actions)
        self.actions = [name for entry in per_arm for name in entry.values()]
        self.grippers = [
            _Gripper(
                arm,
                GripperGoalPolicy(
                    arm.gripper, config, franka_actions=franka, width_per_joint=width
                ),
                {
                    kind: ActionClient(node, self._types[kind], name)
                    for kind, name in names.items()
                },
            )
            for arm, names in zip(arms, per_arm)
        ]

    def send(self, target: JointState, now: float) -> None:
        for gripper in self.grippers:
            clients = gripper.clients.values()
            if not all(client.server_is_ready() for client in clients):
                gripper.status = ("warn", f"gripper action server not up: {self.actions}")
                continue
            position = float(target.subset((gripper.arm.gripper.joint,))[0])
            decision = gripper.policy.decide(position, now)
            if decision is None:
                continue
            if decision.preempts and gripper.running is not None:
                gripper.running.cancel_goal_async()
            self._send_goal(gripper, decision.goal)

    def _send_goal(self, gripper: _Gripper, goal: GripperGoal) -> None:
        kind = self._types[goal.kind]
        message = kind.Goal()
        if goal.kind == GoalKind.COMMAND:
            message.command.position = goal.position
            message.command.max_effort = self._config.gripper_max_effort
        else:
            message.width, message.speed = goal.width, self._config.gripper_speed
            if goal.kind == GoalKind.GRASP:
                message.force = self._config.gripper_max_effort
                # Whatever ends up between the fingers counts as grasped (any width down to 0).
                message.epsilon = self._franka.GraspEpsilon(inner=goal.width + 0.1, outer=0.1)
        future = gripper.clients[goal.kind].send_goal_async(message)
        future.add_done_callback(lambda f: self._on_accepted(gripper, goal, f))

    def _on_accepted(self, gripper: _Gripper, goal: GripperGoal, future) -> None:
        handle = future.result()
        if handle is None or not handle.accepted:
            self._record(gripper, gripper.policy.finished(goal, False, "goal rejected"))
            return
        gripper.running = handle
        handle.get_result_async().add_done_callback(
            lambda f: self._on_result(gripper, goal, handle, f)
        )

    def _on_result(self, gripper: _Gripper, goal: GripperGoal, handle, future) -> None:
        if gripper.running is handle:
            gripper.running = None
        response = future.result()
        result = response.result
        if goal.kind == GoalKind.COMMAND:
            # A stalled gripper holds something: as good as reaching the goal.
            success = bool(result.reached_goal or result.stalled)
            detail = f"at {result.position:.4f}, effort {result.effort:.1f}"
        else:
            success, detail = bool(result.success), result.error
        self._record(
            gripper, gripper.policy.finished(goal, success, detail or f"status {response.status}")
        )

    @staticmethod
    def _record(gripper: _Gripper, status: tuple[str, str] | None) -> None:
        if status is not None:  # None: a superseded goal's end, no news
            gripper.status = status

    def status(self) -> tuple[str, str]:
        order = {"ok": 0, "warn": 1, "error": 2}
        worst = max(self.grippers, key=lambda g: order[g.status[0]])
        return worst.status
