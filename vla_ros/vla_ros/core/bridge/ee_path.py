"""The upcoming end-effector path of each arm, by the suite's own FK (for the path marker)."""

from __future__ import annotations

import numpy as np

from vla_ros.core.bridge.upcoming import Waypoints
from vla_ros.core.robot.kinematics import Kinematics


def ee_paths(
    kinematics: Kinematics, ee_frames: tuple[str, ...], waypoints: Waypoints, fill: np.ndarray
) -> dict[str, np.ndarray]:
    """frame -> (n, 3) positions in the base frame. Joints the waypoints lack take `fill` (the
    robot's last known positions, in kinematics.joints order)."""
    q = np.tile(np.asarray(fill, dtype=float), (len(waypoints.times), 1))
    columns = [kinematics.joints.index(j) for j in waypoints.joints]
    q[:, columns] = waypoints.positions
    return {
        frame: np.array([kinematics.frame_pose(row, frame)[:3, 3] for row in q])
        for frame in ee_frames
    }
