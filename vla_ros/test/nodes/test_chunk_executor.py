"""The chunk_executor node over real rclpy/DDS: chunk in, commands out at the control cadence."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("rclpy")
pytest.importorskip("vla_ros_msgs.msg")

from diagnostic_msgs.msg import DiagnosticArray
from sensor_msgs.msg import JointState as JointStateMsg
from std_msgs.msg import Header

from vla_ros.core.robot.config import load_robot_config
from vla_ros.core.types import ActionChunk, ActionSpace
from vla_ros.nodes.chunk_executor import ChunkExecutorNode
from vla_ros.nodes.conversions import chunk_to_msg
from vla_ros.nodes.managed import parameter_overrides, s_to_stamp
from vla_ros_msgs.msg import ActionChunk as ActionChunkMsg
from vla_ros_msgs.msg import Command as CommandMsg
from vla_ros_msgs.msg import ExecutorStatus

pytestmark = pytest.mark.ros


@pytest.fixture
def graph(ros):
    robot = load_robot_config("panda")
    node = ros.add(
        ChunkExecutorNode(
            parameter_overrides=parameter_overrides({"robot": "panda", "control_rate_hz": 50.0})
        )
    )
    received: dict[str, list] = {
        "commands": ros.collect(CommandMsg, "/vla/command", 100),
        "requests": ros.collect(Header, "/vla/inference_request"),
        "status": ros.collect(ExecutorStatus, "/vla/executor_status"),
    }
    chunk_pub = ros.publisher(ActionChunkMsg, "/vla/action_chunk")
    return robot, node, ros.probe, chunk_pub, received


def test_chunk_becomes_commands_and_bad_chunk_is_rejected(ros, graph):
    robot, node, probe, chunk_pub, received = graph
    assert ros.wait_for(lambda: chunk_pub.get_subscription_count() > 0)
    # Nothing before the first chunk, but the executor asks for one.
    assert ros.wait_for(lambda: received["requests"])
    assert not received["commands"]

    now = probe.get_clock().now().nanoseconds * 1e-9
    horizon, dt = 25, 0.04  # one second of actions
    actions = robot.home + 0.05 * np.linspace(0.0, 1.0, horizon)[:, None] * np.ones(
        len(robot.command_joints)
    )
    chunk = ActionChunk(now, dt, actions, robot.command_joints, ActionSpace.JOINT_POSITION)
    chunk_pub.publish(chunk_to_msg(chunk))
    assert ros.wait_for(lambda: len(received["commands"]) >= 20)
    first = received["commands"][0]
    assert list(first.dim_names) == list(robot.command_joints)
    assert first.action_space == "joint_position"
    assert len(first.values) == len(first.velocities) == len(robot.command_joints)

    # A chunk with the wrong dimension is rejected, and the node keeps commanding the good plan.
    bad = ActionChunk(
        now, dt, actions[:, :3], robot.command_joints[:3], ActionSpace.JOINT_POSITION
    )
    chunk_pub.publish(chunk_to_msg(bad))
    assert ros.wait_for(lambda: any(s.chunks_rejected >= 1 for s in received["status"]))
    count = len(received["commands"])
    assert ros.wait_for(lambda: len(received["commands"]) >= count + 10)
    stamps = [c.header.stamp.sec + c.header.stamp.nanosec * 1e-9 for c in received["commands"]]
    backwards = [(a, b) for a, b in zip(stamps, stamps[1:]) if not b > a]
    assert not backwards, f"command stamps not increasing: {backwards[:3]}"


def test_a_future_stamped_chunk_does_not_lock_out_real_ones(ros, graph):
    robot, node, probe, chunk_pub, received = graph
    assert ros.wait_for(lambda: chunk_pub.get_subscription_count() > 0)
    now = probe.get_clock().now().nanoseconds * 1e-9
    actions = np.tile(robot.home, (25, 1))
    chunk_pub.publish(
        chunk_to_msg(
            ActionChunk(
                now + 3600.0, 0.04, actions, robot.command_joints, ActionSpace.JOINT_POSITION
            )
        )
    )
    assert ros.wait_for(lambda: node._executor.stats(now).chunks_received == 1)
    now = probe.get_clock().now().nanoseconds * 1e-9
    chunk_pub.publish(
        chunk_to_msg(
            ActionChunk(now, 0.04, actions, robot.command_joints, ActionSpace.JOINT_POSITION)
        )
    )
    assert ros.wait_for(lambda: len(received["commands"]) >= 10), "the real chunk runs"
    stats = node._executor.stats(now)
    assert (stats.future_chunks, stats.out_of_order) == (1, 0)


def test_a_joint_state_stamped_in_the_future_is_not_where_the_first_plan_starts(ros, graph):
    """A first plan is bridged from the robot's state: a well-formed state of all zeros stamped
    an hour ahead (the fault suite's flood) was taken as it, and the plan began at the zero pose."""
    robot, node, probe, chunk_pub, received = graph
    diagnostics = ros.collect(DiagnosticArray, "/diagnostics", 1000)
    states = ros.publisher(JointStateMsg, "/joint_states")
    assert ros.wait_for(lambda: chunk_pub.get_subscription_count() > 0)
    names = list(robot.command_joints)
    now = probe.get_clock().now().nanoseconds * 1e-9
    for stamp, positions in ((now, robot.home), (now + 3600.0, np.zeros(len(names)))):
        states.publish(
            JointStateMsg(
                header=Header(stamp=s_to_stamp(stamp)), name=names, position=list(positions)
            )
        )
        ros.wait_for(lambda: False, 0.2)
    actions = np.tile(robot.home + 0.05, (25, 1))
    now = probe.get_clock().now().nanoseconds * 1e-9
    chunk_pub.publish(
        chunk_to_msg(ActionChunk(now, 0.04, actions, names, ActionSpace.JOINT_POSITION))
    )
    assert ros.wait_for(lambda: received["commands"])
    first = np.array(received["commands"][0].values)
    assert np.abs(first - robot.home).max() < 0.05 + 1e-6, first
    assert ros.diagnosed(diagnostics, "rejected joint state: joint state stamped", "future")
