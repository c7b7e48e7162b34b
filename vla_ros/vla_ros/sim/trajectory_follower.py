"""A pure-Python JointTrajectoryController: how ros2_control turns trajectory messages into set points.

Rules (those of ros2_controllers' joint_trajectory_controller, spliced at the start time as ROS 1 did):
- a trajectory starts at its `start_time` (0 = when it is received); it replaces the one being
  followed from that time on, and the robot follows the old one until then;
- points whose time has already passed are dropped; the first remaining point is reached from the
  state the follower is in when the new trajectory takes over (so motion never jumps);
- a point due less than `min_segment_s` after the takeover counts as reached, as JTC treats a point
  whose time has come: it is never interpolated toward (a segment of a few nanoseconds, from a late
  stamp rounded to "now", asks for ~1e11 rad/s). Points after it go on from the takeover state; a
  last point is held from the takeover on, the set point JTC gives once a trajectory has played out;
- a segment interpolates linearly when its end point has positions only, with a cubic Hermite
  spline when it has velocities, and with a quintic when it also has accelerations;
- after the last point the follower holds its positions at zero velocity.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np

from vla_ros.core.types import InvalidInput

LINEAR, CUBIC, QUINTIC = "linear", "cubic", "quintic"
# Shorter than any controller period (ros2_control runs at 100-1000 Hz, the sim's physics at 500 Hz):
# a point due sooner than this after a takeover is due now.
MIN_SEGMENT_S = 1e-3


@dataclass(frozen=True)
class TrajectoryPoint:
    time_from_start: float
    positions: np.ndarray
    velocities: np.ndarray | None = None
    accelerations: np.ndarray | None = None


@dataclass(frozen=True)
class JointTrajectory:
    """trajectory_msgs/JointTrajectory as core data: `start_time` is header.stamp in seconds."""

    joint_names: tuple[str, ...]
    points: tuple[TrajectoryPoint, ...]
    start_time: float = 0.0


@dataclass(frozen=True)
class _Knot:
    """A state the follower passes through; `kind` is how the segment ending here interpolates."""

    time: float
    q: np.ndarray
    qd: np.ndarray
    qdd: np.ndarray
    kind: str


class TrajectoryFollower:
    """Set points (q, qd) over time for one controller's joints."""

    def __init__(
        self,
        joint_names: tuple[str, ...] | list[str],
        positions: np.ndarray,
        time: float = 0.0,
        min_segment_s: float = MIN_SEGMENT_S,
    ) -> None:
        if not min_segment_s > 0.0:
            raise InvalidInput(f"min_segment_s must be > 0 s, got {min_segment_s}")
        self.joint_names = tuple(joint_names)
        self.min_segment_s = min_segment_s
        self.reset(positions, time)

    def reset(self, positions: np.ndarray, time: float = 0.0) -> None:
        """Hold `positions` from `time` on, forgetting every trajectory."""
        q = np.asarray(positions, dtype=float).copy()
        if q.shape != (len(self.joint_names),):
            raise InvalidInput(
                f"follower of joints {list(self.joint_names)} got {q.shape[0] if q.ndim else 0} positions"
            )
        zero = np.zeros_like(q)
        self._knots = [_Knot(time, q, zero, zero, LINEAR)]
        self._times = [time]

    def receive(self, trajectory: JointTrajectory, now: float) -> None:
        """Take a new trajectory over from max(start_time, now); raises InvalidInput if it is malformed."""
        order = self._order(trajectory.joint_names)
        if not trajectory.points:
            raise InvalidInput("trajectory has no points")
        start = trajectory.start_time if trajectory.start_time > 0.0 else now
        takeover = max(start, now)
        new = [self._knot(i, point, order, start) for i, point in enumerate(trajectory.points)]
        times = [k.time for k in new]
        if any(b <= a for a, b in zip(times, times[1:])):
            raise InvalidInput(
                f"trajectory point times must strictly increase, got time_from_start {[t - start for t in times]}"
            )
        if times[-1] < takeover:
            raise InvalidInput(
                f"trajectory ends in the past (last point at {times[-1]:.3f} s, now {takeover:.3f} s)"
            )
        future = [k for k in new if k.time >= takeover + self.min_segment_s]
        if (
            not future
        ):  # the last point is due at the takeover: held from then on (a step, never a ramp)
            last = new[-1]
            future = [
                _Knot(takeover, last.q, np.zeros_like(last.q), np.zeros_like(last.q), LINEAR)
            ]
        q, qd, qdd, kind = self._state(takeover)
        kept = self._knots[: bisect.bisect_left(self._times, takeover)]
        # Keep only history since `now`'s segment began: older knots can no longer be sampled usefully.
        first_needed = max(0, bisect.bisect_right([k.time for k in kept], now) - 1)
        self._knots = kept[first_needed:] + [_Knot(takeover, q, qd, qdd, kind)] + future
        self._times = [k.time for k in self._knots]

    def sample(self, t: float) -> tuple[np.ndarray, np.ndarray]:
        """Desired positions and velocities at time t."""
        q, qd, _, _ = self._state(t)
        return q, qd

    # -- internals ---------------------------------------------------------------------------------
    def _order(self, names: tuple[str, ...]) -> list[int]:
        if sorted(names) != sorted(self.joint_names) or len(set(names)) != len(names):
            raise InvalidInput(
                f"trajectory joints {list(names)} must be exactly the controller's joints {list(self.joint_names)}"
            )
        return [list(names).index(j) for j in self.joint_names]

    def _knot(self, index: int, point: TrajectoryPoint, order: list[int], start: float) -> _Knot:
        n = len(self.joint_names)

        def field(values: np.ndarray | None, what: str) -> np.ndarray | None:
            if values is None or len(values) == 0:
                return None
            array = np.asarray(values, dtype=float)
            if array.shape != (n,) or not np.all(np.isfinite(array)):
                raise InvalidInput(
                    f"trajectory point {index}: {what} must be {n} finite numbers, got {list(array)}"
                )
            return array[order]

        q = field(point.positions, "positions")
        if q is None:
            raise InvalidInput(f"trajectory point {index} has no positions")
        qd = field(point.velocities, "velocities")
        qdd = field(point.accelerations, "accelerations") if qd is not None else None
        if not np.isfinite(point.time_from_start) or point.time_from_start < 0.0:
            raise InvalidInput(
                f"trajectory point {index}: time_from_start must be >= 0, got {point.time_from_start}"
            )
        kind = QUINTIC if qdd is not None else CUBIC if qd is not None else LINEAR
        zero = np.zeros(n)
        return _Knot(
            start + point.time_from_start,
            q,
            zero if qd is None else qd,
            zero if qdd is None else qdd,
            kind,
        )

    def _state(self, t: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
        """(q, qd, qdd) at t and the kind of the segment t falls in."""
        knots = self._knots
        i = bisect.bisect_right(self._times, t)
        if i == 0:
            k = knots[0]
            return k.q.copy(), np.zeros_like(k.q), np.zeros_like(k.q), LINEAR
        if i == len(knots):
            k = knots[-1]
            return k.q.copy(), np.zeros_like(k.q), np.zeros_like(k.q), LINEAR
        q, qd, qdd = _interpolate(knots[i - 1], knots[i], t)
        # A knot exactly at t belongs to the segment ending there (what a splice at t must continue).
        return q, qd, qdd, knots[bisect.bisect_left(self._times, t)].kind


def _interpolate(a: _Knot, b: _Knot, t: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    T = b.time - a.time
    s = t - a.time
    if b.kind == LINEAR:
        v = (b.q - a.q) / T
        return a.q + v * s, v, np.zeros_like(v)
    if b.kind == CUBIC:
        # Hermite cubic through (q, qd) at both ends.
        c0, c1 = a.q, a.qd
        c2 = (3 * (b.q - a.q) - (2 * a.qd + b.qd) * T) / T**2
        c3 = (-2 * (b.q - a.q) + (a.qd + b.qd) * T) / T**3
        return (
            c0 + c1 * s + c2 * s**2 + c3 * s**3,
            c1 + 2 * c2 * s + 3 * c3 * s**2,
            2 * c2 + 6 * c3 * s,
        )
    # Quintic through (q, qd, qdd) at both ends.
    dq = b.q - a.q
    c0, c1, c2 = a.q, a.qd, a.qdd / 2
    c3 = (20 * dq - (8 * b.qd + 12 * a.qd) * T - (3 * a.qdd - b.qdd) * T**2) / (2 * T**3)
    c4 = (-30 * dq + (14 * b.qd + 16 * a.qd) * T + (3 * a.qdd - 2 * b.qdd) * T**2) / (2 * T**4)
    c5 = (12 * dq - 6 * (b.qd + a.qd) * T - (a.qdd - b.qdd) * T**2) / (2 * T**5)
    q = c0 + c1 * s + c2 * s**2 + c3 * s**3 + c4 * s**4 + c5 * s**5
    qd = c1 + 2 * c2 * s + 3 * c3 * s**2 + 4 * c4 * s**3 + 5 * c5 * s**4
    qdd = 2 * c2 + 6 * c3 * s + 12 * c4 * s**2 + 20 * c5 * s**3
    return q, qd, qdd
