"""Baselines as commonly deployed, behind the same submit/tick/request interface as ChunkExecutor.

All three hold a queue of timed actions and command the linear interpolation between them at the
controller rate (what a JointTrajectoryController does with positions-only points), holding the
last action when the queue runs dry.

  NaiveSwitch      infers back to back; each chunk replaces the queue on arrival and starts from its
                   action 0 *now* (latency ignored: the arm replays where it was `latency` ago).
  SyncBroker       openpi's ActionChunkBroker: execute the whole chunk open loop, then infer on the
                   newest observation and wait for the answer (the arm holds meanwhile).
  LeRobotAsync     LeRobot's async RobotClient: request when the queue falls under
                   chunk_size_threshold (0.5) of a chunk; on arrival drop actions whose time passed,
                   aggregate overlapping time steps with weighted_average (0.3 old + 0.7 new).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vla_ros.core.types import ActionChunk, Command, CommandSpace


@dataclass
class BaselineStats:
    starvation_time: float


class QueueBaseline:
    name = "queue"

    def __init__(self) -> None:
        self.times = np.empty(0)
        self.values = np.empty((0, 0))
        self.in_flight = False
        self.started = False
        self.starvation_time = 0.0
        self._last_tick: float | None = None

    def request_due(self, now: float) -> bool:
        raise NotImplementedError

    def replace_queue(self, chunk: ActionChunk, now: float) -> None:
        raise NotImplementedError

    def submit(self, chunk: ActionChunk, now: float) -> None:
        self.in_flight = False
        self.replace_queue(chunk, now)

    def mark_requested(self, now: float) -> None:
        self.in_flight = True

    def remaining(self, now: float) -> float:
        return float(self.times[-1] - now) if len(self.times) else 0.0

    def tick(self, now: float) -> Command | None:
        if not len(self.times):
            return None
        if now > self.times[-1] + 1e-9 and self._last_tick is not None:
            self.starvation_time += now - max(self._last_tick, self.times[-1])
        self._last_tick = now
        values = np.array([np.interp(now, self.times, column) for column in self.values.T])
        return Command(now, CommandSpace.JOINT_POSITION, (), values)

    def stats(self, now: float) -> BaselineStats:
        return BaselineStats(self.starvation_time)


class NaiveSwitch(QueueBaseline):
    name = "naive_switch"

    def request_due(self, now: float) -> bool:
        return not self.in_flight

    def replace_queue(self, chunk: ActionChunk, now: float) -> None:
        self.times = now + chunk.dt * np.arange(chunk.horizon)
        self.values = chunk.actions.copy()


class SyncBroker(NaiveSwitch):
    name = "sync_broker"

    def request_due(self, now: float) -> bool:
        return not self.in_flight and self.remaining(now) <= 0.0


class LeRobotAsync(QueueBaseline):
    name = "lerobot_async"

    def __init__(self, threshold: float = 0.5, old_weight: float = 0.3) -> None:
        super().__init__()
        self.threshold = threshold
        self.old_weight = old_weight
        self.span = None

    def request_due(self, now: float) -> bool:
        if self.in_flight:
            return False
        return self.span is None or self.remaining(now) <= self.threshold * self.span

    def replace_queue(self, chunk: ActionChunk, now: float) -> None:
        self.span = chunk.duration
        times = chunk.stamp + chunk.dt * np.arange(chunk.horizon)
        keep = times >= now
        times, values = times[keep], chunk.actions[keep].copy()
        if len(self.times) and len(times):
            # Time steps both chunks predict (LeRobot matches integer time steps; here: the same grid slot).
            old = np.array(
                [np.interp(times, self.times, c, right=np.nan) for c in self.values.T]
            ).T
            overlap = ~np.isnan(old[:, 0])
            values[overlap] = (
                self.old_weight * old[overlap] + (1.0 - self.old_weight) * values[overlap]
            )
        if len(times):
            self.times, self.values = times, values
