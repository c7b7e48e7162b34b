"""Relative actions made absolute from the robot state at the chunk's observation time.

An ee_delta chunk's rows are per-step increments `EE_DELTA_DIMS` + gripper columns, read by name
(vla_ros.core.actions: the Bridge/OpenVLA convention). Target i is the observation-time pose
composed with deltas 0..i. The anchor is the chunk's own `anchor` joint state, never the robot's
state "now": re-anchoring to the current state adds each chunk's already-executed motion again and
makes targets drift.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
from scipy.spatial.transform import Rotation

from vla_ros.core.actions import EE_DELTA_DIMS, EE_POSE_DIMS, columns_of, other_columns
from vla_ros.core.robot.config import RobotConfig
from vla_ros.core.robot.kinematics import Kinematics
from vla_ros.core.types import ActionChunk, ActionSpace, InvalidInput, JointState

# Forward kinematics of the commanded end effector: joint state -> (position (3,), quaternion xyzw (4,)).
PoseFunction = Callable[[JointState], tuple[np.ndarray, np.ndarray]]


def anchor_ee_deltas(chunk: ActionChunk, pose_of: PoseFunction) -> ActionChunk:
    """The ee_delta chunk as an ee_pose chunk (EE_POSE_DIMS + its gripper columns), same stamp and dt."""
    if chunk.action_space != ActionSpace.EE_DELTA:
        raise InvalidInput(
            f"anchor_ee_deltas needs an ee_delta chunk, got {chunk.action_space.value}"
        )
    delta = columns_of(chunk.dim_names, EE_DELTA_DIMS, "ee_delta chunk")
    grippers = list(other_columns(chunk.dim_names, EE_DELTA_DIMS))
    if chunk.anchor is None:
        raise InvalidInput(
            "ee_delta chunk carries no anchor (anchor_names/anchor_positions): relative actions cannot be placed"
        )
    position, quaternion = pose_of(chunk.anchor)
    deltas = chunk.actions[:, delta]
    positions = np.asarray(position, dtype=float) + np.cumsum(deltas[:, :3], axis=0)
    rotation = Rotation.from_quat(quaternion)
    quats = np.empty((chunk.horizon, 4))
    for i, step in enumerate(Rotation.from_euler("xyz", deltas[:, 3:6])):
        rotation = step * rotation
        quats[i] = rotation.as_quat()
    return replace(
        chunk,
        actions=np.hstack([positions, quats, chunk.actions[:, grippers]]),
        dim_names=EE_POSE_DIMS + tuple(chunk.dim_names[i] for i in grippers),
        action_space=ActionSpace.EE_POSE,
    )


def ee_pose_function(robot: RobotConfig) -> PoseFunction | None:
    """Base-frame FK of a single-arm robot's end effector; None for several arms (ee_delta is per arm)."""
    if len(robot.arms) != 1:
        return None
    kinematics = Kinematics.from_robot(robot)
    frame = robot.arms[0].ee_frame

    def pose_of(state: JointState) -> tuple[np.ndarray, np.ndarray]:
        transform = kinematics.frame_pose(state.subset(robot.command_joints), frame)
        return transform[:3, 3], Rotation.from_matrix(transform[:3, :3]).as_quat()

    return pose_of
