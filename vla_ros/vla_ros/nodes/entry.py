"""Entry points of the node executables: stop signals are handled from the process's first instant.

Importing a node module takes seconds (rclpy, MuJoCo, numba kernels, torch); a SIGTERM in that
window would end the process with the default action (exit -15, nothing released). The handlers
are installed here, before that import, and run_node keeps using them (nodes/shutdown.py).
`python -m vla_ros.nodes.entry <executable> [--ros-args ...]` is what `vla-ros run` starts for a
node in a process of its own (nodes/group.py for a group of several); setup.py's console scripts
(what `ros2 launch` starts) are the functions below.
"""

from __future__ import annotations

import importlib
import sys

from vla_ros.nodes.shutdown import StopRequest, end_process, stop_with_supervisor


def run(executable: str) -> None:
    """Install the stop handlers, import the node's module, run its main() with this argv; once it
    has stopped in order, end the process (nodes/shutdown.py: end_process)."""
    StopRequest.install_once()
    stop_with_supervisor()
    importlib.import_module(f"vla_ros.nodes.{executable}").main(sys.argv)
    end_process(0)


def sim() -> None:
    run("sim")


def camera_ingest() -> None:
    run("camera_ingest")


def vla_policy() -> None:
    run("vla_policy")


def chunk_executor() -> None:
    run("chunk_executor")


def safety_projector() -> None:
    run("safety_projector")


def moveit_bridge() -> None:
    run("moveit_bridge")


def aloha_relay() -> None:
    run("aloha_relay")


def task_server() -> None:
    run("task_server")


if __name__ == "__main__":
    run(sys.argv.pop(1))
