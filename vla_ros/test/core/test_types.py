"""ActionChunk is checked once, at construction: a malformed one cannot exist, and the error says why."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from vla_ros.core.types import ActionChunk, ActionSpace, InvalidInput, JointState

NAMES = ("a", "b", "c")


@pytest.mark.parametrize(
    ("stamp", "dt", "actions", "names", "message"),
    [
        (
            0.0,
            0.05,
            np.zeros((0, 3)),
            NAMES,
            r"non-empty \(horizon, dim\) array, got shape \(0, 3\)",
        ),
        (0.0, 0.05, np.zeros(3), NAMES, "non-empty"),
        (0.0, 0.05, np.zeros((5, 2)), NAMES, r"2 action dims but 3 dim_names \['a', 'b', 'c'\]"),
        (
            0.0,
            -0.05,
            np.zeros((5, 3)),
            NAMES,
            "dt must be a positive finite number of seconds, got -0.05",
        ),
        (0.0, np.inf, np.zeros((5, 3)), NAMES, "dt must be a positive"),
        (np.nan, 0.05, np.zeros((5, 3)), NAMES, "stamp must be finite"),
        (
            0.0,
            0.05,
            np.array([[0.0, 0.0, 0.0], [0.0, np.inf, np.nan]]),
            NAMES,
            r"2 non-finite values \(first: action 1, dim 'b' = inf\)",
        ),
    ],
)
def test_a_malformed_chunk_cannot_be_constructed(stamp, dt, actions, names, message):
    with pytest.raises(InvalidInput, match=message):
        ActionChunk(stamp, dt, actions, names, ActionSpace.JOINT_POSITION)


def test_a_copy_with_changed_fields_is_checked_too():
    chunk = ActionChunk(1.0, 0.05, np.zeros((4, 3)), NAMES, ActionSpace.JOINT_POSITION)
    assert chunk.horizon == 4 and chunk.time_of(2) == pytest.approx(1.1)
    with pytest.raises(InvalidInput, match="non-finite"):
        dataclasses.replace(chunk, actions=np.full((4, 3), np.nan))


def test_velocities_of_names_in_order_zeros_without_velocities_and_missing_joints_named():
    state = JointState(("a", "b", "c"), np.array([1.0, 2.0, 3.0]), np.array([0.1, 0.2, 0.3]))
    assert state.velocities_of(("c", "a")).tolist() == [0.3, 0.1]
    for bare in (None, np.array([])):
        assert JointState(("a",), np.array([1.0]), bare).velocities_of(("a",)).tolist() == [0.0]
    with pytest.raises(InvalidInput, match=r"lacks joints \['d'\]"):
        state.velocities_of(("d",))
