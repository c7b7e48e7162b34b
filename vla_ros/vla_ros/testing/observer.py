"""A node that watches the running graph for a fault test: what reached the robot (judged), why the
projector held, what the nodes reported, who is alive."""

from __future__ import annotations

import threading
import time
from collections import Counter

from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
from rclpy.node import Node
from rclpy.parameter import Parameter
from sensor_msgs.msg import JointState
from std_msgs.msg import Header

from vla_ros.core.liveness import LivenessMonitor
from vla_ros.core.robot.config import RobotConfig
from vla_ros.nodes.managed import HEARTBEAT_TOPIC, stamp_to_s
from vla_ros.nodes.qos import CONTROL
from vla_ros.testing.stream_judge import StreamJudge
from vla_ros_msgs.msg import SafetyStatus

JUDGED_QUEUE = 1000  # 10 s of commands at 100 Hz


class GraphObserver(Node):
    def __init__(self, robot: RobotConfig, nodes: list[str], use_sim_time: bool = True) -> None:
        super().__init__(
            "vla_fault_observer",
            parameter_overrides=[Parameter("use_sim_time", value=use_sim_time)],
        )
        self._lock = threading.Lock()
        self.judge = StreamJudge(robot)
        self.holds: Counter = Counter()  # hold reason -> control ticks
        self.unnamed_holds = 0
        self.errors: list[tuple[str, str]] = []  # (node, message) of every ERROR diagnostic
        self.liveness = LivenessMonitor(nodes)
        # The judge must see every command: a queue of seconds, not CONTROL's latest-only (under
        # load the callback falls behind and a depth of 1 drops messages it then has to guess).
        self.create_subscription(
            JointState, "/vla/safe_joint_command", self._on_safe_command, JUDGED_QUEUE
        )
        self.create_subscription(SafetyStatus, "/vla/safety_status", self._on_status, CONTROL)
        self.create_subscription(
            Header, "/vla/reset", lambda _: self._locked(self.judge.reanchor), 10
        )
        self.create_subscription(DiagnosticArray, "/diagnostics", self._on_diagnostics, 100)
        self.create_subscription(
            Header,
            HEARTBEAT_TOPIC,
            lambda msg: self.liveness.beat(msg.frame_id, time.monotonic()),
            50,
        )

    def _locked(self, action) -> None:
        with self._lock:
            action()

    def _on_safe_command(self, msg: JointState) -> None:
        with self._lock:
            self.judge.check(
                stamp_to_s(msg.header.stamp), tuple(msg.name), msg.position, msg.velocity
            )

    def _on_status(self, msg: SafetyStatus) -> None:
        if not msg.holding:
            return
        with self._lock:
            if msg.hold_reason:
                self.holds[msg.hold_reason] += 1
            else:
                self.unnamed_holds += 1

    def _on_diagnostics(self, msg: DiagnosticArray) -> None:
        with self._lock:
            for status in msg.status:
                if status.level >= DiagnosticStatus.ERROR:
                    self.errors.append((status.name.removeprefix("vla_ros/"), status.message))

    def alive(self, name: str) -> bool:
        return self.liveness.silence(name, time.monotonic()) < self.liveness.timeout_s

    def snapshot(self) -> tuple[Counter, int, int, int]:
        """(holds by reason, unnamed holds, judged violations, ERROR diagnostics) so far."""
        with self._lock:
            return (
                Counter(self.holds),
                self.unnamed_holds,
                self.judge.report.violation_count,
                len(self.errors),
            )

    def holds_since(self, before: Counter) -> Counter:
        with self._lock:
            return Counter(
                {k: v - before.get(k, 0) for k, v in self.holds.items() if v > before.get(k, 0)}
            )

    def errors_since(self, count: int) -> list[tuple[str, str]]:
        with self._lock:
            return list(self.errors[count:])
