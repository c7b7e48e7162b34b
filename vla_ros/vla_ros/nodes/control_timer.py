"""The timer of a control loop: steady clock, and every tick timed (core/timing/tick.py).

On a real robot (use_sim_time false) the loop runs on a STEADY_TIME timer: rcl schedules it
absolutely (no drift, missed periods skipped; see core/timing/tick.py), and neither an NTP step nor
a wall-clock jump can stall or rush it. Under use_sim_time it stays on the ROS clock, as the sim's
/clock (or a bag player's) is then the time the whole graph runs on. Either way the steady time of
each tick is recorded and reported; a jittery loop is a warning only on the steady clock, since
under sim time the wall-clock period follows the sim's pace (a replay in step mode, a slow sim).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from rclpy.clock import Clock, ClockType
from rclpy.node import Node

from vla_ros.core.timing import TickMonitor
from vla_ros.core.timing.tick import WARN_P99_PERIODS


class ControlTimer:
    """A timer calling `callback` every `period_s`, each tick fed to a TickMonitor first."""

    def __init__(self, node: Node, period_s: float, callback: Callable[[], None]) -> None:
        self.monitor = TickMonitor(period_s)
        self.steady = not node.get_parameter("use_sim_time").value
        self._callback = callback
        clock = Clock(clock_type=ClockType.STEADY_TIME) if self.steady else None
        node.create_timer(period_s, self._tick, clock=clock)

    def _tick(self) -> None:
        self.monitor.tick(time.monotonic())
        self._callback()

    def take_report(self) -> tuple[dict[str, Any], str]:
        """(the diagnostics values of the window since the last report, a warning or '')."""
        statistics = self.monitor.take_window()
        warning = ""
        if self.steady and statistics.jittery:
            warning = (
                f"tick period p99 {statistics.period_p99_ms:.1f} ms > {WARN_P99_PERIODS:g} x "
                f"{statistics.nominal_period_ms:g} ms"
            )
        return statistics.diagnostics(), warning
