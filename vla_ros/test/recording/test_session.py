"""The recorder's writer side without DDS: which bag a message lands in, what each bag starts with,
what stays outside, and the counts that must add up."""

from collections import Counter

import pytest

pytest.importorskip("vla_ros_msgs")

from vla_ros.recording.bag_file import TopicInfo
from vla_ros.recording.bag_metadata import read_episode_metadata
from vla_ros.recording.bag_types import bag_typestore
from vla_ros.recording.session import RecordingOptions, RecordingSession

STORE = bag_typestore()
S = 1_000_000_000
JOINTS = TopicInfo("/joint_states", "sensor_msgs/msg/JointState")
EVENTS = TopicInfo("/vla/episode", "vla_ros_msgs/msg/EpisodeEvent")
RESETS = TopicInfo("/vla/reset", "std_msgs/msg/Header")
INSTRUCTION = TopicInfo("/vla/instruction", "std_msgs/msg/String")


def _cdr(topic: TopicInfo, **fields) -> bytes:
    msg_class = STORE.types[topic.msgtype]
    time = STORE.types["builtin_interfaces/msg/Time"](sec=0, nanosec=0)
    defaults = {
        "sensor_msgs/msg/JointState": lambda: dict(
            header=STORE.types["std_msgs/msg/Header"](stamp=time, frame_id=""),
            name=[],
            position=_array(),
            velocity=_array(),
            effort=_array(),
        ),
        "vla_ros_msgs/msg/EpisodeEvent": lambda: dict(
            header=STORE.types["std_msgs/msg/Header"](stamp=time, frame_id=""),
            event="",
            instruction="",
            seed=-1,
            success=False,
            message="",
            duration=0.0,
        ),
        "std_msgs/msg/Header": lambda: dict(stamp=time, frame_id="episode_reset"),
        "std_msgs/msg/String": lambda: dict(data=""),
    }[topic.msgtype]()
    return bytes(STORE.serialize_cdr(msg_class(**{**defaults, **fields}), topic.msgtype))


def _array():
    import numpy as np

    return np.zeros(0, dtype=np.float64)


@pytest.fixture
def session(tmp_path):
    lines = []
    session = RecordingSession(
        RecordingOptions(tmp_path, "panda", backend="scripted"), STORE, lines.append
    )
    for topic in (JOINTS, EVENTS, RESETS):
        session.add_topic(topic, latched=topic is EVENTS)
    session.add_topic(INSTRUCTION, latched=True)
    session.lines = lines
    return session


def _bag_counts(bag) -> Counter:
    from rosbags.rosbag2 import Reader

    with Reader(bag) as reader:
        return Counter({c.topic: c.msgcount for c in reader.connections})


def test_messages_before_the_sim_clock_are_stamped_with_its_first_reading(session):
    session.message(JOINTS.name, 0, _cdr(JOINTS))  # sim time not started yet
    session.message(JOINTS.name, 5 * S, _cdr(JOINTS))
    session.finish()
    assert session.outside[JOINTS.name] == 2 and not session.closed  # no episode: no bag


def test_an_episode_bag_with_the_reset_before_it_the_instruction_in_force_and_its_tail(session):
    session.message(INSTRUCTION.name, 1 * S, _cdr(INSTRUCTION, data="old"))
    session.message(RESETS.name, 9 * S, _cdr(RESETS))  # just before the EpisodeEvent reset
    session.message(EVENTS.name, 10 * S, _cdr(EVENTS, event="reset", seed=4))
    session.message(EVENTS.name, 10 * S + 1, _cdr(EVENTS, event="start", instruction="pick"))
    for t in range(11, 15):
        session.message(JOINTS.name, t * S, _cdr(JOINTS))
    session.message(EVENTS.name, 15 * S, _cdr(EVENTS, event="end", success=True, duration=5.0))
    session.message(JOINTS.name, 15 * S + S // 4, _cdr(JOINTS))  # inside the 0.5 s tail
    session.message(JOINTS.name, 16 * S, _cdr(JOINTS))  # after it: closes the bag, outside
    assert [b.path.name for b in session.closed] == ["episode_001_seed4"]
    bag = session.closed[0].path
    counts = _bag_counts(bag)
    assert counts == Counter(
        {"/joint_states": 5, "/vla/episode": 3, "/vla/reset": 1, "/vla/instruction": 1}
    )
    meta = read_episode_metadata(bag)
    assert (meta.seed, meta.instruction, meta.success, meta.backend) == (
        4,
        "pick",
        True,
        "scripted",
    )
    assert session.outside == Counter({"/joint_states": 1, "/vla/instruction": 1})
    assert session.written["/vla/instruction"] == 0  # re-written copies are not counted as written
    assert session.lines == [
        "[record] episode_001_seed4: 'pick' SUCCESS in 5.0 s 9 messages on 3 topics, "
        f"{session.closed[0].size_bytes / 1e6:.1f} MB"
    ]


def test_an_unfinished_episode_is_closed_at_the_end_with_success_unknown(session):
    session.message(EVENTS.name, 1 * S, _cdr(EVENTS, event="reset", seed=2))
    session.message(JOINTS.name, 2 * S, _cdr(JOINTS))
    session.finish()
    (bag,) = session.closed
    assert read_episode_metadata(bag.path).success is None
    assert bag.written == Counter({"/joint_states": 1, "/vla/episode": 1})


def test_an_unknown_event_is_reported_and_ignored(session):
    session.message(EVENTS.name, 1 * S, _cdr(EVENTS, event="pause"))
    session.finish()
    assert session.warnings == [
        "/vla/episode: unknown episode event 'pause' (reset, start or end); event ignored"
    ]
    assert session.outside["/vla/episode"] == 1


def test_a_bag_closed_before_the_backend_is_known_says_so(tmp_path):
    session = RecordingSession(RecordingOptions(tmp_path, "panda"), STORE, print)
    session.add_topic(EVENTS, latched=True)
    session.message(EVENTS.name, 1 * S, _cdr(EVENTS, event="reset", seed=2))
    session.finish()
    assert read_episode_metadata(session.closed[0].path).backend == ""
    assert session.warnings == [
        "an episode's bag closed before the policy node said its backend: the metadata names none "
        "(pass --backend to say it)"
    ]


def test_split_none_is_one_bag_without_episode_metadata(tmp_path):
    session = RecordingSession(RecordingOptions(tmp_path, "panda", split="none"), STORE, print)
    session.add_topic(JOINTS, latched=False)
    session.add_topic(EVENTS, latched=True)
    session.add_topic(INSTRUCTION, latched=True)
    session.message(INSTRUCTION.name, 1 * S, _cdr(INSTRUCTION, data="pick"))  # opens the bag
    session.message(JOINTS.name, 1 * S, _cdr(JOINTS))
    session.message(EVENTS.name, 2 * S, _cdr(EVENTS, event="reset", seed=1))
    session.message(JOINTS.name, 3 * S, _cdr(JOINTS))
    session.finish()
    (bag,) = session.closed
    assert bag.path.name == "recording_001" and read_episode_metadata(bag.path) is None
    assert bag.written == Counter({"/joint_states": 2, "/vla/episode": 1, "/vla/instruction": 1})
    assert _bag_counts(bag.path)["/vla/instruction"] == 1  # not re-written on top


def test_a_bad_split_mode_is_refused(tmp_path):
    from vla_ros.core.types import InvalidInput

    with pytest.raises(InvalidInput, match="--split 'daily'"):
        RecordingOptions(tmp_path, "panda", split="daily")
