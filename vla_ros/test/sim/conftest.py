import pytest

from vla_ros.core.robot.config import available_robots, load_robot_config
from vla_ros.sim.world import SimWorld

_worlds: dict = {}


def world_of(robot_name: str) -> SimWorld:
    """One compiled world per robot for the whole session (compiling and EGL contexts cost time)."""
    if robot_name not in available_robots():
        pytest.skip(f"robot '{robot_name}' has no config in config/robots yet")
    if robot_name not in _worlds:
        _worlds[robot_name] = SimWorld(load_robot_config(robot_name))
    return _worlds[robot_name]


@pytest.fixture
def world_of_robot():
    """world(robot_name) -> the session's SimWorld of that robot."""
    return world_of
