"""Bring the graph up without launch_ros: in one process, split in process groups, or one process per node.

`--processes` (PROCESS_MODES): `one` composes every node in the calling process; `split` (the
default) runs each process group of graph.yaml other than main (the control group) in a child
process and the rest in the calling process; `each` runs every node in its own process, as
`ros2 launch` does. Child processes are supervised alike (a node process is a group of one).
"""

from __future__ import annotations

import argparse
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

from vla_ros.bringup.graph import (
    MAIN_PROCESS,
    RESPAWN_DELAY_S,
    BringupArgs,
    NodeSpec,
    resolve_graph,
)
from vla_ros.core.types import InvalidInput
from vla_ros.nodes.executors import IsolatedExecutors
from vla_ros.nodes.managed import parameter_overrides
from vla_ros.nodes.shutdown import STOP_SIGNALS, SUPERVISOR_PID_VARIABLE, StopRequest

PROCESS_MODES = ("one", "split", "each")
DEFAULT_PROCESSES = "split"
# A process that dies within this many seconds of its start failed quickly: its next respawn waits longer.
QUICK_FAILURE_S = 10.0
MAX_RESPAWN_DELAY_S = 60.0
SAFETY_NODE = "safety_projector"


def add_processes_arguments(parser: argparse.ArgumentParser, default: str) -> None:
    """--processes (PROCESS_MODES) and --multiprocess, its older spelling of `each`."""
    parser.add_argument(
        "--processes",
        choices=PROCESS_MODES,
        default=default,
        help="one: every node in this process; split: the control group (graph.yaml `process: "
        "control`) in a child process, the rest here; each: one process per node "
        f"(default: {default})",
    )
    parser.add_argument(
        "--multiprocess",
        dest="processes",
        action="store_const",
        const="each",
        help="alias of --processes each",
    )


def instantiate(spec: NodeSpec) -> Node:
    """Construct one node in this process with the graph's parameters."""
    module_name, class_name = spec.node_class.split(":")
    node_class = getattr(importlib.import_module(module_name), class_name)
    return node_class(parameter_overrides=parameter_overrides(spec.parameters))


def compose(
    specs: Sequence[NodeSpec], executors: IsolatedExecutors, stop: StopRequest | None = None
) -> list[Node]:
    """Construct the nodes in this process, each spinning on its own executor; all must come up.
    A stop requested meanwhile (`stop`) is honoured between two nodes (constructing one takes
    seconds: the sim loads MuJoCo, the policy its model)."""
    nodes = []
    for spec in specs:
        nodes.append(executors.add(instantiate(spec)))
        if stop is not None:
            stop.raise_if_requested()
    failed = [n.get_name() for n in nodes if not n.is_active]
    if failed:
        raise InvalidInput(f"nodes {failed} failed to configure/activate (see their errors above)")
    return nodes


def params_file(specs: list[NodeSpec], directory: Path) -> Path:
    """A ROS 2 parameters file for all nodes (what a launch file would pass)."""
    path = directory / "vla_ros_params.yaml"
    path.write_text(yaml.safe_dump({s.name: {"ros__parameters": s.parameters} for s in specs}))
    return path


@dataclass(frozen=True)
class ProcessGroup:
    """Nodes that share one child process: a node's own executable when it is alone, else
    nodes/group.py composing them (the parameters of both come from the graph's parameters file)."""

    name: str
    nodes: tuple[NodeSpec, ...]

    def command(self, parameters: Path) -> list[str]:
        if len(self.nodes) == 1:
            spec = self.nodes[0]
            return [
                sys.executable,
                "-m",
                "vla_ros.nodes.entry",
                spec.executable,
                "--ros-args",
                "--params-file",
                str(parameters),
                "-r",
                f"__node:={spec.name}",
            ]
        nodes = [f"{spec.name}={spec.node_class}" for spec in self.nodes]
        return [sys.executable, "-m", "vla_ros.nodes.group", self.name, str(parameters), *nodes]

    @property
    def commands_the_robot(self) -> bool:
        return any(spec.name == SAFETY_NODE for spec in self.nodes)


def process_groups(
    specs: list[NodeSpec], processes: str
) -> tuple[list[NodeSpec], list[ProcessGroup]]:
    """(nodes composed in the calling process, child process groups) for a `--processes` mode."""
    if processes not in PROCESS_MODES:
        raise InvalidInput(f"processes '{processes}' is not one of {list(PROCESS_MODES)}")
    if processes == "one":
        return list(specs), []
    if processes == "each":
        return [], [ProcessGroup(spec.name, (spec,)) for spec in specs]
    names = dict.fromkeys(spec.process for spec in specs if spec.process != MAIN_PROCESS)
    groups = [ProcessGroup(n, tuple(s for s in specs if s.process == n)) for n in names]
    return [spec for spec in specs if spec.process == MAIN_PROCESS], groups


