"""The plan in force: chunks placed on the time axis by their stamps, merged, never run backwards.

Convention (vla_ros.core.types): action i of a chunk is meant for `stamp + i * dt`. On arrival at
`now`, actions meant for before `now + lead` (half a step: closer knots would demand a velocity
spike) are dropped as stale; the rest are blended with the old plan where both cover the same
times (a capped crossfade also past the old plan's end, up to its window, with the old plan
held at its end, where it comes to rest), and a bridge knot at `now` carries the command stream's
current value and velocity, so a new plan starts exactly where the old one is.

Catch-up: the merged actions are then faded in from the old plan's continuation (its held end
value once it ran out; the robot's state before the first plan) over max(catch_up_s, 2 x how long
the plan had run out), and after a run-out over at least the strategy's reach, as a chunk landing
a tick before the end would have been blended. After a stall of g seconds (a slow cold start) the
arm is g of motion behind and rejoins the plan within 2g, so with the fade's 2x peak it moves at
most about twice the plan's own speed instead of jumping. A catch-up in progress is never
shortened by the chunks that follow it. A plan still running whose strategy fades over at least
catch_up_s (the capped crossfade) gets no catch-up on top: two fades compound into a steeper one.

Fade knots: inside a fade (blend or catch-up) knots are added every fade_step_s (the control
period), valued along the chunk's own path between its actions. Sampled only at a 10 Hz chunk's
actions, a 0.2 s fade is two or three knots whose cubic brakes and lurches (up to 0.034 rad/tick on
the bench's noisy 1 s chunks at 500 ms); rendered at the control rate its acceleration is the
fade's own.

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

from vla_ros.core.chunking.blending import BlendStrategy, Overlap, fade_weight, mix
from vla_ros.core.chunking.interpolation import PlanTrajectory, resample_actions
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
    action_times: np.ndarray  # the chunk's actions kept (not the fade knots)

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
    fade_step_s: float = 0.01  # knot spacing inside fades (the executor passes its control period)
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
        values = np.array(values, dtype=float)
        action_times = times
        old = (
            self.plan
            if self.plan is not None and self.plan.action_space == chunk.action_space
            else None
        )
        if old is not None and old.trajectory.start > now:
            old = None  # not begun yet (a first plan without robot state): nothing executed to continue
        bridge_value, bridge_velocity, bridge_count = start, None, 1.0
        if bridge_value is not None or old is not None:
            gap = 0.0 if old is None else max(0.0, now - old.trajectory.end)
            if old is not None and gap == 0.0 and self.strategy.reach_s >= self.catch_up_s:
                # The strategy fades the new chunk in from the running plan itself; a catch-up on
                # top would compound the two fades into a steeper one.
                window = max(0.0, self._catch_up_until - now)
            else:
                # A plan that ran out overlaps nothing, so no strategy blends it: fade over the
                # strategy's reach too, as a chunk landing a tick earlier would have been.
                fade = self.strategy.reach_s if gap > 0.0 else 0.0
                window = max(self.catch_up_s, fade, 2.0 * gap, self._catch_up_until - now)
            self._catch_up_until = now + window
            fade_end = now + max(window, self.strategy.reach_s if old is not None else 0.0)
            dense = self._fade_times(times, now, fade_end)
            if len(dense):  # valued along the chunk's own path between its actions
                between = resample_actions(
                    chunk.stamp + chunk.dt * np.arange(chunk.horizon),
                    chunk.actions,
                    layout,
                    dense,
                    self.binary_grippers,
                )
                order = np.argsort(np.concatenate([times, dense]), kind="stable")
                times = np.concatenate([times, dense])[order]
                values = np.vstack([values, between])[order]
        counts = np.ones(len(times))
        if old is not None:
            bridge_value, bridge_velocity = old.trajectory.sample(now)
            bridge_count = float(old.count_at(np.array([now]))[0])
            # A plan still running is blended with past its end (held there, where it comes to
            # rest) as far as the strategy reaches; one that ran out is left to the catch-up.
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
                    old_values=old.trajectory.sample(t)[0],
                    old_counts=old.count_at(t),
                    new_values=values[covered],
                    layout=layout,
                )
                values[covered], counts[covered] = self.strategy.blend(overlap)
        if bridge_value is not None:
            continuation = (
                old.trajectory.sample(times)[0]
                if old is not None
                else np.broadcast_to(bridge_value, values.shape)
            )
            values = self._catch_up(times, values, continuation, now, window, layout)
            times = np.concatenate([[now], times])
            values = np.vstack([bridge_value, values])
            counts = np.concatenate([[bridge_count], counts])
        trajectory = PlanTrajectory(
            times, values, layout, bridge_velocity, self.binary_grippers, self.c2
        )
        return Plan(trajectory, counts, chunk.action_space, layout, chunk.dt, action_times)

    def _fade_times(self, times: np.ndarray, now: float, fade_end: float) -> np.ndarray:
        """Knot times every fade_step_s from now to `fade_end`, before the last action and clear of
        the actions themselves."""
        step = self.fade_step_s
        if step <= 0.0:
            return np.empty(0)
        dense = now + step * np.arange(1, int(np.floor((fade_end - now) / step + 1e-9)) + 1)
        dense = dense[dense < times[-1] - 0.5 * step]
        return dense[np.min(np.abs(dense[:, None] - times[None, :]), axis=1) > 0.5 * step]

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
        return mix(continuation, values, fade_weight((times - now) / window), layout)
