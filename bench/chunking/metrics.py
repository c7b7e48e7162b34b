"""Smoothness, boundary and tracking metrics of a replayed command stream."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vla_ros.core.chunking.closed_loop import ReplayResult


@dataclass(frozen=True)
class StreamMetrics:
    max_jerk: float  # rad/s^3, norm over joints
    rms_jerk: float
    # rad per tick: the command's largest lurch once chunks arrive, i.e. the change of its per-tick
    # move (a position step counts in full, a velocity step v as v * period). Every tick counts, up to
    # the next arrival: a step-wise client applies a chunk one or two action steps after it lands, a
    # blending one spreads the switch over its fade.
    max_boundary_jump: float
    # rad (the bench's first figure, printed beside it, not judged): largest per-tick move the
    # reference does not explain within one action step of an arrival; a command that holds while the
    # reference moves scores the reference's speed there, which is lag (tracking), not a jump
    max_unexplained_move: float
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
    move = np.diff(y, axis=0)  # move[k]: into tick k+1
    # lurch[k]: how much the move into tick k+1 differs from the move into tick k.
    lurch = np.linalg.norm(np.diff(move, axis=0, prepend=move[:1]), axis=1)
    unexplained = np.linalg.norm(move - np.diff(reference, axis=0), axis=1)
    running = t[1:] >= result.arrivals[0] - 1e-9 if result.arrivals else np.zeros(len(move), bool)
    near = [(t[1:] >= a - 1e-9) & (t[1:] < a + action_dt) for a in result.arrivals]
    error = np.linalg.norm(y - reference, axis=1)
    return StreamMetrics(
        max_jerk=float(jerk.max()),
        rms_jerk=float(np.sqrt(np.mean(jerk**2))),
        max_boundary_jump=float(lurch[running].max(initial=0.0)),
        max_unexplained_move=float(
            max((unexplained[m].max(initial=0.0) for m in near), default=0.0)
        ),
        tracking_rms=float(np.sqrt(np.mean(error**2))),
        starvation=result.starvation_time,
        warm_starvation=result.warm_starvation_time,
        requests_per_s=len(result.requests) / duration,
    )
