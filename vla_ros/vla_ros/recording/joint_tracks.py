"""Recorded sensor_msgs/JointState streams as joint tracks (what the robot measured or was told).

Shared by replay's evaluation (the recorded safe commands are the actions a policy is compared with)
and by the replay backend (which plays them back as a policy), so both read a bag the same way.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from vla_ros.core.recording.open_loop import JointTrack


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
        stamp = msg.header.stamp.sec + msg.header.stamp.nanosec * 1e-9
        times.append(stamp if stamp > 0 else record_s)
        rows.append([msg.position[index[j]] for j in joints])
    if not rows:
        return JointTrack(np.zeros(0), joints, np.zeros((0, len(joints))))
    order = np.argsort(times, kind="stable")
    times_sorted, rows_sorted = np.asarray(times)[order], np.asarray(rows, float)[order]
    # Keep the last of equal times: strictly increasing times interpolate without ambiguity.
    keep = np.append(np.diff(times_sorted) > 0.0, True)
    return JointTrack(times_sorted[keep], joints, rows_sorted[keep])
