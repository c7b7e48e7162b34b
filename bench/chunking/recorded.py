"""Chunk streams recorded from the sim (record_streams.py), replayed open loop.

A request at time t gets the newest chunk observed at or before t, re-timed to start at t (its
actions sampled at t + i*dt along the recorded ones, the tail held): every executor then reads the
same chunk as meant for its own observation time, whether it aligns by stamp or by step count.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from vla_ros.core.types import ActionChunk, ActionSpace


@dataclass(frozen=True)
class RecordedStream:
    name: str
    dt: float
    stamps: np.ndarray  # (chunks,) observation times, from 0
    actions: np.ndarray  # (chunks, horizon, dim)
    dim_names: tuple[str, ...]
    scored: np.ndarray  # (dim,) bool: dims the metrics score (arm joints, not gripper closures)
    reference_times: np.ndarray
    reference_values: np.ndarray  # the expert's own commanded path

    @classmethod
    def load(cls, path: Path, noisy: bool) -> RecordedStream:
        with np.load(path) as data:
            return cls(
                name=f"{path.stem}{'+noise' if noisy else ''}",
                dt=float(data["dt"]),
                stamps=data["stamps"],
                actions=np.asarray(data["actions_noisy" if noisy else "actions"], dtype=float),
                dim_names=tuple(str(n) for n in data["dim_names"]),
                scored=data["scored"],
                reference_times=data["reference_times"],
                reference_values=np.asarray(data["reference_values"], dtype=float),
            )

    @property
    def horizon(self) -> int:
        return self.actions.shape[1]

    @property
    def duration(self) -> float:
        return float(self.stamps[-1])

    def shifted(self, phase_s: float) -> RecordedStream:
        """The same episode replayed from `phase_s` after its first observation."""
        if phase_s == 0.0:
            return self
        return replace(
            self,
            name=f"{self.name}@{phase_s * 1e3:.0f}ms",
            stamps=self.stamps - phase_s,
            reference_times=self.reference_times - phase_s,
        )

    def chunk_at(self, t: float) -> ActionChunk:
        k = max(int(np.searchsorted(self.stamps, t, side="right")) - 1, 0)
        steps = self.dt * np.arange(self.horizon)
        actions = np.column_stack(
            [np.interp(t + steps, self.stamps[k] + steps, column) for column in self.actions[k].T]
        )
        return ActionChunk(
            t, self.dt, actions, self.dim_names, ActionSpace.JOINT_POSITION, observation_sequence=k
        )

    def truth(self, t: np.ndarray) -> np.ndarray:
        t = np.atleast_1d(t)
        return np.column_stack(
            [np.interp(t, self.reference_times, column) for column in self.reference_values.T]
        )


def load_streams(directory: Path, pattern: str = "*.npz") -> list[RecordedStream]:
    paths = sorted(directory.glob(pattern))
    return [RecordedStream.load(path, noisy) for path in paths for noisy in (False, True)]
