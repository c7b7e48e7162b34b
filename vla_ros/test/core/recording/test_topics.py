"""The recorded topic list of each robot, the QoS a recorder subscribes with, and bag names."""

import pytest

from vla_ros.core.recording.bag_names import bag_name, first_free_number
from vla_ros.core.recording.subscription import OfferedQos, SubscriptionQos, subscription_qos
from vla_ros.core.recording.topics import QosClass, RecordedTopic, robot_topics, with_extra_topics
from vla_ros.core.robot.config import load_robot_config
from vla_ros.core.types import InvalidInput

GRAPH = {
    "/vla/instruction",
    "/vla/observation",
    "/vla/action_chunk",
    "/vla/rtc_prefix",
    "/vla/command",
    "/vla/safe_joint_command",
    "/vla/safety_status",
    "/vla/executor_status",
    "/sim/task_status",
    "/sim/object_poses",
    "/vla/episode",
    "/vla/reset",
    "/clock",
    "/diagnostics",
    "/vla/run_task/_action/status",
}


@pytest.mark.parametrize("name", ["panda", "widowx", "aloha"])
def test_each_robot_records_its_sensors_and_the_graph(robots, name):
    robot = robots[name]
    topics = {t.name: t for t in robot_topics(robot)}
    sensors = {robot.joint_state_topic}
    for camera in robot.cameras:
        sensors |= {camera.topic, camera.info_topic}
    assert set(topics) == sensors | GRAPH
    assert all(topics[s].qos is QosClass.SENSOR for s in sensors)
    assert {n for n, t in topics.items() if t.qos is QosClass.LATCHED} == {
        "/vla/instruction",
        "/vla/episode",
        "/vla/run_task/_action/status",
    }
    assert all(t.msgtype.count("/") == 2 and "/msg/" in t.msgtype for t in topics.values())


def test_unknown_robot_is_a_clear_error():
    with pytest.raises(InvalidInput, match="unknown robot 'r2d2'.*available robots"):
        load_robot_config("r2d2")


def test_extra_topics_are_added_once_and_must_be_absolute():
    base = robot_topics(load_robot_config("panda"))
    extended = with_extra_topics(base, ["/tf", "/tf", "/clock"])
    assert [t.name for t in extended[len(base) :]] == ["/tf"]
    with pytest.raises(InvalidInput, match="--topics: 'tf' is not an absolute topic name"):
        with_extra_topics(base, ["tf"])


SENSOR = RecordedTopic("/cam", "sensor_msgs/msg/Image", QosClass.SENSOR)
LATCHED = RecordedTopic("/vla/instruction", "std_msgs/msg/String", QosClass.LATCHED)


def test_reliable_only_where_every_publisher_offers_it():
    reliable, best_effort = OfferedQos(True, False), OfferedQos(False, False)
    assert subscription_qos(SENSOR, [reliable]).reliable
    assert not subscription_qos(SENSOR, [reliable, best_effort]).reliable
    assert not subscription_qos(SENSOR, [best_effort]).reliable


def test_transient_local_only_where_every_publisher_latches():
    latched, volatile = OfferedQos(True, True), OfferedQos(True, False)
    assert subscription_qos(LATCHED, [latched]) == SubscriptionQos(True, True, 1)
    assert not subscription_qos(LATCHED, [latched, volatile]).transient_local


def test_without_publishers_the_topics_class_decides():
    assert subscription_qos(SENSOR, []) == SubscriptionQos(False, False, 100)
    assert subscription_qos(LATCHED, []) == SubscriptionQos(True, True, 1)


def test_bag_names_carry_the_seed_where_known_and_number_on_after_earlier_runs():
    assert bag_name("episode", 7, 42) == "episode_007_seed42"
    assert bag_name("episode", 1) == "episode_001"
    assert first_free_number([]) == 1
    assert first_free_number(["episode_002_seed3", "recording_005", "notes.txt", "x_9"]) == 6
