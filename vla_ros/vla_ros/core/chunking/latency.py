"""Running estimate of chunk latency (observation capture -> chunk arrival) and the request trigger.

The estimate is the median of recent latencies plus two robust standard deviations (1.4826 * MAD),
never above the largest recent sample, so steady jitter earns margin. The first call (model warm-up,
JIT, cache misses: often several times the steady latency) counts only until a later call has been
measured: while it counts, the lead and the spacing of requests plan for it (a cold 0.8 s call on
0.9 s chunks had requests go out every 0.05 s), and kept in the window it would widen the spread of
every estimate after it.
"""

from __future__ import annotations

from collections import deque

import numpy as np


class LatencyEstimator:
    def __init__(self, initial_s: float, window: int = 20) -> None:
        self.initial_s = initial_s
        self._first: float | None = None
        self._samples: deque[float] = deque(maxlen=window)  # the calls after the first
        self._estimate = initial_s  # recomputed per sample, read every control tick

    def add(self, latency_s: float) -> None:
        if not (np.isfinite(latency_s) and latency_s >= 0.0):
            return
        if self._first is None:
            self._first = float(latency_s)
        else:
            self._samples.append(float(latency_s))
        data = np.array(self._samples or [self._first])
        median = float(np.median(data))
        spread = 1.4826 * float(np.median(np.abs(data - median)))
        self._estimate = min(median + 2.0 * spread, float(data.max()))

    @property
    def samples(self) -> int:
        return len(self._samples) + (self._first is not None)

    @property
    def estimate(self) -> float:
        return self._estimate


class InferenceTrigger:
    """Decides when to ask for the next chunk so that it lands before the plan runs out.

    The time covered is the plan's end, or further where requests are in flight: a request sent at
    r is expected to cover up to r + the span of the last chunk (its stamp is about r). Request when
    that coverage ends within latency estimate + margin + one action step of now (the last step of a
    plan decelerates to rest). Requests may overlap when latency approaches the chunk span (a model
    server that serves them concurrently never starves then; a strictly serial one needs latency
    below half the span). Each chunk adds (span - latency) of new coverage, so requests are never
    closer than that less the margin (nor than one control period; a policy slower than its own chunks is asked
    once per latency). With nothing planned, request at once; unanswered requests expire after
    max(`timeout_s`, twice the latency estimate). Chunks answer requests oldest first.

    Until a call after the first has been measured, one request at a time: the only latency known
    is the first call's, which model warm-up often makes several times the steady one, and planning
    overlap on it floods the server (a cold 0.8 s call on 0.9 s chunks had a request go out every
    0.05 s; LeRobot's and openpi's servers, like vla_ros's inference worker, run one inference at a
    time). The cost: a policy slower than half its chunk span starves once, while that second call
    runs.
    """

    def __init__(
        self,
        estimator: LatencyEstimator,
        margin_s: float,
        timeout_s: float,
        period: float,
        refresh_fraction: float = 0.0,
    ) -> None:
        self.estimator = estimator
        self.refresh_fraction = refresh_fraction
        self.period = period
        self.margin_s = margin_s
        self.timeout_s = timeout_s
        self.outstanding: deque[float] = deque()
        self.chunk_span: float | None = None
        self.requests = 0

    def lead_time(self, step_s: float) -> float:
        needed = self.estimator.estimate + self.margin_s + step_s
        return (
            max(needed, self.refresh_fraction * self.chunk_span)
            if self.chunk_span is not None
            else needed
        )

    def due(self, now: float, plan_end: float | None, step_s: float) -> bool:
        expiry = max(self.timeout_s, 2.0 * self.estimator.estimate)
        while self.outstanding and not 0.0 <= now - self.outstanding[0] < expiry:
            self.outstanding.popleft()
        if self.outstanding and (
            self.chunk_span is None
            or self.estimator.samples < 2
            or now - self.outstanding[-1] < self.min_interval() - 1e-9
        ):
            # the first chunk is on its way (its span is unknown yet), only the warm-up call was
            # measured, or one just went out
            return False
        covered = [plan_end] if plan_end is not None else []
        covered += [r + self.chunk_span for r in self.outstanding]
        return not covered or max(covered) - now <= self.lead_time(step_s)

    def min_interval(self) -> float:
        latency = self.estimator.estimate
        if self.chunk_span is None or self.chunk_span <= latency:
            return max(self.period, latency)
        return max(self.period, self.chunk_span - latency - self.margin_s)

    def mark_requested(self, now: float) -> None:
        self.outstanding.append(now)
        self.requests += 1

    def on_chunk(self, arrival: float, stamp: float, span: float) -> None:
        self.estimator.add(arrival - stamp)
        self.chunk_span = span
        if self.outstanding:
            self.outstanding.popleft()
