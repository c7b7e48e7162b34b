"""Launch files: structure checked everywhere; loaded through launch_ros only where it exists."""

import ast
import importlib.util

import pytest

from vla_ros.bringup.graph import LAUNCH_ARGUMENTS
from vla_ros.resources import share_path

LAUNCH_FILES = ["bringup", "widowx", "franka", "aloha"]
HAS_LAUNCH_ROS = importlib.util.find_spec("launch_ros") is not None


@pytest.mark.parametrize("name", LAUNCH_FILES)
def test_launch_file_defines_its_description_through_vla_ros_bringup(name):
    tree = ast.parse(share_path("launch", f"{name}.launch.py").read_text())
    functions = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    imports = {node.module for node in tree.body if isinstance(node, ast.ImportFrom)}
    assert "generate_launch_description" in functions and imports == {"vla_ros.bringup.launch"}


needs_launch_ros = pytest.mark.skipif(
    not HAS_LAUNCH_ROS, reason="launch_ros is not on PyPI: verified only on a full ROS 2 install"
)


@needs_launch_ros
@pytest.mark.parametrize("name", LAUNCH_FILES)
def test_launch_description_loads_and_declares_the_bringup_arguments(name):
    from launch import LaunchContext
    from launch.actions import DeclareLaunchArgument
    from launch.launch_description_sources import PythonLaunchDescriptionSource

    source = PythonLaunchDescriptionSource(str(share_path("launch", f"{name}.launch.py")))
    description = source.get_launch_description(
        LaunchContext()
    )  # None fails on every real install
    declared = {a.name for a in description.entities if isinstance(a, DeclareLaunchArgument)}
    expected = (set(LAUNCH_ARGUMENTS) | {"dds_profile"}) - (
        {"robot"} if name != "bringup" else set()
    )
    assert declared == expected


@needs_launch_ros
def test_gazebo_with_a_missing_package_fails_before_any_node_exists(monkeypatch, tmp_path):
    from launch import LaunchContext

    from vla_ros.bringup.launch import _graph
    from vla_ros.core.types import InvalidInput

    context = LaunchContext()
    context.launch_configurations.update(
        {name: default for name, (default, _) in LAUNCH_ARGUMENTS.items()}
    )
    context.launch_configurations["sim"] = "gazebo"
    monkeypatch.setenv("AMENT_PREFIX_PATH", str(tmp_path))  # an install without ros_gz & co.
    with pytest.raises(InvalidInput, match=r"not installed: \['ros_gz_sim'.*nothing was started"):
        _graph(context, "panda")


@needs_launch_ros
def test_dds_profile_is_set_in_the_environment_before_any_node(monkeypatch):
    import os

    from launch import LaunchContext
    from launch.actions import SetEnvironmentVariable

    from vla_ros.bringup.dds import PROFILE_FILE_VARIABLES, dds_environment
    from vla_ros.bringup.launch import _graph

    for name in PROFILE_FILE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    context = LaunchContext()
    context.launch_configurations.update(
        {name: default for name, (default, _) in LAUNCH_ARGUMENTS.items()}
    )
    context.launch_configurations.update({"sim": "false", "dds_profile": "shm"})
    actions = _graph(context, "panda")
    expected = dds_environment("shm", os.environ)
    first = actions[: len(expected)]
    assert all(isinstance(a, SetEnvironmentVariable) for a in first) and expected
    assert not any(isinstance(a, SetEnvironmentVariable) for a in actions[len(expected) :])
