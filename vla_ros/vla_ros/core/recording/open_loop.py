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

from vla_ros.core.recording.joint_track import JointTrack
from vla_ros.core.types import ActionChunk, ActionSpace


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
    """Error statistics per dimension and horizon step (cells[dim][step]), and summed either way."""

    cells: dict[str, tuple[ErrorStats, ...]] = field(default_factory=dict)
    compared_chunks: int = 0
    skipped_chunks: int = 0  # not in joint space, no shared dims, or wholly outside the recording
    first_actions: dict[str, tuple[FirstAction, ...]] = field(default_factory=dict)

    @property
    def by_dimension(self) -> dict[str, ErrorStats]:
        return {name: sum(steps, ErrorStats()) for name, steps in self.cells.items()}

    @property
    def by_step(self) -> tuple[ErrorStats, ...]:
        return _added(*self.cells.values()) if self.cells else ()

    @property
    def overall(self) -> ErrorStats:
        return sum(self.by_dimension.values(), ErrorStats())

    def __add__(self, other: OpenLoopError) -> OpenLoopError:
        return OpenLoopError(
            {
                name: _added(self.cells.get(name, ()), other.cells.get(name, ()))
                for name in {**self.cells, **other.cells}
            },
            self.compared_chunks + other.compared_chunks,
            self.skipped_chunks + other.skipped_chunks,
            {
                name: self.first_actions.get(name, ()) + other.first_actions.get(name, ())
                for name in {**self.first_actions, **other.first_actions}
            },
        )


def _added(*rows: tuple[ErrorStats, ...]) -> tuple[ErrorStats, ...]:
    """Step-wise sums of rows of different lengths (a missing step counts as no samples)."""
    steps = max(len(row) for row in rows)
    return tuple(sum((row[i] for row in rows if i < len(row)), ErrorStats()) for i in range(steps))


def open_loop_error(chunks: list[ActionChunk], recorded: JointTrack) -> OpenLoopError:
    """Error of every chunk action against `recorded` at the action's time, by dim and by step."""
    cells: dict[str, tuple[ErrorStats, ...]] = {}
    first: dict[str, tuple[FirstAction, ...]] = {}
    compared = skipped = 0
    for chunk in chunks:
        dims = [d for d in chunk.dim_names if d in recorded.names]
        at = chunk.stamp + np.arange(chunk.horizon) * chunk.dt
        inside = recorded.covers(at)
        if chunk.action_space is not ActionSpace.JOINT_POSITION or not dims or not inside.any():
            skipped += 1
            continue
        compared += 1
        for name in dims:
            predicted = chunk.actions[:, chunk.dim_names.index(name)]
            errors = predicted - recorded.sample(name, at)
            row = tuple(
                ErrorStats.of(errors[i : i + 1]) if inside[i] else ErrorStats()
                for i in range(chunk.horizon)
            )
            cells[name] = _added(cells.get(name, ()), row)
            if inside[0]:
                recorded_first = float(predicted[0] - errors[0])
                first[name] = (
                    *first.get(name, ()),
                    FirstAction(float(at[0]), float(predicted[0]), recorded_first),
                )
    return OpenLoopError(cells, compared, skipped, first)
