"""Period statistics of a periodic tick, from the steady time of every tick.

Why statistics only, and no scheduler of our own: rcl already schedules timers absolutely.
`rcl_timer_call` advances `next_call_time += period` (never `now + period`, so a late callback does
not push every later deadline back: no drift) and, when the timer missed whole periods, moves the
deadline forward by as many periods as needed, so a stall yields one late tick, not a burst of
catch-up ticks (ros2/rcl src/rcl/timer.c). On a STEADY_TIME clock that is exactly the schedule a
100 Hz control loop wants; a second scheduler in Python would only add a timer of its own to the
GIL. What rcl does not do is tell anyone how late the ticks were: that is this module.

A tick is late by design only when its process was busy or descheduled, so the period between
consecutive ticks is the figure of merit: its p50 shows the rate, p99 and max the jitter. An
overrun is a period longer than OVERRUN_PERIODS nominal periods (the consumer of the stream saw a
gap); missed ticks are deadlines that got no tick at all (the absolute schedule skipped them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from vla_ros.core.types import InvalidInput

OVERRUN_PERIODS = 2.0
# p99 above this many nominal periods is worth a warning in diagnostics.
WARN_P99_PERIODS = 1.5


@dataclass(frozen=True)
class TickStatistics:
    """One window of ticks: periods in milliseconds (0 when the window had under two ticks)."""

    ticks: int
    period_p50_ms: float
    period_p99_ms: float
    period_max_ms: float
    overruns: int
    missed: int
    nominal_period_ms: float

    @property
    def jittery(self) -> bool:
        return self.period_p99_ms > WARN_P99_PERIODS * self.nominal_period_ms

    def diagnostics(self) -> dict[str, float | int]:
        """The contract's diagnostics keys (bench/realtime reads them)."""
        return {
            "tick_period_p50_ms": round(self.period_p50_ms, 2),
            "tick_period_p99_ms": round(self.period_p99_ms, 2),
            "tick_period_max_ms": round(self.period_max_ms, 2),
            "tick_overruns": self.overruns,
            "tick_missed": self.missed,
        }


class TickMonitor:
    """Feed it the steady time of every tick; take_window() returns a window's statistics.

    A window starts where the previous one ended: the period spanning the boundary counts in the
    new window, so no gap is lost between two diagnostics reports.
    """

    def __init__(self, period_s: float) -> None:
        if not period_s > 0.0 or not math.isfinite(period_s):
            raise InvalidInput(f"tick period must be a positive number of seconds, got {period_s}")
        self.period_s = period_s
        self._last: float | None = None
        self._periods: list[float] = []

    def tick(self, now_s: float) -> None:
        if self._last is not None:
            self._periods.append(now_s - self._last)
        self._last = now_s

    def take_window(self) -> TickStatistics:
        periods = sorted(self._periods)
        elapsed = sum(periods)
        # Deadlines the absolute schedule passed in this window, minus the ticks that ran.
        missed = max(round(elapsed / self.period_s) - len(periods), 0) if periods else 0
        statistics = TickStatistics(
            ticks=len(periods),
            period_p50_ms=_nearest_rank(periods, 50.0) * 1e3,
            period_p99_ms=_nearest_rank(periods, 99.0) * 1e3,
            period_max_ms=(periods[-1] if periods else 0.0) * 1e3,
            overruns=sum(p > OVERRUN_PERIODS * self.period_s for p in periods),
            missed=missed,
            nominal_period_ms=self.period_s * 1e3,
        )
        self._periods = []
        return statistics


def _nearest_rank(ordered: list[float], percent: float) -> float:
    """The smallest value with at least `percent` % of the values at or below it (a real sample)."""
    if not ordered:
        return 0.0
    return ordered[max(math.ceil(percent / 100.0 * len(ordered)) - 1, 0)]
