"""Reading recorded bags for export and replay: every failure is an InvalidInput naming bag and topic.

A bag is a rosbag2 directory (metadata.yaml + .mcap or .db3 files), written by `vla-ros record` or by
`ros2 bag record`. Messages are deserialized with the suite's typestore; a type the suite does not
know is taken from the definition the bag embeds (MCAP), and a vla_ros_msgs type recorded with a
different definition than the installed one is refused (its fields would be misread).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from rosbags.interfaces import Connection, MessageDefinitionFormat
from rosbags.rosbag2 import Reader
from rosbags.typesys import get_types_from_msg

from vla_ros.core.recording.episodes import (
    END,
    RESET,
    EpisodeEventRecord,
    EpisodeSpan,
    split_episodes,
)
from vla_ros.core.types import InvalidInput
from vla_ros.recording.bag_metadata import read_episode_metadata
from vla_ros.recording.bag_types import bag_typestore, deserialize

EPISODE_TOPIC = "/vla/episode"
RESET_TOPIC = "/vla/reset"


@dataclass(frozen=True)
class BagMessage:
    topic: str
    time_s: float  # record time (the recorder's clock: sim time in simulation)
    msg: object


def find_bags(paths: Iterable[Path]) -> list[Path]:
    """Bag directories among `paths`: a bag itself, or a directory whose subdirectories are bags."""
    bags: list[Path] = []
    for path in map(Path, paths):
        if (path / "metadata.yaml").is_file():
            bags.append(path)
        elif path.is_dir() and (found := sorted(p.parent for p in path.glob("*/metadata.yaml"))):
            bags.extend(found)
        else:
            raise InvalidInput(
                f"{path}: not a rosbag2 directory (no metadata.yaml) nor a directory of bags"
            )
    return bags


class RecordedBag:
    """An open bag: its topics, its episode metadata and its messages (use as a context manager)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self._reader = Reader(self.path)
            self._reader.open()
        except Exception as error:  # rosbags raises its own errors, OSError and struct errors
            raise InvalidInput(f"bag {self.path}: not a readable rosbag2: {error}") from error
        self._store = bag_typestore()
        self.topics = {c.topic: c.msgtype for c in self._reader.connections}
        # What `vla-ros record` wrote of the episode (None for a bag of another recorder).
        self.metadata = read_episode_metadata(self.path)
        self.start_s = self._reader.start_time * 1e-9
        self.end_s = self._reader.end_time * 1e-9

    def __enter__(self) -> RecordedBag:
        return self

    def __exit__(self, *_) -> None:
        self.close()

    def close(self) -> None:
        self._reader.close()

    def require(self, expected: dict[str, str]) -> None:
        """Every topic -> message type of `expected` is in the bag with that type."""
        missing = [t for t in expected if t not in self.topics]
        if missing:
            raise InvalidInput(
                f"bag {self.path}: missing topics {missing}; it has {sorted(self.topics)}"
            )
        wrong = {t: self.topics[t] for t, kind in expected.items() if self.topics[t] != kind}
        if wrong:
            raise InvalidInput(
                f"bag {self.path}: topics of the wrong type "
                + ", ".join(f"{t} is {kind}, expected {expected[t]}" for t, kind in wrong.items())
            )

    def messages(self, topics: Iterable[str], raw: bool = False) -> Iterator[BagMessage]:
        """Deserialized messages of `topics` in record-time order (`raw`: the CDR bytes as recorded,
        what a player republishes unchanged)."""
        wanted = set(topics)
        connections = [c for c in self._reader.connections if c.topic in wanted]
        if not connections:
            return  # rosbags reads every connection when given none
        for connection in connections:
            self._learn_type(connection)
        topic = "(none yet)"
        try:
            for connection, stamp_ns, data in self._reader.messages(connections=connections):
                topic = connection.topic
                msg = bytes(data) if raw else deserialize(self._store, data, connection.msgtype)
                yield BagMessage(topic, stamp_ns * 1e-9, msg)
        except InvalidInput:
            raise
        except Exception as error:
            raise InvalidInput(
                f"bag {self.path}: corrupt or truncated (reading after a message on {topic}): "
                f"{type(error).__name__}: {error}"
            ) from error

    def episodes(self, robot: str) -> list[EpisodeSpan]:
        """The episodes of this bag by the suite's boundary rule; a bag of `vla-ros record` is one."""
        recorded = self.metadata
        if recorded is not None:
            if recorded.robot != robot:
                raise InvalidInput(
                    f"bag {self.path}: recorded on robot '{recorded.robot}', not '{robot}'"
                )
            return [EpisodeSpan(self.start_s, self.end_s, recorded)]
        events = [_event_record(m) for m in self.messages([EPISODE_TOPIC, RESET_TOPIC])]
        return split_episodes(events, robot, self.start_s, self.end_s)

    def _learn_type(self, connection: Connection) -> None:
        known = self._store.types.get(connection.msgtype) is not None
        embedded = connection.msgdef
        if not known:
            if (
                embedded is None
                or embedded.format != MessageDefinitionFormat.MSG
                or not embedded.data
            ):
                raise InvalidInput(
                    f"bag {self.path}: topic {connection.topic} has message type "
                    f"{connection.msgtype}, unknown here and not defined in the bag"
                )
            try:
                self._store.register(get_types_from_msg(embedded.data, connection.msgtype))
            except Exception as error:
                raise InvalidInput(
                    f"bag {self.path}: topic {connection.topic}: cannot read the definition of "
                    f"{connection.msgtype} the bag holds: {error}"
                ) from error
            return
        recorded_hash = getattr(connection.ext, "rihs01", "") or connection.digest
        if connection.msgtype.startswith("vla_ros_msgs/") and recorded_hash.startswith("RIHS01_"):
            installed = self._store.hash_rihs01(connection.msgtype)
            if recorded_hash != installed:
                raise InvalidInput(
                    f"bag {self.path}: topic {connection.topic} was recorded with another definition "
                    f"of {connection.msgtype} ({recorded_hash[:15]}..., installed {installed[:15]}...)"
                )


def _event_record(message: BagMessage) -> EpisodeEventRecord:
    msg = message.msg
    if message.topic == RESET_TOPIC:
        return EpisodeEventRecord(message.time_s, RESET)
    return EpisodeEventRecord(
        message.time_s,
        msg.event,
        msg.instruction,
        int(msg.seed),
        bool(msg.success),
        msg.message,
        float(msg.duration) if msg.event == END else 0.0,
    )
