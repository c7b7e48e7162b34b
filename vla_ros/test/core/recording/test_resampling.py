import numpy as np
import pytest

from vla_ros.core.perception.observation_sync import ObservationAssembler, SyncConfig
from vla_ros.core.recording.joint_track import JointTrack
from vla_ros.core.recording.resampling import (
    FrameRecord,
    InstructionRecord,
    JointStateRecord,
    frames_on_clock,
    synchronized_observations,
)
from vla_ros.core.types import JointState, Observation

NAMES = ("j1", "j2")


def joint(t: float) -> JointState:
    return JointState(NAMES, np.array([t, -t]))


def observations(stamps):
    return [
        Observation(float(t), {"cam": np.full((2, 2, 3), i, np.uint8)}, joint(t), "go", i)
        for i, t in enumerate(stamps)
    ]


def commands(first, last, rate=100.0):
    times = np.arange(round(first * rate), round(last * rate) + 1) / rate
    return JointTrack.from_states(
        [(t, JointState(NAMES, np.array([2 * t, 0.0]))) for t in times], "bag"
    )


def test_at_the_camera_rate_each_frame_is_one_observation_and_the_command_at_its_time():
    frames = list(
        frames_on_clock(observations(np.arange(10) * 0.1 + 5.0), commands(4.0, 6.0), fps=10)
    )
    assert [f.index for f in frames] == list(range(10))
    assert [f.observation.sequence for f in frames] == list(range(10))
    for f in frames:
        assert f.time_s == pytest.approx(5.0 + 0.1 * f.index)
        np.testing.assert_allclose(f.command.positions, [2 * f.time_s, 0.0], atol=1e-9)
        assert f.observation_age_s == pytest.approx(0.0, abs=1e-9)


def test_above_the_camera_rate_observations_are_held():
    frames = list(frames_on_clock(observations(np.arange(4) * 0.1), commands(0.0, 1.0), fps=30))
    # ticks 0, 1/30, ... up to the last observation at 0.3 s: 10 frames, 3 per observation, then 1
    assert [f.observation.sequence for f in frames] == [0, 0, 0, 1, 1, 1, 2, 2, 2, 3]
    assert max(f.observation_age_s for f in frames) == pytest.approx(2 / 30)


def test_the_clock_starts_with_the_commands_and_ends_with_the_first_stream_to_end():
    frames = list(frames_on_clock(observations(np.arange(20) * 0.1), commands(0.25, 1.02), fps=10))
    # the first observation at or after the first command (0.25 s) is the one at 0.3 s
    assert frames[0].time_s == pytest.approx(0.3)
    assert frames[-1].time_s == pytest.approx(1.0)
    assert len(frames) == 8
    later = list(frames_on_clock(observations(np.arange(5) * 0.1), commands(0.0, 5.0), fps=10))
    assert later[-1].time_s == pytest.approx(0.4)


def test_no_observation_after_the_first_command_gives_no_frame():
    assert list(frames_on_clock(observations([0.0, 0.1]), commands(1.0, 2.0), fps=10)) == []


def camera_records(stamps, delay=0.02):
    return [FrameRecord(t + delay, "cam", t, np.full((8, 8, 3), 1, np.uint8)) for t in stamps]


def joint_records(stamps, delay=0.001):
    return [JointStateRecord(t + delay, t, joint(t)) for t in stamps]


def sync(records, **config):
    assembler = ObservationAssembler(SyncConfig(cameras=("cam",), **config))
    ordered = sorted(records, key=lambda r: r.time_s)
    return list(synchronized_observations(ordered, assembler, "from metadata")), assembler.counters


def test_observations_are_the_live_assemblers_with_the_state_interpolated_to_the_frame_time():
    records = camera_records([1.005, 1.105, 1.205]) + joint_records(np.arange(100, 131) / 100)
    emitted, counters = sync(records)
    assert [o.stamp for o in emitted] == [1.005, 1.105, 1.205]
    for o in emitted:
        np.testing.assert_allclose(o.joint_state.positions, [o.stamp, -o.stamp], atol=1e-9)
        assert o.images["cam"].shape == (8, 8, 3)
        assert o.instruction == "from metadata"
    assert counters.observations == 3


def test_late_frames_are_dropped_as_live_and_instructions_take_over_when_received():
    records = (
        camera_records([1.0, 1.1], delay=0.02)
        + camera_records(
            [1.2], delay=0.9
        )  # received 0.9 s after capture: stale at max_frame_age_s 0.5
        + camera_records([1.3], delay=0.02)
        + joint_records(np.arange(90, 141) / 100)
        + [InstructionRecord(1.125, "stack the cubes")]
    )
    emitted, counters = sync(records)
    assert [o.stamp for o in emitted] == [1.0, 1.1, 1.3]
    assert [o.instruction for o in emitted] == [
        "from metadata",
        "from metadata",
        "stack the cubes",
    ]
    assert counters.dropped_stale == 1
