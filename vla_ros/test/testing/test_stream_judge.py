"""The fault suite's judge must catch what it claims to catch: streams built to violate each limit
once, a stream that keeps every limit, lost messages and a re-anchoring."""

import numpy as np
import pytest

from vla_ros.core.robot.config import load_robot_config
from vla_ros.testing.stream_judge import RESET_GRACE_S, StreamJudge

DT = 0.01


@pytest.fixture(scope="module")
def robot():
    return load_robot_config("panda")


def stream(robot, accelerations: np.ndarray, start: np.ndarray | None = None):
    """(stamp, q, v) of a projector-like stream: q integrates v, v integrates the accelerations."""
    q = robot.home.copy() if start is None else start.copy()
    v = np.zeros_like(q)
    out = []
    for k, a in enumerate(accelerations):
        v = v + DT * a
        q = q + DT * v
        out.append((10.0 + k * DT, q.copy(), v.copy()))
    return out


def arm_only(robot, values: np.ndarray) -> np.ndarray:
    """Accelerations on the arm joints (the home pose holds the gripper at a limit)."""
    mask = np.array(
        [
            0.0 if arm.gripper and j == arm.gripper.joint else 1.0
            for arm in robot.arms
            for j in arm.command_joints
        ]
    )
    return values * mask


def judge(robot, samples, reset_before: int | None = None) -> StreamJudge:
    """The judge after `samples`, the reset (if any) arriving before sample `reset_before`."""
    checker = StreamJudge(robot, DT)
    for k, (stamp, q, v) in enumerate(samples):
        if k == reset_before:
            checker.reanchor()
        checker.check(stamp, robot.command_joints, q, v)
    checker.finish()
    return checker


def test_a_stream_within_every_limit_passes(robot):
    accelerations = arm_only(
        robot, np.outer(np.sin(np.arange(200) * 0.05), 0.05 * robot.limits.acceleration)
    )
    report = judge(robot, stream(robot, accelerations)).report
    assert report.violation_count == 0 and report.commands == 200


def test_one_step_above_the_acceleration_limit_is_caught(robot):
    accelerations = np.zeros((50, len(robot.command_joints)))
    accelerations[20, 0] = 1.01 * robot.limits.acceleration[0]
    report = judge(robot, stream(robot, accelerations)).report
    assert report.violations == {"joint_acceleration": 1}


def test_a_lost_message_is_reconstructed_and_still_judged(robot):
    accelerations = np.zeros((50, len(robot.command_joints)))
    accelerations[20, 0] = 1.5 * robot.limits.acceleration[0]
    samples = stream(robot, accelerations)
    del samples[20]  # the violating tick itself never arrives
    assert judge(robot, samples).report.violations["joint_acceleration"] >= 1
    clean = stream(robot, np.zeros((50, len(robot.command_joints))))
    del clean[20]
    assert judge(robot, clean).report.violation_count == 0


def test_position_and_velocity_limits_are_caught(robot):
    near = robot.home.copy()
    near[0] = robot.limits.upper[0] - 1e-4
    toward = np.zeros((20, len(robot.command_joints)))
    toward[0, 0] = 1.0  # 0.01 rad/s from the first tick on: past the limit within two ticks
    assert judge(robot, stream(robot, toward, start=near)).report.violations["joint_position"] >= 1
    fast = np.zeros_like(robot.home)
    fast[1] = 1.01 * robot.limits.velocity[1]
    assert judge(robot, [(10.0, robot.home, fast)]).report.violations["joint_velocity"] == 1


def test_a_reanchoring_after_a_reset_is_not_a_violation_but_an_unannounced_jump_is(robot):
    moving = stream(robot, arm_only(robot, np.full((30, len(robot.command_joints)), 0.2)))
    at_rest = stream(
        robot,
        np.zeros((10, len(robot.command_joints))),
        start=robot.home + arm_only(robot, np.full(len(robot.command_joints), 0.1)),
    )
    at_rest = [(moving[-1][0] + (k + 1) * DT, q, v) for k, (_, q, v) in enumerate(at_rest)]
    announced = judge(robot, moving + at_rest, reset_before=30).report
    assert announced.violation_count == 0 and announced.reanchors == 1
    unannounced = judge(robot, moving + at_rest[:1]).report
    assert unannounced.violation_count >= 1
    # the reset overtaken by the jump it announces (they travel on different topics)
    resting = stream(robot, np.zeros((100, len(robot.command_joints))), start=at_rest[0][1])
    longer = moving + [(moving[-1][0] + (k + 1) * DT, q, v) for k, (_, q, v) in enumerate(resting)]
    late = judge(robot, longer, reset_before=30 + round(0.8 * RESET_GRACE_S / DT)).report
    assert late.violation_count == 0 and late.reanchors == 1
    too_late = judge(robot, longer, reset_before=30 + round(1.5 * RESET_GRACE_S / DT)).report
    assert too_late.violation_count >= 1


def test_a_start_beyond_a_limit_may_be_kept_but_not_exceeded_further(robot):
    gripper = robot.command_joints.index(robot.arms[0].gripper.joint)
    start = robot.home.copy()
    start[gripper] = robot.limits.upper[gripper] + 3e-6  # a finger measured just past its stop
    still = stream(robot, np.zeros((5, len(robot.command_joints))), start=start)
    assert judge(robot, still).report.violation_count == 0
    opening = np.zeros((5, len(robot.command_joints)))
    opening[0, gripper] = 0.1
    assert (
        judge(robot, stream(robot, opening, start=start)).report.violations["joint_position"] >= 1
    )
