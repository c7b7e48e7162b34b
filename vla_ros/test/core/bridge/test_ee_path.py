import numpy as np

from vla_ros.core.bridge.ee_path import ee_paths
from vla_ros.core.bridge.upcoming import Waypoints
from vla_ros.core.robot.config import load_robot_config
from vla_ros.core.robot.kinematics import Kinematics


def test_path_is_fk_of_each_waypoint_with_missing_joints_filled():
    robot = load_robot_config("panda")
    kinematics = Kinematics.from_robot(robot)
    frame = robot.arms[0].ee_frame
    # Only joint1 moves (a quarter turn): the TCP swings about z at constant height and radius.
    turns = np.array([[0.0], [np.pi / 4], [np.pi / 2]])
    points = Waypoints(np.arange(3.0), ("panda_joint1",), turns)
    path = ee_paths(kinematics, (frame,), points, robot.home)[frame]
    start = kinematics.frame_pose(robot.home, frame)[:3, 3]
    np.testing.assert_allclose(path[0], start, atol=1e-12)
    np.testing.assert_allclose(path[:, 2], start[2], atol=1e-12)
    radius = np.hypot(start[0], start[1])
    np.testing.assert_allclose(np.hypot(path[:, 0], path[:, 1]), radius, atol=1e-12)
    np.testing.assert_allclose(path[2, :2], [-start[1], start[0]], atol=1e-12)
