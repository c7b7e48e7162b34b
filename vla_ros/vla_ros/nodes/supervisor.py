"""Child processes of a bring-up: one per process group, respawned when they die.

The pip-only stand-in for `ros2 launch`'s process handling, for `vla-ros run --processes split|each`
(nodes/composition.py decides the groups).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from vla_ros.bringup.graph import RESPAWN_DELAY_S, NodeSpec
from vla_ros.nodes.shutdown import STOP_SIGNALS, SUPERVISOR_PID_VARIABLE

# A process that dies within this many seconds of its start failed quickly: its next respawn waits longer.
QUICK_FAILURE_S = 10.0
MAX_RESPAWN_DELAY_S = 60.0
SAFETY_NODE = "safety_projector"


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
