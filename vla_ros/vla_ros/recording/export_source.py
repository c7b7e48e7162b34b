"""One episode of a recorded bag as dataset frames: bag messages -> core records -> frames.

Two passes over the episode: the safe commands first (small: the action track every frame
interpolates), then cameras, joint states and instructions streamed through the core in receive
order, so an episode never sits in memory as images.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from vla_ros.core.perception.image import FrameGeometry, rgb_image_from_buffer
from vla_ros.core.perception.observation_sync import ObservationAssembler, SyncConfig, SyncCounters
from vla_ros.core.recording.dataset_layout import DatasetLayout
from vla_ros.core.recording.episodes import EpisodeSpan
from vla_ros.core.recording.joint_track import JointTrack
from vla_ros.core.recording.resampling import (
    ClockFrame,
    FrameRecord,
    InstructionRecord,
    JointStateRecord,
    SensorRecord,
    frames_on_clock,
    synchronized_observations,
)
from vla_ros.core.robot.config import RobotConfig
from vla_ros.core.types import InvalidInput, JointState, Observation
from vla_ros.recording.bag_reader import RecordedBag
from vla_ros.recording.joint_tracks import header_stamp_s

COMMAND_TOPIC = "/vla/safe_joint_command"
INSTRUCTION_TOPIC = "/vla/instruction"
IMAGE_TYPE = "sensor_msgs/msg/Image"
JOINT_STATE_TYPE = "sensor_msgs/msg/JointState"
STRING_TYPE = "std_msgs/msg/String"


@dataclass(frozen=True)
class EpisodeReading:
    """How episodes are read: the robot, the dataset layout and camera_ingest's own settings."""

    robot: RobotConfig
    layout: DatasetLayout
    sync: SyncConfig
    geometry: FrameGeometry
    fps: int

    @property
    def camera_topics(self) -> dict[str, str]:
        by_name = {c.name: c.topic for c in self.robot.cameras}
        return {by_name[name]: name for name in self.layout.cameras}

    def expected_topics(self, recorded: dict[str, str]) -> dict[str, str]:
        """Topic -> message type a bag with `recorded` topics must hold: cameras, joint states and
        safe commands always, the instruction when it was recorded (else the metadata's is used)."""
        topics = dict.fromkeys(self.camera_topics, IMAGE_TYPE)
        topics[self.robot.joint_state_topic] = JOINT_STATE_TYPE
        topics[COMMAND_TOPIC] = JOINT_STATE_TYPE
        if INSTRUCTION_TOPIC in recorded:
            topics[INSTRUCTION_TOPIC] = STRING_TYPE
        return topics


@dataclass
class EpisodeFrames:
    """The frames of one episode (iterate once) and what the synchronization dropped on the way.

    Task text: the episode's instruction (its metadata: the RunTask goal) from its start, replaced
    from its receive time by one received during the episode (as camera_ingest does live); one
    received before the episode's reset belongs to an earlier episode.
    """

    bag: RecordedBag
    span: EpisodeSpan
    reading: EpisodeReading
    counters: SyncCounters = field(default_factory=SyncCounters)

    def __iter__(self) -> Iterator[dict]:
        commands = self._commands()
        for frame in frames_on_clock(self.observations(), commands, self.reading.fps):
            yield self._values(frame)

    def observations(self) -> Iterator[Observation]:
        """The observations camera_ingest would have published, from the recorded frames and joints."""
        # Decoding crops and downscales (reading.geometry), as camera_ingest does.
        assembler = ObservationAssembler(
            replace(self.reading.sync, cameras=self.reading.layout.cameras)
        )
        self.counters = assembler.counters
        yield from synchronized_observations(
            self._records(), assembler, self.span.metadata.instruction
        )

    def _inside(self, time_s: float) -> bool:
        return self.span.begin_s <= time_s and (
            self.span.end_s is None or time_s <= self.span.end_s
        )

    def _commands(self) -> JointTrack:
        stamped = [
            (header_stamp_s(m.msg), _joint_state(m.msg, self.bag, COMMAND_TOPIC))
            for m in self.bag.messages([COMMAND_TOPIC])
            if self._inside(m.time_s)
        ]
        track = JointTrack.from_states(stamped, f"bag {self.bag.path} topic {COMMAND_TOPIC}")
        self._require_joints(track.names, self.reading.layout.action_joints, COMMAND_TOPIC)
        return track

    def _records(self) -> Iterator[SensorRecord]:
        cameras = self.reading.camera_topics
        joint_topic = self.reading.robot.joint_state_topic
        checked = False
        topics = [*cameras, joint_topic, INSTRUCTION_TOPIC]
        for message in self.bag.messages(topics):
            if not self._inside(message.time_s):
                continue
            if message.topic == INSTRUCTION_TOPIC:
                yield InstructionRecord(message.time_s, message.msg.data)
            elif message.topic == joint_topic:
                state = _joint_state(message.msg, self.bag, joint_topic)
                if not checked:
                    self._require_joints(
                        state.names, self.reading.layout.state_joints, joint_topic
                    )
                    checked = True
                yield JointStateRecord(message.time_s, header_stamp_s(message.msg), state)
            else:
                yield FrameRecord(
                    message.time_s,
                    cameras[message.topic],
                    header_stamp_s(message.msg),
                    _rgb(message.msg, self.bag, message.topic, self.reading.geometry),
                )

    def _require_joints(self, names: tuple[str, ...], needed: tuple[str, ...], topic: str) -> None:
        missing = [j for j in needed if j not in names]
        if missing:
            raise InvalidInput(
                f"bag {self.bag.path} topic {topic}: lacks joints {missing} of robot "
                f"'{self.reading.robot.name}' (has {list(names)}): recorded on another robot?"
            )

    def _values(self, frame: ClockFrame) -> dict:
        task = frame.observation.instruction
        if not task:
            raise InvalidInput(
                f"bag {self.bag.path}: no task text (nothing on {INSTRUCTION_TOPIC} and no "
                "instruction in the episode metadata)"
            )
        return self.reading.layout.frame(frame.observation, frame.command, task)


def _joint_state(msg, bag: RecordedBag, topic: str) -> JointState:
    if len(msg.position) != len(msg.name):
        raise InvalidInput(
            f"bag {bag.path} topic {topic}: JointState has {len(msg.name)} names but "
            f"{len(msg.position)} positions"
        )
    return JointState(tuple(msg.name), msg.position.astype(float))


def _rgb(msg, bag: RecordedBag, topic: str, geometry: FrameGeometry):
    try:
        return rgb_image_from_buffer(
            msg.data, msg.encoding, msg.height, msg.width, msg.step, msg.is_bigendian, geometry
        )
    except InvalidInput as error:
        raise InvalidInput(f"bag {bag.path} topic {topic}: {error}") from error
