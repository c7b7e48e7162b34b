"""Artificial inference latency around any policy: exercises chunk scheduling under slow models."""

from __future__ import annotations

import time

from vla_ros.core.inference.policy import Policy
from vla_ros.core.types import ActionChunk, InvalidInput, Observation


class DelayedPolicy(Policy):
    """Makes every `infer` of `policy` take at least `latency_s` s of wall time; otherwise it is `policy`."""

    def __init__(self, policy: Policy, latency_s: float) -> None:
        if not latency_s >= 0.0:
            raise InvalidInput(f"latency must be >= 0 s, got {latency_s}")
        self.policy, self.latency_s = policy, latency_s

    def infer(self, observation: Observation) -> ActionChunk:
        started = time.perf_counter()
        chunk = self.policy.infer(observation)
        time.sleep(max(0.0, self.latency_s - (time.perf_counter() - started)))
        return chunk

    @property
    def needs_object_poses(self) -> bool:  # type: ignore[override]
        return self.policy.needs_object_poses

    @property
    def uses_rtc_prefix(self) -> bool:  # type: ignore[override]
        return self.policy.uses_rtc_prefix

    def reset(self) -> None:
        self.policy.reset()

    def warmup(self) -> None:
        self.policy.warmup()

    def close(self) -> None:
        self.policy.close()

    @property
    def link_state(self) -> str | None:
        return self.policy.link_state
