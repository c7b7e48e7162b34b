"""The chunk_executor node over real rclpy/DDS: chunk in, commands out at the control cadence."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

rclpy = pytest.importorskip("rclpy")
pytest.importorskip("vla_ros_msgs.msg")

from rclpy.executors import MultiThreadedExecutor  # noqa: E402
from std_msgs.msg import Header  # noqa: E402
from vla_ros_msgs.msg import ActionChunk as ActionChunkMsg  # noqa: E402
from vla_ros_msgs.msg import Command as CommandMsg  # noqa: E402
from vla_ros_msgs.msg import ExecutorStatus  # noqa: E402

from vla_ros.core.robot_config import load_robot_config  # noqa: E402
from vla_ros.core.types import ActionChunk, ActionSpace  # noqa: E402
from vla_ros.nodes.chunk_executor import ChunkExecutorNode  # noqa: E402
from vla_ros.nodes.conversions import chunk_to_msg  # noqa: E402
from vla_ros.nodes.managed import parameter_overrides  # noqa: E402

pytestmark = pytest.mark.ros


def wait_for(predicate, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


@pytest.fixture
def graph():
    rclpy.init()
    robot = load_robot_config("panda")
    node = ChunkExecutorNode(parameter_overrides=parameter_overrides({"robot": "panda", "control_rate_hz": 50.0}))
    probe = rclpy.create_node("chunk_executor_probe")
    received: dict[str, list] = {"commands": [], "requests": [], "status": []}
    probe.create_subscription(CommandMsg, "/vla/command", received["commands"].append, 100)
    probe.create_subscription(Header, "/vla/inference_request", received["requests"].append, 10)
    probe.create_subscription(ExecutorStatus, "/vla/executor_status", received["status"].append, 10)
    chunk_pub = probe.create_publisher(ActionChunkMsg, "/vla/action_chunk", 10)
    executor = MultiThreadedExecutor(num_threads=2)
    executor.add_node(node)
    executor.add_node(probe)
    thread = threading.Thread(target=executor.spin, daemon=True)
    thread.start()
    try:
        yield robot, node, probe, chunk_pub, received
    finally:
        executor.shutdown(timeout_sec=2.0)
        node.destroy_node()
        probe.destroy_node()
        rclpy.try_shutdown()
        thread.join(timeout=2.0)


def test_chunk_becomes_commands_and_bad_chunk_is_rejected(graph):
    robot, node, probe, chunk_pub, received = graph
    assert wait_for(lambda: chunk_pub.get_subscription_count() > 0)
    # Nothing before the first chunk, but the executor asks for one.
    assert wait_for(lambda: received["requests"])
    assert not received["commands"]

    now = probe.get_clock().now().nanoseconds * 1e-9
    horizon, dt = 25, 0.04  # one second of actions
    actions = robot.home + 0.05 * np.linspace(0.0, 1.0, horizon)[:, None] * np.ones(len(robot.command_joints))
    chunk = ActionChunk(now, dt, actions, robot.command_joints, ActionSpace.JOINT_POSITION)
    chunk_pub.publish(chunk_to_msg(chunk))
    assert wait_for(lambda: len(received["commands"]) >= 20)
    first = received["commands"][0]
    assert list(first.dim_names) == list(robot.command_joints)
    assert first.action_space == "joint_position"
    assert len(first.values) == len(first.velocities) == len(robot.command_joints)

    # A chunk with the wrong dimension is rejected, and the node keeps commanding the good plan.
    bad = ActionChunk(now, dt, actions[:, :3], robot.command_joints[:3], ActionSpace.JOINT_POSITION)
    chunk_pub.publish(chunk_to_msg(bad))
    assert wait_for(lambda: any(s.chunks_rejected >= 1 for s in received["status"]))
    count = len(received["commands"])
    assert wait_for(lambda: len(received["commands"]) >= count + 10)
    stamps = [c.header.stamp.sec + c.header.stamp.nanosec * 1e-9 for c in received["commands"]]
    assert all(b > a for a, b in zip(stamps, stamps[1:]))
