"""Running estimate of chunk latency (observation capture -> chunk arrival) and the request trigger.

The estimate is the median of recent latencies plus two robust standard deviations (1.4826 * MAD),
never above the largest recent sample: one slow first call (model warm-up, JIT, cache misses) is
outvoted as soon as two normal calls have been measured, while steady jitter still earns margin.
"""

from __future__ import annotations

from collections import deque

import numpy as np


class LatencyEstimator:
    def __init__(self, initial_s: float, window: int = 20) -> None:
        self.initial_s = initial_s
        self._samples: deque[float] = deque(maxlen=window)

    def add(self, latency_s: float) -> None:
        if np.isfinite(latency_s) and latency_s >= 0.0:
            self._samples.append(float(latency_s))

    @property
    def samples(self) -> int:
        return len(self._samples)

    @property
    def estimate(self) -> float:
        if not self._samples:
            return self.initial_s
        data = np.fromiter(self._samples, dtype=float)
        median = float(np.median(data))
        spread = 1.4826 * float(np.median(np.abs(data - median)))
        return min(median + 2.0 * spread, float(data.max()))


class InferenceTrigger:
    """Decides when to ask for the next chunk so that it lands before the plan runs out.

    Request when the plan's remaining time is at most latency estimate + margin + one action step
    (the last step of a plan decelerates to rest); with nothing to execute, request at once. One
    request is in flight at a time, re-sent if unanswered after `timeout_s`.
    """

    def __init__(self, estimator: LatencyEstimator, margin_s: float, timeout_s: float) -> None:
        self.estimator = estimator
        self.margin_s = margin_s
        self.timeout_s = timeout_s
        self.requested_at: float | None = None
        self.requests = 0

    def lead_time(self, step_s: float) -> float:
        return self.estimator.estimate + self.margin_s + step_s

    def due(self, now: float, plan_end: float | None, step_s: float) -> bool:
        if self.requested_at is not None and 0.0 <= now - self.requested_at < self.timeout_s:
            return False
        return plan_end is None or plan_end - now <= self.lead_time(step_s)

    def mark_requested(self, now: float) -> None:
        self.requested_at = now
        self.requests += 1

    def on_chunk(self, arrival: float, stamp: float) -> None:
        self.estimator.add(arrival - stamp)
        self.requested_at = None
