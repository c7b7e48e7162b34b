"""vla_policy node with real model backends over real DDS: chunks out, every failure reported, node alive."""

from pathlib import Path

import numpy as np
import pytest
from conftest import free_port, openpi_server
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
from observations import observation_for

from vla_ros.core.types import ActionChunk as CoreChunk
from vla_ros.core.types import ActionSpace
from vla_ros.nodes.conversions import chunk_from_msg, chunk_to_msg, observation_to_msg
from vla_ros.nodes.managed import parameter_overrides
from vla_ros.nodes.vla_policy import VlaPolicyNode
from vla_ros_msgs.msg import ActionChunk, Observation

pytestmark = pytest.mark.ros


def policy_node(ros, **parameters):
    """The node and the diagnostics it publishes (re-configured once the probe listens, if it failed)."""
    diagnostics = ros.collect(DiagnosticArray, "/diagnostics", 50)
    node = ros.add(VlaPolicyNode(parameter_overrides=parameter_overrides(parameters)))
    assert ros.wait_for(lambda: node._diagnostics.get_subscription_count() > 0)
    if not node.is_active:
        node.trigger_configure()
    return node, diagnostics


def messages(diagnostics, level):
    return [s.message for array in list(diagnostics) for s in array.status if s.level == level]


def widowx_lerobot_node(ros, checkpoint):
    """An active vla_policy serving `checkpoint` on the WidowX, and the chunks it publishes."""
    chunks = ros.collect(ActionChunk, "/vla/action_chunk")
    node, _ = policy_node(
        ros,
        robot="widowx",
        backend="lerobot",
        device="cpu",
        backend_options=f"{{checkpoint: '{checkpoint}'}}",
    )
    assert node.is_active
    return node, chunks


def test_lerobot_act_checkpoint_serves_chunks_through_the_node(ros, checkpoints, robots):
    robot = robots["widowx"]
    _, chunks = widowx_lerobot_node(ros, checkpoints("act"))
    publisher = ros.publisher(Observation, "/vla/observation")
    assert ros.wait_for(lambda: publisher.get_subscription_count() > 0)
    observation = observation_for(robot, stamp=ros.now())
    publisher.publish(observation_to_msg(observation))
    assert ros.wait_for(lambda: chunks, 30.0)
    chunk = chunks[0]
    assert list(chunk.dim_names) == list(robot.command_joints) and chunk.horizon == 10
    assert chunk.header.stamp == observation_to_msg(observation).header.stamp
    assert chunk.inference_latency > 0.0 and chunk.model_id


def test_an_inpainting_policy_keeps_the_prefix_it_receives_on_rtc_prefix(ros, checkpoints, robots):
    """flow_film over the node: the newest /vla/rtc_prefix is what the chunk starts with."""
    robot = robots["widowx"]
    node, chunks = widowx_lerobot_node(ros, checkpoints("flow_film"))
    observation = observation_for(robot, stamp=ros.now())
    rows = np.tile(robot.home, (3, 1)) + 0.05
    rows[:, -1] = robot.arms[0].gripper.open_position
    prefix = CoreChunk(
        observation.stamp, 0.1, rows, robot.command_joints, ActionSpace.JOINT_POSITION
    )
    prefixes = ros.publisher(ActionChunk, "/vla/rtc_prefix")
    observations = ros.publisher(Observation, "/vla/observation")
    assert ros.wait_for(lambda: prefixes.get_subscription_count() > 0)
    prefixes.publish(chunk_to_msg(prefix))
    assert ros.wait_for(lambda: node._rtc_prefix is not None)
    assert ros.wait_for(lambda: observations.get_subscription_count() > 0)
    observations.publish(observation_to_msg(observation))
    assert ros.wait_for(lambda: chunks, 30.0)
    np.testing.assert_allclose(chunk_from_msg(chunks[0]).actions[:3], rows, atol=1e-5)


def test_missing_checkpoint_fails_configure_with_the_path(ros, tmp_path):
    node, diagnostics = policy_node(
        ros,
        robot="widowx",
        backend="lerobot",
        backend_options=f"{{checkpoint: '{tmp_path / 'nowhere'}'}}",
    )
    assert not node.is_active
    assert ros.wait_for(
        lambda: any("nowhere" in m for m in messages(diagnostics, DiagnosticStatus.ERROR))
    )


def test_card_that_does_not_fit_the_robot_fails_configure(ros):
    node, diagnostics = policy_node(
        ros, robot="widowx", backend="openpi", backend_options="{card: pi0_droid, port: 9}"
    )
    assert not node.is_active
    assert ros.wait_for(
        lambda: any(
            "pi0_droid" in m or "dims" in m for m in messages(diagnostics, DiagnosticStatus.ERROR)
        )
    )


def test_unreachable_server_is_reported_and_the_node_keeps_serving(ros, robots):
    robot = robots["panda"]
    chunks = ros.collect(ActionChunk, "/vla/action_chunk")
    node, diagnostics = policy_node(
        ros,
        robot="panda",
        backend="openpi",
        backend_options=f"{{card: pi0_droid, port: {free_port()}, connect_timeout: 0.5}}",
    )
    assert node.is_active, "a server that is not up yet does not stop the node"
    publisher = ros.publisher(Observation, "/vla/observation")
    assert ros.wait_for(lambda: publisher.get_subscription_count() > 0)
    publisher.publish(observation_to_msg(observation_for(robot, stamp=ros.now())))
    assert ros.wait_for(
        lambda: any(
            "ConnectionError" in m or "inference" in m
            for m in messages(diagnostics, DiagnosticStatus.ERROR)
        )
    )
    assert not chunks, "no chunk means the executor runs dry and the safety projector holds"

    def link_states():
        return [
            kv.value
            for a in list(diagnostics)
            for s in a.status
            for kv in s.values
            if kv.key == "link_state"
        ]

    assert ros.wait_for(
        lambda: "backing_off" in link_states() or "disconnected" in link_states(), 3.0
    )


def _connections_to(port: int) -> int:
    """Established TCP connections from this machine to 127.0.0.1:`port` (client side, /proc/net/tcp)."""
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        remote_port, state = int(fields[2].split(":")[1], 16), fields[3]
        count += remote_port == port and state == "01"
    return count


def test_lifecycle_cycles_close_the_backend_every_time(ros, tmp_path):
    """Five configure/activate/deactivate/cleanup rounds against a real openpi server: one connection
    while configured, none after cleanup (the backend is closed), never one more per round."""
    from lifecycle_cycles import CYCLE, change_state

    server = openpi_server(tmp_path).start()
    try:
        node = ros.add(
            VlaPolicyNode(
                parameter_overrides=parameter_overrides(
                    {
                        "robot": "panda",
                        "backend": "openpi",
                        "autostart": False,
                        "backend_options": f"{{card: pi0_droid, port: {server.port}, reply_timeout: 5.0}}",
                    }
                )
            )
        )
        connections = []
        for _ in range(5):
            for label, transition, _ in CYCLE:
                assert change_state(ros, node.get_name(), transition), f"{label} failed"
                connections.append((label, _connections_to(server.port)))
        expected = [("configure", 1), ("activate", 1), ("deactivate", 1), ("cleanup", 0)] * 5
        assert connections == expected
    finally:
        server.kill()
