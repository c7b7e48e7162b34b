"""The demo's recorded bags (conftest `recorded_episodes`): one per episode, each standing alone
with the episode's sensors, the policy's chunks, the safe commands and its metadata."""

import pytest
from rosbags.rosbag2 import Reader

from vla_ros.core.recording.topics import robot_topics
from vla_ros.core.robot.config import load_robot_config
from vla_ros.recording.bag_metadata import read_episode_metadata
from vla_ros.recording.bag_types import bag_typestore, deserialize

pytestmark = [pytest.mark.ros, pytest.mark.sim, pytest.mark.slow]

PANDA = load_robot_config("panda")
CAMERAS = [c.topic for c in PANDA.cameras]
MUST_HOLD = [
    *CAMERAS,
    PANDA.joint_state_topic,
    "/vla/observation",
    "/vla/action_chunk",
    "/vla/command",
    "/vla/safe_joint_command",
    "/vla/instruction",
    "/vla/episode",
    "/clock",
]


def _counts(bag):
    with Reader(bag) as reader:
        return {c.topic: c.msgcount for c in reader.connections}


def test_a_bag_per_episode_holding_the_whole_loop(recorded_episodes):
    for bag in recorded_episodes.bags:
        counts = _counts(bag)
        assert all(counts.get(topic, 0) > 0 for topic in MUST_HOLD), (bag, counts)
        assert set(counts) <= {t.name for t in robot_topics(PANDA)}
        frames = [counts[c] for c in CAMERAS]
        assert max(frames) - min(frames) <= 2  # the sim renders the cameras together


def test_metadata_is_the_demos_episode(recorded_episodes):
    episodes = recorded_episodes.summary()["episodes"]
    for bag, episode in zip(recorded_episodes.bags, episodes, strict=True):
        meta = read_episode_metadata(bag)
        assert bag.name == f"episode_{episodes.index(episode) + 1:03d}_seed{episode['seed']}"
        assert (meta.robot, meta.backend, meta.model_id) == ("panda", "scripted", "scripted_panda")
        assert (meta.seed, meta.instruction) == (episode["seed"], episode["instruction"])
        assert meta.success == episode["success"]
        assert meta.duration_s == pytest.approx(episode["duration_s"], abs=0.05)
        assert meta.start_s < meta.end_s


def test_messages_lie_in_the_episode_and_decode(recorded_episodes):
    store = bag_typestore()
    for bag in recorded_episodes.bags:
        meta = read_episode_metadata(bag)
        with Reader(bag) as reader:
            assert (
                reader.start_time >= int(meta.start_s * 1e9) - 1_500_000_000
            )  # /vla/reset before
            assert reader.end_time <= int((meta.end_s + 0.5) * 1e9)  # the tail after the end
            image_connections = [c for c in reader.connections if c.topic in CAMERAS]
            raw_bytes = 0
            for connection, _, data in reader.messages(connections=image_connections):
                image = deserialize(store, data, connection.msgtype)
                assert (image.width, image.height, image.encoding) == (224, 224, "rgb8")
                assert len(image.data) == 224 * 224 * 3
                raw_bytes += len(data)
        stored = sum(f.stat().st_size for f in bag.glob("*.mcap"))
        assert stored < raw_bytes  # zstd chunks: the frames alone are larger than the whole bag
