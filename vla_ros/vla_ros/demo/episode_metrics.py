"""What the demo reports: success rate, control rate, end-to-end latency."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from vla_ros.core.tasks.spec import parse_instruction


@dataclass
class EpisodeResult:
    seed: int
    instruction: str
    success: bool
    duration_s: float
    message: str = ""
    # Time the chunk executor had nothing left to execute (the arm stopped between chunks), s.
    starvation_s: float = 0.0
    # The first cube lifted off the table ("" when none was).
    first_lifted: str = ""

    @property
    def instructed_first(self) -> bool:
        return self.first_lifted == parse_instruction(self.instruction).obj


@dataclass
class RunMetrics:
    episodes: list[EpisodeResult] = field(default_factory=list)
    # Receive times (s) of safe commands, per episode: the rate the robot is commanded at.
    command_times: list[list[float]] = field(default_factory=list)
    # Camera frame published -> the chunk computed from it received, wall-clock seconds.
    latencies_s: list[float] = field(default_factory=list)
    # At each chunk's arrival, how far its plan starts from its predecessor's (arm joints, rad):
    # the boundary jump the executor must blend away (core/chunking/seams.py).
    seam_gaps_rad: list[float] = field(default_factory=list)

    @property
    def success_rate(self) -> float:
        return sum(e.success for e in self.episodes) / max(len(self.episodes), 1)

    @property
    def instructed_first_rate(self) -> float:
        """Episodes whose first lifted cube was the instructed one (did it go for the right object)."""
        return sum(e.instructed_first for e in self.episodes) / max(len(self.episodes), 1)

    @property
    def control_rate_hz(self) -> float:
        """Median over episodes of commands per second while the episode ran."""
        rates = [rate_hz(times) for times in self.command_times if len(times) > 10]
        return float(np.median(rates)) if rates else 0.0

    @property
    def starvation_s(self) -> float:
        return sum(e.starvation_s for e in self.episodes)

    @property
    def latency_p50_ms(self) -> float:
        return (
            float(np.percentile(self.latencies_s, 50) * 1000.0)
            if self.latencies_s
            else float("nan")
        )

    @property
    def seam_gap_p95_rad(self) -> float:
        return float(np.percentile(self.seam_gaps_rad, 95)) if self.seam_gaps_rad else float("nan")

    def summary_line(self) -> str:
        return (
            f"episodes={len(self.episodes)} success_rate={self.success_rate:.2f} "
            f"control_rate_hz={self.control_rate_hz:.1f} e2e_latency_ms_p50={self.latency_p50_ms:.1f} "
            f"instructed_first={self.instructed_first_rate:.2f} "
            f"seam_gap_rad_p95={self.seam_gap_p95_rad:.3f}"
        )


def rate_hz(times: list[float]) -> float:
    """Messages per second over a stream of receive times (robust to one long gap at a reset)."""
    gaps = np.diff(np.asarray(times))
    gaps = gaps[gaps > 0]
    return float(1.0 / np.median(gaps)) if gaps.size else 0.0
