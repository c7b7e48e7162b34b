"""openpi protocol: a real websocket + msgpack server process on loopback serving a tiny torch policy."""

import time
from pathlib import Path

import numpy as np
import pytest
from conftest import free_port, openpi_server
from observations import observation_for

from vla_ros.backends.registry import create_policy
from vla_ros.backends.transport.openpi_websocket import OpenPIServerError
from vla_ros.backends.transport.remote_link import LinkState
from vla_ros.core.types import InvalidInput


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    process = openpi_server(tmp_path_factory.mktemp("openpi")).start()
    yield process
    process.kill()


def droid_policy(robots, port, **options):
    return create_policy(
        "openpi",
        robots["panda"],
        {"card": "pi0_droid", "port": port, "reply_timeout": 5.0, **options},
    )


def test_chunks_from_the_server(server, robots):
    robot = robots["panda"]
    policy = droid_policy(robots, server.port)
    assert policy.link_state == LinkState.DISCONNECTED
    policy.warmup()
    observation = observation_for(robot)
    chunk = policy.infer(observation)
    assert policy.link_state == LinkState.CONNECTED
    assert chunk.actions.shape == (8, 8)  # server sends 10, the card executes 8
    assert chunk.dim_names == robot.command_joints and chunk.stamp == observation.stamp
    # pi0 DROID joint velocities are integrated from the observation-time state: row 0 is that state.
    np.testing.assert_allclose(chunk.actions[0, :7], observation.joint_state.positions[:7])
    assert not np.allclose(chunk.actions[-1, :7], chunk.actions[0, :7])
    # A remote backend reports what the worker cannot see: local encoding, round trip, decoding.
    assert chunk.timing.inference > 0 and chunk.timing.preprocess > 0


def test_request_layout_follows_the_card(server, robots):
    policy = droid_policy(robots, server.port)
    request = policy.request(observation_for(robots["panda"], instruction="stack the cubes"))
    assert set(request) == {
        "observation/exterior_image_1_left",
        "observation/wrist_image_left",
        "observation/joint_position",
        "observation/gripper_position",
        "prompt",
    }
    assert (
        request["observation/exterior_image_1_left"].shape == (224, 224, 3)
        and request["prompt"] == "stack the cubes"
    )
    aloha = create_policy("openpi", robots["aloha"], {"card": "pi0_aloha", "port": server.port})
    nested = aloha.request(observation_for(robots["aloha"]))
    assert set(nested["images"]) == {"cam_high", "cam_low", "cam_left_wrist", "cam_right_wrist"}
    assert nested["images"]["cam_high"].shape == (3, 224, 224) and nested["state"].shape == (14,)


def test_server_side_error_is_reported_with_its_traceback(server, robots):
    policy = create_policy(
        "openpi", robots["aloha"], {"card": "pi0_aloha", "port": server.port, "reply_timeout": 5.0}
    )
    with pytest.raises(OpenPIServerError, match="KeyError"):
        policy.infer(observation_for(robots["aloha"]))
    assert policy.link_state == LinkState.CONNECTED  # the link is fine; the request was wrong


def test_unreachable_server_fails_fast_and_backs_off(robots):
    with pytest.raises(
        InvalidInput,
        match=r"options backoff_initial=30.0 and backoff_max=10.0 need 0 < backoff_initial <= backoff_max",
    ):
        droid_policy(robots, free_port(), backoff_initial=30.0)
    policy = droid_policy(
        robots, free_port(), connect_timeout=2.0, backoff_initial=30.0, backoff_max=60.0
    )
    observation = observation_for(robots["panda"])
    start = time.monotonic()
    with pytest.raises(
        ConnectionError, match=r"openpi server ws://localhost:\d+ unreachable: .*refused"
    ):
        policy.infer(observation)
    with pytest.raises(ConnectionError, match="next reconnect attempt in"):
        policy.infer(observation)
    assert time.monotonic() - start < 2.0 and policy.link_state == LinkState.BACKING_OFF


def test_server_dying_mid_episode_then_coming_back(robots, tmp_path):
    port = free_port()
    process = openpi_server(tmp_path, port=port).start()
    policy = droid_policy(robots, port, backoff_initial=0.2, backoff_max=0.5)
    observation = observation_for(robots["panda"])
    try:
        assert policy.infer(observation).horizon == 8
        process.kill()
        with pytest.raises(ConnectionError, match="connection lost"):
            policy.infer(observation)
        assert policy.link_state == LinkState.BACKING_OFF
        process.start()
        deadline = time.monotonic() + 30
        while True:
            try:
                assert policy.infer(observation).horizon == 8
                break
            except ConnectionError:
                assert time.monotonic() < deadline, "did not reconnect after the server came back"
                time.sleep(0.2)
        assert policy.link_state == LinkState.CONNECTED
    finally:
        process.kill()


def test_reply_without_the_card_action_key(server, robots, tmp_path):
    import yaml

    from vla_ros.core.model.card import load_model_card

    raw = yaml.safe_load(Path(load_model_card("pi0_droid").source).read_text())
    raw["action"]["key"] = "action_chunk"
    (tmp_path / "card.yaml").write_text(yaml.safe_dump(raw))
    policy = create_policy(
        "openpi", robots["panda"], {"card": str(tmp_path / "card.yaml"), "port": server.port}
    )
    with pytest.raises(
        InvalidInput,
        match=r"replied with keys \['actions'\]; model card 'pi0_droid' expects actions under 'action_chunk'",
    ):
        policy.infer(observation_for(robots["panda"]))
