"""The files shipped for `ros2 bag record` are the ones the core's topic lists generate, and they
parse the way ros2bag parses them (its QoS policies' short keys, via rclpy)."""

import pytest
import yaml

from vla_ros.core.recording.topics import robot_topics
from vla_ros.core.robot.config import load_robot_config
from vla_ros.recording.ros2_bag_files import COMMAND, STORAGE_CONFIG, generated_files


def test_shipped_files_are_generated():
    for path, text in generated_files().items():
        assert path.is_file() and path.read_text() == text, f"{path} is stale: run `{COMMAND}`"


@pytest.mark.parametrize("robot", ["panda", "widowx", "aloha"])
def test_qos_overrides_name_every_recorded_topic_with_a_valid_profile(robot):
    from rclpy.qos import DurabilityPolicy, HistoryPolicy, QoSProfile, ReliabilityPolicy

    path = next(p for p in generated_files() if p.name == f"{robot}.yaml")
    overrides = yaml.safe_load(path.read_text())
    assert list(overrides) == [t.name for t in robot_topics(load_robot_config(robot))]
    for topic, profile in overrides.items():
        qos = QoSProfile(
            history=HistoryPolicy.get_from_short_key(profile["history"]),
            depth=profile["depth"],
            reliability=ReliabilityPolicy.get_from_short_key(profile["reliability"]),
            durability=DurabilityPolicy.get_from_short_key(profile["durability"]),
        )
        assert qos.depth > 0, topic
    assert overrides["/vla/instruction"]["durability"] == "transient_local"
    assert overrides[load_robot_config(robot).joint_state_topic]["reliability"] == "best_effort"


def test_storage_config_asks_for_zstd_chunks():
    path = next(p for p in generated_files() if p.name == STORAGE_CONFIG)
    assert yaml.safe_load(path.read_text())["compression"] == "Zstd"
