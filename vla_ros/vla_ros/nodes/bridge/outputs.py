"""The bridge's outputs for its parameters: the arm backend, and the grippers' route."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from rclpy.node import Node

from vla_ros.core.bridge.joint_routing import commanded_controllers
from vla_ros.core.robot.config import RobotConfig
from vla_ros.core.types import JointState
from vla_ros.nodes.bridge.forward_position import ForwardPositionSink
from vla_ros.nodes.bridge.grippers import GripperActionSink
from vla_ros.nodes.bridge.joint_trajectory import JointTrajectorySink
from vla_ros.nodes.bridge.servo import ServoSink
from vla_ros.nodes.bridge.xs_sdk import XsSdkSink
from vla_ros.nodes.node_parameters import MoveItBridgeParameters


class Sink(Protocol):
    topics: list[str]

    def send(self, target: JointState) -> None: ...


@dataclass
class Outputs:
    sinks: list[Sink]
    servo: ServoSink | None
    grippers: GripperActionSink | None

    def describe(self) -> str:
        topics = [t for sink in self.sinks for t in sink.topics]
        actions = self.grippers.actions if self.grippers else []
        return f"safe commands to {topics}" + (
            f", grippers by actions {actions}" if actions else ""
        )


def build_outputs(node: Node, robot: RobotConfig, parameters: MoveItBridgeParameters) -> Outputs:
    by_action = parameters.gripper != "controller"
    controllers = commanded_controllers(robot, by_action)
    servo = None
    if parameters.backend == "forward_position":
        sinks: list[Sink] = [ForwardPositionSink(node, controllers)]
    elif parameters.backend == "servo":
        servo = ServoSink(
            node,
            robot,
            parameters.servo_nodes,
            parameters.servo_command_type,
            parameters.servo_position_gain,
        )
        # Servo moves arms only; grippers on controllers keep their trajectory controllers.
        arm_controllers = {arm.controller for arm in robot.arms}
        grippers = tuple(c for c in controllers if c not in arm_controllers)
        sinks = [servo] + (
            [JointTrajectorySink(node, grippers, parameters.lookahead_s)] if grippers else []
        )
    elif parameters.backend == "xs_sdk":
        sinks = [XsSdkSink(node, robot)]
    else:  # joint_trajectory, and moveit_py (which streams the same way between its home moves)
        sinks = [JointTrajectorySink(node, controllers, parameters.lookahead_s)]
    grippers = (
        GripperActionSink(
            node, robot, parameters.gripper, parameters.gripper_actions, parameters.grippers
        )
        if by_action
        else None
    )
    return Outputs(sinks, servo, grippers)
