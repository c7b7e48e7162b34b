"""Small Panda bags for replay tests: real messages (rclpy-serialized CDR) in real MCAP files.

Three cameras at 10 Hz (tiny frames: camera_ingest does not resize), joint states and safe commands
at 100 Hz following a smooth known trajectory, the episode events and the recorder's metadata.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
from sensor_msgs.msg import Image, JointState
from test_bag_reader import event, write_bag

from vla_ros.core.recording.episodes import EpisodeMetadata
from vla_ros.core.robot.config import load_robot_config
from vla_ros.nodes.managed import s_to_stamp
from vla_ros.recording.joint_tracks import header_stamp_s

START_S = 100.0  # bag clock at the first message (a sim clock that has run a while)
SIDE = 16  # camera frame size [px]


def trajectory(robot, t: float) -> np.ndarray:
    """Home pose plus a slow sine on every command joint (rad; fingers stay put)."""
    home = np.asarray(robot.home, float)  # ordered as command_joints
    wave = 0.05 * np.sin(0.8 * (t - START_S) + np.arange(len(home)))
    wave[-1] = 0.0
    return home + wave


def joint_state(names, positions, t: float) -> JointState:
    msg = JointState(name=list(names), position=[float(q) for q in positions])
    msg.header.stamp = s_to_stamp(t)
    return msg


def image(t: float, shade: int) -> Image:
    msg = Image(height=SIDE, width=SIDE, encoding="rgb8", step=SIDE * 3)
    msg.data = bytes([shade % 256]) * (SIDE * SIDE * 3)
    msg.header.stamp = s_to_stamp(t)
    return msg


def panda_bag(
    path: Path,
    duration_s: float = 3.0,
    robot_name: str = "panda",
    cameras: tuple[str, ...] | None = None,
    metadata: bool = True,
) -> Path:
    """A recorded Panda episode of `duration_s` (cameras: the camera topics to include)."""
    robot = load_robot_config("panda")
    topics = cameras if cameras is not None else tuple(c.topic for c in robot.cameras)
    messages = [
        ("/vla/episode", START_S, event("reset", seed=3, instruction="pick")),
        ("/vla/episode", START_S + 0.001, event("start", instruction="pick")),
    ]
    ticks = np.arange(1, round(duration_s * 100)) * 0.01 + START_S
    for index, t in enumerate(ticks):
        q = trajectory(robot, t)
        messages.append(("/joint_states", t, joint_state(robot.command_joints, q, t)))
        messages.append(
            ("/vla/safe_joint_command", t + 0.002, joint_state(robot.command_joints, q, t))
        )
        if index % 10 == 5:
            messages += [(topic, t + 0.003, image(t, index)) for topic in topics]
    end = START_S + duration_s
    messages.append(("/vla/episode", end, event("end", instruction="pick", success=True)))
    custom = (
        EpisodeMetadata(robot_name, "pick", "scripted", seed=3, start_s=START_S).to_custom_data()
        if metadata
        else None
    )
    return write_bag(path, sorted(messages, key=lambda m: m[1]), custom)


def run_replay(
    bags: list[Path], out: Path, *flags: str
) -> tuple[subprocess.CompletedProcess, dict]:
    """`vla-ros replay` in a subprocess (its own rclpy context); the summary.json it wrote ({}
    when none)."""
    command = [sys.executable, "-m", "vla_ros.cli", "replay", *map(str, bags), "--out", str(out)]
    result = subprocess.run([*command, *flags], capture_output=True, text=True, timeout=400)
    summary = out / "summary.json"
    return result, json.loads(summary.read_text()) if summary.is_file() else {}


def replay_options(bag: Path) -> str:
    """Backend options of the replay backend playing `bag`'s safe commands on the bag's clock."""
    return f"{{bag: {bag}, topic: /vla/safe_joint_command, timeline: bag}}"


def camera_sets(bag: Path) -> int:
    """Complete camera sets in `bag` (every Panda camera has a new frame): the observations
    camera_ingest can assemble, so the chunks step mode must get."""
    return len(camera_set_stamps(bag))


def camera_set_stamps(bag: Path) -> list[float]:
    """Header stamp of each complete camera set's newest frame (an observation's stamp)."""
    from vla_ros.recording.bag_reader import RecordedBag

    topics = {c.topic for c in load_robot_config("panda").cameras}
    stamps, pending, newest = [], set(topics), 0.0
    with RecordedBag(bag) as reader:
        for message in reader.messages(topics):
            pending.discard(message.topic)
            newest = max(newest, header_stamp_s(message.msg))
            if not pending:
                stamps.append(newest)
                pending, newest = set(topics), 0.0
    return stamps


def sets_beyond_commands(bag: Path, horizon_s: float) -> int:
    """Camera sets whose chunk (stamp .. stamp + horizon_s) holds no time the bag's safe commands
    cover: the open-loop error has nothing to compare them with (never extrapolated)."""
    from vla_ros.recording.bag_reader import RecordedBag

    with RecordedBag(bag) as reader:
        commands = [header_stamp_s(m.msg) for m in reader.messages(["/vla/safe_joint_command"])]
    first, last = min(commands), max(commands)
    return sum(s + horizon_s < first or s > last for s in camera_set_stamps(bag))
