"""`vla-ros record` in its own process against publishers of this test (no sim): one bag per
episode, split at the EpisodeEvents, every reliable message written where it belongs."""

import signal
import subprocess
import sys
import time
from types import SimpleNamespace

import pytest
from rosbags.rosbag2 import Reader

from vla_ros.recording.bag_metadata import read_episode_metadata

pytestmark = [pytest.mark.ros]

RECORDED = ("/joint_states", "/vla/episode", "/vla/instruction", "/vla/reset")


def _start_recorder(out, *extra, backend="scripted"):
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "vla_ros.cli",
            "record",
            "--robot",
            "panda",
            "--out",
            str(out),
            *(["--backend", backend] if backend else []),
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _wait_subscribed(ros, topics, recorder):
    def subscribed():
        return all(
            any(
                i.node_name == "vla_recorder" for i in ros.probe.get_subscriptions_info_by_topic(t)
            )
            for t in topics
        )

    assert ros.wait_for(subscribed, 30.0), recorder.stdout.read() if recorder.poll() else "timeout"


def _stop(recorder, signal_number=signal.SIGINT) -> str:
    recorder.send_signal(signal_number)
    output, _ = recorder.communicate(timeout=30)
    assert recorder.returncode == 0, output
    return output


def _counts(bag):
    with Reader(bag) as reader:
        counts = {c.topic: c.msgcount for c in reader.connections}
    return counts, read_episode_metadata(bag)


def test_a_bag_per_episode_with_every_reliable_message(ros, tmp_path):
    from sensor_msgs.msg import JointState
    from std_msgs.msg import Header, String

    from vla_ros.nodes.qos import EPISODE_EVENTS, LATCHED
    from vla_ros_msgs.msg import EpisodeEvent

    recorder = _start_recorder(tmp_path)
    joints = ros.publisher(JointState, "/joint_states", 100)
    events = ros.publisher(EpisodeEvent, "/vla/episode", EPISODE_EVENTS)
    instruction = ros.publisher(String, "/vla/instruction", LATCHED)
    reset = ros.publisher(Header, "/vla/reset", 10)
    instruction.publish(String(data="stack the cubes"))
    _wait_subscribed(ros, RECORDED, recorder)

    def publish_joints(count):
        for i in range(count):
            joints.publish(JointState(name=["a"], position=[float(i)]))
            time.sleep(0.002)

    def event(kind, **fields):
        events.publish(EpisodeEvent(event=kind, **fields))
        time.sleep(0.3)  # a boundary on one topic, data on another: keep their order unambiguous

    publish_joints(20)  # before any episode: not in a bag
    plan = [(3, 150, True), (4, 90, False)]
    for seed, count, success in plan:
        reset.publish(Header(frame_id="episode_reset"))
        event("reset", seed=seed, instruction="pick the cube")
        event("start", instruction="pick the cube")
        instruction.publish(String(data="pick the cube"))
        publish_joints(count)
        time.sleep(0.3)
        event("end", success=success, message="done", duration=2.5)
        time.sleep(0.8)  # past the episode's tail (0.5 s)
    output = _stop(recorder)

    bags = sorted(p for p in tmp_path.iterdir() if p.is_dir())
    assert [b.name for b in bags] == ["episode_001_seed3", "episode_002_seed4"], output
    for bag, (seed, count, success) in zip(bags, plan):
        counts, meta = _counts(bag)
        assert counts["/joint_states"] == count
        assert counts["/vla/episode"] == 3  # reset, start, end
        assert counts["/vla/reset"] == 1
        assert counts["/vla/instruction"] >= 1  # re-written at the start of each bag
        assert (meta.robot, meta.seed, meta.success, meta.backend) == (
            "panda",
            seed,
            success,
            "scripted",
        )
        assert meta.instruction == "pick the cube" and meta.duration_s == 2.5
    rows = [line.split() for line in output.splitlines()]
    assert ["/joint_states", "260", "240", "20", "0"] in rows  # received, written, outside, lost


