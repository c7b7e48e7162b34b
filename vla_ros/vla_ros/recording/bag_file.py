"""One rosbag2 bag being written: MCAP with zstd-compressed chunks, connections added as topics appear."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from rosbags.interfaces import Connection, Qos
from rosbags.rosbag2 import CompressionFormat, CompressionMode, StoragePlugin, Writer
from rosbags.typesys.store import Typestore

# rosbag2 metadata version 9 (Jazzy and later) stores the RIHS01 type hashes `ros2 bag` checks.
BAG_VERSION = 9


@dataclass(frozen=True)
class TopicInfo:
    """A topic as the bag declares it: its type and the QoS its publishers offered."""

    name: str
    msgtype: str
    offered_qos: tuple[Qos, ...] = ()


class BagFile:
    """A bag directory being written; `close()` writes metadata.yaml (custom_data included).

    CompressionMode.STORAGE is MCAP chunk compression: the file stays indexed (readers seek without
    decompressing everything), unlike rosbag2's file/message modes.
    """

    def __init__(self, path: Path, store: Typestore) -> None:
        self.path = path
        self._store = store
        self._writer = Writer(path, version=BAG_VERSION, storage_plugin=StoragePlugin.MCAP)
        self._writer.set_compression(CompressionMode.STORAGE, CompressionFormat.ZSTD)
        self._writer.open()
        self._connections: dict[str, Connection] = {}
        self.written: Counter[str] = Counter()
        self.repeated: Counter[str] = Counter()  # latched messages re-written at the bag's start

    def write(self, topic: TopicInfo, time_ns: int, data: bytes, repeated: bool = False) -> None:
        connection = self._connections.get(topic.name)
        if connection is None:
            connection = self._writer.add_connection(
                topic.name,
                topic.msgtype,
                typestore=self._store,
                offered_qos_profiles=list(topic.offered_qos),
            )
            self._connections[topic.name] = connection
        self._writer.write(connection, time_ns, data)
        (self.repeated if repeated else self.written)[topic.name] += 1

    def close(self, custom_data: dict[str, str]) -> None:
        for key, value in custom_data.items():
            self._writer.set_custom_data(key, value)
        self._writer.close()

    def size_bytes(self) -> int:
        return sum(f.stat().st_size for f in self.path.iterdir() if f.is_file())
