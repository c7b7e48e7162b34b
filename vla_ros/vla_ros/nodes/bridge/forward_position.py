"""Backend forward_position: std_msgs/Float64MultiArray per forward_command_controller."""

from __future__ import annotations

from rclpy.node import Node
from std_msgs.msg import Float64MultiArray

from vla_ros.core.bridge.forward_position import commands_topic, forward_commands
from vla_ros.core.robot.config import ControllerConfig
from vla_ros.core.types import JointState
from vla_ros.nodes.qos import CONTROL


class ForwardPositionSink:
    def __init__(self, node: Node, controllers: tuple[ControllerConfig, ...]) -> None:
        self._controllers = controllers
        self._publishers = {
            c.name: node.create_publisher(Float64MultiArray, commands_topic(c), CONTROL)
            for c in controllers
        }
        self.topics = [commands_topic(c) for c in controllers]

    def send(self, target: JointState) -> None:
        for command in forward_commands(self._controllers, target.names, target.positions):
            self._publishers[command.controller.name].publish(
                Float64MultiArray(data=command.positions.tolist())
            )
