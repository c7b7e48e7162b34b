"""What a replay tells about a policy, per episode and over all: the numbers of the replay report.

Inputs are what the graph published while a bag played (chunks, safety and executor status, all
stamped on the bag's clock) and what the bag recorded (the commanded joint targets). Seconds are
bag time, so a replay faster or slower than real time reports the same durations.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from vla_ros.core.recording.joint_track import JointTrack
from vla_ros.core.recording.open_loop import OpenLoopError, open_loop_error
from vla_ros.core.types import ActionChunk


@dataclass(frozen=True)
class SafetyTick:
    """One /vla/safety_status: what the projector did on one control tick."""

    time_s: float
    holding: bool
    hold_reason: str = ""
    active_constraints: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExecutorTick:
    """One /vla/executor_status; starvation_s is the executor's running total."""

    time_s: float
    starvation_s: float


@dataclass
class ReplayOutputs:
    """What the graph published while a bag played (unanswered: stamps of the step-mode
    observations that got no chunk: a timeout or a policy error)."""

    chunks: list[ActionChunk] = field(default_factory=list)
    safety: list[SafetyTick] = field(default_factory=list)
    executor: list[ExecutorTick] = field(default_factory=list)
    unanswered: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class EpisodeEvaluation:
    """The report's numbers of one episode (or, merged, of all).

    interventions: constraint -> control ticks on which it changed the command
    holds_s: hold reason -> seconds held (each tick counts until the next tick)
    latencies_ms: pre + inference + post processing time of every chunk
    starvation_s: seconds the executor had nothing to execute
    """

    duration_s: float
    chunks: int
    open_loop: OpenLoopError
    interventions: dict[str, int]
    holds_s: dict[str, float]
    latencies_ms: tuple[float, ...]
    starvation_s: float
    unanswered: int = 0

    @property
    def chunks_per_s(self) -> float:
        return self.chunks / self.duration_s if self.duration_s > 0.0 else 0.0

    def latency_ms(self, percentile: float) -> float | None:
        if not self.latencies_ms:
            return None
        return float(np.percentile(self.latencies_ms, percentile))

    def __add__(self, other: EpisodeEvaluation) -> EpisodeEvaluation:
        return EpisodeEvaluation(
            self.duration_s + other.duration_s,
            self.chunks + other.chunks,
            self.open_loop + other.open_loop,
            dict(Counter(self.interventions) + Counter(other.interventions)),
            {
                reason: self.holds_s.get(reason, 0.0) + other.holds_s.get(reason, 0.0)
                for reason in {**self.holds_s, **other.holds_s}
            },
            self.latencies_ms + other.latencies_ms,
            self.starvation_s + other.starvation_s,
            self.unanswered + other.unanswered,
        )


def evaluate_episode(
    begin_s: float, end_s: float, outputs: ReplayOutputs, recorded: JointTrack
) -> EpisodeEvaluation:
    """The numbers of the episode [begin_s, end_s] from the outputs stamped inside it."""
    chunks = [c for c in outputs.chunks if begin_s <= c.stamp <= end_s]
    safety = sorted(
        (t for t in outputs.safety if begin_s <= t.time_s <= end_s), key=lambda t: t.time_s
    )
    executor = sorted(
        (t for t in outputs.executor if begin_s <= t.time_s <= end_s), key=lambda t: t.time_s
    )
    return EpisodeEvaluation(
        duration_s=end_s - begin_s,
        chunks=len(chunks),
        open_loop=open_loop_error(chunks, recorded),
        interventions=dict(Counter(c for tick in safety for c in tick.active_constraints)),
        holds_s=hold_seconds(safety, end_s),
        latencies_ms=tuple(c.timing.total * 1e3 for c in chunks),
        starvation_s=accumulated(np.array([t.starvation_s for t in executor])),
        unanswered=sum(begin_s <= t <= end_s for t in outputs.unanswered),
    )


def hold_seconds(ticks: list[SafetyTick], end_s: float) -> dict[str, float]:
    """Seconds held by reason: a holding tick holds until the next tick (the last: until end_s)."""
    held: dict[str, float] = {}
    for tick, until in zip(ticks, [t.time_s for t in ticks[1:]] + [end_s]):
        if tick.holding:
            reason = tick.hold_reason or "unspecified"
            held[reason] = held.get(reason, 0.0) + max(until - tick.time_s, 0.0)
    return held


def accumulated(totals: np.ndarray) -> float:
    """Growth of a running total over the samples; a drop (the counter was reset) restarts it."""
    if totals.size < 2:
        return 0.0
    steps = np.diff(totals)
    return float(np.where(steps >= 0.0, steps, totals[1:]).sum())
