"""What replaying one bag needs, checked before the graph comes up (so a bad bag costs no report).

The whole bag is read once here: a truncated or corrupt file, a missing camera or joint-state topic,
a bag of another robot or a message type this install cannot publish is an InvalidInput naming the
bag and the topic, raised before anything runs or is written.
"""

from __future__ import annotations

import importlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from vla_ros.core.recording.episodes import EpisodeSpan
from vla_ros.core.recording.joint_track import JointTrack
from vla_ros.core.robot.config import RobotConfig
from vla_ros.core.types import InvalidInput
from vla_ros.recording.bag_reader import EPISODE_TOPIC, RESET_TOPIC, RecordedBag
from vla_ros.recording.joint_tracks import joint_track

IMAGE = "sensor_msgs/msg/Image"
JOINT_STATE = "sensor_msgs/msg/JointState"
# Played when the bag has them: the instruction and episode boundaries, and the simulated object
# poses (privileged input of the scripted expert).
OPTIONAL_TOPICS = ("/vla/instruction", EPISODE_TOPIC, RESET_TOPIC, "/sim/object_poses")


@dataclass(frozen=True)
class ReplayBag:
    """A checked bag: the topics to play (topic -> type), its episodes, its recorded actions;
    start_s is the record time of its first played message."""

    path: Path
    start_s: float
    played: dict[str, str]
    camera_topics: tuple[str, ...]
    episodes: list[EpisodeSpan]
    recorded: JointTrack


def message_class(msgtype: str) -> type:
    """The rclpy class of 'pkg/msg/Name'; ImportError/AttributeError when it is not installed."""
    package, _, name = msgtype.split("/")
    return getattr(importlib.import_module(f"{package}.msg"), name)


def plan_bag(path: Path, robot: RobotConfig, actions_topic: str) -> ReplayBag:
    """Check `path` for replay on `robot`; the recorded actions are JointStates on `actions_topic`."""
    cameras = tuple(c.topic for c in robot.cameras)
    with RecordedBag(path) as bag:
        episodes = bag.episodes(robot.name)
        if not episodes:
            raise InvalidInput(f"bag {path}: its {EPISODE_TOPIC} events open no episode")
        required = {topic: IMAGE for topic in cameras}
        required |= {robot.joint_state_topic: JOINT_STATE, actions_topic: JOINT_STATE}
        bag.require(required)
        infos = [c.info_topic for c in robot.cameras]
        optional = [t for t in (*OPTIONAL_TOPICS, *infos) if t in bag.topics]
        played = {t: bag.topics[t] for t in (*cameras, robot.joint_state_topic, *optional)}
        for topic, msgtype in played.items():
            try:
                message_class(msgtype)
            except (ImportError, AttributeError, ValueError):
                raise InvalidInput(
                    f"bag {path}: topic {topic} has message type {msgtype}, which is not "
                    "installed here: it cannot be published into the graph"
                ) from None
        actions, joints_checked, start_s, counts = [], False, None, Counter()
        for message in bag.messages({*played, actions_topic}):
            counts[message.topic] += 1
            if start_s is None and message.topic in played:
                start_s = message.time_s
            if message.topic == robot.joint_state_topic and not joints_checked:
                _require_joints(path, message.topic, list(message.msg.name), robot)
                joints_checked = True
            if message.topic == actions_topic:
                actions.append((message.time_s, message.msg))
    empty = [t for t in required if not counts[t]]
    if empty:
        raise InvalidInput(f"bag {path}: topics {empty} hold no messages")
    recorded = joint_track(actions, robot.command_joints)
    if not len(recorded.times):
        raise InvalidInput(
            f"bag {path}: no JointState on {actions_topic} names all of the robot's command "
            f"joints {list(robot.command_joints)}"
        )
    return ReplayBag(Path(path), start_s, played, cameras, episodes, recorded)


def _require_joints(path: Path, topic: str, names: list[str], robot: RobotConfig) -> None:
    missing = [j for j in robot.command_joints if j not in names]
    if missing:
        raise InvalidInput(
            f"bag {path}: topic {topic} names joints {names}, not those of robot '{robot.name}' "
            f"(missing {missing}): recorded on another robot?"
        )
