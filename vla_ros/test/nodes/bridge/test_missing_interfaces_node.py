"""Selecting a backend whose packages are missing fails configure, naming the package (in a fresh
process, where the stand-ins of this test session are not importable). Skipped where the real
package is installed."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

pytest.importorskip("rclpy")

pytestmark = pytest.mark.ros

SCRIPT = """
import rclpy
from vla_ros.nodes.managed import parameter_overrides
from vla_ros.nodes.moveit_bridge import MoveItBridgeNode
rclpy.init()
node = MoveItBridgeNode(parameter_overrides=parameter_overrides({overrides!r}))
print("STATE", node.lifecycle_state)
node.close()
rclpy.try_shutdown()
"""


@pytest.mark.parametrize(
    ("overrides", "package"),
    [
        ({"backend": "servo"}, "control_msgs"),
        ({"backend": "moveit_py"}, "moveit"),
        ({"gripper": "franka"}, "franka_msgs"),
    ],
)
def test_a_backend_without_its_package_stays_unconfigured_naming_it(overrides, package):
    spec = importlib.util.find_spec(package)
    if spec is not None and "stand_in" not in str(spec.origin):
        pytest.skip(f"the real {package} is installed here")
    script = SCRIPT.format(overrides={"robot": "panda", **overrides})
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=180, check=False
    )
    assert "STATE unconfigured" in result.stdout, result.stdout + result.stderr
    assert f"needs {package}." in result.stderr and "which is not installed" in result.stderr
