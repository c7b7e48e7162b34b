"""Backend servo: safe commands to MoveIt Servo (one Servo node per arm), Servo's state read back.

Per arm, on Servo's default topics under its node name: control_msgs/JointJog on
`<servo>/delta_joint_cmds` or geometry_msgs/TwistStamped on `<servo>/delta_twist_cmds`; the command
type is switched once the Servo answers (`<servo>/switch_command_type`,
moveit_msgs/srv/ServoCommandType); `<servo>/pause_servo` (std_srvs/SetBool) follows the safety
projector's holds; `<servo>/status` (moveit_msgs/ServoStatus) feeds diagnostics. Servo must run
with `command_out_type` matching the robot's controller (a forward position controller is the
one that does not preempt, see README) and its own `move_group_name` per arm.
"""

from __future__ import annotations

from geometry_msgs.msg import TwistStamped
from rclpy.node import Node
from sensor_msgs.msg import JointState as JointStateMsg
from std_srvs.srv import SetBool

from vla_ros.core.bridge.servo_commands import ServoCommandType, ee_twist, joint_jog
from vla_ros.core.bridge.servo_supervision import ServoPause, servo_status_level
from vla_ros.core.robot.config import ArmConfig, RobotConfig
from vla_ros.core.robot.kinematics import Kinematics
from vla_ros.core.types import InvalidInput, JointState
from vla_ros.nodes.bridge.interfaces import require
from vla_ros.nodes.conversions import joint_state_from_msg
from vla_ros.nodes.qos import CONTROL, SENSOR

WANTED_BY = "moveit_bridge backend 'servo'"


def servo_node_names(robot: RobotConfig, configured: tuple[str, ...] | None) -> tuple[str, ...]:
    if configured is None:
        return (
            ("/servo_node",)
            if len(robot.arms) == 1
            else tuple(f"/{arm.name}/servo_node" for arm in robot.arms)
        )
    if len(configured) != len(robot.arms):
        raise InvalidInput(
            f"servo_nodes needs one Servo node per arm of '{robot.name}' "
            f"({[a.name for a in robot.arms]}), got {list(configured)}"
        )
    return tuple(name.rstrip("/") for name in configured)


class ServoArm:
    """One arm's Servo: its command publisher, services and status."""

    def __init__(self, node: Node, arm: ArmConfig, servo: str, command_type: ServoCommandType):
        control_msgs = require("control_msgs.msg", WANTED_BY)
        moveit_msgs = require("moveit_msgs.msg", WANTED_BY)
        moveit_srvs = require("moveit_msgs.srv", WANTED_BY)
        self.arm, self.servo, self.command_type = arm, servo, command_type
        self.jog_type = control_msgs.JointJog
        topic, kind = (
            (f"{servo}/delta_joint_cmds", control_msgs.JointJog)
            if command_type == ServoCommandType.JOINT_JOG
            else (f"{servo}/delta_twist_cmds", TwistStamped)
        )
        self.publisher = node.create_publisher(kind, topic, CONTROL)
        self._switch_type = moveit_srvs.ServoCommandType
        self._switch = node.create_client(
            moveit_srvs.ServoCommandType, f"{servo}/switch_command_type"
        )
        self._pause_client = node.create_client(SetBool, f"{servo}/pause_servo")
        node.create_subscription(moveit_msgs.ServoStatus, f"{servo}/status", self._on_status, 10)
        self.switched = False
        self._switching = False
        self.pause = ServoPause()
        self.status = ("warn", f"no status from {servo} yet")

    def ensure_command_type(self) -> None:
        """Ask Servo for our command type once it offers the service (retried until it agrees)."""
        if self.switched or self._switching or not self._switch.service_is_ready():
            return
        self._switching = True
        request = self._switch_type.Request(command_type=int(self.command_type))
        self._switch.call_async(request).add_done_callback(self._on_switched)

    def _on_switched(self, future) -> None:
        self._switching = False
        self.switched = bool(future.result() and future.result().success)

    def follow_hold(self, holding: bool) -> None:
        if not self._pause_client.service_is_ready():
            return
        data = self.pause.request(holding)
        if data is not None:
            future = self._pause_client.call_async(SetBool.Request(data=data))
            future.add_done_callback(
                lambda f: self.pause.answered(bool(f.result() and f.result().success))
            )

    def _on_status(self, msg) -> None:
        self.status = servo_status_level(int(msg.code), msg.message)


class ServoSink:
    def __init__(
        self,
        node: Node,
        robot: RobotConfig,
        servo_nodes: tuple[str, ...] | None,
        command_type: str,
        position_gain: float,
    ) -> None:
        kind = ServoCommandType[command_type.upper()]
        self._node, self._gain = node, position_gain
        self.arms = [
            ServoArm(node, arm, servo, kind)
            for arm, servo in zip(robot.arms, servo_node_names(robot, servo_nodes))
        ]
        self._kinematics = Kinematics.from_robot(robot) if kind == ServoCommandType.TWIST else None
        self._base_frame = robot.base_frame
        self._measured: JointState | None = None
        node.create_subscription(
            JointStateMsg, robot.joint_state_topic, self._on_joint_state, SENSOR
        )
        self.topics = [arm.publisher.topic_name for arm in self.arms]

    def _on_joint_state(self, msg: JointStateMsg) -> None:
        self._measured = joint_state_from_msg(msg)

    def send(self, target: JointState) -> None:
        stamp = self._node.get_clock().now().to_msg()
        for servo in self.arms:
            servo.ensure_command_type()
            if not servo.switched:
                continue  # Servo would read these as the wrong command type
            if servo.command_type == ServoCommandType.JOINT_JOG:
                jog = joint_jog(servo.arm.joints, target, self._measured, self._gain)
                msg = servo.jog_type(
                    joint_names=list(jog.names), velocities=jog.velocities.tolist()
                )
            else:
                twist = ee_twist(self._kinematics, servo.arm.ee_frame, target)
                msg = TwistStamped()
                msg.header.frame_id = self._base_frame
                msg.twist.linear.x, msg.twist.linear.y, msg.twist.linear.z = twist[:3].tolist()
                msg.twist.angular.x, msg.twist.angular.y, msg.twist.angular.z = twist[3:].tolist()
            msg.header.stamp = stamp
            servo.publisher.publish(msg)

    def follow_hold(self, holding: bool) -> None:
        for servo in self.arms:
            servo.follow_hold(holding)

    def status(self) -> tuple[str, str]:
        """The worst arm's Servo status."""
        order = {"ok": 0, "warn": 1, "error": 2}
        worst = max(self.arms, key=lambda s: order[s.status[0]])
        return worst.status
