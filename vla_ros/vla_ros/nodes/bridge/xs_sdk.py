"""Backend xs_sdk: safe commands to Interbotix xs_sdk followers (ALOHA: no ros2_control).

Per follower arm: interbotix_xs_msgs/JointGroupCommand "arm" (the six arm joints, radians) on its
`commands/joint_group`, JointSingleCommand "gripper" (a motor angle) on its
`commands/joint_single`; topics and the gripper's motor range come from the robot config's
bringup notes (core/bridge/aloha_relay.py). The followers' joint states come back through the
aloha_relay node.
"""

from __future__ import annotations

from rclpy.node import Node

from vla_ros.core.bridge.aloha_relay import AlohaRelay
from vla_ros.core.robot.config import RobotConfig
from vla_ros.core.types import JointState
from vla_ros.nodes.bridge.interfaces import require
from vla_ros.nodes.qos import CONTROL


class XsSdkSink:
    def __init__(self, node: Node, robot: RobotConfig) -> None:
        messages = require("interbotix_xs_msgs.msg", "moveit_bridge backend 'xs_sdk'")
        self._relay = AlohaRelay(robot)
        self._types = {"arm": messages.JointGroupCommand, "gripper": messages.JointSingleCommand}
        self.topics = [
            topic
            for f in self._relay.followers
            for topic in (f.arm_command_topic, f.gripper_command_topic)
        ]
        kinds = {f.arm_command_topic: "arm" for f in self._relay.followers} | {
            f.gripper_command_topic: "gripper" for f in self._relay.followers
        }
        self._publishers = {
            topic: node.create_publisher(self._types[kind], topic, CONTROL)
            for topic, kind in kinds.items()
        }

    def send(self, target: JointState) -> None:
        for command in self._relay.commands(target):
            values = command.values.tolist()
            kind = self._types[command.group]
            message = (
                kind(name="arm", cmd=values)
                if command.group == "arm"
                else kind(name="gripper", cmd=values[0])
            )
            self._publishers[command.topic].publish(message)
