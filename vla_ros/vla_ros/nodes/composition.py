"""Bring the graph up without launch_ros: all nodes in one process, or one process per node."""

from __future__ import annotations

import importlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import rclpy
import yaml
from rclpy.node import Node
from rclpy.signals import SignalHandlerOptions

from vla_ros.bringup.graph import RESPAWN_DELAY_S, BringupArgs, NodeSpec, resolve_graph
from vla_ros.core.types import InvalidInput
from vla_ros.nodes.executors import IsolatedExecutors
from vla_ros.nodes.managed import parameter_overrides
from vla_ros.nodes.shutdown import SUPERVISOR_PID_VARIABLE, StopRequest

# A node that dies within this many seconds of its start failed quickly: its next respawn waits longer.
QUICK_FAILURE_S = 10.0
MAX_RESPAWN_DELAY_S = 60.0
SAFETY_NODE = "safety_projector"


def instantiate(spec: NodeSpec) -> Node:
    """Construct one node in this process with the graph's parameters."""
    module_name, class_name = spec.node_class.split(":")
    node_class = getattr(importlib.import_module(module_name), class_name)
    return node_class(parameter_overrides=parameter_overrides(spec.parameters))


def params_file(specs: list[NodeSpec], directory: Path) -> Path:
    """A ROS 2 parameters file for all nodes (what a launch file would pass)."""
    path = directory / "vla_ros_params.yaml"
    path.write_text(yaml.safe_dump({s.name: {"ros__parameters": s.parameters} for s in specs}))
    return path


class ProcessSupervisor:
    """One process per node (the pip-only stand-in for `ros2 launch`), respawning those that exit.

    A node process that ends while the graph is up (crash, kill, out of memory) is started again
    after `respawn_delay_s`, doubled for each quick failure in a row (up to a minute) so a node that
    cannot start does not spin; its log file is appended to. The safety projector's death is an
    alarm: nothing commands the robot until it is back.
    """

    def __init__(
        self,
        specs: list[NodeSpec],
        log_dir: Path | None = None,
        respawn: bool = True,
        respawn_delay_s: float = RESPAWN_DELAY_S,
    ) -> None:
        self.specs, self.log_dir, self.respawn, self.respawn_delay_s = (
            specs,
            log_dir,
            respawn,
            respawn_delay_s,
        )
        self._parameters = params_file(specs, Path(tempfile.mkdtemp(prefix="vla_ros_")))
        self.processes: dict[str, subprocess.Popen] = {}
        self.restarts: dict[str, int] = {spec.name: 0 for spec in specs}
        # (node, exit code, seconds it ran) of every process that ended while the graph was up.
        self.exits: list[tuple[str, int, float]] = []
        # node -> (exit code, seconds from the stop request to its exit), filled by stop().
        self.stopped: dict[str, tuple[int, float]] = {}
        self._quick_failures: dict[str, int] = {spec.name: 0 for spec in specs}
        self._started: dict[str, float] = {}
        self._stopping = threading.Event()
        self._watcher = threading.Thread(
            target=self._watch, name="vla_ros_supervisor", daemon=True
        )

    def start(self) -> ProcessSupervisor:
        if self.log_dir:
            self.log_dir.mkdir(parents=True, exist_ok=True)
        for spec in self.specs:
            self._spawn(spec)
        self._watcher.start()
        return self

    def stop(self, timeout_s: float = 10.0) -> None:
        """SIGINT to every node (they leave through their lifecycle shutdown), SIGKILL after `timeout_s`."""
        self._stopping.set()
        if self._watcher.is_alive():
            self._watcher.join()
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        requested = time.monotonic()
        running = dict(self.processes)
        while running and time.monotonic() - requested < timeout_s:
            for name, process in list(running.items()):
                if process.poll() is not None:
                    self.stopped[name] = (process.returncode, time.monotonic() - requested)
                    del running[name]
            time.sleep(0.01)
        for name, process in running.items():
            print(f"[vla-ros] {name} did not stop within {timeout_s:g} s: killed", file=sys.stderr)
            process.kill()
            self.stopped[name] = (process.wait(), time.monotonic() - requested)
        shutil.rmtree(self._parameters.parent, ignore_errors=True)

    def _spawn(self, spec: NodeSpec) -> None:
        command = [
            sys.executable,
            "-m",
            "vla_ros.nodes.entry",
            spec.executable,
            "--ros-args",
            "--params-file",
            str(self._parameters),
            "-r",
            f"__node:={spec.name}",
        ]
        mode = "a" if spec.name in self.processes else "w"
        output = open(self.log_dir / f"{spec.name}.log", mode) if self.log_dir else None  # noqa: SIM115 - lives with the process
        environment = {**os.environ, SUPERVISOR_PID_VARIABLE: str(os.getpid())}
        self.processes[spec.name] = subprocess.Popen(
            command, stdout=output, stderr=subprocess.STDOUT if output else None, env=environment
        )
        self._started[spec.name] = time.monotonic()

    def _watch(self) -> None:
        due: dict[str, float] = {}  # node -> when to respawn it
        left_dead: set[str] = set()
        while not self._stopping.wait(0.1):
            for spec in self.specs:
                name, process = spec.name, self.processes[spec.name]
                if process.poll() is None or name in due or name in left_dead:
                    continue
                uptime = time.monotonic() - self._started[name]
                self.exits.append((name, process.returncode, uptime))
                alarm = (
                    "ALARM: the robot is not commanded until it is back; "
                    if name == SAFETY_NODE
                    else ""
                )
                if not self.respawn:
                    left_dead.add(name)
                    print(
                        f"[vla-ros] {name} exited with code {process.returncode} after {uptime:.1f} s; {alarm}"
                        "respawn is off",
                        file=sys.stderr,
                        flush=True,
                    )
                    continue
                self._quick_failures[name] = (
                    self._quick_failures[name] + 1 if uptime < QUICK_FAILURE_S else 0
                )
                delay = min(
                    self.respawn_delay_s * 2 ** max(self._quick_failures[name] - 1, 0),
                    MAX_RESPAWN_DELAY_S,
                )
                print(
                    f"[vla-ros] {name} exited with code {process.returncode} after {uptime:.1f} s; "
                    f"{alarm}respawning in {delay:.1f} s",
                    file=sys.stderr,
                    flush=True,
                )
                due[name] = time.monotonic() + delay
            for name, when in list(due.items()):
                if time.monotonic() >= when:
                    del due[name]
                    self.restarts[name] += 1
                    self._spawn(next(s for s in self.specs if s.name == name))


