"""Bring the graph up without launch_ros: in one process, split in process groups, or one process per node.

`--processes` (PROCESS_MODES): `one` composes every node in the calling process; `split` (the
default) runs each process group of graph.yaml other than main (the control group) in a child
process and the rest in the calling process; `each` runs every node in its own process, as
`ros2 launch` does. Child processes are supervised alike (nodes/supervisor.py: a node process is a
group of one).
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import rclpy
from rclpy.node import Node

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
from vla_ros.nodes.shutdown import StopRequest, init_ros
from vla_ros.nodes.supervisor import ProcessGroup, ProcessSupervisor

PROCESS_MODES = ("one", "split", "each")
DEFAULT_PROCESSES = "split"


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
    respawn_delay_s: float = RESPAWN_DELAY_S,
):
    """Bring the graph up (`processes`: one, split or each, see PROCESS_MODES) and yield a RunningGraph.

    In this process every node spins on its own single-threaded executor (nodes/executors.py);
    child processes are respawned `respawn_delay_s` after they die (unless bringup.respawn is off;
    supervisor.py lengthens the delay after quick failures). `clients` build
    nodes that are not part of the graph (the demo's episode runner, a test's observer), spun
    beside it in this process. On leaving, every node goes through its lifecycle shutdown. A stop
    requested while the graph comes up (`stop`) is honoured once it is up.
    """
    specs = resolve_graph(bringup)
    here, groups = process_groups(specs, processes)
    # Signals are the caller's (nodes/shutdown.py): rclpy's handlers would invalidate the context
    # under running timers.
    init_ros(stop)
    supervisor = None
    executors = IsolatedExecutors()
    try:
        if groups:
            supervisor = ProcessSupervisor(
                groups, log_dir, respawn=bringup.respawn, respawn_delay_s=respawn_delay_s
            ).start()
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
