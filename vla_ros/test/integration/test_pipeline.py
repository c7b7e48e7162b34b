"""The whole graph over real DDS with real MuJoCo: one scripted-expert episode must succeed.

sim -> camera_ingest -> vla_policy (scripted expert) -> chunk_executor -> safety_projector ->
moveit_bridge -> sim's trajectory controllers, composed in one process, with the control group in a
child process (split, the CLI's default) or one process per node by the same code as `vla-ros run`,
driven through /sim/reset and the RunTask action like the demo.
"""

import numpy as np
import pytest

pytest.importorskip("rclpy")
pytest.importorskip("mujoco")

from vla_ros.bringup.graph import BringupArgs
from vla_ros.core.robot.config import load_robot_config
from vla_ros.demo.episode_runner import EpisodeRunner
from vla_ros.nodes.composition import running_graph
from vla_ros.testing.observer import GraphObserver

pytestmark = [pytest.mark.ros, pytest.mark.sim, pytest.mark.slow]


@pytest.mark.parametrize(
    "robot_name, instruction, processes",
    [
        ("panda", "put the red cube in the bowl", "split"),
        ("widowx", "stack the green cube on the blue cube", "one"),
        ("aloha", "transfer the red cube", "split"),
        ("panda", "stack the green cube on the blue cube", "each"),
    ],
    ids=["panda-split", "widowx-one", "aloha-bimanual-split", "panda-each"],
)
def test_one_episode_through_the_whole_graph(robot_name, instruction, processes, tmp_path):
    robot = load_robot_config(robot_name)
    bringup = BringupArgs(robot=robot_name, instruction=instruction, seed=1)
    runner_factory = lambda: EpisodeRunner(robot, None)  # noqa: E731
    observer_factory = lambda: GraphObserver(robot, [])  # noqa: E731 - what to say on a failure
    with running_graph(
        bringup,
        processes=processes,
        log_dir=tmp_path / "logs",
        clients=[runner_factory, observer_factory],
    ) as up:
        runner, observer = up.clients
        runner.wait_for_graph(timeout_s=60.0)
        result = runner.run_episode(seed=1, instruction=instruction, timeout_s=60.0, record=True)
        holds, _, violations, _ = observer.snapshot()
        errors = observer.errors_since(0)
    assert result.success, (
        f"episode failed: {result.message}; first lifted {result.first_lifted!r}, "
        f"{len(runner.metrics.latencies_s)} chunks, {len(runner.commanded)} safe commands, "
        f"projector holds (ticks by reason) {dict(holds)}, judged violations {violations}, "
        f"ERROR diagnostics {errors[-5:]}"
    )
    assert result.instructed_first, f"first cube lifted: {result.first_lifted!r}"
    commanded = np.array([q for _, q in runner.commanded])
    assert len(commanded) > 100, (
        "the robot was commanded through the safety projector at the control rate"
    )
    lower, upper = robot.limits.lower, robot.limits.upper
    assert np.all(commanded >= lower - 1e-9) and np.all(commanded <= upper + 1e-9)
    assert runner.metrics.latencies_s and max(runner.metrics.latencies_s) < 5.0


def test_bad_chunks_mid_episode_are_rejected_and_the_episode_still_succeeds(tmp_path):
    """NaN and wrong-dimension chunks hit the running graph: reported, never executed, task still done."""
    import threading

    from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus

    from vla_ros_msgs.msg import ActionChunk as ActionChunkMsg

    robot = load_robot_config("panda")
    instruction = "put the red cube in the bowl"
    bringup = BringupArgs(robot="panda", instruction=instruction, seed=2)
    with running_graph(
        bringup, processes="one", log_dir=None, clients=[lambda: EpisodeRunner(robot, None)]
    ) as up:
        runner = up.clients[0]
        errors: list[str] = []
        runner.create_subscription(
            DiagnosticArray,
            "/diagnostics",
            lambda msg: errors.extend(
                s.message for s in msg.status if s.level == DiagnosticStatus.ERROR
            ),
            50,
        )
        bad_pub = runner.create_publisher(ActionChunkMsg, "/vla/action_chunk", 10)
        runner.wait_for_graph(timeout_s=60.0)

        def inject() -> None:
            now = runner.get_clock().now().to_msg()
            dims = list(robot.command_joints)
            nan = ActionChunkMsg(
                dt=0.1,
                horizon=2,
                dim_names=dims,
                action_space="joint_position",
                data=[float("nan")] * (2 * len(dims)),
            )
            wrong = ActionChunkMsg(
                dt=0.1,
                horizon=2,
                dim_names=dims[:3],
                action_space="joint_position",
                data=[0.0] * 6,
            )
            for bad in (nan, wrong):
                bad.header.stamp = now
                bad_pub.publish(bad)

        timer = threading.Timer(3.0, inject)
        timer.start()
        result = runner.run_episode(seed=2, instruction=instruction, timeout_s=60.0, record=True)
        timer.cancel()
    assert result.success, result.message
    assert any("non-finite" in e for e in errors), errors[:5]
    assert any("dims" in e or "dimension" in e for e in errors), errors[:5]
    commanded = np.array([q for _, q in runner.commanded])
    assert np.all(np.isfinite(commanded))
