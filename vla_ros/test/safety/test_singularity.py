"""Singularity handling on MoveIt Servo's own Panda test poses (moveit_servo test_utils, Panda).

Servo expects: approaching pose + x twist -> decelerate; leaving pose - x -> leaving; the halt
pose + x -> halt (condition number above 30).
"""

from __future__ import annotations

import numpy as np

from vla_ros.core.robot_config import load_robot_config
from vla_ros.core.safety import SafetyProjector
from vla_ros.core.safety.model import condition_number
from vla_ros.core.safety.singularity import singularity_scales
from vla_ros.core.types import ActionSpace, Command

from limits_check import LimitsJudge

ROBOT = load_robot_config("panda")
APPROACHING = np.r_[0.0, 0.334, 0.0, -1.177, 0.0, 1.510, 0.785, 0.04]
LEAVING = np.r_[0.0, 0.3458, 0.0, -1.1424, 0.0, 1.4865, 0.785, 0.04]
HALT = np.r_[-0.0001, 0.5690, 0.0005, -0.7782, 0.0, 1.3453, 0.7845, 0.04]


def kappa(projector: SafetyProjector, q: np.ndarray) -> float:
    return condition_number(projector.model.jacobians(q)[0][:, :7])


def x_velocity(projector: SafetyProjector, q: np.ndarray, sign: float) -> np.ndarray:
    """Joint velocity of a +-x EE twist (Servo's cartesian_delta << 0.005, 0, ...)."""
    jacobian = projector.model.jacobians(q)[0]
    return np.linalg.pinv(jacobian) @ np.r_[sign * 0.5, 0, 0, 0, 0, 0]


def test_servo_poses_scale_like_servo() -> None:
    projector = SafetyProjector(ROBOT, 0.01)
    config = projector.config
    assert config.singularity_slowdown <= kappa(projector, APPROACHING) < config.singularity_stop
    assert 0.0 < singularity_scales(projector.model, APPROACHING, x_velocity(projector, APPROACHING, 1), config)[0] < 1.0
    assert singularity_scales(projector.model, LEAVING, x_velocity(projector, LEAVING, -1), config)[0] == 1.0
    assert kappa(projector, HALT) >= config.singularity_stop
    assert singularity_scales(projector.model, HALT, x_velocity(projector, HALT, 1), config)[0] == 0.0


def test_pushing_into_the_singularity_halts_and_backing_out_is_free() -> None:
    projector = SafetyProjector(ROBOT, 0.01)
    judge = LimitsJudge(projector)
    projector.start(APPROACHING)
    judge.start(APPROACHING)
    names = tuple(f"d{i}" for i in range(7))
    push = np.r_[0.005, 0, 0, 0, 0, 0, 0.04]  # 0.5 m/s along +x, every tick
    for tick in range(200):
        safe = projector.step(Command(tick * 0.01, ActionSpace.EE_DELTA, names, push))
        judge.check(safe)
    halted = kappa(projector, safe.positions)
    assert np.all(safe.velocities == 0.0), "halted although the command keeps pushing"
    # Braking from 0.5 m/s carries it a little past the stop threshold, never far.
    assert projector.config.singularity_stop <= halted < 1.5 * projector.config.singularity_stop
    for tick in range(200, 260):
        safe = projector.step(Command(tick * 0.01, ActionSpace.EE_DELTA, names, -push * np.r_[1, 1, 1, 1, 1, 1, -1]))
        judge.check(safe)
    assert kappa(projector, safe.positions) < projector.config.singularity_slowdown
