"""What each column of an action is, so blending and interpolation treat it in its own space.

Joint spaces are plain vectors. End-effector poses are `EE_POSE_DIMS` (vla_ros.core.actions),
found by name, and gripper columns (every other column). Gripper columns are blended like vectors
but interpolated without overshoot, and snapped to open/closed in binary mode.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from vla_ros.core.actions import EE_POSE_DIMS, columns_of, other_columns
from vla_ros.core.types import ActionSpace, InvalidInput


@dataclass(frozen=True)
class ActionLayout:
    dim_names: tuple[str, ...]
    # Columns of a unit quaternion (x, y, z, w), or None for pure vector spaces.
    quaternion: tuple[int, int, int, int] | None
    grippers: tuple[int, ...]
    # Open/closed value per gripper column (binary mode snaps to the nearer one).
    gripper_open: np.ndarray
    gripper_closed: np.ndarray

    @property
    def vector_columns(self) -> tuple[int, ...]:
        """Columns interpolated by the cubic spline (everything but quaternion and grippers)."""
        skip = set(self.grippers) | set(self.quaternion or ())
        return tuple(i for i in range(len(self.dim_names)) if i not in skip)

    def snap_grippers(self, values: np.ndarray) -> np.ndarray:
        """Binary grippers: each gripper column to whichever of open/closed is nearer."""
        out = np.array(values, dtype=float, copy=True)
        cols = list(self.grippers)
        if cols:
            g = out[..., cols]
            nearer_open = np.abs(g - self.gripper_open) <= np.abs(g - self.gripper_closed)
            out[..., cols] = np.where(nearer_open, self.gripper_open, self.gripper_closed)
        return out


def layout_for(
    action_space: ActionSpace,
    dim_names: tuple[str, ...],
    gripper_ranges: Mapping[str, tuple[float, float]],
    expected_joint_dims: tuple[str, ...] | None = None,
) -> ActionLayout:
    """Layout of an (already anchored) action space.

    gripper_ranges: gripper dim name -> (open, closed). Joint spaces take grippers by name (and must
    address `expected_joint_dims` exactly); EE pose spaces find the pose dims by name and take every
    other column as a gripper, with range (open, closed) from gripper_ranges when named there, else (1, 0).
    """
    names = tuple(dim_names)
    if action_space in (ActionSpace.JOINT_POSITION, ActionSpace.JOINT_VELOCITY):
        if expected_joint_dims is not None and names != tuple(expected_joint_dims):
            raise InvalidInput(
                f"{action_space.value} chunk dims {list(names)} do not match the robot's command joints "
                f"{list(expected_joint_dims)} ({len(names)} vs {len(expected_joint_dims)} dims)"
            )
        # Velocity commands have no open/closed positions to snap to; only position spaces have grippers.
        grippers = (
            tuple(i for i, n in enumerate(names) if n in gripper_ranges)
            if action_space == ActionSpace.JOINT_POSITION
            else ()
        )
        quaternion = None
    elif action_space == ActionSpace.EE_POSE:
        pose = columns_of(names, EE_POSE_DIMS, "ee_pose chunk")
        grippers = other_columns(names, EE_POSE_DIMS)
        quaternion = tuple(int(c) for c in pose[3:])
    else:
        raise InvalidInput(
            f"{action_space.value} chunks must be anchored to absolute poses before execution (see anchoring.py)"
        )
    ranges = [gripper_ranges.get(names[i], (1.0, 0.0)) for i in grippers]
    return ActionLayout(
        dim_names=names,
        quaternion=quaternion,
        grippers=grippers,
        gripper_open=np.array([r[0] for r in ranges], dtype=float),
        gripper_closed=np.array([r[1] for r in ranges], dtype=float),
    )
