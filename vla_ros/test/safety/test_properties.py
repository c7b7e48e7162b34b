"""Property tests: whatever the input sequence, the output obeys every limit; safe input is tracked.

Adversarial sequences mix huge joint jumps, NaN/inf, joint velocities far over the limits, pose
targets far outside the workspace, singular and self-colliding configurations (found per robot by
sampling), EE deltas, holds and reduced-speed mode. Every tick is judged by LimitsJudge (kappa in
EE command runs included), and every tick whose jerk exceeds its limit must have been counted.
"""

from __future__ import annotations

import functools
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vla_ros.core.robot_config import available_robots, load_robot_config
from vla_ros.core.safety import SafetyProjector
from vla_ros.core.safety.model import condition_number
from vla_ros.core.types import ActionSpace, Command

from limits_check import LimitsJudge

ROBOTS = available_robots()
EXAMPLES = int(os.environ.get("VLA_SAFETY_EXAMPLES", "1000"))
DT = 0.01


@functools.lru_cache(maxsize=None)
def setup(robot_name: str):
    robot = load_robot_config(robot_name)
    projector = SafetyProjector(robot, DT)
    rng = np.random.default_rng(7)
    samples = rng.uniform(robot.limits.lower, robot.limits.upper, (400, len(robot.command_joints)))
    model = projector.model
    kappa = np.array([max(condition_number(j[:, c]) for j, c in zip(model.jacobians(q), model.arm_columns)) for q in samples])
    singular = samples[np.argsort(kappa)[-5:]]
    distances = np.array([projector.constraints[6].clearances(model.placements(q)).min() for q in samples])
    colliding = samples[np.argsort(distances)[:5]]
    special = np.vstack([singular, colliding, np.clip(np.zeros(len(robot.command_joints)), robot.limits.lower, robot.limits.upper)])
    return robot, projector, LimitsJudge(projector), special


def inputs(n_joints: int, n_special: int, arms: int, grippers: int):
    wide = st.floats(-1e3, 1e3, allow_nan=False)
    vec = lambda elements: st.lists(elements, min_size=n_joints, max_size=n_joints).map(np.array)
    ee_width = 6 * arms + grippers
    step = st.one_of(
        st.tuples(st.just("joint"), vec(st.floats(-4, 4))),
        st.tuples(st.just("joint"), vec(wide)),
        st.tuples(st.just("special"), st.integers(0, n_special - 1)),
        st.tuples(st.just("velocity"), vec(st.floats(-50, 50))),
        st.tuples(st.just("bad"), vec(st.sampled_from([np.nan, np.inf, -np.inf, 0.0]))),
        st.tuples(st.just("pose"), st.lists(st.floats(-3, 3), min_size=ee_width, max_size=ee_width).map(np.array)),
        st.tuples(st.just("delta"), st.lists(st.floats(-0.5, 0.5), min_size=ee_width, max_size=ee_width).map(np.array)),
        st.tuples(st.just("hold"), st.sampled_from(["stale_command", "estop"])),
    )
    return st.lists(st.tuples(step, st.integers(1, 12)), min_size=1, max_size=8)


def command(robot, kind, payload, special, tick) -> tuple[Command | None, str]:
    joints = robot.command_joints
    if kind == "hold":
        return None, payload
    if kind == "special":
        return Command(tick * DT, ActionSpace.JOINT_POSITION, joints, special[payload]), ""
    if kind in ("joint", "bad"):
        return Command(tick * DT, ActionSpace.JOINT_POSITION, joints, payload), ""
    if kind == "velocity":
        return Command(tick * DT, ActionSpace.JOINT_VELOCITY, joints, payload), ""
    space = ActionSpace.EE_POSE if kind == "pose" else ActionSpace.EE_DELTA
    return Command(tick * DT, space, tuple(f"d{i}" for i in range(len(payload))), payload), ""


def run_sequence(robot_name: str, sequence, reduced: bool) -> None:
    robot, projector, judge, special = setup(robot_name)
    projector.start(robot.home)
    projector.reduced_speed = reduced
    judge.start(robot.home)
    counted_before = projector.counters["joint_jerk_exceeded"]
    tick = 0
    for (kind, payload), repeat in sequence:
        for _ in range(repeat):
            cmd, reason = command(robot, kind, payload, special, tick)
            safe = projector.step(cmd, reason)
            judge.check(safe, reduced, None if cmd is None else cmd.action_space)
            assert projector.counters["joint_jerk_exceeded"] - counted_before == judge.jerk_exceeded, (tick, safe)
            if kind == "bad" and not np.all(np.isfinite(payload)):
                assert safe.hold_reason == "invalid_command"
            tick += 1
    for _ in range(60):  # then hold: the arm comes to rest within the limits and stays
        safe = projector.step(None, "stale_command")
        judge.check(safe, reduced)
        assert projector.counters["joint_jerk_exceeded"] - counted_before == judge.jerk_exceeded, (tick, safe)
    assert np.all(safe.velocities == 0.0)


@pytest.mark.parametrize("robot_name", ROBOTS)
def test_output_never_violates_a_limit(robot_name: str) -> None:
    robot, _, _, special = setup(robot_name)
    grippers = sum(arm.gripper is not None for arm in robot.arms)

    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
    @given(inputs(len(robot.command_joints), len(special), len(robot.arms), grippers), st.booleans())
    def check(sequence, reduced):
        run_sequence(robot_name, sequence, reduced)

    check()


@pytest.mark.parametrize("robot_name", ROBOTS)
def test_safe_joint_trajectories_are_tracked_exactly(robot_name: str) -> None:
    robot, projector, _, _ = setup(robot_name)
    n = len(robot.command_joints)
    # Move away from the nearer limit (grippers rest on one), at most 1 rad of span.
    inward = np.where(robot.home > (robot.limits.lower + robot.limits.upper) / 2, -1.0, 1.0)
    span = inward * np.minimum(robot.limits.upper - robot.limits.lower, 1.0)

    @settings(max_examples=max(EXAMPLES // 3, 5), derandomize=True, deadline=None)
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
            safe = projector.step(Command(t, ActionSpace.JOINT_POSITION, robot.command_joints, target))
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
    names = tuple(f"d{i}" for i in range(len(values)))
    for tick in range(300):
        safe = projector.step(Command(tick * DT, ActionSpace.EE_POSE, names, np.array(values)))
        judge.check(safe, space=ActionSpace.EE_POSE)
    reached = projector.model.placements(safe.positions)
    if np.all(robot.limits.jerk * DT >= robot.limits.acceleration / 2):
        assert np.allclose(reached.ee_position, placements.ee_position, atol=1e-6)
        assert np.allclose(reached.ee_rotation, placements.ee_rotation, atol=1e-5)
        assert np.allclose(safe.velocities, 0.0, atol=1e-6)
    else:
        # Known limitation: arms whose jerk limit binds within a tick (the Trossen arms' conservative
        # 40 rad/s^3) circle a pose target within millimetres instead of settling on it.
        assert np.allclose(reached.ee_position, placements.ee_position, atol=1e-2)
