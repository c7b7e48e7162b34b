"""How a new chunk's actions are combined with the plan in force where the two overlap in time.

Each strategy sees an `Overlap`: the new chunk's (not yet passed) action times that the old plan
still covers, the old plan's values and prediction counts there, and the new actions. It returns
the values to execute and the updated counts. Outside the overlap the new chunk is used as is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from vla_ros.core.chunking.config import ExecutorConfig
from vla_ros.core.chunking.layout import ActionLayout


@dataclass(frozen=True)
class Overlap:
    times: np.ndarray  # (n,) action times, increasing, all >= now
    now: float
    # last time the old plan covers (held past its end as far as the strategy reaches)
    old_end: float
    old_values: np.ndarray  # (n, dim)
    old_counts: np.ndarray  # (n,) how many chunks the old values already combine
    new_values: np.ndarray  # (n, dim)
    layout: ActionLayout


class BlendStrategy(Protocol):
    name: str
    # How far past now the strategy blends even where the old plan ends sooner (the old plan then
    # holds its end, where it comes to rest; see timeline.py).
    reach_s: float

    def blend(self, overlap: Overlap) -> tuple[np.ndarray, np.ndarray]:
        """(values, counts) for overlap.times."""
        ...


def mix(old: np.ndarray, new: np.ndarray, w_new: np.ndarray, layout: ActionLayout) -> np.ndarray:
    """(1 - w) * old + w * new per row; quaternion columns by normalized lerp on the same hemisphere."""
    w = np.asarray(w_new, dtype=float).reshape(-1, 1)
    out = (1.0 - w) * old + w * new
    if layout.quaternion is not None:
        cols = list(layout.quaternion)
        q_old, q_new = old[:, cols], new[:, cols]
        q_new = np.where(np.sum(q_old * q_new, axis=1, keepdims=True) < 0.0, -q_new, q_new)
        q = (1.0 - w) * q_old + w * q_new
        out[:, cols] = q / np.linalg.norm(q, axis=1, keepdims=True)
    return out


def fade_weight(u: np.ndarray) -> np.ndarray:
    """0 -> 1 as u goes 0 -> 1, at constant acceleration then constant deceleration (a parabolic
    blend). Of all fades with the same peak acceleration it is the shortest: it lags the new plan
    by half its window, where a smoothstep with that peak (6 against 4 / window^2) lags 22 % more."""
    u = np.clip(u, 0.0, 1.0)
    return np.where(u <= 0.5, 2.0 * u * u, 1.0 - 2.0 * (1.0 - u) ** 2)


class LatestOnly:
    """The newest prediction wins (continuity comes only from the spline's clamped start)."""

    name = "latest_only"
    reach_s = 0.0

    def blend(self, overlap: Overlap) -> tuple[np.ndarray, np.ndarray]:
        return overlap.new_values.copy(), np.ones(len(overlap.times))


class Crossfade:
    """Fade from old to new with `fade_weight` (0 at now, 1 at the window end).

    The window is the whole overlap, or `max_window_s` when set: fresh predictions take over quickly
    when chunks overlap a lot, and a chunk that lands with little of the old plan left still fades in
    over the full window (the old plan held at its end) instead of over what is left of it (0.16-0.21
    s at 300 ms latency on 1 s chunks: boundary jumps of 0.22-0.37x LeRobot's). The fade is rendered
    at the control rate (timeline.py's fade knots), so its acceleration is its own.
    """

    name = "crossfade"

    def __init__(self, max_window_s: float = 0.0) -> None:
        self.max_window_s = max_window_s

    @property
    def reach_s(self) -> float:
        return self.max_window_s

    def blend(self, overlap: Overlap) -> tuple[np.ndarray, np.ndarray]:
        window = overlap.old_end - overlap.now
        if self.max_window_s > 0.0:
            window = min(window, self.max_window_s)
        w = fade_weight((overlap.times - overlap.now) / max(window, 1e-9))
        return mix(overlap.old_values, overlap.new_values, w, overlap.layout), np.ones(
            len(overlap.times)
        )


class TemporalEnsemble:
    """ACT temporal ensembling: every prediction of a time step, weighted exp(-k*i), i=0 the oldest.

    Kept as a running weighted mean per time step, so only the count of earlier predictions is stored.
    """

    name = "temporal_ensemble"
    reach_s = 0.0

    def __init__(self, k: float = 0.01) -> None:
        self.k = k

    def blend(self, overlap: Overlap) -> tuple[np.ndarray, np.ndarray]:
        n = np.maximum(np.round(overlap.old_counts), 1.0)
        # Sum of exp(-k*i) for i < n, and the new prediction's weight exp(-k*n).
        old_weight = n if self.k == 0.0 else (1.0 - np.exp(-self.k * n)) / (1.0 - np.exp(-self.k))
        new_weight = np.exp(-self.k * n)
        w_new = new_weight / (old_weight + new_weight)
        return mix(overlap.old_values, overlap.new_values, w_new, overlap.layout), n + 1.0


def strategy_from_config(config: ExecutorConfig) -> BlendStrategy:
    if config.strategy == "latest_only":
        return LatestOnly()
    if config.strategy == "crossfade":
        return Crossfade(config.crossfade_max_s)
    return TemporalEnsemble(config.ensemble_k)
