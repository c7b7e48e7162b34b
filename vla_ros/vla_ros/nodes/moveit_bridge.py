"""moveit_bridge: /vla/safe_joint_command -> the robot's controllers.

Backend `joint_trajectory` (default) streams trajectory_msgs/JointTrajectory to each ros2_control
JointTrajectoryController (`/<controller>/joint_trajectory`). It subscribes to nothing but the safety
projector's output: the projector stays the only path to the robot. When the projector's heartbeat
is lost (core/liveness.py) it raises an alarm, in its log and on /diagnostics: nothing commands the
robot then, and the controllers hold their last point.
"""

from __future__ import annotations

import time

from builtin_interfaces.msg import Duration
from sensor_msgs.msg import JointState
from trajectory_msgs.msg import JointTrajectory, JointTrajectoryPoint

from vla_ros.core.bridge.trajectory_streaming import TrajectoryStreamer
from vla_ros.core.robot.config import load_robot_config
from vla_ros.core.types import InvalidInput
from vla_ros.nodes.conversions import joint_state_from_msg
from vla_ros.nodes.managed import ManagedNode, run_node
from vla_ros.nodes.node_parameters import MoveItBridgeParameters
from vla_ros.nodes.parameters import declare_config
from vla_ros.nodes.qos import CONTROL


class MoveItBridgeNode(ManagedNode):
    def __init__(self, **kwargs) -> None:
        super().__init__("moveit_bridge", **kwargs)

    def configure(self) -> None:
        parameters = declare_config(self, MoveItBridgeParameters)
        robot = load_robot_config(parameters.robot)
        self._streamer = TrajectoryStreamer(robot, parameters.lookahead_s)
        self._trajectory_pubs = {
            c.name: self.create_publisher(JointTrajectory, c.trajectory_topic, CONTROL)
            for c in self._streamer.controllers
        }
        self._sent = 0
        self.create_subscription(
            JointState, "/vla/safe_joint_command", self._on_safe_command, CONTROL
        )
        self._liveness = self.watch_liveness()
        self.create_timer(1.0, self._report)
        topics = [c.trajectory_topic for c in self._streamer.controllers]
        self.get_logger().info(f"streaming safe commands to {topics}")

    def _on_safe_command(self, msg: JointState) -> None:
        if not self.is_active:
            return
        try:
            state = joint_state_from_msg(msg)
            points = self._streamer.points(state.names, state.positions, state.velocities)
        except InvalidInput as error:
            self.report_bad_input("safe joint command", error)
            return
        lead = Duration(sec=0, nanosec=int(self._streamer.lookahead_s * 1e9))
        for point in points:
            # A zero stamp means "start on receipt": a late message never lands with all points in the past.
            trajectory = JointTrajectory(joint_names=list(point.joint_names))
            trajectory.points = [
                JointTrajectoryPoint(
                    positions=point.positions.tolist(),
                    velocities=point.velocities.tolist(),
                    time_from_start=lead,
                )
            ]
            self._trajectory_pubs[point.controller.name].publish(trajectory)
        self._sent += 1

    def _report(self) -> None:
        lost = self._liveness.lost(time.monotonic())
        if not lost:
            self.publish_diagnostics("ok", "streaming", {"trajectories_sent": self._sent})
            return
        alarm = (
            f"ALARM: {self._liveness.describe_lost(time.monotonic())}: no safe commands reach the "
            "controllers, which hold their last point"
        )
        self.get_logger().error(alarm, throttle_duration_sec=5.0)
        self.publish_diagnostics("error", alarm, {"trajectories_sent": self._sent})


def main(args=None) -> None:
    run_node(MoveItBridgeNode, args)
