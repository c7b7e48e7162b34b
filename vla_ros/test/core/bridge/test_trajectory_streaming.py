import numpy as np
import pytest

from vla_ros.core.bridge.trajectory_streaming import TrajectoryStreamer
from vla_ros.core.robot.config import load_robot_config
from vla_ros.core.types import InvalidInput


def test_one_point_per_controller_with_its_joints_in_its_order():
    robot = load_robot_config("panda")
    streamer = TrajectoryStreamer(robot.controllers, lookahead_s=0.04)
    names = tuple(reversed(robot.command_joints))
    positions = np.arange(len(names), dtype=float)
    points = streamer.points(names, positions, 2 * positions)
    assert {p.controller.name for p in points} == {c.name for c in streamer.controllers}
    for point in points:
        expected = np.array([positions[names.index(j)] for j in point.joint_names])
        np.testing.assert_array_equal(point.positions, expected)
        np.testing.assert_array_equal(point.velocities, 2 * expected)
        assert point.time_from_start_s == 0.04
    assert sorted(j for p in points for j in p.joint_names) == sorted(robot.command_joints)


def test_missing_joints_and_bad_lookahead_are_rejected():
    robot = load_robot_config("panda")
    streamer = TrajectoryStreamer(robot.controllers)
    with pytest.raises(InvalidInput, match="lacks joints"):
        streamer.points(robot.command_joints[:-1], np.zeros(len(robot.command_joints) - 1), None)
    with pytest.raises(InvalidInput, match="lookahead_s must be > 0"):
        TrajectoryStreamer(robot.controllers, lookahead_s=0.0)
