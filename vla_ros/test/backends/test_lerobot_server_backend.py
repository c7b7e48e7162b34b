"""LeRobot's real async-inference PolicyServer (a process on loopback) serving the tiny ACT."""

import time

import numpy as np
import pytest
from conftest import free_port, lerobot_policy_server
from observations import observation_for

from vla_ros.backends.registry import create_policy
from vla_ros.backends.transport.remote_link import LinkState
from vla_ros.core.types import InvalidInput


def options(checkpoint, port, **extra):
    return {
        "allow_pickle": True,
        "port": port,
        "policy_type": "act",
        "checkpoint": str(checkpoint),
        "server_device": "cpu",
        "card": str(checkpoint / "vla_ros_card.yaml"),
        "connect_timeout": 30.0,
        **extra,
    }


def test_refused_without_allow_pickle(checkpoints, robots):
    with pytest.raises(
        InvalidInput,
        match=r"pickles, and unpickling a reply runs whatever code .*allow_pickle: true",
    ):
        create_policy(
            "lerobot_server",
            robots["widowx"],
            {"policy_type": "act", "checkpoint": "x", "card": "smolvla_widowx"},
        )


def test_card_keys_must_be_lerobot_names(robots):
    with pytest.raises(
        InvalidInput,
        match=r"must name cameras observation.images.<name> and one state 'observation.state'",
    ):
        create_policy(
            "lerobot_server",
            robots["panda"],
            {"allow_pickle": True, "policy_type": "pi0", "checkpoint": "x", "card": "pi0_droid"},
        )


def test_policy_server_serves_the_same_chunk_as_the_local_backend_and_dies(
    checkpoints, robots, tmp_path
):
    robot = robots["widowx"]
    checkpoint = checkpoints("act")
    server = lerobot_policy_server(tmp_path).start()
    try:
        remote = create_policy(
            "lerobot_server", robot, options(checkpoint, server.port, backoff_initial=0.2)
        )
        remote.warmup()
        assert remote.link_state == LinkState.CONNECTED
        observation = observation_for(robot, seed=5)
        chunk = remote.infer(observation)
        local = create_policy(
            "lerobot", robot, {"checkpoint": str(checkpoint), "device": "cpu"}
        ).infer(observation)
        assert chunk.actions.shape == (10, 7) and chunk.dim_names == robot.command_joints
        np.testing.assert_allclose(chunk.actions, local.actions, atol=1e-5)
        remote.reset()
        np.testing.assert_allclose(remote.infer(observation).actions, chunk.actions, atol=1e-5)
        server.kill()
        start = time.monotonic()
        with pytest.raises(ConnectionError, match="PolicyServer at localhost:"):
            remote.infer(observation)
        assert time.monotonic() - start < 10 and remote.link_state == LinkState.BACKING_OFF
    finally:
        server.kill()


def test_unreachable_policy_server(checkpoints, robots):
    policy = create_policy(
        "lerobot_server",
        robots["widowx"],
        options(checkpoints("act"), free_port(), connect_timeout=1.0),
    )
    start = time.monotonic()
    with pytest.raises(
        ConnectionError, match=r"no PolicyServer answering at localhost:\d+ within 1.0 s"
    ):
        policy.infer(observation_for(robots["widowx"]))
    assert time.monotonic() - start < 5
