"""A client of the running graph: resets the sim, runs RunTask goals, records what happened."""

from __future__ import annotations

import threading
import time

import numpy as np
from rclpy.action import ActionClient
from rclpy.node import Node
from rclpy.parameter import Parameter
from sensor_msgs.msg import Image, JointState
from std_msgs.msg import Header

from vla_ros.core.chunking.seams import seam_gap
from vla_ros.core.robot.config import RobotConfig
from vla_ros.core.types import ActionChunk as CoreActionChunk
from vla_ros.core.types import InvalidInput
from vla_ros.demo.episode_metrics import EpisodeResult, RunMetrics
from vla_ros.nodes.conversions import chunk_from_msg, image_from_msg
from vla_ros.nodes.managed import stamp_to_s
from vla_ros.nodes.qos import EPISODE_EVENTS, SENSOR
from vla_ros_msgs.action import RunTask
from vla_ros_msgs.msg import ActionChunk, EpisodeEvent, ExecutorStatus, TaskStatus
from vla_ros_msgs.srv import ResetSim

# The RunTask server unseen this long while a goal runs: it died with the goal.
SERVER_LOST_S = 3.0


class GraphNotReady(RuntimeError):
    pass


class EpisodeRunner(Node):
    def __init__(
        self, robot: RobotConfig, video_camera: str | None, use_sim_time: bool = True
    ) -> None:
        super().__init__(
            "vla_episode_runner",
            parameter_overrides=[Parameter("use_sim_time", value=use_sim_time)],
        )
        self.robot = robot
        self._record_video = video_camera is not None
        self.metrics = RunMetrics()
        self.frames: list[np.ndarray] = []
        self.commanded: list[tuple[float, np.ndarray]] = []
        self.measured: list[tuple[float, np.ndarray]] = []
        self._recording = False
        self._in_episode = False
        # Set while a RunTask goal of ours is accepted and unfinished: what "mid-task" means.
        self.goal_running = threading.Event()
        self._reset_client = self.create_client(ResetSim, "/sim/reset")
        self._task_client = ActionClient(self, RunTask, "/vla/run_task")
        self._reset_pub = self.create_publisher(Header, "/vla/reset", 10)
        self._episode_pub = self.create_publisher(EpisodeEvent, "/vla/episode", EPISODE_EVENTS)
        self.create_subscription(JointState, robot.joint_state_topic, self._on_measured, SENSOR)
        self.create_subscription(JointState, "/vla/safe_joint_command", self._on_commanded, 10)
        self.create_subscription(ActionChunk, "/vla/action_chunk", self._on_chunk, 10)
        self._starvation_s = 0.0
        self._first_lifted, self._episode_start_s = "", 0.0
        self._last_chunk: CoreActionChunk | None = None
        self.create_subscription(TaskStatus, "/sim/task_status", self._on_task_status, 10)
        self.create_subscription(
            ExecutorStatus, "/vla/executor_status", self._on_executor_status, 10
        )
        # Wall-clock arrival of each camera frame, by capture stamp: e2e latency is measured in wall
        # time (frame published -> chunk computed from it received), whatever the sim's speed.
        self._frame_arrivals: dict[float, float] = {}
        cameras = {c.name: c for c in robot.cameras}
        latency_camera = video_camera or robot.cameras[0].name
        self.create_subscription(Image, cameras[latency_camera].topic, self._on_frame, SENSOR)

    def wait_for_graph(self, timeout_s: float = 120.0) -> None:
        deadline = time.monotonic() + timeout_s
        if not self._reset_client.wait_for_service(timeout_sec=timeout_s):
            raise GraphNotReady("/sim/reset service did not appear")
        if not self._task_client.wait_for_server(
            timeout_sec=max(deadline - time.monotonic(), 1.0)
        ):
            raise GraphNotReady("/vla/run_task action server did not appear")
        while not self.measured and time.monotonic() < deadline:
            time.sleep(0.1)
        if not self.measured:
            raise GraphNotReady(f"no {self.robot.joint_state_topic} received")

    def run_episode(
        self, seed: int, instruction: str, timeout_s: float, record: bool
    ) -> EpisodeResult:
        reply = _wait(
            self._reset_client.call_async(ResetSim.Request(seed=seed, instruction=instruction)),
            30.0,
        )
        if reply is None or not reply.success:
            message = reply.message if reply else "no reply from /sim/reset"
            return EpisodeResult(seed, instruction, False, 0.0, f"reset failed: {message}")
        now = self.get_clock().now().to_msg()
        self._first_lifted, self._episode_start_s = "", stamp_to_s(now)
        self._last_chunk = None
        self._reset_pub.publish(Header(stamp=now, frame_id="episode_reset"))
        self._episode_pub.publish(
            EpisodeEvent(
                header=Header(stamp=now),
                event=EpisodeEvent.EVENT_RESET,
                instruction=instruction,
                seed=seed,
            )
        )
        starvation_at_start = self._starvation_s
        if record:
            self.commanded.clear()
            self.measured.clear()
        self._recording = record
        self.metrics.command_times.append([])
        self._in_episode = True
        # A request sent right after discovery can be lost before the reply path is matched: resend.
        goal = None
        for _ in range(3):
            goal = _wait(
                self._task_client.send_goal_async(
                    RunTask.Goal(instruction=instruction, timeout=timeout_s)
                ),
                10.0,
            )
            if goal is not None:
                break
        result, lost = None, False
        if goal is not None and goal.accepted:
            self.goal_running.set()
            try:
                # timeout_s is sim time; a loaded machine runs the sim slower than real time.
                result, lost = self._result(goal, 10.0 * timeout_s + 60.0)
            finally:
                self.goal_running.clear()
        self._in_episode = False
        self._recording = False
        if result is None:
            message = (
                "RunTask server lost before a result (task_server died)"
                if lost
                else "RunTask goal rejected or no result"
            )
            return EpisodeResult(seed, instruction, False, timeout_s, message)
        # The executor reports its total starvation since start: this episode's share is the difference.
        starvation = max(self._starvation_s - starvation_at_start, 0.0)
        return EpisodeResult(
            seed,
            instruction,
            result.success,
            result.duration,
            result.message,
            starvation,
            self._first_lifted,
        )

    def _result(self, goal, timeout_s: float):
        """(result or None, whether the action server vanished while we waited): a goal dies with
        its server, and nothing else would ever tell us."""
        future, deadline, gone_since = goal.get_result_async(), time.monotonic() + timeout_s, None
        while time.monotonic() < deadline:
            response = _wait(future, 0.5)
            if response is not None:
                return response.result, False
            gone_since = (
                None if self._task_client.server_is_ready() else (gone_since or time.monotonic())
            )
            if gone_since is not None and time.monotonic() - gone_since > SERVER_LOST_S:
                return None, True
        return None, False

    # -- recording -----------------------------------------------------------------------------------
    def _now(self) -> float:
        return self.get_clock().now().nanoseconds * 1e-9

    def _positions(self, msg: JointState) -> np.ndarray | None:
        index = {n: i for i, n in enumerate(msg.name)}
        if len(msg.position) != len(msg.name) or not all(
            j in index for j in self.robot.command_joints
        ):
            return (
                None  # not this robot's joint state, or malformed (the graph's nodes report those)
            )
        return np.array([msg.position[index[j]] for j in self.robot.command_joints])

    def _on_measured(self, msg: JointState) -> None:
        positions = self._positions(msg)
        if positions is not None and (self._recording or not self.measured):
            self.measured.append((stamp_to_s(msg.header.stamp), positions))

    def _on_commanded(self, msg: JointState) -> None:
        if self._in_episode:
            self.metrics.command_times[-1].append(self._now())
        positions = self._positions(msg)
        if self._recording and positions is not None:
            self.commanded.append((stamp_to_s(msg.header.stamp), positions))

    def _on_chunk(self, msg: ActionChunk) -> None:
        arrival = self._frame_arrivals.get(stamp_to_s(msg.header.stamp))
        if self._in_episode and arrival is not None:
            self.metrics.latencies_s.append(time.monotonic() - arrival)
        try:
            chunk = chunk_from_msg(msg)
        except InvalidInput:  # the executor rejects it (and says so); nothing to compare
            return
        previous, self._last_chunk = self._last_chunk, chunk
        if self._in_episode and previous is not None:
            now = self.get_clock().now().nanoseconds * 1e-9
            gap = seam_gap(previous, chunk, now, self.robot.arm_joints)
            if gap is not None:
                self.metrics.seam_gaps_rad.append(gap)

    def _on_task_status(self, msg: TaskStatus) -> None:
        # Statuses stamped before this episode's reset still judge the previous episode.
        if msg.first_lifted and stamp_to_s(msg.header.stamp) >= self._episode_start_s:
            self._first_lifted = self._first_lifted or msg.first_lifted

    def _on_executor_status(self, msg: ExecutorStatus) -> None:
        self._starvation_s = msg.starvation_time

    def _on_frame(self, msg: Image) -> None:
        stamp = stamp_to_s(msg.header.stamp)
        self._frame_arrivals[stamp] = time.monotonic()
        if len(self._frame_arrivals) > 200:
            self._frame_arrivals.pop(next(iter(self._frame_arrivals)))
        if self._recording and self._record_video:
            self.frames.append(image_from_msg(msg))


def _wait(future, timeout_s: float):
    """Block this (non-executor) thread until an rclpy future completes; None on timeout."""
    done = threading.Event()
    future.add_done_callback(lambda _: done.set())
    if not done.wait(timeout_s):
        return None
    return future.result()
