"""Synthetic chunk streams with known ground truth, and the latency models the benchmark sweeps."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vla_ros.core.types import ActionChunk, ActionSpace

NAMES = tuple(f"joint{i}" for i in range(1, 8))


def ground_truth(t: np.ndarray | float) -> np.ndarray:
    """The motion a perfect policy would command: 0.2-0.6 Hz per joint, within Panda limits
    (<= 1.2 rad/s, <= 6 rad/s^2), so a jerk-limited follower can track it."""
    t = np.atleast_1d(np.asarray(t, dtype=float))[:, None]
    freq = np.linspace(0.2, 0.6, len(NAMES))
    phase = np.linspace(0.0, 2.0, len(NAMES))
    return 0.25 * np.sin(2 * np.pi * freq * t + phase) + 0.03 * np.sin(2 * np.pi * 2.3 * freq * t)


@dataclass(frozen=True)
class StreamProfile:
    """A policy family: action step, horizon, and its prediction error (per-chunk bias + per-action noise
    growing along the horizon, as real chunk predictions do)."""

    name: str
    dt: float
    horizon: int
    bias: float
    noise: float
    duration: float = 12.0
    dim_names: tuple[str, ...] = NAMES

    @property
    def scored(self) -> np.ndarray:
        return np.ones(len(self.dim_names), dtype=bool)

    def truth(self, t: np.ndarray | float) -> np.ndarray:
        return ground_truth(t)

    def chunk_at(self, stamp: float) -> ActionChunk:
        rng = np.random.default_rng(int(round(stamp * 1e6)))
        actions = ground_truth(stamp + self.dt * np.arange(self.horizon))
        growth = 1.0 + 2.0 * np.arange(self.horizon)[:, None] / self.horizon
        actions = (
            actions
            + self.bias * rng.standard_normal((1, len(NAMES)))
            + self.noise * growth * rng.standard_normal(actions.shape)
        )
        return ActionChunk(
            stamp,
            self.dt,
            actions,
            NAMES,
            ActionSpace.JOINT_POSITION,
            observation_sequence=int(round(stamp * 1e6)),
        )


PROFILES = (
    StreamProfile("act_50hz_h50", dt=0.02, horizon=50, bias=0.005, noise=0.002),
    StreamProfile("dp_10hz_h16", dt=0.1, horizon=16, bias=0.005, noise=0.002),
)


def latency_model(latency_s: float, seed: int = 0, cold_factor: float = 3.0, jitter: float = 0.2):
    """Request k's latency: the nominal value +-jitter, the first call cold_factor x slower (capped so
    it stays below the nominal + 0.5 s)."""
    rng = np.random.default_rng(seed)
    draws = rng.uniform(1.0 - jitter, 1.0 + jitter, 100_000)

    def latency(k: int) -> float:
        value = latency_s * draws[k % len(draws)]
        return min(cold_factor * latency_s, latency_s + 0.5) if k == 0 else value

    return latency