def test_split_none_writes_one_bag_of_everything_closed_on_sigterm(ros, tmp_path):
    from sensor_msgs.msg import JointState

    recorder = _start_recorder(tmp_path, "--split", "none")
    joints = ros.publisher(JointState, "/joint_states", 100)
    _wait_subscribed(ros, ["/joint_states"], recorder)
    for i in range(50):
        joints.publish(JointState(name=["a"], position=[float(i)]))
    time.sleep(0.5)
    _stop(recorder, signal.SIGTERM)  # closes the bag as SIGINT does
    (bag,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    counts, meta = _counts(bag)
    assert bag.name == "recording_001" and counts == {"/joint_states": 50} and meta is None


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        (["--robot", "r2d2"], "unknown robot 'r2d2'"),
        (["--topics", "tf"], "--topics: 'tf' is not an absolute topic name"),
        (["--duration", "-1"], "--duration -1.0: must be >= 0"),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_written(tmp_path, arguments, error):
    result = subprocess.run(
        [sys.executable, "-m", "vla_ros.cli", "record", "--out", str(tmp_path / "b"), *arguments],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and error in result.stderr
    assert not (tmp_path / "b").exists()


def test_an_out_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "file").write_text("")
    result = subprocess.run(
        [sys.executable, "-m", "vla_ros.cli", "record", "--out", str(tmp_path / "file")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and "exists and is not a directory" in result.stderr


def test_a_topic_of_the_wrong_type_is_named_and_not_recorded(ros, tmp_path):
    from std_msgs.msg import String

    recorder = _start_recorder(tmp_path, "--split", "none")
    wrong = ros.publisher(String, "/joint_states", 10)
    assert ros.wait_for(lambda: "vla_recorder" in ros.probe.get_node_names(), 30.0)
    time.sleep(1.0)  # ten discovery passes of the recorder
    assert wrong.get_subscription_count() == 0
    output = _stop(recorder)
    assert (
        "not recorded: /joint_states: type std_msgs/msg/String on the graph, "
        "sensor_msgs/msg/JointState expected" in output
    )
    assert not any(p.is_dir() for p in tmp_path.iterdir())


def test_without_backend_the_chunks_publisher_is_asked_for_it(ros, tmp_path):
    """No --backend: the bag's metadata names the backend parameter of the node that publishes the
    action chunks, whichever started first."""
    import rclpy
    from rclpy.parameter import Parameter

    from vla_ros.nodes.qos import EPISODE_EVENTS
    from vla_ros_msgs.msg import ActionChunk, EpisodeEvent

    recorder = _start_recorder(tmp_path, backend="")
    time.sleep(1.0)  # the recorder up before the policy: it must find it later
    policy = ros.add(
        rclpy.create_node(
            "some_policy", parameter_overrides=[Parameter("backend", value="openpi")]
        )
    )
    policy.declare_parameter("backend", "")
    chunks = policy.create_publisher(ActionChunk, "/vla/action_chunk", 10)
    events = ros.publisher(EpisodeEvent, "/vla/episode", EPISODE_EVENTS)
    _wait_subscribed(ros, ["/vla/action_chunk", "/vla/episode"], recorder)
    time.sleep(2.0)  # the question asked and answered (retried every 1 s)
    events.publish(EpisodeEvent(event="reset", seed=5))
    chunks.publish(ActionChunk(model_id="pi0_test"))
    time.sleep(0.3)
    events.publish(EpisodeEvent(event="end", success=True))
    time.sleep(0.8)
    output = _stop(recorder)
    (bag,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    _, meta = _counts(bag)
    assert (meta.backend, meta.model_id, meta.seed) == ("openpi", "pi0_test", 5), output
    assert "policy node said its backend" not in output


class _BackendSaid:
    """The writer side of the recorder, as far as the backend goes: what it was told."""

    def __init__(self) -> None:
        self.backends: list[str] = []

    def set_backend(self, backend: str) -> None:
        self.backends.append(backend)


def test_a_chunk_publisher_seen_before_its_node_name_is_asked_once_named(ros, monkeypatch):
    """Discovery can report a publisher before its node's name (rmw_dds_common's graph cache says
    _NODE_NAME_UNKNOWN_): the recorder must not fix on that name and ask nobody for ever."""
    import rclpy
    from rclpy.parameter import Parameter

    from vla_ros.recording.recorder import RecorderNode
    from vla_ros_msgs.msg import ActionChunk

    policy = ros.add(
        rclpy.create_node(
            "named_policy", parameter_overrides=[Parameter("backend", value="lerobot")]
        )
    )
    policy.declare_parameter("backend", "")
    policy.create_publisher(ActionChunk, "/vla/action_chunk", 10)
    unknown = SimpleNamespace(
        node_name="_NODE_NAME_UNKNOWN_", node_namespace="_NODE_NAMESPACE_UNKNOWN_"
    )
    monkeypatch.setattr(
        RecorderNode, "get_publishers_info_by_topic", lambda self, topic: [unknown]
    )
    writer = _BackendSaid()
    ros.add(RecorderNode((), writer, use_sim_time=False, known_types=set()))
    time.sleep(1.0)  # ten discovery passes that see only the unnamed publisher
    assert writer.backends == []
    monkeypatch.undo()  # the node's name has arrived
    assert ros.wait_for(lambda: writer.backends == ["lerobot"], 10.0), writer.backends
