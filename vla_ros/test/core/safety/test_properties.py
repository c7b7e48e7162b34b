"""Property tests: whatever the input sequence, the output obeys every limit; safe input is tracked.

Adversarial sequences (adversarial.py) at 100 Hz: every tick is judged by LimitsJudge (kappa in EE
command runs included), and every tick whose jerk exceeds its limit must have been counted.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from adversarial import DT, command_dims, judge_adversarial_sequences, setup
from hypothesis import given, settings
from hypothesis import strategies as st

from vla_ros.core.robot.config import available_robots
from vla_ros.core.types import Command, CommandSpace

ROBOTS = available_robots()
EXAMPLES = int(os.environ.get("VLA_SAFETY_EXAMPLES", "600"))


@pytest.mark.parametrize("robot_name", ROBOTS)
def test_output_never_violates_a_limit(robot_name: str) -> None:
    judge_adversarial_sequences(robot_name, EXAMPLES)


@pytest.mark.parametrize("robot_name", ROBOTS)
def test_safe_joint_trajectories_are_tracked_exactly(robot_name: str) -> None:
    robot, projector, _, _ = setup(robot_name)
    n = len(robot.command_joints)
    # Move away from the nearer limit (grippers rest on one), at most 1 rad of span.
    inward = np.where(robot.home > (robot.limits.lower + robot.limits.upper) / 2, -1.0, 1.0)
    span = inward * np.minimum(robot.limits.upper - robot.limits.lower, 1.0)

    @settings(max_examples=max(EXAMPLES // 10, 5), derandomize=True, deadline=None)
    @given(
        st.lists(st.floats(0.0, 0.04), min_size=n, max_size=n).map(np.array),
        st.floats(0.5, 2.0),
    )
    def check(amplitude, omega):
        projector.start(robot.home)
        for tick in range(1, 120):
            t = tick * DT
            # Starts at rest (1 - cos), every derivative far inside the limits.
            target = robot.home + amplitude * span * (1 - np.cos(omega * t))
            safe = projector.step(
                Command(t, CommandSpace.JOINT_POSITION, robot.command_joints, target)
            )
            assert np.max(np.abs(safe.positions - target)) <= 1e-12, (tick, safe)
            assert safe.active == () and safe.hold_reason == ""

    check()


@pytest.mark.parametrize("robot_name", ROBOTS)
def test_reachable_pose_target_is_reached_without_constraint(robot_name: str) -> None:
    robot, projector, judge, _ = setup(robot_name)
    rng = np.random.default_rng(3)
    offset = rng.uniform(-0.15, 0.15, len(robot.command_joints))
    inside = 0.2 * (robot.limits.upper - robot.limits.lower)
    goal = np.clip(robot.home + offset, robot.limits.lower + inside, robot.limits.upper - inside)
    values = []
    placements = projector.model.placements(goal)
    from pinocchio.rpy import matrixToRpy

    for k, arm in enumerate(robot.arms):
        values += list(placements.ee_position[k]) + list(matrixToRpy(placements.ee_rotation[k]))
        if arm.gripper:
            values.append(goal[robot.command_joints.index(arm.gripper.joint)])
    projector.start(robot.home)
    judge.start(robot.home)
    names = command_dims(robot, CommandSpace.EE_POSE)
    for tick in range(300):
        safe = projector.step(Command(tick * DT, CommandSpace.EE_POSE, names, np.array(values)))
        judge.check(safe, space=CommandSpace.EE_POSE)
    reached = projector.model.placements(safe.positions)
    if np.all(robot.limits.jerk * DT >= robot.limits.acceleration / 2):
        assert np.allclose(reached.ee_position, placements.ee_position, atol=1e-6)
        assert np.allclose(reached.ee_rotation, placements.ee_rotation, atol=1e-5)
        assert np.allclose(safe.velocities, 0.0, atol=1e-6)
    else:
        # Known limitation: arms whose jerk limit binds within a tick (the Trossen arms' conservative
        # 40 rad/s^3) circle a pose target within millimetres instead of settling on it.
        assert np.allclose(reached.ee_position, placements.ee_position, atol=1e-2)
