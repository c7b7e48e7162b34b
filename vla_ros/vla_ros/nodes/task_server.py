"""task_server: the RunTask action (/vla/run_task), apart from the nodes it supervises.

A goal sets the instruction (/vla/instruction, latched: camera_ingest stamps it on observations, the
policy node adopts it and resets its episode state), then waits for the task judge (/sim/task_status
in simulation, an external evaluator on a real robot) to report success, or for the timeout. It
aborts the goal with the reason when a node the task needs is lost (heartbeats) or action chunks
stop coming (core/tasks/episode.py), quoting what the nodes last reported on /diagnostics. Hosted in
its own light process, a crashing policy (out of GPU memory, a model bug) takes no goal down with it.
"""

from __future__ import annotations

import time

from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
from rclpy.action import ActionServer, CancelResponse
from rclpy.clock import Clock, ClockType
from rclpy.task import Future
from std_msgs.msg import Header, String

from vla_ros.core.tasks.episode import TaskEpisode
from vla_ros.core.types import InvalidInput
from vla_ros.nodes.managed import ManagedNode, run_node
from vla_ros.nodes.node_parameters import TaskServerParameters
from vla_ros.nodes.parameters import declare_config
from vla_ros.nodes.qos import EPISODE_EVENTS, LATCHED
from vla_ros_msgs.action import RunTask
from vla_ros_msgs.msg import ActionChunk, EpisodeEvent, TaskStatus


class TaskServerNode(ManagedNode):
    def __init__(self, **kwargs) -> None:
        super().__init__("task_server", **kwargs)

    def configure(self) -> None:
        self._liveness = self.watch_liveness()
        self._stall_timeout_s = declare_config(self, TaskServerParameters).stall_timeout_s
        if self._liveness.timeout_s >= self._stall_timeout_s:
            raise InvalidInput(
                f"liveness_timeout_s {self._liveness.timeout_s:g} must be below stall_timeout_s "
                f"{self._stall_timeout_s:g}: a lost node would abort its task as a stall, unnamed"
            )
        self._task_status: TaskStatus | None = None
        self._chunks = 0
        self._last_chunk = -float("inf")  # steady clock
        self._problems: dict[str, str] = {}  # node -> its last warning or error on /diagnostics
        self._instruction_pub = self.create_publisher(String, "/vla/instruction", LATCHED)
        self._episode_pub = self.create_publisher(EpisodeEvent, "/vla/episode", EPISODE_EVENTS)
        self.create_subscription(TaskStatus, "/sim/task_status", self._on_task_status, 10)
        self.create_subscription(ActionChunk, "/vla/action_chunk", self._on_chunk, 10)
        self.create_subscription(DiagnosticArray, "/diagnostics", self._on_diagnostics, 50)
        ActionServer(
            self,
            RunTask,
            "/vla/run_task",
            execute_callback=self._run_task,
            cancel_callback=lambda _: CancelResponse.ACCEPT,
        )

    def _on_task_status(self, msg: TaskStatus) -> None:
        self._task_status = msg

    def _on_chunk(self, _: ActionChunk) -> None:
        self._chunks += 1
        self._last_chunk = time.monotonic()

    def _on_diagnostics(self, msg: DiagnosticArray) -> None:
        for status in msg.status:
            node = status.name.removeprefix("vla_ros/")
            if status.level >= DiagnosticStatus.WARN:
                self._problems[node] = status.message
            else:
                self._problems.pop(node, None)

    async def _run_task(self, goal_handle):
        """Runs without blocking the node's executor: a timer watches the episode, the goal awaits it."""
        request = goal_handle.request
        self._instruction_pub.publish(String(data=request.instruction))
        self._publish_episode_event(EpisodeEvent.EVENT_START, request.instruction)
        self._task_status = None
        # Elapsed time and the timeout are in ROS time: sim time in simulation, however fast it runs.
        episode = TaskEpisode(request.instruction, request.timeout, self.now_s())
        started, chunks_at_start = time.monotonic(), self._chunks
        finished: Future = Future()

        def watch() -> None:
            now, status = self.now_s(), self._task_status
            judged = status.instruction if status else ""
            feedback = RunTask.Feedback(
                elapsed=now - episode.started,
                progress=episode.progress(judged, status.progress if status else 0.0),
                chunks=self._chunks - chunks_at_start,
            )
            goal_handle.publish_feedback(feedback)
            if goal_handle.is_cancel_requested:
                finished.set_result(None)
                return
            steady = time.monotonic()
            outcome = episode.outcome(
                now, status.instruction if status else None, bool(status and status.success)
            )
            lost = {
                node: self._liveness.silence(node, steady) for node in self._liveness.lost(steady)
            }
            outcome = outcome or episode.interruption(
                lost,
                steady - started,
                {"action chunk": steady - max(started, self._last_chunk)},
                self._stall_timeout_s,
                self._problems,
            )
            if outcome is not None and not finished.done():
                finished.set_result(outcome)

        # Steady clock: under use_sim_time a dead sim stops ROS time, and a ROS-clock timer with it.
        timer = self.create_timer(0.1, watch, clock=Clock(clock_type=ClockType.STEADY_TIME))
        outcome = await finished
        self.destroy_timer(timer)
        duration = self.now_s() - episode.started
        success = outcome is not None and outcome.success
        message = "canceled" if outcome is None else outcome.message
        self._publish_episode_event(
            EpisodeEvent.EVENT_END, request.instruction, success, message, duration
        )
        if outcome is None:
            goal_handle.canceled()
            return RunTask.Result(success=False, duration=duration, message=message)
        if outcome.aborted:
            self.get_logger().error(f"RunTask '{request.instruction}' {outcome.message}")
            goal_handle.abort()
        else:
            goal_handle.succeed()
        return RunTask.Result(success=outcome.success, duration=duration, message=outcome.message)

    def _publish_episode_event(
        self,
        event: str,
        instruction: str,
        success: bool = False,
        message: str = "",
        duration: float = 0.0,
    ) -> None:
        self._episode_pub.publish(
            EpisodeEvent(
                header=Header(stamp=self.get_clock().now().to_msg()),
                event=event,
                instruction=instruction,
                seed=-1,
                success=success,
                message=message,
                duration=duration,
            )
        )


def main(args=None) -> None:
    run_node(TaskServerNode, args)
