"""Artificial inference latency around any policy: exercises chunk scheduling under slow models."""

from __future__ import annotations

import time
from typing import Any

from vla_ros.core.inference.policy import Policy
from vla_ros.core.types import ActionChunk, InvalidInput, Observation


class DelayedPolicy:
    """Makes every `infer` of `policy` take at least `latency_s` seconds of wall time."""

    def __init__(self, policy: Policy, latency_s: float) -> None:
        if not latency_s >= 0.0:
            raise InvalidInput(f"latency must be >= 0 s, got {latency_s}")
        self.policy, self.latency_s = policy, latency_s

    def infer(self, observation: Observation) -> ActionChunk:
        started = time.perf_counter()
        chunk = self.policy.infer(observation)
        time.sleep(max(0.0, self.latency_s - (time.perf_counter() - started)))
        return chunk

    def reset(self) -> None:
        self.policy.reset()

    def __getattr__(self, name: str) -> Any:
        # Capabilities of the wrapped backend (needs_object_poses, warmup, close) stay visible.
        return getattr(self.policy, name)
