"""`vla-ros replay` refuses bad bags before anything runs: exit 2, an error naming bag and topic,
no report directory."""

from __future__ import annotations

import os
import signal
from dataclasses import replace

import pytest
from replay_bags import panda_bag

from vla_ros.commands import main
from vla_ros.core.robot.config import load_robot_config
from vla_ros.nodes.shutdown import STOP_SIGNALS, StopRequest

CAMERA = "/wrist/zed_node/left/image_rect_color"


@pytest.fixture(autouse=True)
def _pytest_keeps_its_signal_handlers():
    """`replay` installs the process's stop handlers (they would swallow Ctrl-C here): restore."""
    saved = {number: signal.getsignal(number) for number in STOP_SIGNALS}
    yield
    for number, handler in saved.items():
        signal.signal(number, handler)
    StopRequest._installed = None


def replay(capsys, bag, out, *flags) -> tuple[int, str]:
    code = main(["replay", str(bag), "--out", str(out), *flags])
    return code, capsys.readouterr().err


def test_a_truncated_bag(tmp_path, capsys):
    bag = panda_bag(tmp_path / "bag", duration_s=1.0)
    mcap = next(bag.glob("*.mcap"))
    os.truncate(mcap, mcap.stat().st_size // 2)
    code, error = replay(capsys, bag, tmp_path / "out")
    assert code == 2 and f"bag {bag}: not a readable rosbag2" in error
    assert not (tmp_path / "out").exists()


def test_a_corrupt_bag(tmp_path, capsys):
    bag = panda_bag(tmp_path / "bag", duration_s=1.0)
    mcap = next(bag.glob("*.mcap"))
    data = bytearray(mcap.read_bytes())
    # The length of the first joint name of a JointState: far past the message's end.
    name = data.find(b"panda_joint1\x00")
    data[name - 4 : name] = b"\xff\xff\xff\x7f"
    mcap.write_bytes(bytes(data))
    code, error = replay(capsys, bag, tmp_path / "out")
    assert code == 2 and f"bag {bag}: corrupt or truncated" in error
    assert not (tmp_path / "out").exists()


def test_a_missing_camera_topic(tmp_path, capsys):
    bag = panda_bag(tmp_path / "bag", duration_s=1.0, cameras=(CAMERA,))
    code, error = replay(capsys, bag, tmp_path / "out")
    assert code == 2 and f"bag {bag}: missing topics" in error
    assert "/exterior_1/zed_node/left/image_rect_color" in error
    assert not (tmp_path / "out").exists()


def test_a_bag_of_another_robot(tmp_path, capsys):
    bag = panda_bag(tmp_path / "bag", duration_s=1.0, robot_name="widowx")
    code, error = replay(capsys, bag, tmp_path / "out", "--robot", "panda")
    assert code == 2 and f"bag {bag}: recorded on robot 'widowx', not 'panda'" in error
    # Without metadata the joint names tell: a Panda bag replayed as a WidowX.
    foreign = panda_bag(tmp_path / "foreign", duration_s=1.0, metadata=False)
    code, error = replay(capsys, foreign, tmp_path / "out", "--robot", "widowx")
    assert code == 2 and f"bag {foreign}: missing topics" in error  # the WidowX cameras
    assert not (tmp_path / "out").exists()


def test_joint_states_of_another_robot(tmp_path, capsys, monkeypatch):
    panda = load_robot_config("panda")
    arm = panda.arms[0]
    # The Panda's topics and cameras, but a first joint of another name.
    other = replace(panda, arms=(replace(arm, joints=("shoulder", *arm.joints[1:])),))
    monkeypatch.setattr("vla_ros.recording.replay.command.load_robot_config", lambda _: other)
    foreign = panda_bag(tmp_path / "foreign", duration_s=1.0, metadata=False)
    code, error = replay(capsys, foreign, tmp_path / "out", "--robot", "panda")
    assert code == 2 and f"bag {foreign}: topic /joint_states names joints" in error
    assert "missing ['shoulder']" in error


def test_an_unknown_message_type(tmp_path, capsys):
    bag = panda_bag(tmp_path / "bag", duration_s=1.0)
    # Rename the vla_ros_msgs package (same length: MCAP records keep their sizes).
    for path in (next(bag.glob("*.mcap")), bag / "metadata.yaml"):
        path.write_bytes(path.read_bytes().replace(b"vla_ros_msgs", b"acme_ros_msg"))
    code, error = replay(capsys, bag, tmp_path / "out")
    assert code == 2
    assert "topic /vla/episode has message type acme_ros_msg/msg/EpisodeEvent" in error
    assert "not installed" in error and str(bag) in error
    assert not (tmp_path / "out").exists()


def test_an_unknown_fail_over_key_lists_the_valid_ones(tmp_path, capsys):
    bag = panda_bag(tmp_path / "bag", duration_s=1.0)
    code, error = replay(capsys, bag, tmp_path / "out", "--fail-over", "mae=0.1")
    assert code == 2 and "open_loop_mae" in error and "latency_p95_ms" in error


def test_an_out_directory_that_is_not_a_report_is_left_alone(tmp_path, capsys):
    bag = panda_bag(tmp_path / "bag", duration_s=1.0)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "notes.txt").write_text("mine")
    code, error = replay(capsys, bag, tmp_path / "out")
    assert code == 2 and "is not a replay report" in error
    assert (tmp_path / "out" / "notes.txt").read_text() == "mine"


@pytest.mark.parametrize("flags", [["--mode", "fast", "--speed", "0"]])
def test_bad_play_settings(tmp_path, capsys, flags):
    bag = panda_bag(tmp_path / "bag", duration_s=1.0)
    code, error = replay(capsys, bag, tmp_path / "out", *flags)
    assert code == 2 and "speed must be > 0" in error
