"""Real rosbag2 MCAP files for tests: ROS messages serialized by rclpy, written by rosbags."""

from __future__ import annotations

from pathlib import Path

from rclpy.serialization import serialize_message
from rosbags.rosbag2 import StoragePlugin, Writer

from vla_ros.recording.bag_types import bag_typestore


def write_bag(path: Path, messages, custom_data: dict[str, str] | None = None, **types) -> Path:
    """messages: (topic, time_s, ROS message); types: topic -> msgtype overrides (default from msg)."""
    writer = Writer(path, version=9, storage_plugin=StoragePlugin.MCAP)
    for key, value in (custom_data or {}).items():
        writer.set_custom_data(key, value)
    writer.open()
    connections = {}
    for topic, time_s, msg in messages:
        if topic not in connections:
            kind = (
                types.get(topic)
                or type(msg).__module__.split(".")[0] + "/msg/" + type(msg).__name__
            )
            store = bag_typestore()
            known = kind in store.types  # else: a type the reader cannot know (no definition)
            connections[topic] = (
                writer.add_connection(topic, kind, typestore=store)
                if known
                else writer.add_connection(topic, kind, msgdef="", rihs01="RIHS01_" + "0" * 64)
            )
        writer.write(connections[topic], round(time_s * 1e9), serialize_message(msg))
    writer.close()
    return path


def stamped_header(t: float):
    from std_msgs.msg import Header

    header = Header()
    header.stamp.sec, header.stamp.nanosec = int(t), round((t - int(t)) * 1e9)
    return header


def sim_episode_messages(
    robot,
    cameras: tuple[str, ...],
    start_s: float = 100.0,
    duration_s: float = 2.0,
    instruction: str = "put the red cube in the bowl",
    image_size: tuple[int, int] = (80, 80),
    joint_names: tuple[str, ...] | None = None,
    camera_lag_s: float = 0.02,
    frame_pixels=None,
) -> list:
    """An episode as the graph records it, with known answers.

    Joint states and safe commands at 100 Hz, both home + 0.1 rad/s * (t - start) on every command
    joint; camera frames at 10 Hz, camera i captured i * camera_lag_s after the first and received
    10 ms after capture, all pixels of frame k equal to 10 * k, so a decoded video frame tells
    which frame it is (or `frame_pixels(k)`: HxWx3 uint8 bytes); the instruction at the start.
    """
    import numpy as np
    from sensor_msgs.msg import Image, JointState
    from std_msgs.msg import String

    names = list(joint_names or robot.command_joints)
    topics = {c.name: c.topic for c in robot.cameras}
    height, width = image_size
    messages = [("/vla/instruction", start_s, String(data=instruction))]
    for k in range(round(duration_s * 100) + 1):
        t = start_s + k / 100
        q = (robot.home + 0.1 * (t - start_s)).tolist()
        header = stamped_header(t)
        messages.append(
            (robot.joint_state_topic, t + 0.001, JointState(header=header, name=names, position=q))
        )
        messages.append(
            (
                "/vla/safe_joint_command",
                t + 0.002,
                JointState(header=header, name=names, position=q),
            )
        )
    for k in range(round(duration_s * 10) + 1):
        t = start_s + k / 10
        pixels = (
            frame_pixels(k)
            if frame_pixels
            else bytes(np.full(height * width * 3, 10 * k, np.uint8))
        )
        for i, camera in enumerate(cameras):
            captured = t + i * camera_lag_s
            image = Image(
                header=stamped_header(captured),
                height=height,
                width=width,
                encoding="rgb8",
                step=width * 3,
                data=pixels,
            )
            messages.append((topics[camera], captured + 0.01, image))
    return sorted(messages, key=lambda m: m[1])
