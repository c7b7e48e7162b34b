import numpy as np
import pytest

from vla_ros.core.recording.joint_track import JointTrack
from vla_ros.core.recording.resampling import require_frame_rate
from vla_ros.core.types import InvalidInput, JointState

NAMES = ("j1", "j2")


def ramp(times):
    """Commands moving 1 rad/s on j1 and -2 rad/s on j2."""
    return [(t, JointState(NAMES, np.array([t, -2 * t]))) for t in times]


def test_a_linear_ramp_resamples_exactly_between_and_at_commands():
    track = JointTrack.from_states(ramp(np.arange(0.0, 1.0001, 0.01)), "bag")
    for t in (0.0, 0.005, 0.333, 0.5, 0.999, 1.0):
        np.testing.assert_allclose(track.at(t).positions, [t, -2 * t], atol=1e-12)
    assert track.at(0.5).names == NAMES


def test_commands_are_sorted_and_of_a_repeated_stamp_the_last_counts():
    stamped = ramp([0.2, 0.0, 0.1]) + [(0.1, JointState(NAMES, np.array([9.0, 9.0])))]
    track = JointTrack.from_states(stamped, "bag")
    np.testing.assert_allclose(track.times, [0.0, 0.1, 0.2])
    np.testing.assert_allclose(track.at(0.1).positions, [9.0, 9.0])
    np.testing.assert_allclose(track.sample("j2", np.array([0.05])), [(0.0 + 9.0) / 2])


def test_outside_the_recorded_commands_there_is_no_action():
    track = JointTrack.from_states(ramp([1.0, 2.0]), "bag")
    with pytest.raises(
        InvalidInput, match=r"no command at 2\.500 s \(commands span 1\.000\.\.2\.000"
    ):
        track.at(2.5)


def test_commands_must_keep_their_joints_and_exist():
    other = (0.2, JointState(("j1", "j3"), np.zeros(2)))
    with pytest.raises(InvalidInput, match=r"bag x: commands name joints \['j1', 'j3'\]"):
        JointTrack.from_states(ramp([0.0, 0.1]) + [other], "bag x")
    with pytest.raises(InvalidInput, match="bag x: no commands recorded"):
        JointTrack.from_states([], "bag x")


def test_frame_rate_is_a_positive_whole_number():
    assert require_frame_rate(15.0, "card") == 15
    for bad in (0.0, -10.0, 12.5):
        with pytest.raises(InvalidInput, match=f"card: frame rate {bad} Hz"):
            require_frame_rate(bad, "card")
