"""Closed-loop replay of a chunk stream through an executor, on a simulated clock.

The policy is a function of observation time (a model, a recording, or ground truth plus noise);
each inference request is answered by the chunk for the request time, delivered after the latency
the latency model gives for that request (requests are served concurrently, like a model server).
Used by the benchmark and the tests to measure starvation, smoothness and tracking without ROS.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from vla_ros.core.types import ActionChunk, Command


class Executor(Protocol):
    def submit(self, chunk: ActionChunk, now: float) -> object: ...
    def tick(self, now: float) -> Command | None: ...
    def request_due(self, now: float) -> bool: ...
    def mark_requested(self, now: float) -> None: ...
    def stats(self, now: float) -> object: ...  # with .starvation_time


@dataclass
class ReplayResult:
    times: np.ndarray  # tick times that produced a command
    values: np.ndarray  # (ticks, dim) commanded values
    arrivals: list[float] = field(default_factory=list)
    requests: list[float] = field(default_factory=list)
    starvation_time: float = 0.0
    # Starvation once the latency was known: from the landing of the first chunk requested after the
    # second arrival. Until the first chunk lands neither latency nor chunk span is known, and the
    # first call's latency is a model's warm-up (the bench makes it 3x), not its steady latency.
    warm_starvation_time: float = 0.0


def replay(
    executor: Executor,
    policy: Callable[[float], ActionChunk],
    latency: Callable[[int], float],
    duration: float,
    period: float,
) -> ReplayResult:
    pending: list[tuple[float, int, ActionChunk]] = []  # (arrival, request index, chunk)
    times, values, arrivals, requests = [], [], [], []
    starvation_at_warm = None
    for step in range(int(round(duration / period)) + 1):
        now = step * period
        while pending and pending[0][0] <= now + 1e-12:
            _, index, chunk = heapq.heappop(pending)
            executor.submit(chunk, now)
            arrivals.append(now)
            if starvation_at_warm is None and len(arrivals) > 1 and requests[index] >= arrivals[1]:
                starvation_at_warm = executor.stats(now).starvation_time
        if executor.request_due(now):
            executor.mark_requested(now)
            heapq.heappush(pending, (now + latency(len(requests)), len(requests), policy(now)))
            requests.append(now)
        command = executor.tick(now)
        if command is not None:
            times.append(now)
            values.append(command.values)
    total = executor.stats(duration).starvation_time
    warm = total - starvation_at_warm if starvation_at_warm is not None else 0.0
    return ReplayResult(np.array(times), np.array(values), arrivals, requests, total, warm)
