"""What every process of bench/realtime shares: its flags, a measurement window on the wall clock
(all processes measure the same seconds), arrival-period statistics on the steady clock, and rclpy."""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

import rclpy
from rclpy.node import Node

from vla_ros.core.robot.config import RobotConfig, load_robot_config
from vla_ros.core.timing.tick import TickMonitor

CONTROL_RATE_HZ = 100.0  # the graph's control_rate_hz and the baseline timer's
BASELINE_TIMER_TOPIC = "/bench_realtime/timer"


def endpoint_parser(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--robot", default="panda", help="its topics")
    parser.add_argument("--window-start", type=float, required=True, help="wall time [s]")
    parser.add_argument("--duration", type=float, required=True, help="window length [s]")
    return parser


def endpoint(args: argparse.Namespace, node_name: str) -> tuple[RobotConfig, Node]:
    robot = load_robot_config(args.robot)
    rclpy.init()
    return robot, rclpy.create_node(node_name)


@dataclass(frozen=True)
class Window:
    """[start, start + duration) on the wall clock, the same in every process of one configuration."""

    start: float
    duration: float

    def open(self) -> bool:
        return self.start <= time.time() < self.start + self.duration

    def over(self) -> bool:
        return time.time() >= self.start + self.duration

    def spin_until_over(self, node: Node) -> None:
        while not self.over():
            rclpy.spin_once(node, timeout_sec=0.05)


def period_stats(arrivals_s: list[float], nominal_period_s: float) -> dict:
    """Intervals between arrivals [ms] (count, p50/p99/max, gaps: intervals over two nominal
    periods), computed by core/timing/tick.py as the control nodes compute their own tick
    statistics, so what the robot receives and what the projector reports are measured alike."""
    if len(arrivals_s) < 2:
        nan = float("nan")
        return {"count": len(arrivals_s), "p50_ms": nan, "p99_ms": nan, "max_ms": nan, "gaps": 0}
    monitor = TickMonitor(nominal_period_s)
    for arrival in arrivals_s:
        monitor.tick(arrival)
    window = monitor.take_window()
    return {
        "count": len(arrivals_s),
        "p50_ms": window.period_p50_ms,
        "p99_ms": window.period_p99_ms,
        "max_ms": window.period_max_ms,
        "gaps": window.overruns,
    }
