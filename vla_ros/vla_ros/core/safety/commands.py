"""Commands in any action space -> the QP objective of one tick (joint spaces here, EE via a model)."""

from __future__ import annotations

import numpy as np

from vla_ros.core.actions import columns_of
from vla_ros.core.safety.approach import approach_velocity
from vla_ros.core.safety.context import StepContext
from vla_ros.core.safety.objective import Objective
from vla_ros.core.types import Command, CommandSpace, InvalidInput


def joint_values(command: Command, joints: tuple[str, ...]) -> np.ndarray:
    """Values of a joint-space command in `joints` order, read by name; InvalidInput naming what is wrong."""
    values = np.asarray(command.values, float)
    if values.shape != (len(command.dim_names),):
        raise InvalidInput(
            f"command has {values.size} values for {len(command.dim_names)} dim_names"
        )
    order = columns_of(
        command.dim_names, joints, f"{command.action_space.value} command", only=True
    )
    if command.velocities is not None and (
        np.shape(command.velocities) != values.shape or not np.all(np.isfinite(command.velocities))
    ):
        raise InvalidInput(
            f"command velocities must be {values.size} finite values, got {command.velocities}"
        )
    return values[order]


def check_finite(command: Command) -> None:
    values = np.asarray(command.values, float)
    bad = ~np.isfinite(values)
    if bad.any():
        i = int(np.argmax(bad))
        name = command.dim_names[i] if i < len(command.dim_names) else str(i)
        raise InvalidInput(
            f"command has {int(bad.sum())} non-finite values (first: '{name}' = {values[i]})"
        )


def target_velocity(
    command: Command, previous: Command | None, joints: tuple[str, ...]
) -> np.ndarray:
    """How fast the target itself moves: the command's feed-forward, else its finite difference."""
    if command.velocities is not None:
        order = columns_of(
            command.dim_names, joints, f"{command.action_space.value} command", only=True
        )
        return np.asarray(command.velocities, float)[order]
    if (
        previous is None
        or previous.action_space is not command.action_space
        or not command.stamp > previous.stamp
    ):
        return np.zeros(len(joints))
    return (joint_values(command, joints) - joint_values(previous, joints)) / (
        command.stamp - previous.stamp
    )


def joint_objective(
    command: Command, joints: tuple[str, ...], ctx: StepContext, previous: Command | None = None
) -> Objective:
    """Joint position targets become the velocity that approaches them; velocities are tracked as given."""
    values = joint_values(command, joints)
    if command.action_space is CommandSpace.JOINT_POSITION:
        return Objective.track_velocity(
            approach_velocity(values, target_velocity(command, previous, joints), ctx)
        )
    if command.action_space is CommandSpace.JOINT_VELOCITY:
        return Objective.track_velocity(values)
    raise InvalidInput(f"joint_objective got a {command.action_space.value} command")
