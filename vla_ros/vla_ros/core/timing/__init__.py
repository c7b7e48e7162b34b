"""Timing of periodic loops: how steadily a control tick actually runs."""

from vla_ros.core.timing.tick import TickMonitor, TickStatistics

__all__ = ["TickMonitor", "TickStatistics"]
