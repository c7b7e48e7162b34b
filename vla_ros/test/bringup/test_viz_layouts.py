import json

import yaml

from vla_ros.bringup.viz_layouts import foxglove_layout, rviz_config, shipped_files
from vla_ros.core.robot.config import load_robot_config


def test_shipped_rviz_and_foxglove_files_are_the_generated_ones():
    for path, text in shipped_files().items():
        assert path.is_file(), f"{path} missing: python -m vla_ros.bringup.viz_layouts --write"
        assert path.read_text() == text, (
            f"{path} is stale: python -m vla_ros.bringup.viz_layouts --write"
        )


def test_rviz_shows_robot_path_and_cameras_in_the_base_frame():
    robot = load_robot_config("aloha")
    config = yaml.safe_load(rviz_config(robot))["Visualization Manager"]
    assert config["Global Options"]["Fixed Frame"] == "world"
    topics = [d["Topic"]["Value"] for d in config["Displays"] if "Topic" in d]
    assert topics == ["/vla/ee_path", "/vla/safety_marker", *(c.topic for c in robot.cameras)]


def test_foxglove_layout_panels_are_all_placed():
    robot = load_robot_config("panda")
    layout = json.loads(foxglove_layout(robot))
    placed, stack = [], [layout["layout"]]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            placed.append(node)
        else:
            stack += [node["first"], node["second"]]
    assert sorted(placed) == sorted(layout["configById"])
    assert layout["configById"]["RawMessages!safety"]["topicPath"] == "/vla/safety_status"
