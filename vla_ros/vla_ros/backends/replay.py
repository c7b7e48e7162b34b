"""Replay recorded actions as a policy: a rosbag2 JointState trajectory or a LeRobot dataset episode.

Replay is time-based: the first inference of an episode pins the recording's start to that
observation's stamp, and every chunk then holds the recording sampled (linearly) at
`stamp + i*dt`, so replay plays at real speed whatever the inference cadence. Past the end the last
recorded action holds. With `timeline: bag` the recording's own times are the observations' clock
(the graph runs on the clock of a bag being replayed, `vla-ros replay`): a chunk holds the recording
at `stamp + i*dt` itself, so replaying a bag's commands against that bag reproduces them exactly.
A bag's JointState positions are picked by command-joint name; a dataset's
action columns are mapped by a model card (default: its action names must be the robot's joints).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from vla_ros.backends.options import BackendOptions
from vla_ros.core.inference.policy import Policy
from vla_ros.core.model.card import parse_model_card
from vla_ros.core.model.io import ModelIO
from vla_ros.core.robot.config import RobotConfig
from vla_ros.core.types import ActionChunk, InvalidInput, Observation

OPTIONS = {
    "bag": "rosbag2 directory or file (sqlite3 or MCAP) holding sensor_msgs/JointState",
    "topic": "JointState topic in the bag (default /joint_states)",
    "dataset": "LeRobot dataset root directory (meta/, data/)",
    "episode": "dataset episode index (default 0)",
    "card": "model card for the dataset's action columns (default: action names are robot joints, joint positions)",
    "rate": "chunk rate in Hz (default: the dataset's fps, 30 for bags)",
    "horizon": "actions per chunk (default 30)",
    "timeline": "episode (default: the recording starts at the first observation) or bag "
    "(bag times are the graph's clock)",
}
TIMELINES = ("episode", "bag")


class ReplayPolicy(Policy):
    def __init__(
        self,
        times: np.ndarray,
        actions: np.ndarray,
        io: ModelIO,
        source: str,
        timeline: str = "episode",
    ) -> None:
        if len(times) < 1:
            raise InvalidInput(f"replay source {source} holds no actions")
        self.actions, self.io, self.source = actions, io, source
        self.on_bag_clock = timeline == "bag"
        self.times = times if self.on_bag_clock else times - times[0]
        self._start: float | None = None

    @classmethod
    def from_options(cls, robot: RobotConfig, options: dict[str, Any]) -> ReplayPolicy:
        opts = BackendOptions("replay", options, OPTIONS)
        if ("bag" in opts.values) == ("dataset" in opts.values):
            raise InvalidInput(
                "backend 'replay': set exactly one of options bag (rosbag2) or dataset (LeRobot dataset root)"
            )
        horizon = opts.integer("horizon", 30, minimum=1)
        timeline = opts.string("timeline", "episode", choices=TIMELINES)
        if "bag" in opts.values:
            path = opts.file("bag")
            times, actions = read_bag_joint_states(
                path, opts.string("topic", "/joint_states"), robot.command_joints
            )
            names, fps = list(robot.command_joints), 30.0
        else:
            path = opts.directory("dataset")
            times, actions, names, fps = read_dataset_episode(path, opts.integer("episode", 0))
        rate = opts.number("rate", fps)
        if "card" in opts.values:
            card = replace(opts.card(), control_rate=rate, chunk_size=horizon, execute=horizon)
        else:
            card = parse_model_card(
                {
                    "name": f"replay:{path.name}",
                    "action": {"space": "joint_position", "targets": names, "dim": len(names)},
                    "control_rate": rate,
                    "chunk_size": horizon,
                },
                source=f"replay of {path}",
            )
        return cls(times, actions, ModelIO(card, robot), str(path), timeline)

    @property
    def duration(self) -> float:
        return float(self.times[-1])

    def infer(self, observation: Observation) -> ActionChunk:
        if self._start is None:
            self._start = 0.0 if self.on_bag_clock else observation.stamp
        card = self.io.card
        at = observation.stamp - self._start + np.arange(card.chunk_size) * card.dt
        rows = np.stack(
            [np.interp(at, self.times, self.actions[:, d]) for d in range(self.actions.shape[1])],
            axis=1,
        )
        return self.io.chunk(rows, observation)

    def reset(self) -> None:
        """The next inference starts the recording from its beginning."""
        self._start = None


def read_bag_joint_states(
    path: Path, topic: str, joints: tuple[str, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """(times in s, positions (n, len(joints))) of every JointState on `topic` holding all `joints`."""
    from rosbags.highlevel import AnyReader
    from rosbags.typesys import Stores, get_typestore

    from vla_ros.recording.bag_types import deserialize
    from vla_ros.recording.joint_tracks import joint_track

    store = get_typestore(Stores.ROS2_KILTED)
    try:
        reader = AnyReader([path], default_typestore=store)
        reader.open()
    except Exception as error:
        raise InvalidInput(
            f"backend 'replay': option bag={str(path)!r} is not a readable rosbag2: {error}"
        ) from error
    try:
        connections = [c for c in reader.connections if c.topic == topic]
        if not connections:
            topics = sorted({f"{c.topic} ({c.msgtype})" for c in reader.connections})
            raise InvalidInput(
                f"backend 'replay': bag {path} has no topic {topic}; it has {topics}"
            )
        if connections[0].msgtype != "sensor_msgs/msg/JointState":
            raise InvalidInput(
                f"backend 'replay': topic {topic} carries {connections[0].msgtype}, expected sensor_msgs/msg/JointState"
            )
        # rosbags' own deserializer refuses the padding rmw_fastrtps leaves on recorded payloads.
        track = joint_track(
            (
                (stamp_ns * 1e-9, deserialize(store, data, connection.msgtype))
                for connection, stamp_ns, data in reader.messages(connections=connections)
            ),
            joints,
        )
    finally:
        reader.close()
    if not len(track.times):
        raise InvalidInput(
            f"backend 'replay': no JointState on {topic} in {path} names all of {list(joints)}"
        )
    return track.times, track.positions


def read_dataset_episode(
    root: Path, episode: int
) -> tuple[np.ndarray, np.ndarray, list[str], float]:
    """(timestamps, actions, action names, fps) of one episode of a local LeRobot dataset."""
    from vla_ros.backends.torch_runtime import ensure_torchvision_importable

    ensure_torchvision_importable()
    from lerobot.datasets.lerobot_dataset import LeRobotDataset, LeRobotDatasetMetadata

    try:
        meta = LeRobotDatasetMetadata(repo_id=f"local/{root.name}", root=root)
    except Exception as error:
        raise InvalidInput(
            f"backend 'replay': option dataset={str(root)!r} is not a LeRobot dataset root: {error}"
        ) from error
    if not 0 <= episode < meta.total_episodes:
        raise InvalidInput(
            f"backend 'replay': option episode={episode} is out of range; dataset {root} has "
            f"{meta.total_episodes} episodes"
        )
    dataset = LeRobotDataset(
        repo_id=f"local/{root.name}", root=root, episodes=[episode], download_videos=False
    )
    table = dataset.hf_dataset.with_format("numpy")
    rows = (
        table.filter(lambda e: e == episode, input_columns="episode_index")
        if "episode_index" in table.column_names
        else table
    )
    names = list(meta.features["action"]["names"] or [])
    return (
        np.asarray(rows["timestamp"], dtype=float),
        np.asarray(rows["action"], dtype=float),
        names,
        float(meta.fps),
    )
