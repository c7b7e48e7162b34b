"""The action vocabulary, stated once: what the columns of end-effector actions and commands are called.

Chunks, model cards, the executor and the safety projector all read end-effector values by these
names, never by position:

- an EE pose is `EE_POSE_DIMS` (position, then a unit quaternion x y z w as scipy orders it) or
  `EE_RPY_DIMS` (position, then base-frame roll pitch yaw, xyz Euler); metres and radians;
- an EE delta is `EE_DELTA_DIMS` (translation in the base frame, rotation as base-frame roll pitch
  yaw applied on the left); whether it is relative to a chunk's observation-time pose or to the
  last commanded pose is the action space's business (ActionSpace.EE_DELTA vs
  CommandSpace.EE_TICK_DELTA), not the names';
- a gripper column is named by its gripper joint and holds an absolute joint position;
- on a robot with several arms each arm's EE dims are prefixed with the arm's name (`left.x`,
  `right.qw`), as card targets name arms; a single arm's are bare (`x`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from vla_ros.core.robot.config import RobotConfig
from vla_ros.core.types import InvalidInput

EE_POSE_DIMS = ("x", "y", "z", "qx", "qy", "qz", "qw")
EE_RPY_DIMS = ("x", "y", "z", "roll", "pitch", "yaw")
EE_DELTA_DIMS = ("dx", "dy", "dz", "droll", "dpitch", "dyaw")
QUATERNION_DIMS = EE_POSE_DIMS[3:]
# Dims in radians (card angle units apply to them; translations take length units).
ANGULAR_DIMS = frozenset(EE_RPY_DIMS[3:] + EE_DELTA_DIMS[3:])


def arm_dims(robot: RobotConfig, arm: int, dims: Sequence[str]) -> tuple[str, ...]:
    """`dims` of arm `arm` as named in a command for `robot` (prefixed by the arm name when several)."""
    if len(robot.arms) == 1:
        return tuple(dims)
    return tuple(f"{robot.arms[arm].name}.{d}" for d in dims)


def ee_command_dims(robot: RobotConfig, pose_dims: Sequence[str]) -> tuple[str, ...]:
    """Every arm's `pose_dims`, each followed by its gripper joint when it has one (arm order)."""
    names: list[str] = []
    for index, arm in enumerate(robot.arms):
        names += arm_dims(robot, index, pose_dims)
        if arm.gripper is not None:
            names.append(arm.gripper.joint)
    return tuple(names)


def columns_of(
    dim_names: Sequence[str], wanted: Sequence[str], what: str, only: bool = False
) -> np.ndarray:
    """Column of each of `wanted` in `dim_names`; InvalidInput naming missing or repeated dims (and,
    with `only`, dims that are not wanted)."""
    index = {name: i for i, name in enumerate(dim_names)}
    missing = [w for w in wanted if w not in index]
    repeated = (
        []
        if len(index) == len(dim_names)
        else sorted({n for n in dim_names if n in wanted and list(dim_names).count(n) > 1})
    )
    extra = only and (missing or len(index) != len(wanted))
    unknown = sorted(set(index) - set(wanted)) if extra else []
    if missing or repeated or unknown:
        raise InvalidInput(
            f"{what} dims {list(dim_names)} must name each of {list(wanted)} once"
            f"{' and nothing else' if only else ''} (missing {missing}, repeated {repeated}"
            f"{f', unknown {unknown}' if only else ''})"
        )
    return np.array([index[w] for w in wanted], dtype=np.int64)


def other_columns(dim_names: Sequence[str], named: Sequence[str]) -> tuple[int, ...]:
    """Columns of `dim_names` not in `named`, in order (an EE action's gripper columns)."""
    skip = set(named)
    return tuple(i for i, name in enumerate(dim_names) if name not in skip)
