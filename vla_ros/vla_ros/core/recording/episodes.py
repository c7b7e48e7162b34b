"""Episode boundaries in a stream of recorded messages, and the metadata a bag carries of its episode.

One rule, used live by the recorder (a bag per episode) and offline by export and replay (a bag
recorded by `ros2 bag record` may hold many episodes): an episode begins at a reset (/vla/reset, or
an EpisodeEvent "reset") or at a RunTask start not preceded by its own reset, and ends at the
EpisodeEvent "end" (plus a short tail, so the last commands and the final task status are kept) or
at the next beginning. Resets with no start between them are one beginning (the demo's runner
sends /vla/reset and the EpisodeEvent "reset" together; a second reset re-seeds the world before
any task ran). A stream without events is one episode.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, replace

from vla_ros.core.types import InvalidInput

# rosbag2 metadata.yaml custom_data key holding the episode metadata (JSON).
CUSTOM_DATA_KEY = "vla_ros.episode"
RESET, START, END = "reset", "start", "end"


@dataclass(frozen=True)
class EpisodeMetadata:
    """What a bag says about its episode (times are ROS time in seconds; None where unknown).

    success: the task judge's verdict at the end (None: the episode did not end within the bag)
    seed: the sim's reset seed (-1 on real robots)
    model_id: the ActionChunk model_id the policy stamped (checkpoint or card name)
    """

    robot: str
    instruction: str = ""
    backend: str = ""
    model_id: str = ""
    seed: int = -1
    success: bool | None = None
    message: str = ""
    start_s: float | None = None
    end_s: float | None = None
    duration_s: float | None = None

    def to_custom_data(self) -> dict[str, str]:
        return {CUSTOM_DATA_KEY: json.dumps(asdict(self), sort_keys=True)}

    @classmethod
    def from_custom_data(cls, custom_data: dict[str, str], source: str) -> EpisodeMetadata | None:
        """The metadata a bag's custom_data holds; None when it holds none (a foreign bag)."""
        if CUSTOM_DATA_KEY not in custom_data:
            return None
        try:
            values = json.loads(custom_data[CUSTOM_DATA_KEY])
            known = {f.name for f in fields(cls)}
            return cls(**{k: v for k, v in values.items() if k in known})
        except (TypeError, ValueError) as error:
            raise InvalidInput(
                f"{source}: custom_data {CUSTOM_DATA_KEY} is not episode metadata: {error}"
            ) from error


@dataclass(frozen=True)
class EpisodeEventRecord:
    """One boundary event: kind is reset/start/end; time in ROS seconds."""

    time_s: float
    kind: str
    instruction: str = ""
    seed: int = -1
    success: bool = False
    message: str = ""
    duration_s: float = 0.0


@dataclass(frozen=True)
class EpisodeSpan:
    """[begin_s, end_s) of one episode (end_s None: still open at the end of the stream)."""

    begin_s: float
    end_s: float | None
    metadata: EpisodeMetadata


@dataclass
class EpisodeTracker:
    """Feeds on boundary events in time order; says when an episode begins and when it is complete.

    tail_s: how long after an "end" event the episode still collects messages
    """

    robot: str
    tail_s: float = 0.5
    completed: list[EpisodeSpan] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._open: EpisodeSpan | None = None
        self._started = False  # the open episode has seen its RunTask start

    @property
    def open(self) -> EpisodeSpan | None:
        return self._open

    def event(self, record: EpisodeEventRecord) -> EpisodeSpan | None:
        """Apply one event; returns the episode that begins with it (None if none begins)."""
        if record.kind == END:
            if self._open is not None and self._open.end_s is None:
                meta = replace(
                    self._open.metadata,
                    instruction=record.instruction or self._open.metadata.instruction,
                    success=record.success,
                    message=record.message,
                    end_s=record.time_s,
                    duration_s=record.duration_s,
                )
                self._open = replace(self._open, end_s=record.time_s + self.tail_s, metadata=meta)
            return None
        if record.kind not in (RESET, START):
            raise InvalidInput(f"unknown episode event '{record.kind}' (reset, start or end)")
        opened_by_reset = self._open is not None and not self._started and self._open.end_s is None
        if record.kind == START and opened_by_reset:  # the start of the episode its reset opened
            self._started = True
            self._open = replace(
                self._open, metadata=replace(self._open.metadata, instruction=record.instruction)
            )
            return None
        if record.kind == RESET and opened_by_reset:  # reset again before any task: re-seeded
            meta = self._open.metadata
            self._open = replace(
                self._open,
                metadata=replace(
                    meta,
                    instruction=record.instruction or meta.instruction,
                    seed=record.seed if record.seed >= 0 else meta.seed,
                    start_s=record.time_s,
                ),
            )
            return None
        self.close(record.time_s)
        self._started = record.kind == START
        self._open = EpisodeSpan(
            record.time_s,
            None,
            EpisodeMetadata(
                robot=self.robot,
                instruction=record.instruction,
                seed=record.seed,
                start_s=record.time_s,
            ),
        )
        return self._open

    def due(self, now_s: float) -> EpisodeSpan | None:
        """The open episode, closed and returned, once its tail has passed."""
        if self._open is not None and self._open.end_s is not None and now_s >= self._open.end_s:
            return self.close(self._open.end_s)
        return None

    def close(self, at_s: float) -> EpisodeSpan | None:
        """Close the open episode at `at_s` (or at its tail end if earlier)."""
        if self._open is None:
            return None
        span = self._open
        end = at_s if span.end_s is None else min(span.end_s, at_s)
        span = replace(span, end_s=end)
        self.completed.append(span)
        self._open, self._started = None, False
        return span


def split_episodes(
    events: list[EpisodeEventRecord],
    robot: str,
    first_s: float,
    last_s: float,
    tail_s: float = 0.5,
) -> list[EpisodeSpan]:
    """Episodes of a recorded stream spanning [first_s, last_s]; without events, one episode."""
    if not events:
        return [EpisodeSpan(first_s, last_s, EpisodeMetadata(robot=robot, start_s=first_s))]
    tracker = EpisodeTracker(robot, tail_s)
    for record in sorted(events, key=lambda e: e.time_s):
        tracker.due(record.time_s)
        tracker.event(record)
    tracker.close(last_s)
    return tracker.completed
