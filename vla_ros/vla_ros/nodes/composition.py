"""Bring the graph up without launch_ros: all nodes in one process, or one process per node."""

from __future__ import annotations

import importlib
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml
from rclpy.node import Node

from vla_ros.core.graph import NodeSpec
from vla_ros.nodes.managed import parameter_overrides


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


def spawn(specs: list[NodeSpec], log_dir: Path | None = None) -> list[subprocess.Popen]:
    """Start each node as its own Python process (the pip-only stand-in for `ros2 launch`)."""
    directory = Path(tempfile.mkdtemp(prefix="vla_ros_"))
    parameters = params_file(specs, directory)
    if log_dir:
        log_dir.mkdir(parents=True, exist_ok=True)
    processes = []
    for spec in specs:
        module_name = spec.node_class.split(":")[0]
        command = [sys.executable, "-c", f"import sys; from {module_name} import main; main(sys.argv)",
                   "--ros-args", "--params-file", str(parameters), "-r", f"__node:={spec.name}"]
        output = open(log_dir / f"{spec.name}.log", "w") if log_dir else None  # noqa: SIM115 - lives with the process
        processes.append(subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT if output else None))
    return processes


def stop(processes: list[subprocess.Popen], timeout: float = 10.0) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(2)  # SIGINT: rclpy shuts down cleanly
    for process in processes:
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
