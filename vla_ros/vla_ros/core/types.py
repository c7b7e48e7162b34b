"""Core data types shared by every part of the pipeline (no ROS types here).

Timing convention, stated once: an ActionChunk's `stamp` is the capture time of the observation it
was computed from, and action i of the chunk is meant for time `stamp + i * dt`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import numpy as np


class ActionSpace(str, Enum):
    """What the numbers of a chunk's actions mean (per-dimension names say which joint or axis).

    EE_DELTA rows are increments chained from the pose at the chunk's observation time (OpenVLA,
    Octo); the executor anchors them into EE_POSE before anything executes them.
    """

    JOINT_POSITION = "joint_position"
    JOINT_VELOCITY = "joint_velocity"
    EE_DELTA = "ee_delta"
    EE_POSE = "ee_pose"


class CommandSpace(Enum):
    """What the numbers of one tick's Command mean to the safety projector.

    A type apart from ActionSpace (and no str mix-in, so no value compares equal across the two): a
    command's EE delta moves the last commanded pose by this tick's displacement, a chunk's is
    relative to its observation time, and one must never pass for the other. The values are the
    Command message's action_space strings.
    """

    JOINT_POSITION = "joint_position"
    JOINT_VELOCITY = "joint_velocity"
    EE_POSE = "ee_pose"
    EE_TICK_DELTA = "ee_delta"

    @classmethod
    def executing(cls, space: ActionSpace) -> CommandSpace:
        """The command space an executed chunk's actions are sent in; ee_delta chunks have none."""
        if space is ActionSpace.EE_DELTA:
            raise InvalidInput(
                "an ee_delta chunk is relative to its observation-time pose: anchor it into ee_pose "
                "(chunking.anchoring) before commanding it; per-tick deltas are CommandSpace.EE_TICK_DELTA"
            )
        return cls[space.name]  # the same member names: the other spaces mean the same on a tick


class InvalidInput(ValueError):
    """Input that must be rejected (and reported) without stopping the node that received it."""


class NotReady(RuntimeError):
    """A policy cannot act yet because an input it needs has not arrived (not a fault: wait, retry)."""


@dataclass(frozen=True)
class JointState:
    names: tuple[str, ...]
    positions: np.ndarray
    velocities: np.ndarray | None = None

    def subset(self, names: tuple[str, ...] | list[str]) -> np.ndarray:
        """Positions of `names` in that order; raises InvalidInput naming the missing joints."""
        index = {name: i for i, name in enumerate(self.names)}
        missing = [n for n in names if n not in index]
        if missing:
            raise InvalidInput(f"joint state lacks joints {missing} (has {list(self.names)})")
        return np.array([self.positions[index[n]] for n in names], dtype=float)

    def velocities_of(self, names: tuple[str, ...] | list[str]) -> np.ndarray:
        """Velocities of `names` in that order; zeros when the state carries none (at rest, or
        feed-forward only); raises InvalidInput naming the missing joints."""
        if self.velocities is None or not len(self.velocities):
            return np.zeros(len(names))
        return JointState(self.names, self.velocities).subset(names)

    def require_finite(self) -> None:
        """Raise InvalidInput naming the joints whose position or velocity is NaN or infinite."""
        for what, values in (("positions", self.positions), ("velocities", self.velocities)):
            if values is None:
                continue
            bad = {name: float(v) for name, v in zip(self.names, values) if not np.isfinite(v)}
            if bad:
                raise InvalidInput(
                    f"joint state has non-finite {what} {bad}; every position and velocity must be a finite number"
                )


@dataclass(frozen=True)
class InferenceTiming:
    """Seconds spent on one chunk, split as the node reports them."""

    preprocess: float = 0.0
    inference: float = 0.0
    postprocess: float = 0.0

    @property
    def total(self) -> float:
        return self.preprocess + self.inference + self.postprocess


@dataclass(frozen=True)
class Observation:
    """One time-consistent snapshot: images, robot state and the instruction in force."""

    stamp: float
    images: dict[str, np.ndarray]
    joint_state: JointState
    instruction: str
    sequence: int = 0
    # Privileged inputs some backends need (the scripted expert reads simulated object poses).
    extras: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ActionChunk:
    """A chunk of `horizon` actions, action i meant for `stamp + i * dt`.

    Checked once, here at construction (InvalidInput saying exactly what is wrong), so an ActionChunk
    that exists is well formed: whoever receives one (the executor, a message converter) need not
    check it again. Whether its dims fit a robot is the receiver's question.
    """

    stamp: float
    dt: float
    actions: np.ndarray
    dim_names: tuple[str, ...]
    action_space: ActionSpace
    # Robot state at `stamp`: relative actions are integrated from here, never from "now".
    anchor: JointState | None = None
    model_id: str = ""
    timing: InferenceTiming = InferenceTiming()
    observation_sequence: int = 0

    @property
    def horizon(self) -> int:
        return int(self.actions.shape[0])

    @property
    def duration(self) -> float:
        return self.horizon * self.dt

    def time_of(self, index: int) -> float:
        return self.stamp + index * self.dt

    def actions_at(self, times: np.ndarray) -> np.ndarray:
        """(len(times), dim) actions at `times`, linear between actions; times outside the chunk's
        span take its first or last action."""
        given = self.stamp + self.dt * np.arange(self.horizon)
        times = np.asarray(times, dtype=float)
        return np.stack(
            [np.interp(times, given, self.actions[:, j]) for j in range(self.actions.shape[1])],
            axis=-1,
        ).reshape(len(times), self.actions.shape[1])

    def __post_init__(self) -> None:
        if self.actions.ndim != 2 or self.actions.shape[0] == 0:
            raise InvalidInput(
                f"chunk actions must be a non-empty (horizon, dim) array, got shape {self.actions.shape}"
            )
        if self.actions.shape[1] != len(self.dim_names):
            raise InvalidInput(
                f"chunk has {self.actions.shape[1]} action dims but {len(self.dim_names)} "
                f"dim_names {list(self.dim_names)}"
            )
        if not np.isfinite(self.dt) or self.dt <= 0.0:
            raise InvalidInput(
                f"chunk dt must be a positive finite number of seconds, got {self.dt}"
            )
        if not np.isfinite(self.stamp):
            raise InvalidInput(f"chunk stamp must be finite, got {self.stamp}")
        bad = ~np.isfinite(self.actions)
        if bad.any():
            row, col = np.argwhere(bad)[0]
            raise InvalidInput(
                f"chunk contains {int(bad.sum())} non-finite values (first: action {row}, "
                f"dim '{self.dim_names[col]}' = {self.actions[row, col]})"
            )


@dataclass(frozen=True)
class Command:
    """One command for one control tick; EE values are read by name (vla_ros.core.actions)."""

    stamp: float
    action_space: CommandSpace
    dim_names: tuple[str, ...]
    values: np.ndarray
    velocities: np.ndarray | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.action_space, CommandSpace):
            raise TypeError(
                f"Command.action_space must be a CommandSpace {[s.name for s in CommandSpace]}, got "
                f"{self.action_space!r} (a chunk's ActionSpace becomes one via CommandSpace.executing)"
            )
