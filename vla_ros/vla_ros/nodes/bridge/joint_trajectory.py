"""Backend joint_trajectory: one-point JointTrajectory per ros2_control JointTrajectoryController."""

from __future__ import annotations

from builtin_interfaces.msg import Duration
from rclpy.node import Node
from trajectory_msgs.msg import JointTrajectory, JointTrajectoryPoint

from vla_ros.core.bridge.trajectory_streaming import TrajectoryStreamer
from vla_ros.core.robot.config import ControllerConfig
from vla_ros.core.types import JointState
from vla_ros.nodes.qos import CONTROL


class JointTrajectorySink:
    def __init__(
        self, node: Node, controllers: tuple[ControllerConfig, ...], lookahead_s: float
    ) -> None:
        self._streamer = TrajectoryStreamer(controllers, lookahead_s)
        self._publishers = {
            c.name: node.create_publisher(JointTrajectory, c.trajectory_topic, CONTROL)
            for c in controllers
        }
        self.topics = [c.trajectory_topic for c in controllers]

    def send(self, target: JointState) -> None:
        lead = Duration(sec=0, nanosec=int(self._streamer.lookahead_s * 1e9))
        for point in self._streamer.points(target.names, target.positions, target.velocities):
            # A zero stamp means "start on receipt": a late message never lands with all points in the past.
            trajectory = JointTrajectory(joint_names=list(point.joint_names))
            trajectory.points = [
                JointTrajectoryPoint(
                    positions=point.positions.tolist(),
                    velocities=point.velocities.tolist(),
                    time_from_start=lead,
                )
            ]
            self._publishers[point.controller.name].publish(trajectory)
