"""Singularity handling: MoveIt Servo's scaling on its own Panda test poses, and the hard stop of EE modes.

Servo expects: approaching pose + x twist -> decelerate; leaving pose - x -> leaving; the halt
pose + x -> halt (condition number above 30). Beyond Servo, EE commands (ee_pose, ee_delta) may
never take kappa above singularity_stop (or above where the arm already is): LimitsJudge checks it
on every tick with its own Jacobians, over fixed sequences that took kappa to 77 (Panda) and 34,000
(WidowX) before, and over hypothesis sequences aimed at each robot's singular configurations.
Joint-space commands are not held to it (a joint trajectory through a wrist singularity is followed).
"""

from __future__ import annotations

import functools
import os

import numpy as np
import pinocchio as pin
import pytest
from adversarial import command_dims
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from limits_check import LimitsJudge

from vla_ros.core.robot.config import available_robots, load_robot_config
from vla_ros.core.safety import SafetyProjector
from vla_ros.core.safety.conditioning import EndEffectorConditioning
from vla_ros.core.safety.constraints.singularity import singularity_scales
from vla_ros.core.safety.context import MotionState, StepContext
from vla_ros.core.safety.model import condition_number
from vla_ros.core.types import Command, CommandSpace

ROBOT = load_robot_config("panda")
APPROACHING = np.r_[0.0, 0.334, 0.0, -1.177, 0.0, 1.510, 0.785, 0.04]
LEAVING = np.r_[0.0, 0.3458, 0.0, -1.1424, 0.0, 1.4865, 0.785, 0.04]
HALT = np.r_[-0.0001, 0.5690, 0.0005, -0.7782, 0.0, 1.3453, 0.7845, 0.04]
EXAMPLES = max(int(os.environ.get("VLA_SAFETY_EXAMPLES", "600")) // 5, 10)
DT = 0.01


def kappa(projector: SafetyProjector, q: np.ndarray) -> float:
    model = projector.model
    return max(condition_number(j[:, c]) for j, c in zip(model.jacobians(q), model.arm_columns))


def x_velocity(projector: SafetyProjector, q: np.ndarray, sign: float) -> np.ndarray:
    """Joint velocity of a +-x EE twist (Servo's cartesian_delta << 0.005, 0, ...)."""
    jacobian = projector.model.jacobians(q)[0]
    return np.linalg.pinv(jacobian) @ np.r_[sign * 0.5, 0, 0, 0, 0, 0]


def run(
    projector: SafetyProjector,
    judge: LimitsJudge,
    steps: list[tuple[CommandSpace, list[float], int]],
    tick: int = 0,
):
    """Project each (space, values, repeat) step, judging every tick; the last output and the tick after."""
    for space, values, repeat in steps:
        for _ in range(repeat):
            command = Command(
                tick * DT, space, command_dims(projector.robot, space), np.array(values, float)
            )
            safe = projector.step(command)
            judge.check(safe, space=space)
            tick += 1
    return safe, tick


def test_servo_poses_scale_like_servo() -> None:
    projector = SafetyProjector(ROBOT, 0.01)
    config, conditioning = projector.config, EndEffectorConditioning(projector.model)
    assert config.singularity_slowdown <= kappa(projector, APPROACHING) < config.singularity_stop
    assert (
        0.0
        < singularity_scales(
            conditioning, APPROACHING, x_velocity(projector, APPROACHING, 1), config
        )[0]
        < 1.0
    )
    assert (
        singularity_scales(conditioning, LEAVING, x_velocity(projector, LEAVING, -1), config)[0]
        == 1.0
    )
    assert kappa(projector, HALT) >= config.singularity_stop
    assert singularity_scales(conditioning, HALT, x_velocity(projector, HALT, 1), config)[0] == 0.0


def test_the_rows_slow_the_direction_that_raises_kappa_on_a_redundant_arm() -> None:
    """Panda has 7 joints: its Jacobian's last full right singular vector is a null-space motion
    (the EE stays, kappa too), the smallest singular value's vector is the one to slow."""
    projector = SafetyProjector(ROBOT, 0.01)
    singularity = next(c for c in projector.constraints if c.name == "singularity")
    ctx = StepContext(
        MotionState.at_rest(APPROACHING), DT, ROBOT.limits, projector.config, model=projector.model
    )
    direction = singularity.rows(ctx).G[0]
    assert np.linalg.norm(projector.model.jacobians(APPROACHING)[0] @ direction) > 0.05
    assert kappa(projector, APPROACHING + 1e-3 * direction) - kappa(projector, APPROACHING) > 0.01


def test_pushing_into_the_singularity_halts_at_the_stop_and_backing_out_is_free() -> None:
    projector = SafetyProjector(ROBOT, 0.01)
    judge = LimitsJudge(projector)
    projector.start(APPROACHING)
    judge.start(APPROACHING)
    push = [0.005, 0, 0, 0, 0, 0, 0.04]  # 0.5 m/s along +x, every tick
    safe, tick = run(projector, judge, [(CommandSpace.EE_TICK_DELTA, push, 200)])
    # The rows scale the approach down in proportion to what is left to the stop: it creeps to a halt.
    assert np.all(np.abs(safe.velocities) < 1e-6), (
        "still moving although the command keeps pushing"
    )
    # The braking path is checked too: the arm stops before the threshold, not past it.
    stop = projector.config.singularity_stop
    assert 0.99 * stop < kappa(projector, safe.positions) <= stop * (1 + 1e-9)
    back = [-0.005, 0, 0, 0, 0, 0, 0.04]
    safe, _ = run(projector, judge, [(CommandSpace.EE_TICK_DELTA, back, 60)], tick)
    assert kappa(projector, safe.positions) < projector.config.singularity_slowdown


@pytest.mark.parametrize(
    "robot_name, steps",
    [
        # EE deltas with a large rotation per tick slide the wrist along the workspace wall into
        # alignment (kappa reached ~34,000: the rows only slow the one most singular direction).
        (
            "widowx",
            [
                (CommandSpace.EE_TICK_DELTA, [-0.5, 0.35, 0.5, 0.45, -0.35, 0.45, 0.0], 23),
                (CommandSpace.EE_TICK_DELTA, [0.0, -0.25, 0.3, 0.4, -0.25, 0.0, 0.0], 49),
            ],
        ),
        # Pose targets beyond the workspace corners (clipped) with arbitrary orientations (kappa 77).
        (
            "panda",
            [
                (CommandSpace.EE_POSE, [2.612, 1.109, -0.796, 2.465, 1.966, 2.131, 0.0], 39),
                (CommandSpace.EE_POSE, [-1.255, 1.741, -1.351, -2.558, 1.1, 1.796, 0.04], 12),
                (CommandSpace.EE_POSE, [0.359, -2.871, 0.376, 2.141, -2.532, -0.7, 0.0], 21),
                (CommandSpace.EE_POSE, [-0.72, -2.922, 1.967, -0.023, -0.384, 0.611, 0.04], 44),
            ],
        ),
    ],
)
def test_ee_commands_never_take_kappa_past_the_stop(robot_name: str, steps) -> None:
    robot = load_robot_config(robot_name)
    projector = SafetyProjector(robot, DT)
    judge = LimitsJudge(projector)  # its own kappa, on every tick
    projector.start(robot.home)
    judge.start(robot.home)
    worst = 0.0
    tick = 0
    for step in steps:
        safe, tick = run(projector, judge, [step], tick)
        worst = max(worst, kappa(projector, safe.positions))
    assert worst <= projector.config.singularity_stop * (1 + 1e-9)


def test_an_arm_beyond_the_stop_goes_no_further_in_ee_modes_and_may_leave() -> None:
    """Started at HALT (kappa > 30, as a joint trajectory may leave it): EE commands hold kappa there."""
    projector = SafetyProjector(ROBOT, DT)
    judge = LimitsJudge(projector)
    projector.start(HALT)
    judge.start(HALT)
    entry = kappa(projector, HALT)
    assert entry > projector.config.singularity_stop
    safe, tick = run(
        projector, judge, [(CommandSpace.EE_TICK_DELTA, [0.005, 0, 0, 0.05, 0, 0, 0.04], 100)]
    )
    assert kappa(projector, safe.positions) <= entry * (1 + 1e-9)
    safe, _ = run(
        projector, judge, [(CommandSpace.EE_TICK_DELTA, [-0.005, 0, 0, 0, 0, 0, 0.04], 100)], tick
    )
    assert kappa(projector, safe.positions) < projector.config.singularity_stop


@pytest.mark.parametrize(
    "robot_name, wrist", [("widowx", "wrist_angle"), ("aloha", "left_wrist_angle")]
)
def test_a_joint_trajectory_through_a_wrist_singularity_is_followed(
    robot_name: str, wrist: str
) -> None:
    """By design (README): joint space is not held to the stop. Through wrist_angle = 0 the wrist
    rolls align (kappa ~1e16); the rows slow only the counter-rotation of the two rolls."""
    robot = load_robot_config(robot_name)
    projector = SafetyProjector(robot, DT)
    judge = LimitsJudge(projector)
    column = robot.command_joints.index(wrist)
    start = robot.home.copy()
    start[column] = 0.5
    projector.start(start)
    judge.start(start)
    crossed = 0.0
    for tick in range(700):  # 0.2 rad/s from 0.5 through 0 to -0.7, then held there
        target = start.copy()
        target[column] = 0.5 - 0.2 * min(tick, 600) * DT
        safe = projector.step(
            Command(tick * DT, CommandSpace.JOINT_POSITION, robot.command_joints, target)
        )
        judge.check(safe, space=CommandSpace.JOINT_POSITION)
        crossed = max(crossed, kappa(projector, safe.positions))
    assert np.max(np.abs(safe.positions - target)) <= 1e-9
    assert crossed > 1e6 * projector.config.singularity_stop


@functools.cache
def aimed_setup(robot_name: str):
    """Projector, judge and singular configurations: each arm joint of home zeroed in turn (stretched
    arms, aligned wrists) and the most singular of 400 random samples, where kappa > 100."""
    robot = load_robot_config(robot_name)
    projector = SafetyProjector(robot, DT)
    candidates = []
    for column in (robot.command_joints.index(j) for arm in robot.arms for j in arm.joints):
        q = robot.home.copy()
        q[column] = 0.0
        candidates.append(q)
    shape = (400, len(robot.command_joints))
    samples = np.random.default_rng(11).uniform(robot.limits.lower, robot.limits.upper, shape)
    candidates += sorted(samples, key=lambda q: -kappa(projector, q))[:4]
    singular = [q for q in candidates if kappa(projector, q) > 100.0]
    return robot, projector, LimitsJudge(projector), singular


def ee_values(projector: SafetyProjector, q: np.ndarray, offset: np.ndarray) -> list[float]:
    """ee_pose values of configuration q (per arm xyz rpy + gripper), displaced by `offset` (6,)."""
    placements, values = projector.model.placements(q), []
    for k, arm in enumerate(projector.robot.arms):
        rpy = pin.rpy.matrixToRpy(placements.ee_rotation[k])
        values += list(placements.ee_position[k] + offset[:3]) + list(rpy + offset[3:])
        if arm.gripper:
            values.append(float(projector.robot.home[projector.joints.index(arm.gripper.joint)]))
    return values


def aimed_step(
    projector: SafetyProjector, singular: list[np.ndarray], step
) -> tuple[CommandSpace | None, list[float]]:
    """A step of the aimed strategy as (space, values); space None is a hold."""
    kind, index, vector = step
    target = singular[index % len(singular)]
    if kind == "pose_at":  # a pose at (or near) a singular configuration
        return CommandSpace.EE_POSE, ee_values(projector, target, vector)
    if kind == "delta_toward":  # a constant EE delta toward it (speed up to 2 m/s), plus a twist
        home = projector.model.placements(projector.robot.home)
        there = projector.model.placements(target)
        values = []
        for k, arm in enumerate(projector.robot.arms):
            direction = there.ee_position[k] - home.ee_position[k]
            values += list(
                abs(vector[0]) * direction / max(np.linalg.norm(direction), 1e-9)
            ) + list(vector[3:])
            if arm.gripper:
                values.append(
                    float(projector.robot.home[projector.joints.index(arm.gripper.joint)])
                )
        return CommandSpace.EE_TICK_DELTA, values
    if kind == "joint_to":  # joint space to it (kappa may pass the stop there), then EE again
        return CommandSpace.JOINT_POSITION, list(target)
    return None, []


def aimed_steps():
    offsets = st.lists(st.floats(-0.05, 0.05), min_size=6, max_size=6).map(np.array)
    turn = st.floats(-0.2, 0.2)
    deltas = st.tuples(st.floats(0.0, 0.02), st.just(0.0), st.just(0.0), turn, turn, turn).map(
        np.array
    )
    step = st.one_of(
        st.tuples(st.just("pose_at"), st.integers(0, 100), offsets),
        st.tuples(st.just("delta_toward"), st.integers(0, 100), deltas),
        st.tuples(st.just("joint_to"), st.integers(0, 100), st.just(np.zeros(6))),
        st.tuples(st.just("hold"), st.just(0), st.just(np.zeros(6))),
    )
    return st.lists(st.tuples(step, st.integers(1, 40)), min_size=1, max_size=6)


@pytest.mark.parametrize("robot_name", available_robots())
def test_ee_targets_aimed_at_singularities_never_pass_the_stop(robot_name: str) -> None:
    robot, projector, judge, singular = aimed_setup(robot_name)
    assert singular, f"no singular configuration found for {robot_name}"

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(aimed_steps())
    def check(sequence):
        projector.start(robot.home)
        judge.start(robot.home)
        tick = 0
        for step, repeat in sequence:
            space, values = aimed_step(projector, singular, step)
            for _ in range(repeat):
                command = (
                    None
                    if space is None
                    else Command(tick * DT, space, command_dims(robot, space), np.array(values))
                )
                safe = projector.step(command, "" if command else "stale_command")
                judge.check(safe, space=space)
                tick += 1

    check()
