import numpy as np
import pytest

from vla_ros.core.bridge.tf_frames import LinkPoses
from vla_ros.core.robot.config import load_robot_config
from vla_ros.core.robot.kinematics import Kinematics
from vla_ros.core.types import InvalidInput, JointState


def test_link_poses_are_the_fk_of_every_link_but_the_base():
    robot = load_robot_config("panda")
    kinematics = Kinematics.from_robot(robot)
    frames = LinkPoses(robot, kinematics)
    assert robot.base_frame not in frames.links
    assert {"panda_link7", "panda_hand_tcp", "panda_leftfinger"} <= set(frames.links)
    poses = frames.poses(JointState(robot.command_joints, robot.home))
    np.testing.assert_allclose(
        poses["panda_hand_tcp"], kinematics.frame_pose(robot.home, "panda_hand_tcp")
    )
    # panda_link1 sits 0.333 m above the base (Franka's d1), turned by joint1 only.
    np.testing.assert_allclose(poses["panda_link1"][:3, 3], [0.0, 0.0, 0.333], atol=1e-9)


def test_a_state_without_the_commanded_joints_is_refused():
    robot = load_robot_config("panda")
    frames = LinkPoses(robot, Kinematics.from_robot(robot))
    with pytest.raises(InvalidInput, match="lacks joints"):
        frames.poses(JointState(("panda_joint1",), np.zeros(1)))
