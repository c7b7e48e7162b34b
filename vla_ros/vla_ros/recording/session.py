"""The writer side of a recording: which bag each message goes to, latched re-writes, counts.

Runs on the writer thread only (recording/writer_thread.py), so nothing here locks. Episode
boundaries come from the messages themselves (/vla/episode, /vla/reset) through the core's
EpisodeTracker, so the live split is the one export and replay apply offline.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from rosbags.typesys.store import Typestore

from vla_ros.core.recording.bag_names import (
    EPISODE_PREFIX,
    SPLIT_MODES,
    WHOLE_RECORDING_PREFIX,
    bag_name,
    first_free_number,
)
from vla_ros.core.recording.episodes import (
    RESET,
    EpisodeEventRecord,
    EpisodeMetadata,
    EpisodeSpan,
    EpisodeTracker,
)
from vla_ros.core.recording.topics import ACTION_CHUNK_TOPIC, EPISODE_TOPIC, RESET_TOPIC
from vla_ros.core.types import InvalidInput
from vla_ros.recording.bag_file import BagFile, TopicInfo
from vla_ros.recording.bag_types import deserialize

# A /vla/reset this close before the EpisodeEvent "reset" belongs to the episode it opens.
RESET_CARRY_NS = 1_000_000_000


@dataclass(frozen=True)
class RecordingOptions:
    """out: folder of the bags; split: a bag per episode, or one ("none"); backend: metadata
    (the policy backend the graph runs, as `vla-ros run --backend` named it)"""

    out: Path
    robot: str
    split: str = "episode"
    backend: str = ""

    def __post_init__(self) -> None:
        if self.split not in SPLIT_MODES:
            raise InvalidInput(f"--split '{self.split}': one of {SPLIT_MODES}")


@dataclass(frozen=True)
class ClosedBag:
    path: Path
    written: Counter[str]
    size_bytes: int
    metadata: EpisodeMetadata | None


@dataclass
class RecordingSession:
    options: RecordingOptions
    store: Typestore
    report: Callable[[str], None] = print
    closed: list[ClosedBag] = field(default_factory=list)
    # Messages no bag took: between episodes (split by episode) or before the sim clock started.
    outside: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.options.out.mkdir(parents=True, exist_ok=True)
        self._number = first_free_number([p.name for p in self.options.out.iterdir()])
        self._tracker = EpisodeTracker(self.options.robot)
        self._topics: dict[str, TopicInfo] = {}
        self._latched: dict[str, bytes] = {}  # latest message of each latched topic
        self._bag: BagFile | None = None
        self._model_id = ""
        self._backend = self.options.backend
        self._clock_started = False
        self._before_clock: list[tuple[str, bytes]] = []
        self._reset_before: tuple[int, bytes] | None = None

    def set_backend(self, backend: str) -> None:
        """The backend the graph's policy node runs (asked when --backend did not say)."""
        self._backend = backend

    def add_topic(self, topic: TopicInfo, latched: bool) -> None:
        self._topics[topic.name] = topic
        if latched and topic.name != EPISODE_TOPIC:  # old boundaries must not re-enter a bag
            self._latched.setdefault(topic.name, b"")

    def message(self, topic: str, time_ns: int, data: bytes) -> None:
        """One received message; time_ns is the recorder's clock at reception (0: the sim clock
        has not started yet, so it is held and stamped with the first clock reading)."""
        if time_ns == 0 and not self._clock_started:
            self._before_clock.append((topic, data))
            return
        if not self._clock_started:
            self._clock_started = True
            for held_topic, held in self._before_clock:
                self._route(held_topic, time_ns, held)
            self._before_clock.clear()
        self._route(topic, time_ns, data)

    def finish(self) -> None:
        """Close the open bag (its episode, if unfinished, has success None)."""
        for topic, _ in self._before_clock:
            self.outside[topic] += 1
        self._before_clock.clear()
        if self._bag is not None:
            span = self._tracker.open
            self._close_bag(span.metadata if span else None)

    @property
    def written(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for bag in self.closed:
            total.update(bag.written)
        if self._bag is not None:
            total.update(self._bag.written)
        return total

    # -- routing -------------------------------------------------------------------------------------
    def _route(self, topic: str, time_ns: int, data: bytes) -> None:
        if self.options.split == "none":
            if self._bag is None:
                self._open_bag(WHOLE_RECORDING_PREFIX, -1, time_ns)
        else:
            self._track_episodes(topic, time_ns, data)
        if self._bag is None:
            if topic == RESET_TOPIC:  # sent with the reset event, it may arrive just before it
                self._reset_before = (time_ns, data)
            self.outside[topic] += 1
        else:
            if topic == ACTION_CHUNK_TOPIC and not self._model_id:
                self._model_id = str(getattr(self._decode(topic, data), "model_id", ""))
            self._bag.write(self._topics[topic], time_ns, data)
        if topic in self._latched:  # after: a bag opened by this message has it once, not twice
            self._latched[topic] = data

    def _track_episodes(self, topic: str, time_ns: int, data: bytes) -> None:
        time_s = time_ns * 1e-9
        done = self._tracker.due(time_s)
        if done is not None:
            self._close_bag(done.metadata)
        record = self._event(topic, time_s, data)
        if record is None:
            return
        before = len(self._tracker.completed)
        try:
            begun = self._tracker.event(record)
        except InvalidInput as error:
            self._warn(f"{topic}: {error}; event ignored")
            return
        if len(self._tracker.completed) > before and self._bag is not None:
            self._close_bag(self._tracker.completed[-1].metadata)
        if begun is not None:
            self._open_episode(begun)

    def _event(self, topic: str, time_s: float, data: bytes) -> EpisodeEventRecord | None:
        # /vla/reset counts only in a graph without EpisodeEvents: the demo sends both at a reset.
        if topic == RESET_TOPIC and EPISODE_TOPIC not in self._topics:
            return EpisodeEventRecord(time_s, RESET)
        if topic != EPISODE_TOPIC:
            return None
        event = self._decode(topic, data)
        if event is None:
            return None
        return EpisodeEventRecord(
            time_s,
            event.event,
            instruction=event.instruction,
            seed=int(event.seed),
            success=bool(event.success),
            message=event.message,
            duration_s=float(event.duration),
        )

    def _decode(self, topic: str, data: bytes):
        try:
            return deserialize(self.store, data, self._topics[topic].msgtype)
        except (ValueError, KeyError, IndexError, TypeError) as error:
            self._warn(f"{topic}: undecodable {self._topics[topic].msgtype} ({error}); kept as is")
            return None

    # -- bags ----------------------------------------------------------------------------------------
    def _open_episode(self, span: EpisodeSpan) -> None:
        begin_ns = int(span.begin_s * 1e9)
        self._open_bag(EPISODE_PREFIX, span.metadata.seed, begin_ns)
        reset, self._reset_before = self._reset_before, None
        if reset is not None and begin_ns - reset[0] <= RESET_CARRY_NS:
            self.outside[RESET_TOPIC] -= 1
            self._bag.write(self._topics[RESET_TOPIC], *reset)

    def _open_bag(self, prefix: str, seed: int, time_ns: int) -> None:
        path = self.options.out / bag_name(prefix, self._number, seed)
        self._number += 1
        self._bag = BagFile(path, self.store)
        self._model_id = ""
        # Each bag stands alone: the instruction (and other latched state) in force at its start.
        for topic, data in self._latched.items():
            if data:
                self._bag.write(self._topics[topic], time_ns, data, repeated=True)

    def _close_bag(self, episode: EpisodeMetadata | None) -> None:
        bag, self._bag = self._bag, None
        if bag is None:
            return
        custom_data = {}
        if episode is not None and self.options.split == "episode":
            if not self._backend:
                self._warn(
                    "an episode's bag closed before the policy node said its backend: the "
                    "metadata names none (pass --backend to say it)"
                )
            episode = replace(episode, backend=self._backend, model_id=self._model_id)
            custom_data = episode.to_custom_data()
        bag.close(custom_data)
        closed = ClosedBag(bag.path, bag.written, bag.size_bytes(), episode)
        self.closed.append(closed)
        self.report(progress_line(closed))

    def _warn(self, text: str) -> None:
        if text not in self.warnings:
            self.warnings.append(text)
            self.report(f"[record] warning: {text}")


def progress_line(bag: ClosedBag) -> str:
    total = sum(bag.written.values())
    episode = bag.metadata
    what = ""
    if episode is not None:
        verdict = {True: "SUCCESS", False: "FAIL", None: "unfinished"}[episode.success]
        duration = f"{episode.duration_s:.1f} s" if episode.duration_s else "?"
        what = f" '{episode.instruction}' {verdict} in {duration}"
    return (
        f"[record] {bag.path.name}:{what} {total} messages on {len(bag.written)} topics, "
        f"{bag.size_bytes / 1e6:.1f} MB"
    )
