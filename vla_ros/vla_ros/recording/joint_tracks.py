"""Recorded sensor_msgs/JointState streams as joint tracks (what the robot measured or was told).

Shared by replay's evaluation (the recorded safe commands are the actions a policy is compared with)
and by the replay backend (which plays them back as a policy), so both read a bag the same way.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from vla_ros.core.recording.joint_track import JointTrack


def joint_track(records: Iterable[tuple[float, object]], joints: tuple[str, ...]) -> JointTrack:
    """Track of `joints` from (record time [s], JointState) pairs.

    A message is timed by its header stamp (when it was meant for), by its record time where the
    stamp is unset; messages that lack one of `joints` are skipped, and of messages with the same
    time the last one counts.
    """
    times, rows = [], []
    for record_s, msg in records:
        index = {name: i for i, name in enumerate(msg.name)}
        if not all(j in index for j in joints):
            continue
        stamp = header_stamp_s(msg)
        times.append(stamp if stamp > 0 else record_s)
        rows.append([msg.position[index[j]] for j in joints])
    return JointTrack.from_rows(times, joints, np.reshape(rows, (len(rows), len(joints))))


def header_stamp_s(msg) -> float:
    """A deserialized bag message's header stamp in seconds (nodes.managed.stamp_to_s without rclpy)."""
    return msg.header.stamp.sec + msg.header.stamp.nanosec * 1e-9
