"""A recorded joint stream (commands or measured states) as one track, sampled at any time inside it.

Export samples the recorded safe commands onto its frame clock (the dataset's actions); replay
compares a policy's chunks with them (open-loop error) and the replay backend plays them back: all
three read the same track, built from the same rule (equal times: the last message counts).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vla_ros.core.types import InvalidInput, JointState

# Stamps are integer nanoseconds; a time this close to the track's ends is inside it.
TICK_TOLERANCE_S = 1e-6


@dataclass(frozen=True)
class JointTrack:
    """Joint positions (n, len(names)) at strictly increasing times [s]."""

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

    @classmethod
    def from_rows(cls, times, names: tuple[str, ...], rows) -> JointTrack:
        """From samples in any order; of samples with equal times the last one counts."""
        times, rows = (
            np.asarray(times, float),
            np.asarray(rows, float).reshape(len(times), len(names)),
        )
        order = np.argsort(times, kind="stable")
        times, rows = times[order], rows[order]
        keep = np.append(np.diff(times) > 0.0, True) if len(times) else np.zeros(0, bool)
        return cls(times[keep], names, rows[keep])

    @classmethod
    def from_states(cls, stamped: list[tuple[float, JointState]], source: str) -> JointTrack:
        """From (stamp, state) pairs in any order; every state must name the same joints."""
        if not stamped:
            raise InvalidInput(f"{source}: no commands recorded")
        names = stamped[0][1].names
        changed = next((s for _, s in stamped if s.names != names), None)
        if changed is not None:
            raise InvalidInput(
                f"{source}: commands name joints {list(changed.names)} after {list(names)}"
            )
        return cls.from_rows([t for t, _ in stamped], names, [s.positions for _, s in stamped])

    @property
    def first_s(self) -> float:
        return float(self.times[0])

    @property
    def last_s(self) -> float:
        return float(self.times[-1])

    def sample(self, name: str, at: np.ndarray) -> np.ndarray:
        """Positions of joint `name` at times `at`, linearly interpolated (held past the ends)."""
        return np.interp(at, self.times, self.positions[:, self.names.index(name)])

    def covers(self, at: np.ndarray) -> np.ndarray:
        if len(self.times) == 0:
            return np.zeros(at.shape, bool)
        return (at >= self.times[0]) & (at <= self.times[-1])

    def at(self, t: float) -> JointState:
        """The interpolated state at `t`, which must lie inside the track."""
        if not self.first_s - TICK_TOLERANCE_S <= t <= self.last_s + TICK_TOLERANCE_S:
            raise InvalidInput(
                f"no command at {t:.3f} s (commands span {self.first_s:.3f}..{self.last_s:.3f} s)"
            )
        i = int(np.clip(np.searchsorted(self.times, t, side="right"), 1, len(self.times) - 1))
        t0, t1 = self.times[i - 1], self.times[i]
        w = 0.0 if t1 == t0 else float(np.clip((t - t0) / (t1 - t0), 0.0, 1.0))
        return JointState(self.names, (1 - w) * self.positions[i - 1] + w * self.positions[i])
