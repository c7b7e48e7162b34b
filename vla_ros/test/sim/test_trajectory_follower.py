"""The JointTrajectoryController rules the sim's controllers follow, one test per rule."""

import numpy as np
import pytest

from vla_ros.core.trajectory_follower import JointTrajectory, TrajectoryFollower, TrajectoryPoint
from vla_ros.core.types import InvalidInput

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
