"""The whole graph over real DDS with real MuJoCo: one scripted-expert episode must succeed.

sim -> camera_ingest -> vla_policy (scripted expert) -> chunk_executor -> safety_projector ->
moveit_bridge -> sim's trajectory controllers, composed in one process (or one process per node)
by the same code as `vla-ros run`, driven through /sim/reset and the RunTask action like the demo.
"""

import numpy as np
import pytest

pytest.importorskip("rclpy")
pytest.importorskip("mujoco")

from vla_ros.cli import graph  # noqa: E402
from vla_ros.core.graph import BringupArgs  # noqa: E402
from vla_ros.core.robot_config import load_robot_config  # noqa: E402
from vla_ros.demo.episode_runner import EpisodeRunner  # noqa: E402

pytestmark = [pytest.mark.ros, pytest.mark.sim, pytest.mark.slow]


@pytest.mark.parametrize(
    "robot_name, instruction, multiprocess",
    [
        ("panda", "put the red cube in the bowl", False),
        ("widowx", "stack the green cube on the blue cube", False),
        ("aloha", "transfer the red cube", False),
        ("panda", "stack the green cube on the blue cube", True),
    ],
    ids=["panda", "widowx", "aloha-bimanual", "panda-multiprocess"],
)
def test_one_episode_through_the_whole_graph(robot_name, instruction, multiprocess, tmp_path):
    robot = load_robot_config(robot_name)
    bringup = BringupArgs(robot=robot_name, instruction=instruction, seed=1)
    runner_factory = lambda: EpisodeRunner(robot, None)  # noqa: E731
    with graph(bringup, multiprocess=multiprocess, log_dir=tmp_path / "logs", client_factory=runner_factory) as runner:
        runner.wait_for_graph(timeout_s=60.0)
        result = runner.run_episode(seed=1, instruction=instruction, timeout_s=60.0, record=True)
    assert result.success, f"episode failed: {result.message}"
    commanded = np.array([q for _, q in runner.commanded])
    assert len(commanded) > 100, "the robot was commanded through the safety projector at the control rate"
    lower, upper = robot.limits.lower, robot.limits.upper
    assert np.all(commanded >= lower - 1e-9) and np.all(commanded <= upper + 1e-9)
    assert runner.metrics.latencies_s and max(runner.metrics.latencies_s) < 5.0
