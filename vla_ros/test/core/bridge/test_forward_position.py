import numpy as np
import pytest

from vla_ros.core.bridge.forward_position import commands_topic, forward_commands
from vla_ros.core.bridge.joint_routing import commanded_controllers
from vla_ros.core.robot.config import load_robot_config
from vla_ros.core.types import InvalidInput


def test_each_controller_gets_its_joints_in_its_order_on_its_commands_topic():
    robot = load_robot_config("aloha")
    names = tuple(reversed(robot.command_joints))
    positions = np.arange(len(names), dtype=float)
    commands = forward_commands(robot.controllers, names, positions)
    assert [c.controller for c in commands] == list(robot.controllers)
    left_arm = commands[0]
    assert commands_topic(left_arm.controller) == "/follower_left/arm_controller/commands"
    # left_waist is the last of the reversed names: index 13.
    np.testing.assert_array_equal(left_arm.positions, [13.0, 12.0, 11.0, 10.0, 9.0, 8.0])


def test_a_command_missing_a_controller_joint_names_it():
    robot = load_robot_config("panda")
    names = robot.command_joints[1:]
    with pytest.raises(
        InvalidInput, match=r"\['panda_joint1'\] of controller 'panda_arm_controller'"
    ):
        forward_commands(robot.controllers, names, np.zeros(len(names)))


def test_grippers_driven_by_actions_leave_the_stream():
    robot = load_robot_config("panda")
    assert commanded_controllers(robot, grippers_by_action=False) == robot.controllers
    arms_only = commanded_controllers(robot, grippers_by_action=True)
    assert [c.name for c in arms_only] == ["panda_arm_controller"]
