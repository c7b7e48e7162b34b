import numpy as np
import pytest

from vla_ros.core.perception.observation_sync import ObservationAssembler, SyncConfig
from vla_ros.core.types import InvalidInput, JointState

NAMES = ("j1", "j2")


def assembler(cameras=("front", "wrist"), **config):
    return ObservationAssembler(SyncConfig(cameras=cameras, **config))


def frame(value=0):
    return np.full((16, 16, 3), value, np.uint8)


def feed_joints(a, times):
    """Joint states, each arriving at its own stamp."""
    for t in times:
        a.add_joint_state(t, JointState(NAMES, np.array([t, -t])), now=t)


def test_observation_needs_every_camera_and_is_stamped_with_the_newest_frame():
    a = assembler()
    feed_joints(a, np.arange(0.0, 0.551, 0.01))
    a.add_frame("front", 0.50, frame(1), now=0.55)
    assert a.assemble(0.55, "go") is None
    a.add_frame("wrist", 0.52, frame(2), now=0.55)
    obs = a.assemble(0.55, "go")
    assert obs.stamp == 0.52 and obs.sequence == 1 and obs.instruction == "go"
    assert obs.images["front"].shape == (16, 16, 3)
    # joints interpolated to the frame time, not the latest joint message
    np.testing.assert_allclose(obs.joint_state.positions, [0.52, -0.52], atol=1e-9)
    assert a.assemble(0.56, "go") is None, "the same frames are never emitted twice"


def test_stale_frame_is_dropped_and_counted():
    a = assembler(cameras=("front",), max_frame_age_s=0.2)
    with pytest.raises(
        InvalidInput, match=r"stale frame from 'front': age 0.500 s > max_frame_age_s 0.2"
    ):
        a.add_frame("front", 1.0, frame(), now=1.5)
    assert a.counters.dropped_stale == 1


def test_stale_camera_blocks_observations():
    a = assembler(cameras=("front",), max_frame_age_s=0.2)
    feed_joints(a, np.arange(0.0, 1.001, 0.01))
    a.add_frame("front", 1.0, frame(), now=1.0)
    assert a.assemble(1.5, "go") is None
    assert a.counters.blocked_stale_camera == 1 and "stale" in a.counters.last_problem


def test_unknown_camera_and_out_of_order_frames_are_rejected():
    a = assembler(cameras=("front",))
    with pytest.raises(InvalidInput, match="unknown camera 'side'"):
        a.add_frame("side", 1.0, frame(), now=1.0)
    a.add_frame("front", 1.0, frame(), now=1.0)
    with pytest.raises(InvalidInput, match="out-of-order"):
        a.add_frame("front", 0.9, frame(), now=1.0)


def test_no_observation_without_a_joint_state_near_the_frame():
    a = assembler(cameras=("front",))
    a.add_frame("front", 1.0, frame(), now=1.0)
    assert a.assemble(1.0, "go") is None and a.counters.blocked_no_joint_state == 1


def test_config_validation_names_the_parameter():
    with pytest.raises(InvalidInput, match="max_frame_age_s must be > 0"):
        SyncConfig(cameras=("a",), max_frame_age_s=0.0)
    with pytest.raises(InvalidInput, match="at least one camera"):
        SyncConfig(cameras=())


# -- time faults -----------------------------------------------------------------------------------
def run(a, start, stop, now_offset=0.0, period=0.05):
    """Frames of both cameras and joint states stamped t, arriving at t + now_offset; the observations made."""
    made = []
    for t in np.arange(start, stop, period):
        now = t + now_offset
        a.add_joint_state(t, JointState(NAMES, np.array([t, -t])), now=now)
        for camera in a.config.cameras:
            a.add_frame(camera, t, frame(), now=now)
        made.append(a.assemble(now, "go"))
    return [o for o in made if o is not None]


def test_a_frame_stamped_in_the_future_is_rejected_and_real_frames_keep_flowing():
    a = assembler()
    assert run(a, 10.0, 10.5)
    wall_time = 1.7e9  # a driver stamping wall time while the graph runs on sim time
    with pytest.raises(
        InvalidInput, match=r"frame from 'front' stamped .* s in the future .* max_future_s 0.1"
    ):
        a.add_frame("front", wall_time, frame(), now=10.5)
    assert a.counters.dropped_future == 1
    after = run(a, 10.5, 11.0)
    assert len(after) == 10 and a.counters.dropped_out_of_order == 0


def test_a_joint_state_stamped_in_the_future_is_rejected_and_the_history_keeps_growing():
    a = assembler()
    assert run(a, 10.0, 10.5)
    with pytest.raises(InvalidInput, match=r"joint state stamped 99.500 s in the future"):
        a.add_joint_state(110.0, JointState(NAMES, np.array([9.0, 9.0])), now=10.5)
    after = run(a, 10.5, 11.0)
    assert len(after) == 10 and a.counters.dropped_future == 1
    np.testing.assert_allclose(
        after[-1].joint_state.positions, [after[-1].stamp, -after[-1].stamp]
    )


def test_stamps_within_max_future_s_are_accepted():
    a = assembler(max_future_s=0.2)
    assert len(run(a, 10.0, 10.5, now_offset=-0.19)) == 10 and a.counters.dropped_future == 0


@pytest.mark.parametrize(
    "back_to", [0.0, 5.0, 9.8], ids=["sim_reset", "bag_loop", "just_over_tolerance"]
)
def test_a_clock_jumping_back_restarts_the_time_line_and_observations_continue(back_to):
    a = assembler()
    before = run(a, 10.0, 10.5)
    after = run(a, back_to, back_to + 0.5)
    assert a.counters.clock_jumps == 1 and a.counters.dropped_out_of_order == 0
    assert len(after) == len(before) == 10
    assert (
        after[0].stamp == pytest.approx(back_to) and after[0].sequence == before[-1].sequence + 1
    )
    np.testing.assert_allclose(after[0].joint_state.positions, [back_to, -back_to], atol=1e-9)


def test_a_step_back_within_max_future_s_is_no_jump():
    a = assembler()
    run(a, 10.0, 10.5)
    a.assemble(10.41, "go")
    assert a.counters.clock_jumps == 0


def test_non_finite_joint_states_are_rejected_and_never_reach_an_observation():
    a = assembler(cameras=("front",))
    feed_joints(a, [0.9])
    bad = [
        JointState(NAMES, np.array([np.nan, 0.0])),
        JointState(NAMES, np.zeros(2), np.array([0.0, np.inf])),
    ]
    messages = [r"non-finite positions \{'j1': nan\}", r"non-finite velocities \{'j2': inf\}"]
    for state, message in zip(bad, messages):
        with pytest.raises(InvalidInput, match=message):
            a.add_joint_state(1.0, state, now=1.0)
    a.add_frame("front", 1.0, frame(), now=1.0)
    obs = a.assemble(1.0, "go")
    np.testing.assert_allclose(obs.joint_state.positions, [0.9, -0.9])


def test_max_future_s_must_be_positive():
    with pytest.raises(InvalidInput, match="max_future_s must be > 0"):
        SyncConfig(cameras=("a",), max_future_s=0.0)
