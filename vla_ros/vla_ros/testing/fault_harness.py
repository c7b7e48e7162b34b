"""The whole graph under test: one process per node (respawning, as `vla-ros run --processes each`),
with an episode runner, an observer and a malformed-traffic source in this process."""

from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from vla_ros.bringup.graph import BringupArgs, resolve_graph
from vla_ros.core.liveness import DEFAULT_TIMEOUT_S
from vla_ros.core.robot.config import load_robot_config
from vla_ros.demo.episode_metrics import EpisodeResult
from vla_ros.demo.episode_runner import EpisodeRunner
from vla_ros.nodes.composition import running_graph
from vla_ros.testing.malformed_traffic import MalformedTraffic
from vla_ros.testing.observer import GraphObserver
from vla_ros.testing.waiting import wait_for

TASK_TIMEOUT_S = 60.0  # sim seconds
# Reset + goal acceptance; the graph's first task (a cold policy, a loaded host) takes the longest.
TASK_START_TIMEOUT_S = 60.0


class FaultHarness:
    def __init__(
        self, robot: str, log_dir: Path, instruction: str = "put the red cube in the bowl"
    ) -> None:
        self.robot = load_robot_config(robot)
        self.instruction = instruction
        self.bringup = BringupArgs(robot=robot, instruction=instruction)
        specs = resolve_graph(self.bringup)
        self.nodes = [spec.name for spec in specs]
        # A killed node stays down twice the longest liveness timeout of its watchers (the task
        # server's is 5 s), so every watcher sees the loss however fast the node starts again. With
        # the graph's 1 s respawn delay a node could be back before the task server's timeout, and
        # the task went on ("kill -9 vla_policy mid-task": "task judge reported success").
        self.killed_node_down_s = 2.0 * max(
            spec.parameters.get("liveness_timeout_s", DEFAULT_TIMEOUT_S) for spec in specs
        )
        self.log_dir = log_dir
        self._tasks = ThreadPoolExecutor(1, thread_name_prefix="fault_task")

    def __enter__(self) -> FaultHarness:
        clients = [
            lambda: EpisodeRunner(self.robot, None),
            lambda: GraphObserver(self.robot, self.nodes),
            lambda: MalformedTraffic(self.robot),
        ]
        self._graph = running_graph(
            self.bringup, "each", self.log_dir, clients, respawn_delay_s=self.killed_node_down_s
        )
        up = self._graph.__enter__()
        self.runner, self.observer, self.traffic = up.clients
        self.supervisor = up.supervisor
        try:
            self.runner.wait_for_graph(timeout_s=120.0)
            if not self.wait_for(lambda: all(self.observer.alive(n) for n in self.nodes), 120.0):
                raise RuntimeError(
                    f"graph not alive: {self.observer.liveness.describe(time.monotonic())}"
                )
        except BaseException as error:
            self._graph.__exit__(type(error), error, error.__traceback__)
            raise
        return self

    def __exit__(self, *exc) -> None:
        self._tasks.shutdown()
        self._graph.__exit__(*exc)

    def run_task(self, seed: int) -> EpisodeResult:
        return self.runner.run_episode(seed, self.instruction, TASK_TIMEOUT_S, record=False)

    def start_task(self, seed: int) -> Future:
        """A task whose goal the task server has accepted when this returns, so that a fault
        injected next lands inside it (not in the reset before it, where the task server rightly
        lets a respawn under way finish)."""
        task = self._tasks.submit(self.run_task, seed)
        if not self.wait_for(
            lambda: self.runner.goal_running.is_set() or task.done(), TASK_START_TIMEOUT_S
        ):
            raise RuntimeError(
                f"task {seed}: no RunTask goal accepted in {TASK_START_TIMEOUT_S:g} s"
            )
        return task

    def kill(self, node: str) -> None:
        """SIGKILL: a crash that releases nothing (out of memory, a segfault in model code)."""
        self.supervisor.processes[node].kill()

    def exits_since(self, count: int) -> list[tuple[str, int, float]]:
        return self.supervisor.exits[count:]

    @staticmethod
    def wait_for(predicate, timeout_s: float) -> bool:
        return wait_for(predicate, timeout_s, poll_s=0.05)
