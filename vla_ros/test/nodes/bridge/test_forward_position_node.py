"""Backend forward_position over real DDS: Float64MultiArray per controller, in its joint order."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("rclpy")

from bridge_graph import bridge, diagnostics_of, safe_command
from diagnostic_msgs.msg import DiagnosticArray
from sensor_msgs.msg import JointState
from std_msgs.msg import Float64MultiArray

from vla_ros.core.robot.config import load_robot_config
from vla_ros.nodes.qos import CONTROL

pytestmark = pytest.mark.ros


def test_safe_commands_become_forward_commands_and_bad_ones_are_reported(ros):
    robot = load_robot_config("panda")
    arm = ros.collect(Float64MultiArray, "/panda_arm_controller/commands", CONTROL)
    hand = ros.collect(Float64MultiArray, "/panda_gripper/commands", CONTROL)
    diagnostics = ros.collect(DiagnosticArray, "/diagnostics", 100)
    bridge(ros, backend="forward_position")
    commands = ros.publisher(JointState, "/vla/safe_joint_command", CONTROL)
    assert ros.wait_for(lambda: commands.get_subscription_count() > 0)
    names = tuple(reversed(robot.command_joints))  # any order: each controller gets its own
    positions = robot.home[::-1] + 0.01
    assert ros.wait_for(
        lambda: commands.publish(safe_command(names, positions)) or (arm and hand), timeout=5.0
    )
    np.testing.assert_allclose(arm[-1].data, robot.home[:7] + 0.01)
    np.testing.assert_allclose(hand[-1].data, [robot.home[7] + 0.01])
    # Lacks panda_finger_joint1 (first of the reversed names), arm targets moved.
    commands.publish(safe_command(names[1:], positions[1:] + 0.05))
    assert ros.wait_for(
        lambda: any(
            "lacks joints ['panda_finger_joint1']" in m for _, m in diagnostics_of(diagnostics)
        )
    )
    # Nothing half-sent: the arm controller never got the bad command's targets either.
    assert all(np.allclose(m.data, robot.home[:7] + 0.01) for m in arm)
