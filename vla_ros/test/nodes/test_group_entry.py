"""nodes/group.py, the entry of a process group's child: bad arguments end it with exit code 2 and a
message naming what is wrong (the supervisor's log shows it), before any node starts."""

import subprocess
import sys

import pytest

pytest.importorskip("rclpy")

PROJECTOR = "safety_projector=vla_ros.nodes.safety_projector:SafetyProjectorNode"


def _group(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "vla_ros.nodes.group", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_no_nodes_prints_the_usage():
    result = _group("control", "params.yaml")
    assert result.returncode == 2 and "usage: python -m vla_ros.nodes.group" in result.stderr


def test_a_missing_parameters_file_is_named(tmp_path):
    missing = tmp_path / "nope.yaml"
    result = _group("control", str(missing), PROJECTOR)
    assert result.returncode == 2
    assert f"cannot read parameters file {missing}" in result.stderr


def test_a_node_without_parameters_is_named(tmp_path):
    parameters = tmp_path / "params.yaml"
    parameters.write_text("chunk_executor:\n  ros__parameters: {robot: panda}\n")
    result = _group("control", str(parameters), PROJECTOR)
    assert result.returncode == 2
    assert f"node safety_projector is not in {parameters}" in result.stderr


def test_a_file_that_is_not_a_parameters_file_is_refused(tmp_path):
    parameters = tmp_path / "params.yaml"
    parameters.write_text("- just\n- a list\n")
    result = _group("control", str(parameters), PROJECTOR)
    assert result.returncode == 2 and "is not a ROS 2 parameters file" in result.stderr
