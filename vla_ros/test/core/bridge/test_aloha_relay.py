import numpy as np
import pytest

from vla_ros.core.bridge.aloha_relay import AlohaRelay
from vla_ros.core.robot.config import load_robot_config
from vla_ros.core.types import InvalidInput, JointState

# What one Interbotix xs_sdk follower publishes (vx300s): arm joints, the gripper motor, fingers.
FOLLOWER_NAMES = (
    "waist", "shoulder", "elbow", "forearm_roll", "wrist_angle", "wrist_rotate",
    "gripper", "left_finger", "right_finger",
)  # fmt: skip


def follower_state(offset: float) -> JointState:
    positions = offset + np.arange(len(FOLLOWER_NAMES), dtype=float)
    return JointState(FOLLOWER_NAMES, positions, 0.1 * positions)


def test_states_merge_under_prefixed_names_once_both_followers_reported():
    relay = AlohaRelay(load_robot_config("aloha"))
    left, right = relay.followers
    assert (left.joint_state_topic, right.joint_state_topic) == (
        "/follower_left/joint_states",
        "/follower_right/joint_states",
    )
    assert relay.merged(left, follower_state(0.0)) is None
    merged = relay.merged(right, follower_state(100.0))
    assert merged.names[:8] == (
        "left_waist", "left_shoulder", "left_elbow", "left_forearm_roll", "left_wrist_angle",
        "left_wrist_rotate", "left_left_finger", "left_right_finger",
    )  # fmt: skip
    assert "left_gripper" not in merged.names  # the motor angle is no joint of aloha.yaml
    np.testing.assert_array_equal(merged.positions[:8], [0, 1, 2, 3, 4, 5, 7, 8])
    np.testing.assert_array_equal(merged.positions[8:], [100, 101, 102, 103, 104, 105, 107, 108])
    np.testing.assert_allclose(merged.velocities, 0.1 * merged.positions)


def test_commands_split_per_follower_with_gripper_motor_angle():
    robot = load_robot_config("aloha")
    relay = AlohaRelay(robot)
    positions = robot.home.copy()
    names = robot.command_joints
    positions[names.index("left_left_finger")] = 0.021  # closed
    positions[names.index("right_left_finger")] = 0.039  # half way
    commands = relay.commands(JointState(names, positions))
    assert [(c.topic, c.group) for c in commands] == [
        ("/follower_left/commands/joint_group", "arm"),
        ("/follower_left/commands/joint_single", "gripper"),
        ("/follower_right/commands/joint_group", "arm"),
        ("/follower_right/commands/joint_single", "gripper"),
    ]
    np.testing.assert_allclose(commands[0].values, robot.home[:6])
    assert commands[1].values[0] == pytest.approx(0.6197)
    assert commands[3].values[0] == pytest.approx(0.5 * (0.6197 + 1.6214))


def test_a_follower_topic_without_the_arm_joints_is_named():
    relay = AlohaRelay(load_robot_config("aloha"))
    with pytest.raises(InvalidInput, match="/follower_left/joint_states carries none"):
        relay.merged(relay.followers[0], JointState(("foo",), np.zeros(1)))


def test_a_robot_without_follower_topics_is_refused():
    with pytest.raises(InvalidInput, match="one entry per arm"):
        AlohaRelay(load_robot_config("panda"))
