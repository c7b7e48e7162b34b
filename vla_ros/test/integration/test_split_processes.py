"""`--processes split` (the CLI's default) on a real graph: the control group runs in a child process,
reports its tick statistics on /diagnostics, is respawned when killed and stops with the graph.

A real-robot bring-up (sim false: steady-clock control timers, no MuJoCo) with no robot attached:
the projector ticks and reports while it waits for a measured joint state.
"""

import os
import signal
import threading

import pytest

pytest.importorskip("rclpy")

from diagnostic_msgs.msg import DiagnosticArray
from rclpy.node import Node

from vla_ros.bringup.graph import BringupArgs
from vla_ros.nodes.composition import running_graph
from vla_ros.testing.waiting import wait_for

pytestmark = [pytest.mark.ros, pytest.mark.slow, pytest.mark.usefixtures("domain_of_its_own")]

TICK_KEYS = {"tick_period_p50_ms", "tick_period_p99_ms", "tick_period_max_ms", "tick_overruns"}
START_TIMEOUT_S = 120.0  # imports and numba kernels of a cold child on a loaded 2-core machine


class DiagnosticsListener(Node):
    """The latest diagnostics values of every vla_ros node."""

    def __init__(self) -> None:
        super().__init__("split_test_listener")
        self._lock = threading.Lock()
        self._values: dict[str, dict[str, str]] = {}
        self.create_subscription(DiagnosticArray, "/diagnostics", self._on_diagnostics, 100)

    def _on_diagnostics(self, msg: DiagnosticArray) -> None:
        with self._lock:
            for status in msg.status:
                self._values[status.name.removeprefix("vla_ros/")] = {
                    kv.key: kv.value for kv in status.values
                }

    def values(self, node: str) -> dict[str, str]:
        with self._lock:
            return dict(self._values.get(node, {}))


def test_the_control_group_runs_in_a_respawned_child_and_reports_its_ticks(tmp_path):
    bringup = BringupArgs(robot="panda", sim="false")
    with running_graph(bringup, "split", tmp_path, [DiagnosticsListener]) as up:
        listener, supervisor = up.clients[0], up.supervisor

        def projector_pid() -> int | None:
            pid = listener.values("safety_projector").get("pid")
            return int(pid) if pid else None

        assert wait_for(projector_pid, START_TIMEOUT_S, poll_s=0.1), (
            f"no safety_projector diagnostics within {START_TIMEOUT_S:g} s:\n"
            + (tmp_path / "control.log").read_text()[-2000:]
        )
        first = supervisor.processes["control"]
        assert projector_pid() == first.pid != os.getpid()
        assert wait_for(lambda: listener.values("chunk_executor").keys() >= TICK_KEYS, 10.0)
        for node in ("safety_projector", "chunk_executor"):
            values = listener.values(node)
            assert values.keys() >= TICK_KEYS, f"{node}: {sorted(values)}"
            assert all(float(values[key]) >= 0.0 for key in TICK_KEYS)

        first.send_signal(signal.SIGKILL)
        assert wait_for(
            lambda: projector_pid() not in (None, first.pid), START_TIMEOUT_S, poll_s=0.1
        ), (
            "the killed control process was not respawned:\n"
            + (tmp_path / "control.log").read_text()[-2000:]
        )
        respawned = supervisor.processes["control"]
        assert projector_pid() == respawned.pid and supervisor.restarts["control"] == 1
        assert supervisor.exits[0][:2] == ("control", -signal.SIGKILL)
    assert respawned.poll() is not None, "the control process outlived the graph"
    assert supervisor.stopped["control"][0] == 0, (tmp_path / "control.log").read_text()[-2000:]
