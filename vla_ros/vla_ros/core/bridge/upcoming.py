"""The executing chunk's upcoming waypoints in joint space (what the scene gate and the path
marker look at).

Only joint-position chunks name joint positions directly; other action spaces would need the
executor's conversion (IK, anchoring) and are reported as not checkable rather than guessed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vla_ros.core.actions import columns_of
from vla_ros.core.types import ActionChunk, ActionSpace, InvalidInput


@dataclass(frozen=True)
class Waypoints:
    times: np.ndarray  # (n,) ROS time of each waypoint [s]
    joints: tuple[str, ...]
    positions: np.ndarray  # (n, len(joints))


def chunk_waypoints(chunk: ActionChunk, joints: tuple[str, ...]) -> Waypoints:
    """Waypoint i at stamp + i*dt (the chunk timing convention) with `joints`' positions."""
    if chunk.action_space != ActionSpace.JOINT_POSITION:
        raise InvalidInput(
            f"a {chunk.action_space.value} chunk has no joint waypoints to check "
            "(only joint_position chunks do)"
        )
    columns = columns_of(chunk.dim_names, joints, "chunk")
    times = chunk.stamp + chunk.dt * np.arange(chunk.horizon)
    return Waypoints(times, tuple(joints), chunk.actions[:, columns])
