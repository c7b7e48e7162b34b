"""Open-loop error of a policy's chunks against the actions recorded in a bag.

Replay feeds the policy the recorded observations; its chunks are then compared, action by action,
with what the robot was actually commanded at the time each action is meant for (ActionChunk
convention: action i at stamp + i*dt), i.e. the recorded /vla/safe_joint_command linearly
interpolated there. Times outside the recording are skipped, never extrapolated. Only joint-position
dims that the recording also names are compared: an EE delta or a velocity has no recorded
counterpart in joint space.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from vla_ros.core.types import ActionChunk, ActionSpace, InvalidInput


@dataclass(frozen=True)
class JointTrack:
    """Recorded joint targets: positions (n, len(names)) at strictly increasing times [s]."""

    times: np.ndarray
    names: tuple[str, ...]
    positions: np.ndarray

    def __post_init__(self) -> None:
        if self.positions.shape != (len(self.times), len(self.names)):
            raise InvalidInput(
                f"joint track positions have shape {self.positions.shape}; expected "
                f"({len(self.times)}, {len(self.names)}) for {list(self.names)}"
            )
        if len(self.times) > 1 and not np.all(np.diff(self.times) > 0.0):
            raise InvalidInput("joint track times must be strictly increasing")

    def sample(self, name: str, at: np.ndarray) -> np.ndarray:
        return np.interp(at, self.times, self.positions[:, self.names.index(name)])

    def covers(self, at: np.ndarray) -> np.ndarray:
        if len(self.times) == 0:
            return np.zeros(at.shape, bool)
        return (at >= self.times[0]) & (at <= self.times[-1])


@dataclass(frozen=True)
class ErrorStats:
    """Sums of absolute and squared errors over `samples` values; merged by adding."""

    samples: int = 0
    abs_sum: float = 0.0
    sq_sum: float = 0.0

    def __add__(self, other: ErrorStats) -> ErrorStats:
        return ErrorStats(
            self.samples + other.samples, self.abs_sum + other.abs_sum, self.sq_sum + other.sq_sum
        )

    @classmethod
    def of(cls, errors: np.ndarray) -> ErrorStats:
        return cls(int(errors.size), float(np.abs(errors).sum()), float(np.square(errors).sum()))

    @property
    def mae(self) -> float | None:
        return self.abs_sum / self.samples if self.samples else None

    @property
    def rmse(self) -> float | None:
        return float(np.sqrt(self.sq_sum / self.samples)) if self.samples else None


@dataclass(frozen=True)
class FirstAction:
    """A chunk's first action next to the recording at its time (for the per-joint plot)."""

    time_s: float
    predicted: float
    recorded: float


@dataclass(frozen=True)
class OpenLoopError:
    by_dimension: dict[str, ErrorStats] = field(default_factory=dict)
    by_step: tuple[ErrorStats, ...] = ()
    compared_chunks: int = 0
    skipped_chunks: int = 0  # not in joint space, no shared dims, or wholly outside the recording
    first_actions: dict[str, tuple[FirstAction, ...]] = field(default_factory=dict)

    @property
    def overall(self) -> ErrorStats:
        return sum(self.by_dimension.values(), ErrorStats())

    def __add__(self, other: OpenLoopError) -> OpenLoopError:
        steps = max(len(self.by_step), len(other.by_step))
        pad = ErrorStats()
        return OpenLoopError(
            _merge(self.by_dimension, other.by_dimension, pad),
            tuple(
                (self.by_step[i] if i < len(self.by_step) else pad)
                + (other.by_step[i] if i < len(other.by_step) else pad)
                for i in range(steps)
            ),
            self.compared_chunks + other.compared_chunks,
            self.skipped_chunks + other.skipped_chunks,
            _merge(self.first_actions, other.first_actions, ()),
        )


def _merge(first: dict, second: dict, empty) -> dict:
    return {key: first.get(key, empty) + second.get(key, empty) for key in {**first, **second}}


def open_loop_error(chunks: list[ActionChunk], recorded: JointTrack) -> OpenLoopError:
    """Error of every chunk action against `recorded` at the action's time, by dim and by step."""
    by_dimension: dict[str, ErrorStats] = {}
    by_step: list[ErrorStats] = []
    first: dict[str, list[FirstAction]] = {}
    compared = skipped = 0
    for chunk in chunks:
        dims = [d for d in chunk.dim_names if d in recorded.names]
        at = chunk.stamp + np.arange(chunk.horizon) * chunk.dt
        inside = recorded.covers(at)
        if chunk.action_space is not ActionSpace.JOINT_POSITION or not dims or not inside.any():
            skipped += 1
            continue
        compared += 1
        errors = np.stack(
            [chunk.actions[:, chunk.dim_names.index(d)] - recorded.sample(d, at) for d in dims],
            axis=1,
        )
        errors[~inside] = np.nan
        for column, name in enumerate(dims):
            values = errors[:, column]
            by_dimension[name] = by_dimension.get(name, ErrorStats()) + ErrorStats.of(
                values[inside]
            )
            if inside[0]:
                first.setdefault(name, []).append(
                    FirstAction(
                        float(at[0]),
                        float(chunk.actions[0, chunk.dim_names.index(name)]),
                        float(recorded.sample(name, at[:1])[0]),
                    )
                )
        by_step.extend(ErrorStats() for _ in range(chunk.horizon - len(by_step)))
        for step in np.flatnonzero(inside):
            by_step[step] = by_step[step] + ErrorStats.of(errors[step])
    return OpenLoopError(
        by_dimension,
        tuple(by_step),
        compared,
        skipped,
        {name: tuple(values) for name, values in first.items()},
    )
