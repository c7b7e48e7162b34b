"""MoveItPyPlanner against the stand-in `moveit` module (MoveItPy's documented API).

Proves the calls and their order: start state, goal (home joints or a named state), plan,
execute(trajectory, controllers=[]); collision checks with every group's positions and update()
before the check; failures reported. Does not prove that MoveIt plans, executes or finds
collisions: that needs MoveIt and a robot's MoveIt config (test_moveit_py_real.py).
"""

from __future__ import annotations

import numpy as np
import pytest

from vla_ros.core.robot.config import load_robot_config
from vla_ros.core.types import InvalidInput
from vla_ros.nodes.bridge.interfaces import require
from vla_ros.nodes.bridge.moveit_py import MoveItPyPlanner, planning_groups


def test_home_move_plans_from_the_current_state_to_the_config_home_and_executes(moveit_world):
    robot = load_robot_config("panda")
    planner = MoveItPyPlanner(robot, planning_groups(robot, None), params_file="/cfg/panda.yaml")
    assert moveit_world.instances == [
        {"node_name": "vla_ros_moveit_py", "params": ["/cfg/panda.yaml"]}
    ]
    assert planner.go_home() == (True, "moved home")
    start, goal, plan, execute = moveit_world.calls
    assert start == ("start_state_current", "panda_arm")
    assert goal[:2] == ("goal", "panda_arm")
    np.testing.assert_allclose(goal[2]["panda_arm"], robot.home[:7])
    assert plan == ("plan", "panda_arm")
    assert execute == ("execute", ("trajectory", "panda_arm"), [])


def test_named_home_and_a_failed_plan(moveit_world):
    robot = load_robot_config("aloha")
    groups = planning_groups(robot, ("left_arm", "right_arm"))
    planner = MoveItPyPlanner(robot, groups, home_named_state="sleep")
    moveit_world.plan_succeeds = False
    assert planner.go_home() == (False, "MoveIt found no plan to home for group 'left_arm'")
    assert ("goal", "left_arm", "sleep") in moveit_world.calls
    assert not [c for c in moveit_world.calls if c[0] == "execute"]
    assert not [c for c in moveit_world.calls if c[1] == "right_arm"]  # stopped at the failure


def test_collision_check_sets_every_group_from_the_waypoint(moveit_world):
    robot = load_robot_config("aloha")
    planner = MoveItPyPlanner(robot, planning_groups(robot, None))
    moveit_world.colliding = lambda group, q: group == "aloha_right" and q[0] > 0.5
    q = robot.home.copy()
    assert not planner.colliding(robot.command_joints, q)
    q[robot.command_joints.index("right_waist")] = 0.6
    assert planner.colliding(robot.command_joints, q)
    q[robot.command_joints.index("left_waist")] = 0.9  # the left group alone never collides here
    q[robot.command_joints.index("right_waist")] = 0.0
    assert not planner.colliding(robot.command_joints, q)


def test_group_count_and_missing_moveit_are_named():
    robot = load_robot_config("aloha")
    with pytest.raises(InvalidInput, match="one MoveIt group per arm"):
        planning_groups(robot, ("both_arms",))
    with pytest.raises(InvalidInput, match="needs no_such_msgs.msg, which is not installed"):
        require("no_such_msgs.msg", "moveit_bridge backend 'servo'")