class ProcessSupervisor:
    """One child process per group (the pip-only stand-in for `ros2 launch`), respawning those that exit.

    A group process that ends while the graph is up (crash, kill, out of memory) is started again
    after `respawn_delay_s`, doubled for each quick failure in a row (up to a minute) so a group
    that cannot start does not spin; its log file (`<group>.log`) is appended to. The death of the
    safety projector's process is an alarm: nothing commands the robot until it is back.
    Processes, restarts, exits and stops are keyed by group name (the node's name for a group of one).
    """

    def __init__(
        self,
        groups: list[ProcessGroup],
        log_dir: Path | None = None,
        respawn: bool = True,
        respawn_delay_s: float = RESPAWN_DELAY_S,
    ) -> None:
        self.groups, self.log_dir, self.respawn, self.respawn_delay_s = (
            groups,
            log_dir,
            respawn,
            respawn_delay_s,
        )
        specs = [spec for group in groups for spec in group.nodes]
        self._parameters = params_file(specs, Path(tempfile.mkdtemp(prefix="vla_ros_")))
        self.processes: dict[str, subprocess.Popen] = {}
        self.restarts: dict[str, int] = {group.name: 0 for group in groups}
        # (group, exit code, seconds it ran) of every process that ended while the graph was up.
        self.exits: list[tuple[str, int, float]] = []
        # group -> (exit code, seconds from the stop request to its exit), filled by stop().
        self.stopped: dict[str, tuple[int, float]] = {}
        self._quick_failures: dict[str, int] = {group.name: 0 for group in groups}
        self._started: dict[str, float] = {}
        self._stopping = threading.Event()
        self._watcher = threading.Thread(
            target=self._watch, name="vla_ros_supervisor", daemon=True
        )

    def start(self) -> ProcessSupervisor:
        if self.log_dir:
            self.log_dir.mkdir(parents=True, exist_ok=True)
        for group in self.groups:
            self._spawn(group)
        self._watcher.start()
        return self

    def stop(self, timeout_s: float = 10.0) -> None:
        """SIGINT to every group (its nodes leave through their lifecycle shutdown), SIGKILL after
        `timeout_s`. A process that did not exit 0 is named on stderr."""
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
        for name, (code, _) in self.stopped.items():
            if code != 0:
                print(f"[vla-ros] {name} exited with code {code} on stop", file=sys.stderr)
        shutil.rmtree(self._parameters.parent, ignore_errors=True)

    def _spawn(self, group: ProcessGroup) -> None:
        mode = "a" if group.name in self.processes else "w"
        output = open(self.log_dir / f"{group.name}.log", mode) if self.log_dir else None  # noqa: SIM115 - lives with the process
        environment = {**os.environ, SUPERVISOR_PID_VARIABLE: str(os.getpid())}
        # The child inherits this thread's signal mask: it starts with the stop signals blocked, so
        # one that arrives before it installed its handlers (starting an interpreter takes seconds
        # on a loaded machine) waits for them instead of killing it (StopRequest unblocks them).
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            self.processes[group.name] = subprocess.Popen(
                group.command(self._parameters),
                stdout=output,
                stderr=subprocess.STDOUT if output else None,
                env=environment,
            )
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)
        self._started[group.name] = time.monotonic()

    def _watch(self) -> None:
        due: dict[str, float] = {}  # group -> when to respawn it
        left_dead: set[str] = set()
        while not self._stopping.wait(0.1):
            for group in self.groups:
                name, process = group.name, self.processes[group.name]
                if process.poll() is None or name in due or name in left_dead:
                    continue
                uptime = time.monotonic() - self._started[name]
                self.exits.append((name, process.returncode, uptime))
                alarm = (
                    "ALARM: the robot is not commanded until it is back; "
                    if group.commands_the_robot
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
                    self._spawn(next(g for g in self.groups if g.name == name))


@dataclass
class RunningGraph:
    """What running_graph() brought up: its client nodes, and the child processes' supervisor."""

    clients: list[Node]
    supervisor: ProcessSupervisor | None


@contextmanager
def running_graph(
    bringup: BringupArgs,
    processes: str,
    log_dir: Path | None,
    clients: Sequence[Callable[[], Node]] = (),
    stop: StopRequest | None = None,
):
    """Bring the graph up (`processes`: one, split or each, see PROCESS_MODES) and yield a RunningGraph.

    In this process every node spins on its own single-threaded executor (nodes/executors.py);
    child processes are respawned if they die (unless bringup.respawn is off). `clients` build
    nodes that are not part of the graph (the demo's episode runner, a test's observer), spun
    beside it in this process. On leaving, every node goes through its lifecycle shutdown. A stop
    requested while the graph comes up (`stop`) is honoured once it is up.
    """
    specs = resolve_graph(bringup)
    here, groups = process_groups(specs, processes)
    # Signals are the caller's (nodes/shutdown.py): rclpy's handlers would invalidate the context
    # under running timers.
    rclpy.init(signal_handler_options=SignalHandlerOptions.NO)
    supervisor = None
    executors = IsolatedExecutors()
    try:
        if groups:
            supervisor = ProcessSupervisor(groups, log_dir, respawn=bringup.respawn).start()
        compose(here, executors, stop)
        up = RunningGraph([executors.add(factory()) for factory in clients], supervisor)
        if stop is not None:
            stop.raise_if_requested()
        children = ", ".join(
            f"{name} pid {process.pid}"
            for name, process in (supervisor.processes.items() if supervisor else ())
        )
        print(
            f"[vla-ros] graph up: {[s.name for s in specs]} (processes {processes}"
            f"{': ' + children if children else ''})"
        )
        yield up
    finally:
        executors.shutdown()
        if supervisor is not None:
            supervisor.stop()
        rclpy.try_shutdown()
