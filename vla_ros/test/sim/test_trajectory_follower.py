"""The JointTrajectoryController rules the sim's controllers follow, one test per rule."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vla_ros.core.types import InvalidInput
from vla_ros.sim.trajectory_follower import JointTrajectory, TrajectoryFollower, TrajectoryPoint

JOINTS = ("a", "b")


def follower(q=(0.0, 0.0), t=0.0):
    return TrajectoryFollower(JOINTS, np.array(q), t)


def traj(*points, start=0.0, names=JOINTS):
    return JointTrajectory(names, tuple(points), start)


def pt(t, q, qd=None, qdd=None):
    arr = lambda v: None if v is None else np.array(v, float)  # noqa: E731
    return TrajectoryPoint(t, arr(q), arr(qd), arr(qdd))


def test_positions_only_interpolates_linearly_from_the_current_state():
    f = follower((1.0, -1.0), t=10.0)
    f.receive(traj(pt(1.0, (3.0, 1.0))), now=10.0)
    q, qd = f.sample(10.25)
    np.testing.assert_allclose(q, [1.5, -0.5])
    np.testing.assert_allclose(qd, [2.0, 2.0])


def test_velocities_give_a_cubic_hermite_segment():
    f = follower()
    f.receive(traj(pt(2.0, (1.0, 2.0), (0.0, 0.0))), now=0.0)
    q, qd = f.sample(1.0)
    np.testing.assert_allclose(q, [0.5, 1.0])  # symmetric S-curve passes midway at half time
    np.testing.assert_allclose(qd, [0.75, 1.5])  # peak velocity 1.5 * mean velocity
    np.testing.assert_allclose(f.sample(1.999)[1], [0.0, 0.0], atol=3e-3)  # arrives at rest


def test_accelerations_give_a_quintic_that_meets_every_boundary_condition():
    f = follower()
    f.receive(traj(pt(1.0, (1.0, 1.0), (0.5, -0.5), (0.2, 0.3))), now=0.0)
    eps = 1e-6
    q_end, qd_end = f.sample(1.0 - eps)
    np.testing.assert_allclose(q_end, [1.0, 1.0], atol=1e-5)
    np.testing.assert_allclose(qd_end, [0.5, -0.5], atol=1e-4)
    qdd_end = (f.sample(1.0 - eps)[1] - f.sample(1.0 - 2 * eps)[1]) / eps
    np.testing.assert_allclose(qdd_end, [0.2, 0.3], atol=1e-2)
    # Differs from the cubic through the same positions/velocities: the accelerations matter.
    g = follower()
    g.receive(traj(pt(1.0, (1.0, 1.0), (0.5, -0.5))), now=0.0)
    assert not np.allclose(f.sample(0.5)[0], g.sample(0.5)[0])


def test_holds_the_last_point_after_the_end():
    f = follower()
    f.receive(traj(pt(0.5, (1.0, 1.0)), pt(1.0, (2.0, 0.0))), now=0.0)
    q, qd = f.sample(5.0)
    np.testing.assert_allclose(q, [2.0, 0.0])
    np.testing.assert_allclose(qd, [0.0, 0.0])


def test_zero_start_time_means_now_and_points_are_relative_to_it():
    f = follower(t=3.0)
    f.receive(traj(pt(1.0, (1.0, 1.0))), now=3.0)
    np.testing.assert_allclose(f.sample(3.5)[0], [0.5, 0.5])


def test_a_new_trajectory_replaces_the_old_one_from_its_start_time():
    f = follower()
    f.receive(traj(pt(2.0, (2.0, 2.0))), now=0.0)
    f.receive(traj(pt(1.0, (-1.0, -1.0)), start=1.0), now=0.5)
    np.testing.assert_allclose(f.sample(0.75)[0], [0.75, 0.75])  # old one still runs before 1.0
    np.testing.assert_allclose(f.sample(1.0)[0], [1.0, 1.0])  # takeover from the old one's state
    np.testing.assert_allclose(f.sample(1.5)[0], [0.0, 0.0])  # halfway from 1.0 to -1.0
    np.testing.assert_allclose(f.sample(3.0)[0], [-1.0, -1.0])


def test_points_whose_time_has_passed_are_dropped():
    f = follower()
    # Stamped 1 s in the past: the first point (t=0.5) is gone, the second is reached from now.
    f.receive(traj(pt(0.5, (9.0, 9.0)), pt(2.0, (2.0, 2.0)), start=1.0), now=2.0)
    np.testing.assert_allclose(f.sample(2.0)[0], [0.0, 0.0])
    np.testing.assert_allclose(f.sample(2.5)[0], [1.0, 1.0])
    assert max(abs(f.sample(t)[0]).max() for t in np.linspace(2.0, 4.0, 41)) <= 2.0


def test_replacement_mid_motion_starts_from_the_followed_state_without_a_jump():
    f = follower()
    f.receive(traj(pt(1.0, (1.0, 1.0), (0.0, 0.0))), now=0.0)
    before = f.sample(0.4)
    f.receive(traj(pt(1.0, (0.0, 2.0), (0.0, 0.0))), now=0.4)
    after = f.sample(0.4)
    np.testing.assert_allclose(after[0], before[0])
    np.testing.assert_allclose(after[1], before[1])  # the cubic starts with the velocity it had


def test_joint_order_follows_the_names_in_the_message():
    f = follower()
    f.receive(traj(pt(1.0, (5.0, 7.0)), names=("b", "a")), now=0.0)
    np.testing.assert_allclose(f.sample(1.0)[0], [7.0, 5.0])


@pytest.mark.parametrize(
    "bad, message",
    [
        (traj(pt(1.0, (1.0, 1.0)), names=("a", "c")), "controller's joints"),
        (traj(pt(1.0, (1.0,))), "positions must be 2"),
        (traj(pt(1.0, (np.nan, 1.0))), "finite"),
        (traj(pt(1.0, (1.0, 1.0)), pt(1.0, (2.0, 2.0))), "strictly increase"),
        (traj(pt(0.5, (1.0, 1.0)), start=1.0), "ends in the past"),
    ],
)
def test_malformed_trajectories_are_rejected_and_the_old_one_kept(bad, message):
    f = follower()
    f.receive(traj(pt(1.0, (1.0, 1.0))), now=0.0)
    with pytest.raises(InvalidInput, match=message):
        f.receive(bad, now=5.0)
    np.testing.assert_allclose(f.sample(0.5)[0], [0.5, 0.5])


# -- points due within rounding of the takeover ----------------------------------------------------
def stamp_rounded_to_ns(seconds):
    return round(seconds * 1e9) * 1e-9  # what a header.stamp round trip does to a float time


@pytest.mark.parametrize("velocities", [None, (0.0, 0.0)], ids=["linear", "cubic"])
def test_a_late_point_due_within_rounding_of_now_is_held_not_ramped_to(velocities):
    """A one-point trajectory stamped lookahead before now: its point lands ~1e-16 s after now
    (the ns stamp rounds up). Interpolating toward it asked the sim for ~1e13 rad/s."""
    f = follower()
    now, lookahead = 1.234, 0.05
    f.receive(
        traj(pt(lookahead, (0.01, -0.02), velocities), start=stamp_rounded_to_ns(now - lookahead)),
        now=now,
    )
    for t in (now, now + 1e-12, now + 0.002):
        q, qd = f.sample(t)
        np.testing.assert_allclose(q, [0.01, -0.02])
        np.testing.assert_allclose(qd, [0.0, 0.0])


def test_a_point_due_within_the_minimal_segment_is_passed_and_the_next_reached_from_the_state():
    f = follower()
    f.receive(traj(pt(1.0 + 1e-7, (9.0, 9.0)), pt(2.0, (2.0, 2.0)), start=0.0 + 1e-9), now=1.0)
    q, qd = f.sample(1.5)
    np.testing.assert_allclose(
        q, [1.0, 1.0]
    )  # halfway on the ramp from the state (0, 0) to (2, 2)
    np.testing.assert_allclose(qd, [2.0, 2.0])


def test_a_trajectory_without_points_is_rejected():
    with pytest.raises(InvalidInput, match="no points"):
        follower().receive(traj(), now=0.0)


# Sup over u in [0, 1] of the quintic/cubic Hermite basis functions (their shapes' allowed overshoot):
# positions move at most 0.2 T |v| per end velocity and 0.0173 T^2 |a| per end acceleration beyond
# the hull of the end positions; velocities at most 1.875 |dq| / T + |v| per end + 0.068 T |a| per end.
OVERSHOOT_V, OVERSHOOT_A, SPEED_DQ, SPEED_V, SPEED_A = 0.2, 0.0173, 1.875, 1.0, 0.068

near = st.floats(-0.01, 0.01)  # seconds around now, rounding-sized offsets included
vector = st.tuples(st.floats(-2.0, 2.0), st.floats(-2.0, 2.0))


@st.composite
def trajectories_near_now(draw):
    n = draw(st.integers(1, 4))
    kind = draw(st.sampled_from(["linear", "cubic", "quintic"]))
    first = draw(st.sampled_from([0.0, 1e-16, 1e-12, 1e-9, 1e-6, 5e-4]) | st.floats(0.0, 0.05))
    gaps = draw(
        st.lists(
            st.sampled_from([1e-9, 1e-6, 1e-3]) | st.floats(1e-3, 0.5),
            min_size=n - 1,
            max_size=n - 1,
        )
    )
    times = first + np.concatenate([[0.0], np.cumsum(gaps)])
    points = []
    for t in times:
        qd = draw(vector) if kind != "linear" else None
        qdd = draw(st.tuples(st.floats(-5, 5), st.floats(-5, 5))) if kind == "quintic" else None
        points.append(pt(float(t), draw(vector), qd, qdd))
    return points


@settings(max_examples=300, deadline=None)
@given(
    prior_target=vector,
    now=st.floats(0.5, 2.0),
    stamp_offset=near | st.sampled_from([0.0, -1e-16, 1e-16]),
    round_stamp=st.booleans(),
    points=trajectories_near_now(),
)
def test_set_points_stay_in_the_hull_and_finite_for_any_stamp_near_now(
    prior_target, now, stamp_offset, round_stamp, points
):
    f = follower()
    f.receive(
        traj(pt(3.0, prior_target)), now=0.0
    )  # moving (linearly) when the new trajectory arrives
    stamp = now + stamp_offset - points[0].time_from_start  # the first point falls near now
    stamp = stamp_rounded_to_ns(stamp) if round_stamp else stamp
    try:
        f.receive(traj(*points, start=max(stamp, 1e-9)), now=now)
    except InvalidInput as error:
        assert "ends in the past" in str(error)
        return
    positions = np.array([(0.0, 0.0), prior_target] + [p.positions for p in points])
    speeds = [np.abs(prior_target) / 3.0] + [
        np.abs(p.velocities) for p in points if p.velocities is not None
    ]
    accelerations = [np.abs(p.accelerations) for p in points if p.accelerations is not None]
    v_max = np.max(speeds, axis=0)
    a_max = np.max(accelerations, axis=0) if accelerations else np.zeros(2)
    span = points[-1].time_from_start + 0.05
    slack = 2 * (OVERSHOOT_V * span * v_max + OVERSHOOT_A * span**2 * a_max) + 1e-9
    lo, hi = positions.min(axis=0) - slack, positions.max(axis=0) + slack
    gaps = np.diff([p.time_from_start for p in points])
    shortest = min([f.min_segment_s, *gaps])
    speed_bound = (
        SPEED_DQ * np.ptp(positions, axis=0) / shortest
        + 2 * (SPEED_V * v_max + SPEED_A * span * a_max)
        + 1e-6
    )
    for t in now + np.concatenate(
        [[0.0, 1e-16, 1e-12, 1e-9, 1e-6], np.linspace(0.0, span + 0.05, 60)]
    ):
        q, qd = f.sample(t)
        assert np.all(np.isfinite(q)) and np.all(np.isfinite(qd))
        assert np.all(q >= lo) and np.all(q <= hi), (
            f"set point {q} outside [{lo}, {hi}] at now + {t - now}"
        )
        assert np.all(np.abs(qd) <= speed_bound), (
            f"velocity {qd} above {speed_bound} at now + {t - now}"
        )
