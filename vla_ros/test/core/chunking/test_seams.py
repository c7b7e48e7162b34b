"""The seam gap the demo reports per chunk arrival (how far a new chunk starts from its predecessor)."""

import numpy as np
import pytest

from vla_ros.core.chunking.seams import position_at, seam_gap
from vla_ros.core.types import ActionChunk, ActionSpace

NAMES = ("j1", "j2", "gripper")


def chunk(stamp: float, start: float, slope: float, horizon: int = 5) -> ActionChunk:
    """Joint j1 = start + slope * (t - stamp), j2 = -j1, gripper 0..1 alternating."""
    times = np.arange(horizon) * 0.1
    j1 = start + slope * times
    actions = np.stack([j1, -j1, np.arange(horizon) % 2], axis=1)
    return ActionChunk(stamp, 0.1, actions, NAMES, ActionSpace.JOINT_POSITION)


def test_position_is_linear_between_actions_and_undefined_outside():
    plan = chunk(1.0, 0.0, 2.0)
    np.testing.assert_allclose(position_at(plan, 1.15)[:2], [0.3, -0.3])
    np.testing.assert_allclose(position_at(plan, 1.4)[:2], [0.8, -0.8])
    assert position_at(plan, 0.99) is None and position_at(plan, 1.41) is None


def test_gap_is_the_largest_joint_difference_at_the_arrival():
    previous = chunk(1.0, 0.0, 1.0)
    continuing = chunk(1.2, 0.2, 1.0)  # the same line, later
    assert seam_gap(previous, continuing, 1.25, ("j1", "j2")) == pytest.approx(0.0, abs=1e-12)
    shifted = chunk(1.2, 0.5, 1.0)
    assert seam_gap(previous, shifted, 1.25, ("j1", "j2")) == pytest.approx(0.3)
    # The gripper column (not named) does not count, however it differs.
    assert seam_gap(previous, shifted, 1.25, ("j1",)) == pytest.approx(0.3)


def test_no_gap_without_overlap_or_shared_joints():
    previous = chunk(1.0, 0.0, 1.0)
    assert seam_gap(previous, chunk(2.0, 0.0, 1.0), 2.0, ("j1",)) is None  # previous ended
    assert seam_gap(previous, chunk(1.2, 0.0, 1.0), 1.25, ("j9",)) is None
