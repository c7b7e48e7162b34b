"""The shared bag reader on real MCAP bags (written with rosbags, payloads serialized by rclpy)."""

from __future__ import annotations

from pathlib import Path

import pytest
from bag_files import write_bag
from sensor_msgs.msg import JointState
from std_msgs.msg import Header

from vla_ros.core.recording.episodes import EpisodeMetadata
from vla_ros.core.types import InvalidInput
from vla_ros.recording.bag_reader import RecordedBag, find_bags
from vla_ros.recording.bag_types import bag_typestore
from vla_ros_msgs.msg import EpisodeEvent

JOINTS = "sensor_msgs/msg/JointState"
EVENT = "vla_ros_msgs/msg/EpisodeEvent"


def event(kind: str, **fields) -> EpisodeEvent:
    return EpisodeEvent(event=kind, seed=fields.pop("seed", -1), **fields)


def joint_state(q: float) -> JointState:
    return JointState(name=["j1"], position=[q])


def two_episodes(path: Path) -> Path:
    messages = [("/joint_states", 0.1 * i, joint_state(0.1 * i)) for i in range(100)]
    messages += [
        ("/vla/episode", 1.0, event("reset", seed=4, instruction="pick")),
        ("/vla/episode", 1.05, event("start", instruction="pick")),
        ("/vla/episode", 4.0, event("end", instruction="pick", success=True, duration=2.95)),
        ("/vla/reset", 5.0, Header()),
        ("/vla/episode", 5.05, event("start", instruction="stack")),
    ]
    return write_bag(path, sorted(messages, key=lambda m: m[1]))


def test_messages_come_deserialized_in_time_order(tmp_path):
    with RecordedBag(two_episodes(tmp_path / "bag")) as bag:
        states = list(bag.messages(["/joint_states"]))
        assert bag.topics["/joint_states"] == JOINTS
    assert [m.time_s for m in states] == pytest.approx([0.1 * i for i in range(100)])
    assert [m.msg.position[0] for m in states] == pytest.approx([0.1 * i for i in range(100)])


def test_a_foreign_bag_is_split_by_its_episode_events(tmp_path):
    with RecordedBag(two_episodes(tmp_path / "bag")) as bag:
        first, second = bag.episodes("panda")
    assert (first.begin_s, first.end_s) == pytest.approx((1.0, 4.5))
    assert first.metadata.seed == 4 and first.metadata.success is True
    assert first.metadata.instruction == "pick"
    assert second.begin_s == pytest.approx(5.0) and second.end_s == pytest.approx(9.9)
    assert second.metadata.instruction == "stack" and second.metadata.success is None


def test_a_recorded_episode_bag_is_one_episode_and_must_match_the_robot(tmp_path):
    meta = EpisodeMetadata(robot="widowx", instruction="put", seed=2, success=False)
    path = write_bag(
        tmp_path / "bag", [("/joint_states", 1.0, joint_state(0.0))], meta.to_custom_data()
    )
    with RecordedBag(path) as bag:
        assert bag.metadata == meta
        [episode] = bag.episodes("widowx")
        assert episode.metadata == meta
        with pytest.raises(InvalidInput, match="recorded on robot 'widowx', not 'panda'"):
            bag.episodes("panda")


def test_find_bags_takes_bags_and_directories_of_bags(tmp_path):
    a = two_episodes(tmp_path / "runs" / "a")
    b = two_episodes(tmp_path / "runs" / "b")
    assert find_bags([tmp_path / "runs"]) == [a, b]
    assert find_bags([b]) == [b]
    with pytest.raises(InvalidInput, match="not a rosbag2 directory"):
        find_bags([tmp_path])


def test_missing_and_mistyped_topics_are_named(tmp_path):
    with RecordedBag(two_episodes(tmp_path / "bag")) as bag:
        with pytest.raises(InvalidInput, match=r"missing topics \['/cam'\]"):
            bag.require({"/cam": "sensor_msgs/msg/Image", "/joint_states": JOINTS})
        with pytest.raises(
            InvalidInput, match="/joint_states is sensor_msgs/msg/JointState, expected"
        ):
            bag.require({"/joint_states": "sensor_msgs/msg/Image"})


def test_a_truncated_bag_is_refused_naming_the_bag(tmp_path):
    path = two_episodes(tmp_path / "bag")
    mcap = next(path.glob("*.mcap"))
    mcap.write_bytes(mcap.read_bytes()[: mcap.stat().st_size // 2])
    with pytest.raises(InvalidInput, match=f"bag {path}"), RecordedBag(path) as bag:
        list(bag.messages(["/joint_states"]))


def test_a_directory_without_a_bag_is_refused(tmp_path):
    with pytest.raises(InvalidInput, match="not a readable rosbag2"):
        RecordedBag(tmp_path)


def test_a_vla_ros_type_recorded_with_another_definition_is_refused(tmp_path):
    path = write_bag(tmp_path / "bag", [("/vla/episode", 1.0, event("start"))])
    metadata = path / "metadata.yaml"
    installed = bag_typestore().hash_rihs01(EVENT)
    metadata.write_text(metadata.read_text().replace(installed, "RIHS01_" + "0" * 64))
    mcap = next(path.glob("*.mcap"))
    mcap.write_bytes(
        mcap.read_bytes().replace(installed.encode(), ("RIHS01_" + "0" * 64).encode())
    )
    with RecordedBag(path) as bag, pytest.raises(InvalidInput, match="another definition"):
        list(bag.messages(["/vla/episode"]))


def test_an_unknown_type_without_a_definition_is_named(tmp_path):
    path = write_bag(tmp_path / "bag", [("/odd", 1.0, joint_state(0.0))])
    with RecordedBag(path) as bag:
        connection = bag._reader.connections[0]
        bag._reader.connections[0] = connection._replace(msgtype="acme_msgs/msg/Odd", msgdef=None)
        with pytest.raises(InvalidInput, match="topic /odd has message type acme_msgs/msg/Odd"):
            list(bag.messages(["/odd"]))


def test_topics_the_bag_lacks_give_no_messages(tmp_path):
    with RecordedBag(two_episodes(tmp_path / "bag")) as bag:
        assert list(bag.messages(["/not/recorded"])) == []
