"""Smoothness, boundary and tracking metrics of a replayed command stream."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vla_ros.core.chunking.closed_loop import ReplayResult


@dataclass(frozen=True)
class StreamMetrics:
    max_jerk: float  # rad/s^3, norm over joints
    rms_jerk: float
    # rad: largest per-tick move the ground truth does not explain, within one action step of an arrival
    max_boundary_jump: float
    tracking_rms: float  # rad: RMS distance to the ground truth
    starvation: float  # s, after the first chunk
    warm_starvation: float  # s, once the latency was known
    requests_per_s: float  # inference requests per second of replay


def measure(
    result: ReplayResult,
    truth,
    period: float,
    action_dt: float,
    duration: float,
    scored: np.ndarray,
) -> StreamMetrics:
    """`scored`: mask of the dims measured (all but gripper closures)."""
    t = result.times
    y = result.values[:, scored]
    reference = truth(t)[:, scored]
    jerk = np.linalg.norm(np.diff(y, n=3, axis=0), axis=1) / period**3
    # step[k]: the move into tick k+1 beyond the ground truth's own move over that tick.
    step = np.linalg.norm(np.diff(y, axis=0) - np.diff(reference, axis=0), axis=1)
    jumps = [
        step[(t[1:] >= a - 1e-9) & (t[1:] < a + action_dt)].max(initial=0.0)
        for a in result.arrivals
    ]
    error = np.linalg.norm(y - reference, axis=1)
    return StreamMetrics(
        max_jerk=float(jerk.max()),
        rms_jerk=float(np.sqrt(np.mean(jerk**2))),
        max_boundary_jump=float(max(jumps, default=0.0)),
        tracking_rms=float(np.sqrt(np.mean(error**2))),
        starvation=result.starvation_time,
        warm_starvation=result.warm_starvation_time,
        requests_per_s=len(result.requests) / duration,
    )
