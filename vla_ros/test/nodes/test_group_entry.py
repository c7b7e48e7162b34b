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


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "cannot read parameters file {path}"),
        (
            "chunk_executor:\n  ros__parameters: {robot: panda}\n",
            "node safety_projector is not in {path}",
        ),
        ("- just\n- a list\n", "{path} is not a ROS 2 parameters file"),
    ],
    ids=["missing", "node-absent", "not-a-mapping"],
)
def test_a_bad_parameters_file_is_named(tmp_path, content, message):
    path = tmp_path / "params.yaml"
    if content is not None:
        path.write_text(content)
    result = _group("control", str(path), PROJECTOR)
    assert result.returncode == 2 and message.format(path=path) in result.stderr, result.stderr
