"""Safe joint targets -> MoveIt Servo commands: joint jogs (control_msgs/JointJog) or EE twists.

Servo integrates velocity commands itself, so a position target becomes a velocity: the safe
command's feed-forward velocity plus `position_gain` times the error to the measured position
(without it Servo's integration drifts from the projector's targets). Twists are the end
effector's velocity at the target: J(q) @ qdot, linear then angular, in the base frame.
Command-type numbers are moveit_msgs/srv/ServoCommandType's.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from vla_ros.core.robot.kinematics import Kinematics
from vla_ros.core.types import InvalidInput, JointState


class ServoCommandType(IntEnum):
    JOINT_JOG = 0
    TWIST = 1


@dataclass(frozen=True)
class JointJog:
    names: tuple[str, ...]
    velocities: np.ndarray


def joint_jog(
    names: tuple[str, ...],
    target: JointState,
    measured: JointState | None,
    position_gain: float,
) -> JointJog:
    """Velocities for `names` toward the safe target (feed-forward only until a measurement exists)."""
    positions = target.subset(names)
    velocities = target.velocities_of(names)
    if measured is not None:
        velocities = velocities + position_gain * (positions - measured.subset(names))
    if not np.all(np.isfinite(velocities)):
        raise InvalidInput(f"joint jog for {list(names)} is not finite: {velocities.tolist()}")
    return JointJog(tuple(names), velocities)


def ee_twist(kinematics: Kinematics, frame: str, target: JointState) -> np.ndarray:
    """(6,) [vx vy vz wx wy wz] of `frame` at the target, base-frame axes."""
    q = target.subset(kinematics.joints)
    if target.velocities is None or not len(target.velocities):
        return np.zeros(6)
    return kinematics.frame_jacobian(q, frame) @ target.velocities_of(kinematics.joints)
