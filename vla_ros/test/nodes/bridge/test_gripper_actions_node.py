"""Gripper actions against action-server stand-ins over real DDS, on stand-in control_msgs and
franka_msgs (field lists as published).

Proves: goals only on a changed target, preemption of a running goal, the franka Move/Grasp
mapping with widths, results (and a missing server) in diagnostics, and that the gripper's
trajectory controller gets nothing while its action owns it. Does not prove how franka_gripper or
a ros2_control GripperActionController behave on hardware (timing, force, what "grasped" means):
that needs the real drivers.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

pytest.importorskip("rclpy")

from bridge_graph import bridge, diagnostics_of, safe_command
from diagnostic_msgs.msg import DiagnosticArray
from sensor_msgs.msg import JointState
from trajectory_msgs.msg import JointTrajectory

from vla_ros.core.robot.config import load_robot_config
from vla_ros.nodes.qos import CONTROL

pytestmark = pytest.mark.ros


def finger_at(robot, finger: float) -> JointState:
    positions = robot.home.copy()
    positions[robot.command_joints.index("panda_finger_joint1")] = finger
    return safe_command(robot.command_joints, positions)


def test_gripper_command_goals_on_change_with_preemption(ros, stand_ins):
    from control_msgs.action import GripperCommand
    from gripper_stand_ins import GripperActionStandIn

    robot = load_robot_config("panda")
    server = GripperActionStandIn(
        ros, GripperCommand, "/panda_gripper/gripper_action", {"reached_goal": True}, hold=True
    )
    arm = ros.collect(JointTrajectory, "/panda_arm_controller/joint_trajectory", CONTROL)
    hand = ros.collect(JointTrajectory, "/panda_gripper/joint_trajectory", CONTROL)
    bridge(ros, gripper="gripper_command", gripper_min_period_s=0.0)
    commands = ros.publisher(JointState, "/vla/safe_joint_command", CONTROL)
    opened = finger_at(robot, 0.04)
    assert ros.wait_for(lambda: commands.publish(opened) or (server.goals and len(arm) > 5))
    before = len(arm)
    for _ in range(20):
        commands.publish(opened)
        time.sleep(0.02)
    assert ros.wait_for(lambda: len(arm) > before + 5)  # the stream went on ...
    assert len(server.goals) == 1  # an unchanged target sends no new goal
    assert server.goals[0].command.position == pytest.approx(0.04)
    assert server.goals[0].command.max_effort == pytest.approx(20.0)
    closed = finger_at(robot, 0.0)
    assert ros.wait_for(lambda: commands.publish(closed) or len(server.goals) == 2)
    assert server.goals[1].command.position == 0.0
    assert ros.wait_for(lambda: len(server.cancelled) == 1)  # the open goal was preempted
    assert not hand  # the hand's trajectory controller is left to the action
    np.testing.assert_allclose(arm[-1].points[0].positions, robot.home[:7])


def test_franka_grasp_and_move_with_results_in_diagnostics(ros, stand_ins):
    from franka_msgs.action import Grasp, Move
    from gripper_stand_ins import GripperActionStandIn

    robot = load_robot_config("panda")
    diagnostics = ros.collect(DiagnosticArray, "/diagnostics", 100)
    bridge(ros, gripper="franka", gripper_min_period_s=0.0, gripper_max_effort=30.0)
    commands = ros.publisher(JointState, "/vla/safe_joint_command", CONTROL)
    closed = finger_at(robot, 0.0)
    assert ros.wait_for(
        lambda: (
            commands.publish(closed)
            or any("gripper action server not up" in m for _, m in diagnostics_of(diagnostics))
        )
    )
    grasp = GripperActionStandIn(
        ros, Grasp, "/panda_gripper/grasp", {"success": False, "error": "no object"}
    )
    move = GripperActionStandIn(ros, Move, "/panda_gripper/move", {"success": True})
    assert ros.wait_for(lambda: commands.publish(closed) or grasp.goals)
    goal = grasp.goals[0]
    assert (goal.width, goal.force, goal.speed) == (0.0, 30.0, pytest.approx(0.1))
    assert ros.wait_for(
        lambda: any("nothing grasped (no object)" in m for _, m in diagnostics_of(diagnostics))
    )
    opened = finger_at(robot, 0.04)
    assert ros.wait_for(lambda: commands.publish(opened) or move.goals)
    assert move.goals[0].width == pytest.approx(0.08)  # franka width = 2 x finger joint
    assert len(grasp.goals) == 1
