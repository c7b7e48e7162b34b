"""Collects what the graph publishes while a bag plays, as core records for the evaluation.

It also tells the step-mode player when the observation it waits for and that observation's chunk
have arrived (a condition variable: the player waits on the main thread, this node's callbacks run
on its executor thread).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
from rclpy.node import Node
from rclpy.parameter import Parameter
from rclpy.qos import QoSProfile, ReliabilityPolicy
from sensor_msgs.msg import JointState

from vla_ros.core.recording.replay_metrics import ExecutorTick, ReplayOutputs, SafetyTick
from vla_ros.core.types import InvalidInput
from vla_ros.nodes.conversions import chunk_from_msg
from vla_ros.nodes.managed import stamp_to_s
from vla_ros_msgs.msg import ActionChunk, ExecutorStatus, Observation, SafetyStatus

# Deep enough that a burst at the control rate is never dropped before the callbacks take it.
COLLECT = QoSProfile(depth=200, reliability=ReliabilityPolicy.RELIABLE)
# vla_policy's diagnostics name: an error there is a failed inference (nodes/vla_policy.py).
POLICY_STATUS = "vla_ros/vla_policy"


class OutputCollector(Node):
    def __init__(self) -> None:
        super().__init__(
            "vla_ros_replay_collector",
            parameter_overrides=[Parameter("use_sim_time", value=True)],
        )
        self._condition = threading.Condition()
        self._outputs = ReplayOutputs()
        self.safe_commands = 0
        self.last_observation = -1  # sequence of the newest /vla/observation
        self.last_chunk = -1  # observation_sequence of the newest chunk
        self.policy_errors = 0  # inferences vla_policy reported as failed (no chunk will come)
        # Warnings and errors on /diagnostics: count and last message, by reporter.
        self.problems: Counter[str] = Counter()
        self.last_problem: dict[str, str] = {}
        self.create_subscription(ActionChunk, "/vla/action_chunk", self._on_chunk, COLLECT)
        self.create_subscription(SafetyStatus, "/vla/safety_status", self._on_safety, COLLECT)
        self.create_subscription(
            ExecutorStatus, "/vla/executor_status", self._on_executor, COLLECT
        )
        self.create_subscription(JointState, "/vla/safe_joint_command", self._on_safe, COLLECT)
        self.create_subscription(Observation, "/vla/observation", self._on_observation, COLLECT)
        self.create_subscription(DiagnosticArray, "/diagnostics", self._on_diagnostics, COLLECT)

    def take(self) -> ReplayOutputs:
        """What was collected since the last take (the outputs of one bag)."""
        with self._condition:
            outputs, self._outputs = self._outputs, ReplayOutputs()
        return outputs

    def wait_until(self, condition: Callable[[], bool], timeout_s: float) -> bool:
        with self._condition:
            return self._condition.wait_for(condition, timeout_s)

    def _on_chunk(self, msg: ActionChunk) -> None:
        try:
            chunk = chunk_from_msg(msg)
        except InvalidInput as error:
            self.problems["replay collector"] += 1
            self.last_problem["replay collector"] = f"malformed chunk: {error}"
            return
        with self._condition:
            self._outputs.chunks.append(chunk)
            self.last_chunk = chunk.observation_sequence
            self._condition.notify_all()

    def _on_observation(self, msg: Observation) -> None:
        with self._condition:
            self.last_observation = msg.sequence
            self._condition.notify_all()

    def _on_safety(self, msg: SafetyStatus) -> None:
        tick = SafetyTick(
            stamp_to_s(msg.header.stamp),
            msg.holding,
            msg.hold_reason,
            tuple(msg.active_constraints),
        )
        with self._condition:
            self._outputs.safety.append(tick)

    def _on_executor(self, msg: ExecutorStatus) -> None:
        tick = ExecutorTick(stamp_to_s(msg.header.stamp), msg.starvation_time)
        with self._condition:
            self._outputs.executor.append(tick)

    def _on_safe(self, _msg: JointState) -> None:
        self.safe_commands += 1

    def _on_diagnostics(self, msg: DiagnosticArray) -> None:
        for status in msg.status:
            if status.level >= DiagnosticStatus.WARN:
                self.problems[status.name] += 1
                self.last_problem[status.name] = status.message
            if status.name == POLICY_STATUS and status.level == DiagnosticStatus.ERROR:
                with self._condition:
                    self.policy_errors += 1
                    self._condition.notify_all()
