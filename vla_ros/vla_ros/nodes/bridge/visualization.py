"""What RViz / Foxglove show of the bridge: /tf from the suite's FK, the upcoming EE path.

/vla/ee_path (visualization_msgs/MarkerArray): per arm a green line through the executing
chunk's upcoming TCP positions (joint-position chunks), red from where the scene gate refused it.
/vla/safety_marker (visualization_msgs/Marker): the safety projector's state as text above the
base, for RViz, which has no panel for arbitrary messages.
"""

from __future__ import annotations

import time

import numpy as np
from geometry_msgs.msg import Point, TransformStamped
from rclpy.node import Node
from scipy.spatial.transform import Rotation
from std_msgs.msg import ColorRGBA, String
from visualization_msgs.msg import Marker, MarkerArray

from vla_ros.core.bridge.ee_path import ee_paths
from vla_ros.core.bridge.tf_frames import LinkPoses
from vla_ros.core.bridge.upcoming import Waypoints
from vla_ros.core.robot.config import RobotConfig
from vla_ros.core.robot.kinematics import Kinematics
from vla_ros.core.types import JointState
from vla_ros.nodes.bridge.interfaces import require
from vla_ros.nodes.qos import LATCHED

CLEAR = ColorRGBA(r=0.1, g=0.8, b=0.2, a=1.0)
REFUSED = ColorRGBA(r=0.9, g=0.1, b=0.1, a=1.0)


class PathMarkers:
    def __init__(self, node: Node, robot: RobotConfig, kinematics: Kinematics) -> None:
        self._node, self._kinematics = node, kinematics
        self._frames = tuple(arm.ee_frame for arm in robot.arms)
        self._base = robot.base_frame
        self._fill = robot.home.copy()
        self._publisher = node.create_publisher(MarkerArray, "/vla/ee_path", 10)

    def remember(self, state: JointState) -> None:
        """Latest measured positions: the fill for joints a chunk does not name."""
        self._fill = state.subset(self._kinematics.joints)

    def publish(self, waypoints: Waypoints, refused_from: float | None) -> None:
        paths = ee_paths(self._kinematics, self._frames, waypoints, self._fill)
        refused = (
            np.zeros(len(waypoints.times), dtype=bool)
            if refused_from is None
            else waypoints.times >= refused_from
        )
        stamp = self._node.get_clock().now().to_msg()
        markers = MarkerArray()
        for index, frame in enumerate(self._frames):
            marker = Marker(type=Marker.LINE_STRIP, action=Marker.ADD, ns="vla_ee_path", id=index)
            marker.header.frame_id, marker.header.stamp = self._base, stamp
            marker.pose.orientation.w = 1.0
            marker.scale.x = 0.005
            marker.points = [Point(x=p[0], y=p[1], z=p[2]) for p in paths[frame].tolist()]
            marker.colors = [REFUSED if r else CLEAR for r in refused]
            markers.markers.append(marker)
        self._publisher.publish(markers)


class SafetyText:
    """Published when the text changes and at least every REFRESH_S, not at the 100 Hz of the
    status it follows."""

    REFRESH_S = 0.5

    def __init__(self, node: Node, robot: RobotConfig) -> None:
        self._node, self._base = node, robot.base_frame
        self._publisher = node.create_publisher(Marker, "/vla/safety_marker", 10)
        self._last: tuple[str, float] = ("", -float("inf"))

    def publish(self, holding: bool, reason: str, constraints: list[str]) -> None:
        active = f" [{', '.join(constraints)}]" if constraints else ""
        text = f"HOLDING: {reason}" if holding else f"safety: tracking{active}"
        now = time.monotonic()
        if text == self._last[0] and now - self._last[1] < self.REFRESH_S:
            return
        self._last = (text, now)
        marker = Marker(type=Marker.TEXT_VIEW_FACING, action=Marker.ADD, ns="vla_safety", id=0)
        marker.header.frame_id = self._base
        marker.header.stamp = self._node.get_clock().now().to_msg()
        marker.pose.position.z, marker.pose.orientation.w = 1.0, 1.0
        marker.scale.z = 0.05
        marker.color = REFUSED if holding else CLEAR
        marker.text = text
        self._publisher.publish(marker)


class FkTransforms:
    """/tf (tf2_msgs/TFMessage) of every link from /joint_states, and the URDF on the latched
    /robot_description, as a robot_state_publisher would: for graphs without one (the embedded
    sim). The safety projector reads that description too; it is the URDF it already uses."""

    def __init__(self, node: Node, robot: RobotConfig, kinematics: Kinematics) -> None:
        tf2_msgs = require("tf2_msgs.msg", "moveit_bridge parameter publish_tf")
        self._message = tf2_msgs.TFMessage
        self._node = node
        self._links = LinkPoses(robot, kinematics)
        self._publisher = node.create_publisher(tf2_msgs.TFMessage, "/tf", 10)
        description = node.create_publisher(String, "/robot_description", LATCHED)
        description.publish(String(data=robot.urdf_xml()))

    def publish(self, state: JointState) -> None:
        stamp = self._node.get_clock().now().to_msg()
        transforms = []
        for link, pose in self._links.poses(state).items():
            transform = TransformStamped()
            transform.header.stamp, transform.header.frame_id = stamp, self._links.base_frame
            transform.child_frame_id = link
            x, y, z = pose[:3, 3].tolist()
            transform.transform.translation.x, transform.transform.translation.y = x, y
            transform.transform.translation.z = z
            qx, qy, qz, qw = Rotation.from_matrix(pose[:3, :3]).as_quat().tolist()
            rotation = transform.transform.rotation
            rotation.x, rotation.y, rotation.z, rotation.w = qx, qy, qz, qw
            transforms.append(transform)
        self._publisher.publish(self._message(transforms=transforms))
