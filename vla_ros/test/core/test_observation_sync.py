import numpy as np
import pytest

from vla_ros.core.image import ImagePreprocess
from vla_ros.core.observation_sync import ObservationAssembler, SyncConfig
from vla_ros.core.types import InvalidInput, JointState

NAMES = ("j1", "j2")


def assembler(cameras=("front", "wrist"), **config):
    preprocess = {c: ImagePreprocess(8, 8) for c in cameras}
    return ObservationAssembler(SyncConfig(cameras=cameras, **config), preprocess)


def frame(value=0):
    return np.full((16, 16, 3), value, np.uint8)


def feed_joints(a, times):
    for t in times:
        a.add_joint_state(t, JointState(NAMES, np.array([t, -t])))


def test_observation_needs_every_camera_and_is_stamped_with_the_newest_frame():
    a = assembler()
    feed_joints(a, np.arange(0.0, 1.01, 0.01))
    a.add_frame("front", 0.50, frame(1), now=0.55)
    assert a.assemble(0.55, "go") is None
    a.add_frame("wrist", 0.52, frame(2), now=0.55)
    obs = a.assemble(0.55, "go")
    assert obs.stamp == 0.52 and obs.sequence == 1 and obs.instruction == "go"
    assert obs.images["front"].shape == (8, 8, 3)
    # joints interpolated to the frame time, not the latest joint message
    np.testing.assert_allclose(obs.joint_state.positions, [0.52, -0.52], atol=1e-9)
    assert a.assemble(0.56, "go") is None, "the same frames are never emitted twice"


def test_stale_frame_is_dropped_and_counted():
    a = assembler(cameras=("front",), max_frame_age_s=0.2)
    with pytest.raises(InvalidInput, match=r"stale frame from 'front': age 0.500 s > max_frame_age_s 0.2"):
        a.add_frame("front", 1.0, frame(), now=1.5)
    assert a.counters.dropped_stale == 1


def test_stale_camera_blocks_observations():
    a = assembler(cameras=("front",), max_frame_age_s=0.2)
    feed_joints(a, np.arange(0.0, 2.0, 0.01))
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
