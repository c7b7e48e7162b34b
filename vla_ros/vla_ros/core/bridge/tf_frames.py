"""Every URDF link's pose in the base frame from the suite's own FK: /tf where no
robot_state_publisher runs (the embedded sim). Flat (base -> link) transforms: RViz and Foxglove
resolve any link through them; the joint tree is not needed to draw the robot.
"""

from __future__ import annotations

import numpy as np

from vla_ros.core.robot.config import RobotConfig
from vla_ros.core.robot.kinematics import Kinematics
from vla_ros.core.types import JointState


class LinkPoses:
    def __init__(self, robot: RobotConfig, kinematics: Kinematics) -> None:
        self.base_frame = robot.base_frame
        self._kinematics = kinematics
        # Links a model reduced to the commanded joints still has (all of a shipped URDF).
        self.links = tuple(
            link
            for link in robot.urdf.links
            if link != robot.base_frame and link in kinematics.frames
        )

    def poses(self, state: JointState) -> dict[str, np.ndarray]:
        """link -> (4, 4) pose in the base frame (InvalidInput: the state lacks a commanded joint)."""
        q = state.subset(self._kinematics.joints)
        return {link: self._kinematics.frame_pose(q, link) for link in self.links}
