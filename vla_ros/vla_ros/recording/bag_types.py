"""The message types a vla_ros bag holds: ROS 2 Kilted's standard types plus vla_ros_msgs.

rosbags reads and writes CDR without ROS; it needs each type's definition. vla_ros_msgs' are read
from the installed package's .msg files (the ament index), so a bag written here carries the same
definitions (and RIHS01 hashes) as one written by `ros2 bag record` on a full install.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from rosbags.typesys import Stores, get_types_from_msg, get_typestore
from rosbags.typesys.store import Typestore

PACKAGE = "vla_ros_msgs"


@cache
def bag_typestore() -> Typestore:
    from ament_index_python.packages import get_package_share_directory

    store = get_typestore(Stores.ROS2_KILTED)
    types = {}
    for path in sorted((Path(get_package_share_directory(PACKAGE)) / "msg").glob("*.msg")):
        types.update(get_types_from_msg(path.read_text(), f"{PACKAGE}/msg/{path.stem}"))
    store.register(types)
    return store


def deserialize(store: Typestore, data: bytes | memoryview, msgtype: str) -> object:
    """CDR bytes -> message, tolerating trailing bytes after the message.

    rmw_fastrtps pads serialized payloads past the message end (44 bytes for an empty JointState
    whose CDR is 36) and rosbag2 stores the payload as received; rosbags' own deserialize_cdr
    refuses more than 3 bytes of padding.
    """
    if len(data) < 4 or bytes(data[:2]) not in {b"\x00\x00", b"\x00\x01"}:
        raise ValueError(f"{msgtype}: not a CDR payload (encapsulation {bytes(data[:4]).hex()})")
    msgdef = store.get_msgdef(msgtype)
    decode = msgdef.deserialize_cdr_le if data[1] else msgdef.deserialize_cdr_be
    message, _ = decode(memoryview(data)[4:], 0, msgdef.cls, store)
    return message
