"""Fuzzed robot_descriptions: refused with InvalidInput, or accepted within the shipped limits.

Every mutation (vla_ros.testing.urdf_mutations) of each robot's URDF goes through the paths a description takes:
load_robot_config(..., urdf_xml=...) at configure time, RobotConfig.with_urdf and
SafetyProjector.for_robot while the arm moves. Nothing but InvalidInput may come out of them;
what they accept never widens the shipped limits, and the projector built from it then drives
the moving arm with every output inside the shipped position/velocity/acceleration limits.
"""

from __future__ import annotations

import functools
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from vla_ros.core.robot.config import RobotConfig, available_robots, load_robot_config
from vla_ros.core.safety import SafetyProjector
from vla_ros.core.types import Command, CommandSpace, InvalidInput
from vla_ros.testing.urdf_mutations import mutated_descriptions

EXAMPLES = int(os.environ.get("VLA_FUZZ_EXAMPLES", "300"))
DT = 0.01
TOL = 1e-9


@functools.cache
def shipped(robot_name: str) -> tuple[RobotConfig, SafetyProjector]:
    robot = load_robot_config(robot_name)
    return robot, SafetyProjector(robot, DT)


def moving_command(robot: RobotConfig, tick: int) -> Command:
    """Half the velocity limit on every joint, away from the nearer position limit."""
    inward = np.where(robot.home > (robot.limits.lower + robot.limits.upper) / 2, -1.0, 1.0)
    return Command(
        tick * DT,
        CommandSpace.JOINT_VELOCITY,
        robot.command_joints,
        0.5 * inward * robot.limits.velocity,
    )


def assert_within(limits, envelope) -> None:
    assert np.all(limits.lower >= envelope.lower) and np.all(limits.upper <= envelope.upper)
    assert np.all(limits.velocity <= envelope.velocity)
    np.testing.assert_array_equal(limits.acceleration, envelope.acceleration)
    np.testing.assert_array_equal(limits.jerk, envelope.jerk)


def check_description(robot_name: str, text: str) -> None:
    robot, projector = shipped(robot_name)
    try:
        configured = load_robot_config(robot_name, urdf_xml=text)
    except InvalidInput:
        configured = None
    try:
        described = robot.with_urdf(text)
    except InvalidInput:
        assert configured is None, "configure time and run time judge a description alike"
        return
    assert configured is not None
    assert_within(described.limits, robot.limits)
    assert_within(configured.limits, robot.limits)
    projector.start(robot.home)
    for tick in range(5):
        before = projector.step(moving_command(robot, tick))
    try:
        successor = projector.for_robot(described)
    except InvalidInput:
        return
    assert successor.state is projector.state, "the switch continues from the motion state"
    limits, velocity = robot.limits, before.velocities
    for tick in range(5, 30):
        safe = successor.step(moving_command(robot, tick))
        assert np.all(safe.positions >= limits.lower - TOL) and np.all(
            safe.positions <= limits.upper + TOL
        ), safe
        assert np.all(np.abs(safe.velocities) <= limits.velocity + TOL), safe
        assert np.all(np.abs(safe.velocities - velocity) <= limits.acceleration * DT + 1e-7), safe
        velocity = safe.velocities


@pytest.mark.parametrize("robot_name", available_robots())
def test_mutated_descriptions_are_refused_or_kept_within_the_shipped_limits(
    robot_name: str,
) -> None:
    robot, _ = shipped(robot_name)
    ee_frames = tuple(arm.ee_frame for arm in robot.arms)

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(mutated_descriptions(robot.urdf_xml(), ee_frames))
    def check(text: str) -> None:
        check_description(robot_name, text)

    check()
