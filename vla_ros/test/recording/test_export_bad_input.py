"""Bad bags: each export fails with an error naming the bag and topic, and writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from bag_files import sim_episode_messages, write_bag
from export_bags import CAMERAS, episode_bag, options

from vla_ros.core.types import InvalidInput
from vla_ros.recording.export import export

WRIST_TOPIC = "/wrist/zed_node/left/image_rect_color"


def fails(tmp_path: Path, bags, match: str, **kwargs) -> None:
    with pytest.raises(InvalidInput, match=match):
        export(options(bags, tmp_path / "data", **kwargs), progress=print)
    assert not (tmp_path / "data").exists()
    assert not list(tmp_path.glob(".data.partial-*"))


def test_a_truncated_bag(tmp_path, robots):
    good = episode_bag(tmp_path / "bags" / "ep0", robots["panda"], duration_s=0.5)
    bad = episode_bag(tmp_path / "bags" / "ep1", robots["panda"], duration_s=0.5)
    (mcap,) = bad.glob("*.mcap")
    mcap.write_bytes(mcap.read_bytes()[: mcap.stat().st_size // 2])
    fails(tmp_path, [good, bad], rf"bag {bad}: (not a readable rosbag2|corrupt or truncated)")


def test_a_missing_camera_topic(tmp_path, robots):
    messages = [m for m in sim_episode_messages(robots["panda"], CAMERAS) if m[0] != WRIST_TOPIC]
    bag = write_bag(tmp_path / "ep0", messages)
    fails(tmp_path, [bag], rf"bag {bag}: missing topics \['{WRIST_TOPIC}'\]")


def test_a_bag_of_another_robot_by_its_metadata(tmp_path, robots):
    bag = episode_bag(tmp_path / "ep0", robots["panda"], robot_name="widowx", duration_s=0.5)
    fails(tmp_path, [bag], rf"bag {bag}: recorded on robot 'widowx', not 'panda'")


def test_a_bag_of_another_robot_by_its_joint_names(tmp_path, robots):
    names = tuple(f"joint_{i}" for i in range(8))
    bag = write_bag(
        tmp_path / "ep0", sim_episode_messages(robots["panda"], CAMERAS, joint_names=names)
    )
    fails(
        tmp_path,
        [bag],
        rf"bag {bag} topic /vla/safe_joint_command: lacks joints \['panda_joint1',.* recorded on another robot",
    )


def test_a_camera_topic_of_an_unknown_message_type(tmp_path, robots):
    messages = sim_episode_messages(robots["panda"], CAMERAS)
    bag = write_bag(tmp_path / "ep0", messages, **{WRIST_TOPIC: "acme_msgs/msg/Frame"})
    fails(
        tmp_path,
        [bag],
        rf"bag {bag}: topics of the wrong type {WRIST_TOPIC} is acme_msgs/msg/Frame",
    )


def test_no_episode_after_filtering(tmp_path, robots):
    bag = episode_bag(tmp_path / "ep0", robots["panda"], success=False, duration_s=0.5)
    fails(tmp_path, [bag], r"no episode to export: 1 episodes, none successful", only_success=True)


def test_an_interrupted_export_leaves_nothing(tmp_path, robots):
    bags = [episode_bag(tmp_path / f"ep{i}", robots["panda"], duration_s=0.5) for i in range(2)]

    def interrupt(line: str) -> None:
        raise KeyboardInterrupt  # Ctrl-C after the first episode is saved

    with pytest.raises(KeyboardInterrupt):
        export(options(bags, tmp_path / "data"), progress=interrupt)
    assert not (tmp_path / "data").exists()
    assert not list(tmp_path.glob(".data.partial-*"))


def test_an_existing_output_is_left_alone(tmp_path, robots):
    bag = episode_bag(tmp_path / "ep0", robots["panda"], duration_s=0.5)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "mine.txt").write_text("keep")
    with pytest.raises(InvalidInput, match=rf"--out {tmp_path / 'data'} exists"):
        export(options([bag], tmp_path / "data"), progress=print)
    assert (tmp_path / "data" / "mine.txt").read_text() == "keep"


def test_a_bag_whose_record_times_are_on_another_clock(tmp_path, robots):
    # `ros2 bag record` without --use-sim-time in simulation: receive times on the wall clock,
    # stamps on sim time; every frame is stale to the synchronization, as it would be live
    messages = [
        (t, time_s + 5000.0, m) for t, time_s, m in sim_episode_messages(robots["panda"], CAMERAS)
    ]
    bag = write_bag(tmp_path / "ep0", messages)
    fails(
        tmp_path,
        [bag],
        rf"bag {bag} episode 0: no frame on the clock \(synchronization: .*'dropped_stale': 42",
    )
