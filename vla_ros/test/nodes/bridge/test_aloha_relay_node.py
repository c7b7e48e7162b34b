"""ALOHA on its real driver stack, over real DDS with stand-in interbotix_xs_msgs: the relay merges
the followers' unprefixed joint states into /joint_states, the xs_sdk backend splits safe commands
into the followers' group and gripper commands.

Does not prove what the Interbotix xs_sdk does with the commands (operating modes, profiles):
that needs the ALOHA hardware stack.
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("rclpy")

from bridge_graph import bridge, safe_command
from sensor_msgs.msg import JointState

from vla_ros.core.robot.config import load_robot_config
from vla_ros.nodes.aloha_relay import AlohaRelayNode
from vla_ros.nodes.managed import parameter_overrides
from vla_ros.nodes.qos import CONTROL, SENSOR

pytestmark = pytest.mark.ros

FOLLOWER = ("waist", "shoulder", "elbow", "forearm_roll", "wrist_angle", "wrist_rotate",
            "gripper", "left_finger", "right_finger")  # fmt: skip


def test_followers_merge_into_joint_states(ros):
    merged = ros.collect(JointState, "/joint_states", SENSOR)
    ros.add(AlohaRelayNode(parameter_overrides=parameter_overrides({"robot": "aloha"})))
    left = ros.publisher(JointState, "/follower_left/joint_states", SENSOR)
    right = ros.publisher(JointState, "/follower_right/joint_states", SENSOR)
    values = np.arange(len(FOLLOWER), dtype=float)

    def publish():
        left.publish(safe_command(FOLLOWER, values, stamp_s=5.0))
        right.publish(safe_command(FOLLOWER, values + 10.0, stamp_s=5.0))
        return merged

    assert ros.wait_for(publish)
    state = merged[-1]
    assert state.name[:3] == ["left_waist", "left_shoulder", "left_elbow"]
    assert "right_left_finger" in state.name and "left_gripper" not in state.name
    assert state.position[state.name.index("right_left_finger")] == 17.0
    assert state.header.stamp.sec == 5


def test_xs_sdk_backend_commands_each_follower(ros, stand_ins):
    from interbotix_xs_msgs.msg import JointGroupCommand, JointSingleCommand

    robot = load_robot_config("aloha")
    groups = ros.collect(JointGroupCommand, "/follower_right/commands/joint_group", CONTROL)
    grippers = ros.collect(JointSingleCommand, "/follower_right/commands/joint_single", CONTROL)
    bridge(ros, robot="aloha", backend="xs_sdk")
    commands = ros.publisher(JointState, "/vla/safe_joint_command", CONTROL)
    positions = robot.home.copy()
    positions[robot.command_joints.index("right_left_finger")] = 0.021  # closed
    assert ros.wait_for(
        lambda: (
            commands.publish(safe_command(robot.command_joints, positions))
            or (groups and grippers)
        )
    )
    assert groups[-1].name == "arm"
    np.testing.assert_allclose(groups[-1].cmd, robot.home[7:13], atol=1e-6)  # float32
    assert grippers[-1].name == "gripper"
    assert grippers[-1].cmd == pytest.approx(0.6197, abs=1e-6)  # ALOHA 2's closed motor angle
