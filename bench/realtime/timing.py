"""What every process of bench/realtime shares: its flags, a measurement window on the wall clock
(all processes measure the same seconds), arrival-period statistics on the steady clock, and rclpy."""

from __future__ import annotations

import argparse
import time
from dataclasses import asdict, dataclass

import numpy as np
import rclpy
from rclpy.node import Node

from vla_ros.core.robot.config import RobotConfig, load_robot_config

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


@dataclass(frozen=True)
class PeriodStats:
    """Intervals between arrivals [ms]; gaps: intervals longer than twice the nominal period."""

    count: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    gaps: int

    @classmethod
    def of(cls, arrivals_s: list[float], nominal_period_s: float) -> PeriodStats:
        if len(arrivals_s) < 2:
            return cls(len(arrivals_s), float("nan"), float("nan"), float("nan"), 0)
        intervals = np.diff(np.asarray(arrivals_s)) * 1000.0
        return cls(
            len(arrivals_s),
            float(np.percentile(intervals, 50)),
            float(np.percentile(intervals, 99)),
            float(intervals.max()),
            int((intervals > 2000.0 * nominal_period_s).sum()),
        )

    def as_dict(self) -> dict:
        return asdict(self)
