"""The plan in force: chunks placed on the time axis by their stamps, merged, never run backwards.

Convention (vla_ros.core.types): action i of a chunk is meant for `stamp + i * dt`. On arrival at
`now`, actions meant for before `now + lead` (half a step: closer knots would demand a velocity
spike) are dropped as stale; the rest are blended with the old plan where both cover the same
times (a capped crossfade also past the old plan's end, up to its window, with the old plan
continued at its last velocity), and a bridge knot at `now` carries the command stream's current
value and velocity, so a new plan starts exactly where the old one is.

Catch-up: whatever the strategy, the merged actions are then faded in from the old plan's
continuation (its held end value once it ran out; the robot's state before the first plan) over
max(catch_up_s, 2 x how long the plan had run out). After a stall of g seconds (a slow cold start)
the arm is g of motion behind and rejoins the plan within 2g, so with the smoothstep's 1.5x peak
it moves at most ~2.25x the plan's own speed instead of jumping. A catch-up in progress is never
shortened by the chunks that follow it.

Admission, decided before any blending and counted:
  future        stamped more than max_future_s ahead of now (another clock, see time_guard.py):
                ignored, so it cannot lock out every real chunk as out of order;
  before_reset  stamped before the latest episode reset (inferred from the old world, see
                core/reset_floor.py): ignored;
  duplicate     same stamp, observation sequence and model as an accepted chunk: ignored;
  out_of_order  stamped before the newest accepted chunk (older information): ignored;
  stale         every action already passed: ignored;
  late          some actions passed: those are dropped, the rest executed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

import numpy as np

from vla_ros.core.chunking.blending import BlendStrategy, Overlap, mix
from vla_ros.core.chunking.interpolation import PlanTrajectory
from vla_ros.core.chunking.layout import ActionLayout
from vla_ros.core.reset_floor import ResetFloor
from vla_ros.core.time_guard import MAX_FUTURE_S
from vla_ros.core.types import ActionChunk, ActionSpace


class Admission(str, Enum):
    ACCEPTED = "accepted"
    LATE = "late"
    DUPLICATE = "duplicate"
    FUTURE = "future"
    OUT_OF_ORDER = "out_of_order"
    STALE = "stale"
    BEFORE_RESET = "before_reset"

    @property
    def executed(self) -> bool:
        return self in (Admission.ACCEPTED, Admission.LATE)


@dataclass
class TimelineCounters:
    chunks_accepted: int = 0
    late_chunks: int = 0
    duplicates: int = 0
    future_chunks: int = 0
    out_of_order: int = 0
    stale_chunks: int = 0
    actions_dropped_stale: int = 0
    before_reset: int = 0


@dataclass
class Plan:
    trajectory: PlanTrajectory
    counts: np.ndarray  # predictions combined at each knot (temporal ensembling)
    action_space: ActionSpace
    layout: ActionLayout
    dt: float

    def count_at(self, times: np.ndarray) -> np.ndarray:
        index = np.clip(
            np.searchsorted(self.trajectory.times, times - 1e-9), 0, len(self.counts) - 1
        )
        return self.counts[index]


@dataclass
class ChunkTimeline:
    strategy: BlendStrategy
    binary_grippers: bool = False
    c2: bool = False
    catch_up_s: float = 0.1
    max_future_s: float = MAX_FUTURE_S
    _catch_up_until: float = -np.inf
    plan: Plan | None = None
    counters: TimelineCounters = field(default_factory=TimelineCounters)
    _newest: tuple[float, int, str] | None = None
    _reset: ResetFloor = field(default_factory=ResetFloor)

    def admit(
        self, chunk: ActionChunk, layout: ActionLayout, now: float, start: np.ndarray | None = None
    ) -> Admission:
        """Place a validated, anchored chunk on the timeline. `start` seeds the first plan (robot state)."""
        if chunk.stamp > now + self.max_future_s:
            self.counters.future_chunks += 1
            return Admission.FUTURE
        if self._reset.before(chunk.stamp, now):
            self.counters.before_reset += 1
            return Admission.BEFORE_RESET
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

    def clear(self, reset_at: float | None = None) -> None:
        """Forget the plan and the newest stamp (episode reset stamped `reset_at`, clock jumped
        backwards: None)."""
        self._reset.reset(reset_at)
        self.plan = None
        self._newest = None
        self._catch_up_until = -np.inf

    def _merge(
        self,
        times: np.ndarray,
        values: np.ndarray,
        chunk: ActionChunk,
        layout: ActionLayout,
        now: float,
        start: np.ndarray | None,
    ) -> Plan:
        counts = np.ones(len(times))
        values = np.array(values, dtype=float)
        old = (
            self.plan
            if self.plan is not None and self.plan.action_space == chunk.action_space
            else None
        )
        if old is not None and old.trajectory.start > now:
            old = None  # not begun yet (a first plan without robot state): nothing executed to continue
        bridge_value, bridge_velocity, bridge_count = start, None, 1.0
        if old is not None:
            bridge_value, bridge_velocity = old.trajectory.sample(now)
            bridge_count = float(old.count_at(np.array([now]))[0])
            # A plan still running is continued past its end as far as the strategy blends; one
            # that ran out held its end, where the arm is.
            reach = old.trajectory.end
            if now <= old.trajectory.end:
                reach = max(reach, now + self.strategy.reach_s)
            covered = times <= reach
            if covered.any():
                t = times[covered]
                overlap = Overlap(
                    times=t,
                    now=now,
                    old_end=reach,
                    old_values=_continued(old, t),
                    old_counts=old.count_at(t),
                    new_values=values[covered],
                    layout=layout,
                )
                values[covered], counts[covered] = self.strategy.blend(overlap)
        if bridge_value is not None:
            gap = 0.0 if old is None else max(0.0, now - old.trajectory.end)
            continuation = (
                old.trajectory.sample(times)[0]
                if old is not None
                else np.broadcast_to(bridge_value, values.shape)
            )
            window = max(self.catch_up_s, 2.0 * gap, self._catch_up_until - now)
            self._catch_up_until = now + window
            values = self._catch_up(times, values, continuation, now, window, layout)
            times = np.concatenate([[now], times])
            values = np.vstack([bridge_value, values])
            counts = np.concatenate([[bridge_count], counts])
        trajectory = PlanTrajectory(
            times, values, layout, bridge_velocity, self.binary_grippers, self.c2
        )
        return Plan(trajectory, counts, chunk.action_space, layout, chunk.dt)

    @staticmethod
    def _catch_up(
        times: np.ndarray,
        values: np.ndarray,
        continuation: np.ndarray,
        now: float,
        window: float,
        layout: ActionLayout,
    ) -> np.ndarray:
        if window <= 0.0:
            return values
        u = np.clip((times - now) / window, 0.0, 1.0)
        return mix(continuation, values, u * u * (3.0 - 2.0 * u), layout)


def _continued(plan: Plan, times: np.ndarray) -> np.ndarray:
    """The plan's values at `times`; past its end the position columns go on at the velocity of its
    last two knots (quaternions and grippers hold: no orientation or closure past the plan's; a
    velocity plan holds its last velocity)."""
    values = plan.trajectory.sample(times)[0]
    knots, knot_values = plan.trajectory.times, plan.trajectory.values
    past = times > knots[-1]
    if len(knots) >= 2 and past.any() and plan.action_space != ActionSpace.JOINT_VELOCITY:
        columns = list(plan.layout.vector_columns)
        velocity = (knot_values[-1, columns] - knot_values[-2, columns]) / (knots[-1] - knots[-2])
        values[np.ix_(past, columns)] = knot_values[-1, columns] + np.outer(
            times[past] - knots[-1], velocity
        )
    return values
