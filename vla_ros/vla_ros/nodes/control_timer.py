"""The timer of a control loop: steady clock, and every tick timed (core/timing/tick.py).

On a real robot (use_sim_time false) the loop runs on a STEADY_TIME timer: rcl schedules it
absolutely (no drift, missed periods skipped; see core/timing/tick.py), and neither an NTP step nor
a wall-clock jump can stall or rush it. Under use_sim_time it stays on the ROS clock, as the sim's
/clock is then the time the whole graph runs on. Either way the steady time of each tick is
recorded, so the node can report how steadily it really ticked.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from rclpy.clock import Clock, ClockType
from rclpy.node import Node

from vla_ros.core.timing import TickMonitor, TickStatistics


def create_control_timer(node: Node, period_s: float, callback: Callable[[], None]) -> TickMonitor:
    """A timer calling `callback` every `period_s`; the returned monitor sees every tick."""
    monitor = TickMonitor(period_s)
    sim_time = node.get_parameter("use_sim_time").value
    clock = None if sim_time else Clock(clock_type=ClockType.STEADY_TIME)

    def tick() -> None:
        monitor.tick(time.monotonic())
        callback()

    node.create_timer(period_s, tick, clock=clock)
    return monitor


def jitter_phrase(statistics: TickStatistics) -> str:
    """'' when the loop ticked steadily, else why its diagnostics warn."""
    if not statistics.jittery:
        return ""
    return f"tick period p99 {statistics.period_p99_ms:.1f} ms > 1.5 x {statistics.nominal_period_ms:g} ms"
