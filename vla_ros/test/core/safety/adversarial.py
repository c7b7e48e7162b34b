"""Adversarial input sequences for the safety projector, and a run that judges every tick of one.

Sequences mix huge joint jumps, NaN/inf, joint velocities far over the limits, pose targets far
outside the workspace, singular and self-colliding configurations (found per robot by sampling), EE
deltas, holds and reduced-speed mode (test_properties at 100 Hz, test_jerk at 1 kHz).
"""

from __future__ import annotations

import functools

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from limits_check import LimitsJudge

from vla_ros.core.actions import EE_DELTA_DIMS, EE_RPY_DIMS, ee_command_dims
from vla_ros.core.robot.config import RobotConfig, load_robot_config
from vla_ros.core.safety import SafetyProjector
from vla_ros.core.safety.model import condition_number
from vla_ros.core.types import Command, CommandSpace

DT = 0.01


@functools.cache
def setup(robot_name: str):
    robot = load_robot_config(robot_name)
    projector = SafetyProjector(robot, DT)
    rng = np.random.default_rng(7)
    samples = rng.uniform(robot.limits.lower, robot.limits.upper, (400, len(robot.command_joints)))
    model = projector.model
    kappa = np.array(
        [
            max(condition_number(j[:, c]) for j, c in zip(model.jacobians(q), model.arm_columns))
            for q in samples
        ]
    )
    singular = samples[np.argsort(kappa)[-5:]]
    distances = np.array(
        [projector.constraints[6].clearances(model.placements(q)).min() for q in samples]
    )
    colliding = samples[np.argsort(distances)[:5]]
    special = np.vstack(
        [
            singular,
            colliding,
            np.clip(np.zeros(len(robot.command_joints)), robot.limits.lower, robot.limits.upper),
        ]
    )
    return robot, projector, LimitsJudge(projector), special


def inputs(n_joints: int, n_special: int, arms: int, grippers: int):
    wide = st.floats(-1e3, 1e3, allow_nan=False)

    def vec(elements):
        return st.lists(elements, min_size=n_joints, max_size=n_joints).map(np.array)

    ee_width = 6 * arms + grippers
    step = st.one_of(
        st.tuples(st.just("joint"), vec(st.floats(-4, 4))),
        st.tuples(st.just("joint"), vec(wide)),
        st.tuples(st.just("special"), st.integers(0, n_special - 1)),
        st.tuples(st.just("velocity"), vec(st.floats(-50, 50))),
        st.tuples(st.just("bad"), vec(st.sampled_from([np.nan, np.inf, -np.inf, 0.0]))),
        st.tuples(
            st.just("pose"),
            st.lists(st.floats(-3, 3), min_size=ee_width, max_size=ee_width).map(np.array),
        ),
        st.tuples(
            st.just("delta"),
            st.lists(st.floats(-0.5, 0.5), min_size=ee_width, max_size=ee_width).map(np.array),
        ),
        st.tuples(st.just("hold"), st.sampled_from(["stale_command", "estop"])),
    )
    return st.lists(st.tuples(step, st.integers(1, 12)), min_size=1, max_size=8)


def command(robot, kind, payload, special, stamp: float) -> tuple[Command | None, str]:
    joints = robot.command_joints
    if kind == "hold":
        return None, payload
    if kind == "special":
        return Command(stamp, CommandSpace.JOINT_POSITION, joints, special[payload]), ""
    if kind in ("joint", "bad"):
        return Command(stamp, CommandSpace.JOINT_POSITION, joints, payload), ""
    if kind == "velocity":
        return Command(stamp, CommandSpace.JOINT_VELOCITY, joints, payload), ""
    space = CommandSpace.EE_POSE if kind == "pose" else CommandSpace.EE_TICK_DELTA
    return Command(stamp, space, command_dims(robot, space), payload), ""


def command_dims(robot: RobotConfig, space: CommandSpace) -> tuple[str, ...]:
    """The dim names of a `space` command for `robot` (EE poses as x y z roll pitch yaw)."""
    if space in (CommandSpace.JOINT_POSITION, CommandSpace.JOINT_VELOCITY):
        return robot.command_joints
    return ee_command_dims(robot, EE_RPY_DIMS if space is CommandSpace.EE_POSE else EE_DELTA_DIMS)


def judged_run(
    projector: SafetyProjector, judge: LimitsJudge, special: np.ndarray, sequence, reduced: bool
) -> None:
    """Every tick of `sequence` (then a hold to rest) judged, and each jerk exceedance counted."""
    robot = projector.robot
    projector.start(robot.home)
    projector.reduced_speed = reduced
    judge.start(robot.home)
    counted_before = projector.counters["joint_jerk_exceeded"]
    tick = 0
    for (kind, payload), repeat in sequence:
        for _ in range(repeat):
            cmd, reason = command(robot, kind, payload, special, tick * projector.dt)
            safe = projector.step(cmd, reason)
            judge.check(safe, reduced, None if cmd is None else cmd.action_space)
            assert (
                projector.counters["joint_jerk_exceeded"] - counted_before == judge.jerk_exceeded
            ), (tick, safe)
            if kind == "bad" and not np.all(np.isfinite(payload)):
                assert safe.hold_reason == "invalid_command"
            tick += 1
    for _ in range(
        round(0.6 / projector.dt)
    ):  # then hold: the arm comes to rest within the limits and stays
        safe = projector.step(None, "stale_command")
        judge.check(safe, reduced)
        assert projector.counters["joint_jerk_exceeded"] - counted_before == judge.jerk_exceeded, (
            tick,
            safe,
        )
    assert np.all(safe.velocities == 0.0)


def judge_adversarial_sequences(
    robot_name: str, examples: int, control_period_s: float = DT
) -> None:
    """Hypothesis drives `examples` adversarial sequences through the robot's projector at the given
    control period; every tick is judged (judged_run)."""
    robot, projector, judge, special = setup(robot_name)
    if control_period_s != DT:
        projector = SafetyProjector(robot, control_period_s)
        judge = LimitsJudge(projector)
    grippers = sum(arm.gripper is not None for arm in robot.arms)

    @settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        inputs(len(robot.command_joints), len(special), len(robot.arms), grippers), st.booleans()
    )
    def check(sequence, reduced):
        judged_run(projector, judge, special, sequence, reduced)

    check()
