import numpy as np
import pytest

from vla_ros.core.bridge.servo_commands import ee_twist, joint_jog
from vla_ros.core.robot.config import load_robot_config
from vla_ros.core.robot.kinematics import Kinematics
from vla_ros.core.types import InvalidInput, JointState

NAMES = ("a", "b", "c")


def test_joint_jog_is_feed_forward_plus_gain_times_position_error():
    target = JointState(("c", "b", "a"), np.array([3.0, 2.0, 1.0]), np.array([0.3, 0.2, 0.1]))
    measured = JointState(NAMES, np.array([0.5, 2.0, 3.5]))
    jog = joint_jog(NAMES, target, measured, position_gain=2.0)
    assert jog.names == NAMES
    np.testing.assert_allclose(jog.velocities, [0.1 + 1.0, 0.2, 0.3 - 1.0])


def test_joint_jog_without_measurement_or_velocities():
    target = JointState(NAMES, np.array([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(joint_jog(NAMES, target, None, 5.0).velocities, np.zeros(3))


def test_joint_jog_refuses_missing_joints_and_non_finite_results():
    target = JointState(("a", "b"), np.zeros(2))
    with pytest.raises(InvalidInput, match=r"lacks joints \['c'\]"):
        joint_jog(NAMES, target, None, 1.0)
    target = JointState(NAMES, np.zeros(3), np.array([0.0, np.inf, 0.0]))
    with pytest.raises(InvalidInput, match="not finite"):
        joint_jog(NAMES, target, None, 1.0)


def test_twist_is_the_jacobian_times_joint_velocity():
    robot = load_robot_config("panda")
    kinematics = Kinematics.from_robot(robot)
    frame = robot.arms[0].ee_frame
    qdot = np.zeros(len(robot.command_joints))
    qdot[0] = 0.5  # base yaw only: the TCP turns about z at 0.5 rad/s
    target = JointState(robot.command_joints, robot.home, qdot)
    twist = ee_twist(kinematics, frame, target)
    position = kinematics.frame_pose(robot.home, frame)[:3, 3]
    np.testing.assert_allclose(twist[3:], [0.0, 0.0, 0.5], atol=1e-12)
    np.testing.assert_allclose(twist[:3], np.cross([0.0, 0.0, 0.5], position), atol=1e-12)
    still = JointState(robot.command_joints, robot.home)
    np.testing.assert_array_equal(ee_twist(kinematics, frame, still), np.zeros(6))
