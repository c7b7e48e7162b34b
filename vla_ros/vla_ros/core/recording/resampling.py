"""Recorded sensor streams -> observations -> frames on the dataset's clock.

Observations are made by the live ingestion's own ObservationAssembler, fed the recorded frames and
joint states in the order they were received, with `now` = each message's record (receive) time:
the same drops (stale, out-of-order, future), the same camera skew rule and the same joint-state
interpolation as camera_ingest applied live, so a model trained on the export sees what it sees at
inference. The action of a frame is the safe command (what the safety projector sent the robot)
interpolated to the frame's time: by the chunk convention action i of a chunk is meant for
`stamp + i * dt`, so action 0 of a model's chunk is the command at its observation's time.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from vla_ros.core.perception.observation_sync import ObservationAssembler
from vla_ros.core.recording.joint_track import TICK_TOLERANCE_S, JointTrack
from vla_ros.core.types import InvalidInput, JointState, Observation


def require_frame_rate(fps: float, source: str) -> int:
    """LeRobot's fps is an integer: `fps` as one, or InvalidInput naming where it came from."""
    if not fps > 0 or abs(fps - round(fps)) > 1e-9:
        raise InvalidInput(f"{source}: frame rate {fps} Hz must be a positive whole number")
    return int(round(fps))


@dataclass(frozen=True)
class FrameRecord:
    """A camera frame as recorded: receive time, camera, capture stamp, RGB pixels."""

    time_s: float
    camera: str
    stamp_s: float
    rgb: np.ndarray


@dataclass(frozen=True)
class JointStateRecord:
    time_s: float
    stamp_s: float
    state: JointState


@dataclass(frozen=True)
class InstructionRecord:
    time_s: float
    text: str


SensorRecord = FrameRecord | JointStateRecord | InstructionRecord


@dataclass(frozen=True)
class ClockFrame:
    """Frame `index` of an episode at `time_s`: the observation in force and the command at that time."""

    index: int
    time_s: float
    observation: Observation
    command: JointState

    @property
    def observation_age_s(self) -> float:
        return self.time_s - self.observation.stamp


def synchronized_observations(
    records: Iterable[SensorRecord], assembler: ObservationAssembler, instruction: str
) -> Iterator[Observation]:
    """Observations the live camera_ingest would have published for these records (in receive order).

    `instruction` is in force until an InstructionRecord replaces it. Messages the assembler
    refuses are dropped and counted in its counters, as live.
    """
    for record in records:
        if isinstance(record, InstructionRecord):
            instruction = record.text
            continue
        try:
            if isinstance(record, JointStateRecord):
                assembler.add_joint_state(record.stamp_s, record.state, record.time_s)
                continue
            assembler.add_frame(record.camera, record.stamp_s, record.rgb, record.time_s)
        except InvalidInput:
            continue
        observation = assembler.assemble(record.time_s, instruction)
        if observation is not None:
            yield observation


def frames_on_clock(
    observations: Iterable[Observation], commands: JointTrack, fps: int
) -> Iterator[ClockFrame]:
    """Frames at origin + k / fps, origin = the first observation at or after the first command.

    Each frame holds the newest observation at its time and the command interpolated to it; the
    clock ends at the last observation or the last command, whichever comes first (no frame
    without an action or beyond the recorded images).
    """
    period = 1.0 / fps
    origin: float | None = None
    index = 0
    held: Observation | None = None

    def ticks_until(limit: float, inclusive: bool) -> Iterator[ClockFrame]:
        nonlocal index
        while True:
            t = origin + index * period
            inside = t <= limit + TICK_TOLERANCE_S if inclusive else t < limit - TICK_TOLERANCE_S
            if not inside or t > commands.last_s + TICK_TOLERANCE_S:
                return
            yield ClockFrame(index, t, held, commands.at(min(t, commands.last_s)))
            index += 1

    for observation in observations:
        if observation.stamp < commands.first_s - TICK_TOLERANCE_S:
            continue
        if held is None:
            origin = observation.stamp
        else:
            yield from ticks_until(observation.stamp, inclusive=False)
        held = observation
    if held is not None:
        yield from ticks_until(held.stamp, inclusive=True)
