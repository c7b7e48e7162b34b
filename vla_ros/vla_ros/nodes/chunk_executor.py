"""chunk_executor: /vla/action_chunk + /joint_states -> /vla/command at the controller rate.

All decisions live in vla_ros.core.chunking.ChunkExecutor; this node feeds it messages and the ROS
clock (sim time under use_sim_time). It also asks for the next inference on
/vla/inference_request (with the RTC prefix on /vla/rtc_prefix), and reports on
/vla/executor_status and /diagnostics. A malformed chunk is reported and dropped; the last good
plan continues. Nothing is published before the first chunk (the safety projector holds). The tick
runs on a steady-clock timer on a real robot and reports its period statistics like the safety
projector's (nodes/control_timer.py).
"""

from __future__ import annotations

from dataclasses import asdict

from sensor_msgs.msg import JointState as JointStateMsg
from std_msgs.msg import Header

from vla_ros.core.chunking import ChunkExecutor
from vla_ros.core.chunking.anchoring import ee_pose_function
from vla_ros.core.robot.config import load_robot_config
from vla_ros.core.time_guard import refuse_future
from vla_ros.core.types import InvalidInput, JointState
from vla_ros.nodes.control_timer import ControlTimer
from vla_ros.nodes.conversions import (
    chunk_from_msg,
    chunk_to_msg,
    command_to_msg,
    header,
    joint_state_from_msg,
)
from vla_ros.nodes.managed import ManagedNode, reset_stamp_s, run_node, stamp_to_s
from vla_ros.nodes.node_parameters import ChunkExecutorParameters
from vla_ros.nodes.parameters import declare_config
from vla_ros.nodes.qos import CONTROL, SENSOR
from vla_ros_msgs.msg import ActionChunk as ActionChunkMsg
from vla_ros_msgs.msg import Command as CommandMsg
from vla_ros_msgs.msg import ExecutorStatus


class ChunkExecutorNode(ManagedNode):
    def __init__(self, **kwargs) -> None:
        super().__init__("chunk_executor", **kwargs)

    def configure(self) -> None:
        parameters = declare_config(self, ChunkExecutorParameters)
        robot = load_robot_config(parameters.robot)
        # ee_delta chunks are anchored by forward kinematics at their observation-time joint state.
        self._executor = ChunkExecutor.for_robot(
            parameters.executor, robot, ee_pose_function(robot)
        )
        self._status_period = 1.0 / parameters.status_rate_hz
        self._robot_state: JointState | None = None
        self._command_pub = self.create_publisher(CommandMsg, "/vla/command", CONTROL)
        self._status_pub = self.create_publisher(ExecutorStatus, "/vla/executor_status", 10)
        self._request_pub = self.create_publisher(Header, "/vla/inference_request", 10)
        self._prefix_pub = self.create_publisher(ActionChunkMsg, "/vla/rtc_prefix", 10)
        self.create_subscription(ActionChunkMsg, "/vla/action_chunk", self._on_chunk, 10)
        self.create_subscription(
            JointStateMsg, robot.joint_state_topic, self._on_joint_state, SENSOR
        )
        # Episode boundary (the robot was moved or reset): forget the plan, wait for a fresh chunk.
        self.create_subscription(
            Header,
            "/vla/reset",
            lambda msg: self._executor.reset(reset_stamp_s(msg)),
            10,
        )

    def activate(self) -> None:
        self._timer = ControlTimer(self, self._executor.config.period, self._on_tick)
        self.create_timer(self._status_period, self._report)

    def deactivate(self) -> None:
        self._executor.reset()

    def _on_joint_state(self, msg: JointStateMsg) -> None:
        try:
            state = joint_state_from_msg(msg)
            # A first plan starts from this state: one stamped ahead is no measurement of now.
            refuse_future(
                "joint state",
                stamp_to_s(msg.header.stamp) or None,
                self.now_s(),
                self._executor.config.max_future_s,
            )
            self._robot_state = state
        except InvalidInput as error:
            self.report_bad_input("joint state", error)

    def _on_chunk(self, msg: ActionChunkMsg) -> None:
        now = self.started_now_s()
        if not self.is_active or now is None:
            return
        try:
            admission = self._executor.submit(chunk_from_msg(msg), now, self._robot_state)
        except InvalidInput as error:
            self.report_bad_input("action chunk (the plan in force continues)", error)
            return
        if not admission.executed:
            self.get_logger().warning(
                f"ignored a {admission.value} chunk (stamp {msg.header.stamp.sec}.{msg.header.stamp.nanosec:09d})"
            )

    def _on_tick(self) -> None:
        now = self.now_s()
        if self._executor.request_due(now):
            self._executor.mark_requested(now)
            self._request_pub.publish(header(now))
            prefix = self._executor.rtc_prefix(now)
            if prefix is not None:
                self._prefix_pub.publish(chunk_to_msg(prefix))
        command = self._executor.tick(now)
        if command is not None:
            self._command_pub.publish(command_to_msg(command))

    def _report(self) -> None:
        now = self.now_s()
        stats = self._executor.stats(now)
        # The message names the stats it carries (every field but the header): no list to restate.
        carried = (
            name for name in ExecutorStatus.get_fields_and_field_types() if name != "header"
        )
        self._status_pub.publish(
            ExecutorStatus(header=header(now), **{name: getattr(stats, name) for name in carried})
        )
        starving = stats.chunks_received > 0 and stats.queue_duration == 0.0
        ticks, jitter = self._timer.take_report()
        message = "plan ran out: holding" if starving else "executing"
        self.publish_diagnostics(
            "warn" if starving or jitter else "ok",
            "; ".join(filter(None, [message, jitter])),
            asdict(stats) | ticks,
        )


def main(args=None) -> None:
    run_node(ChunkExecutorNode, args)
