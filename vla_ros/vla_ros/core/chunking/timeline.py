"""The plan in force: chunks placed on the time axis by their stamps, merged, never run backwards.

Convention (vla_ros.core.types): action i of a chunk is meant for `stamp + i * dt`. On arrival at
`now`, actions meant for before `now + lead` (half a step: closer knots would demand a velocity
spike) are dropped as stale; the rest are blended with the old plan where both cover the same
times, and a bridge knot at `now` carries the command stream's current value and velocity, so a
new plan starts exactly where the old one is.

Admission, decided before any blending and counted:
  duplicate     same stamp, observation sequence and model as an accepted chunk: ignored;
  out_of_order  stamped before the newest accepted chunk (older information): ignored;
  stale         every action already passed: ignored;
  late          some actions passed: those are dropped, the rest executed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

import numpy as np

from vla_ros.core.chunking.blending import BlendStrategy, Overlap
from vla_ros.core.chunking.interpolation import PlanTrajectory
from vla_ros.core.chunking.layout import ActionLayout
from vla_ros.core.types import ActionChunk, ActionSpace


class Admission(str, Enum):
    ACCEPTED = "accepted"
    LATE = "late"
    DUPLICATE = "duplicate"
    OUT_OF_ORDER = "out_of_order"
    STALE = "stale"

    @property
    def executed(self) -> bool:
        return self in (Admission.ACCEPTED, Admission.LATE)


@dataclass
class TimelineCounters:
    chunks_accepted: int = 0
    late_chunks: int = 0
    duplicates: int = 0
    out_of_order: int = 0
    stale_chunks: int = 0
    actions_dropped_stale: int = 0


@dataclass
class Plan:
    trajectory: PlanTrajectory
    counts: np.ndarray  # predictions combined at each knot (temporal ensembling)
    action_space: ActionSpace
    layout: ActionLayout
    dt: float

    def count_at(self, times: np.ndarray) -> np.ndarray:
        index = np.clip(np.searchsorted(self.trajectory.times, times - 1e-9), 0, len(self.counts) - 1)
        return self.counts[index]


@dataclass
class ChunkTimeline:
    strategy: BlendStrategy
    binary_grippers: bool = False
    plan: Plan | None = None
    counters: TimelineCounters = field(default_factory=TimelineCounters)
    _newest: tuple[float, int, str] | None = None

    def admit(self, chunk: ActionChunk, layout: ActionLayout, now: float, start: np.ndarray | None = None) -> Admission:
        """Place a validated, anchored chunk on the timeline. `start` seeds the first plan (robot state)."""
        key = (chunk.stamp, chunk.observation_sequence, chunk.model_id)
        if self._newest is not None and key == self._newest:
            self.counters.duplicates += 1
            return Admission.DUPLICATE
        if self._newest is not None and chunk.stamp < self._newest[0]:
            self.counters.out_of_order += 1
            return Admission.OUT_OF_ORDER
        times = chunk.stamp + chunk.dt * np.arange(chunk.horizon)
        keep = times >= now + 0.5 * chunk.dt
        dropped = int(chunk.horizon - keep.sum())
        self.counters.actions_dropped_stale += dropped
        if not keep.any():
            self.counters.stale_chunks += 1
            return Admission.STALE
        self._newest = key
        self.plan = self._merge(times[keep], chunk.actions[keep], chunk, layout, now, start)
        self.counters.chunks_accepted += 1
        if dropped:
            self.counters.late_chunks += 1
            return Admission.LATE
        return Admission.ACCEPTED

    def clear(self) -> None:
        """Forget the plan and the newest stamp (episode reset, clock jumped backwards)."""
        self.plan = None
        self._newest = None

    def _merge(
        self, times: np.ndarray, values: np.ndarray, chunk: ActionChunk, layout: ActionLayout, now: float, start: np.ndarray | None
    ) -> Plan:
        counts = np.ones(len(times))
        values = np.array(values, dtype=float)
        old = self.plan if self.plan is not None and self.plan.action_space == chunk.action_space else None
        bridge_value, bridge_velocity, bridge_count = start, None, 1.0
        if old is not None:
            bridge_value, bridge_velocity = old.trajectory.sample(now)
            bridge_count = float(old.count_at(np.array([now]))[0])
            covered = times <= old.trajectory.end
            if covered.any():
                t = times[covered]
                overlap = Overlap(
                    times=t,
                    now=now,
                    old_end=old.trajectory.end,
                    old_values=old.trajectory.sample(t)[0],
                    old_counts=old.count_at(t),
                    new_values=values[covered],
                    layout=layout,
                )
                values[covered], counts[covered] = self.strategy.blend(overlap)
        if bridge_value is not None:
            times = np.concatenate([[now], times])
            values = np.vstack([bridge_value, values])
            counts = np.concatenate([[bridge_count], counts])
        trajectory = PlanTrajectory(times, values, layout, bridge_velocity, self.binary_grippers)
        return Plan(trajectory, counts, chunk.action_space, layout, chunk.dt)
