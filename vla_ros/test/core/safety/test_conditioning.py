"""The singularity check's kinematics: exact extremes, the Jacobian change bound, and the certified march.

Against brute force on every robot: numpy's SVD of SafetyModel's Jacobians, finite Jacobian
differences, and the exact 1/kappa at every sample of random paths.
"""

from __future__ import annotations

import functools
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vla_ros.core.robot.config import available_robots, load_robot_config
from vla_ros.core.safety import SafetyConfig, SafetyProjector
from vla_ros.core.safety.context import MotionState, StepContext
from vla_ros.core.types import CommandSpace

EXAMPLES = max(int(os.environ.get("VLA_SAFETY_EXAMPLES", "600")) // 5, 10)
SETTINGS = settings(
    max_examples=EXAMPLES, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck)
)


@functools.cache
def setup(robot_name: str):
    robot = load_robot_config(robot_name)
    projector = SafetyProjector(robot, 0.01)
    singularity = next(c for c in projector.constraints if c.name == "singularity")
    return robot, projector, singularity


def configurations(robot, count: int = 1):
    n = len(robot.command_joints)
    span = robot.limits.upper - robot.limits.lower
    q = st.lists(st.floats(0.0, 1.0), min_size=n, max_size=n).map(
        lambda u: robot.limits.lower + np.array(u) * span
    )
    return q if count == 1 else st.lists(q, min_size=count, max_size=count)


def exact_inverse_kappa(projector: SafetyProjector, q: np.ndarray) -> np.ndarray:
    model = projector.model
    sigma = [
        np.linalg.svd(j[:, c], compute_uv=False)
        for j, c in zip(model.jacobians(q), model.arm_columns)
    ]
    return np.array([s[-1] / s[0] for s in sigma])


@pytest.mark.parametrize("robot_name", available_robots())
def test_extremes_and_the_change_bound_hold_against_brute_force(robot_name: str) -> None:
    robot, projector, singularity = setup(robot_name)
    conditioning, model = singularity.conditioning, projector.model
    n = len(robot.command_joints)

    @SETTINGS
    @given(
        configurations(robot), st.lists(st.floats(-0.5, 0.5), min_size=n, max_size=n).map(np.array)
    )
    def check(q, step):
        jacobians = model.jacobians(q).copy()
        expected = [
            np.linalg.svd(j[:, c], compute_uv=False)[[0, -1]]
            for j, c in zip(jacobians, model.arm_columns)
        ]
        assert np.allclose(conditioning.extremes(q), expected, rtol=1e-12, atol=1e-14)
        assert np.allclose(conditioning.at(q), expected, rtol=1e-12, atol=1e-14)
        moved = model.jacobians(q + step)
        for arm, columns in enumerate(model.arm_columns):
            change = np.linalg.norm(moved[arm][:, columns] - jacobians[arm][:, columns])
            m = len(columns)
            bound = np.linalg.norm(conditioning.bounds[arm, :m, :m] @ np.abs(step[columns]))
            assert change <= bound + 1e-12, (arm, change, bound)

    check()


@pytest.mark.parametrize("robot_name", available_robots())
def test_the_certified_march_agrees_with_every_sample_evaluated(robot_name: str) -> None:
    """violation() > 0 exactly when some sample's 1/kappa falls below what its arm must keep (up to
    rounding); a positive answer is the exact shortfall at a sample; a certified one hides none."""
    robot, projector, singularity = setup(robot_name)
    n = len(robot.command_joints)

    @SETTINGS
    @given(
        configurations(robot),
        st.lists(st.floats(-0.05, 0.05), min_size=n, max_size=n).map(np.array),
        st.integers(1, 60),
        st.floats(0.0, 1.0),
        st.floats(0.9, 1.1),
    )
    def check(q, step, samples, where, factor):
        path = q + np.arange(samples + 1)[:, None] * step
        exact = np.array([exact_inverse_kappa(projector, p) for p in path])
        # The stop near kappa somewhere along the path, where certification has least room.
        stop = max(factor / exact[round(where * samples)].min(), 2.0)
        config = SafetyConfig(singularity_slowdown=1.0, singularity_stop=stop)
        ctx = StepContext(
            MotionState.at_rest(q),
            0.01,
            robot.limits,
            config,
            model=projector.model,
            action_space=CommandSpace.EE_TICK_DELTA,
        )
        worst = singularity.violation(ctx, path)
        shortfalls = (np.minimum(1.0 / stop, exact[0]) - exact[1:]).max(axis=1)
        # The stop sits on a sample's kappa: a tie is decided by rounding (1e-12 either way).
        if worst > 0.0:
            assert np.isclose(shortfalls, worst, rtol=1e-9, atol=1e-12).any(), (worst, shortfalls)
        else:
            assert shortfalls.max() <= worst + 1e-12, (worst, shortfalls.max())

    check()


def test_joint_space_commands_are_not_checked() -> None:
    robot, projector, singularity = setup("widowx")
    q = robot.home.copy()
    path = np.stack([q, q + 0.3])
    for space in (CommandSpace.JOINT_POSITION, CommandSpace.JOINT_VELOCITY, None):
        state = MotionState.at_rest(q)
        ctx = StepContext(
            state, 0.01, robot.limits, projector.config, model=projector.model, action_space=space
        )
        assert singularity.violation(ctx, path) == -np.inf
