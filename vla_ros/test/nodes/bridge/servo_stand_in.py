"""A stand-in for MoveIt Servo's ROS interface (moveit_servo's servo_node): its command topics,
its `switch_command_type` and `pause_servo` services and its status topic, named as Servo names
them under its node. It records what it receives and answers every request with success; it
moves nothing."""

from __future__ import annotations

import rclpy
from geometry_msgs.msg import TwistStamped
from std_srvs.srv import SetBool

from vla_ros.nodes.qos import CONTROL


class ServoStandIn:
    def __init__(self, ros, servo: str = "/servo_node") -> None:
        from control_msgs.msg import JointJog
        from moveit_msgs.msg import ServoStatus
        from moveit_msgs.srv import ServoCommandType

        self.status_type = ServoStatus
        node = ros.add(rclpy.create_node("servo_stand_in"))
        self.jogs: list = []
        self.twists: list = []
        self.command_types: list[int] = []
        self.pauses: list[bool] = []
        node.create_subscription(JointJog, f"{servo}/delta_joint_cmds", self.jogs.append, CONTROL)
        node.create_subscription(
            TwistStamped, f"{servo}/delta_twist_cmds", self.twists.append, CONTROL
        )
        node.create_service(ServoCommandType, f"{servo}/switch_command_type", self._switch)
        node.create_service(SetBool, f"{servo}/pause_servo", self._pause)
        self.status = node.create_publisher(ServoStatus, f"{servo}/status", 10)

    def _switch(self, request, response):
        self.command_types.append(int(request.command_type))
        response.success = True
        return response

    def _pause(self, request, response):
        self.pauses.append(bool(request.data))
        response.success = True
        return response