@dataclass
class RunningGraph:
    """What running_graph() brought up: its client nodes, and the node processes when multiprocess."""

    clients: list[Node]
    supervisor: ProcessSupervisor | None


@contextmanager
def running_graph(
    bringup: BringupArgs,
    multiprocess: bool,
    log_dir: Path | None,
    clients: Sequence[Callable[[], Node]] = (),
    stop: StopRequest | None = None,
):
    """Bring the graph up (in this process, or one process per node) and yield a RunningGraph.

    In one process every node spins on its own single-threaded executor (nodes/executors.py); with
    `multiprocess` each node is its own process, respawned if it dies (unless bringup.respawn is off).
    `clients` build nodes that are not part of the graph (the demo's episode runner, a test's
    observer), spun beside it in this process. On leaving, every node goes through its lifecycle
    shutdown. A stop requested while the graph comes up (`stop`) is honoured once it is up.
    """
    specs = resolve_graph(bringup)
    # Signals are the caller's (nodes/shutdown.py): rclpy's handlers would invalidate the context
    # under running timers.
    rclpy.init(signal_handler_options=SignalHandlerOptions.NO)
    supervisor = None
    executors = IsolatedExecutors()
    try:
        if multiprocess:
            supervisor = ProcessSupervisor(specs, log_dir, respawn=bringup.respawn).start()
        else:
            nodes = [executors.add(instantiate(spec)) for spec in specs]
            failed = [n.get_name() for n in nodes if not n.is_active]
            if failed:
                raise InvalidInput(
                    f"nodes {failed} failed to configure/activate (see their errors above)"
                )
        up = RunningGraph([executors.add(factory()) for factory in clients], supervisor)
        if stop is not None:
            stop.raise_if_requested()
        print(
            f"[vla-ros] graph up: {[s.name for s in specs]} ({'multiprocess' if multiprocess else 'one process'})"
        )
        yield up
    finally:
        executors.shutdown()
        if supervisor is not None:
            supervisor.stop()
        rclpy.try_shutdown()
