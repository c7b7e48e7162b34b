"""Continuous-time plans through timed action knots, sampled at the controller rate.

Vector columns, two choices:
  'cubic'  (default) C1 cubic Hermite with shape-preserving (PCHIP) tangents: never overshoots the
           knots, so a jump in the data is never turned into motion past the target and back
           (which would be backward motion in time);
  'spline' C2 cubic spline (continuous acceleration inside a plan), which rings around jumps.
Either way the start tangent is the velocity the command stream already has, so a re-plan is C1
(no velocity jump; 'cubic' brakes into a first knot that velocity would run past), and the end
tangent is zero, so a plan that runs out comes to rest instead of stopping dead. Quaternions: slerp
between knots. Grippers: PCHIP (no overshoot past open/closed), or a step in binary mode.
Outside [start, end] the plan holds its end values with zero velocity.
"""

from __future__ import annotations

import numpy as np
from scipy.interpolate import CubicHermiteSpline, CubicSpline, PchipInterpolator
from scipy.spatial.transform import Rotation, Slerp

from vla_ros.core.chunking.layout import ActionLayout

_QUAT_DIFF_STEP = 1e-4
# Shortest time a plan brakes the stream's velocity into a close first knot (see _braked_start).
MIN_BRAKING_S = 1e-4


class PlanTrajectory:
    def __init__(
        self,
        times: np.ndarray,
        values: np.ndarray,
        layout: ActionLayout,
        start_velocity: np.ndarray | None = None,
        binary_grippers: bool = False,
        c2: bool = False,
    ) -> None:
        self.times = np.asarray(times, dtype=float)
        self.values = np.asarray(values, dtype=float)
        if (
            self.times.ndim != 1
            or self.values.shape[:1] != self.times.shape
            or len(self.times) == 0
        ):
            raise ValueError(
                f"need matching non-empty knots, got times {self.times.shape} values {self.values.shape}"
            )
        if np.any(np.diff(self.times) <= 0.0):
            raise ValueError("knot times must be strictly increasing")
        self.layout = layout
        self.binary_grippers = binary_grippers
        self._vector = list(layout.vector_columns)
        self._grippers = list(layout.grippers)
        self._spline = self._pchip = self._slerp = None
        if len(self.times) >= 2:
            if self._vector:
                v0 = (
                    np.zeros(len(self._vector))
                    if start_velocity is None
                    else np.asarray(start_velocity)[self._vector]
                )
                self._spline = _vector_curve(self.times, self.values[:, self._vector], v0, c2)
            if self._grippers and not binary_grippers:
                self._pchip = PchipInterpolator(self.times, self.values[:, self._grippers])
            if layout.quaternion is not None:
                self._slerp = Slerp(
                    self.times, Rotation.from_quat(self.values[:, list(layout.quaternion)])
                )

    @property
    def start(self) -> float:
        return float(self.times[0])

    @property
    def end(self) -> float:
        return float(self.times[-1])

    def sample(self, t: float | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(values, velocities) at time(s) t; shape (dim,) for a scalar t, (n, dim) for an array."""
        scalar = np.ndim(t) == 0
        ts = np.clip(np.atleast_1d(np.asarray(t, dtype=float)), self.start, self.end)
        inside = (np.atleast_1d(t) > self.start) & (np.atleast_1d(t) < self.end)
        values = np.empty((len(ts), self.values.shape[1]))
        velocities = np.zeros_like(values)
        if len(self.times) == 1:
            values[:] = self.values[0]
        else:
            self._sample_into(ts, values, velocities)
            velocities[~inside] = 0.0
        if self.binary_grippers:
            values = self.layout.snap_grippers(values)
        return (values[0], velocities[0]) if scalar else (values, velocities)

    def _sample_into(self, ts: np.ndarray, values: np.ndarray, velocities: np.ndarray) -> None:
        if self._spline is not None:
            values[:, self._vector] = self._spline(ts)
            velocities[:, self._vector] = self._spline(ts, 1)
        if self._grippers:
            if self._pchip is not None:
                values[:, self._grippers] = self._pchip(ts)
                velocities[:, self._grippers] = self._pchip(ts, 1)
            else:
                # Binary: hold each knot's command until the next knot.
                index = _knot_before(self.times, ts)
                values[:, self._grippers] = self.values[index][:, self._grippers]
        if self._slerp is not None:
            cols = list(self.layout.quaternion)
            values[:, cols] = self._slerp(ts).as_quat()
            ahead = self._slerp(np.minimum(ts + _QUAT_DIFF_STEP, self.end)).as_quat()
            behind = self._slerp(np.maximum(ts - _QUAT_DIFF_STEP, self.start)).as_quat()
            span = np.minimum(ts + _QUAT_DIFF_STEP, self.end) - np.maximum(
                ts - _QUAT_DIFF_STEP, self.start
            )
            velocities[:, cols] = (ahead - behind) / span[:, None]


def _vector_curve(times: np.ndarray, values: np.ndarray, v0: np.ndarray, c2: bool):
    """C2 clamped spline, or C1 Hermite with PCHIP tangents; both start at v0 and end at rest."""
    rest = np.zeros(values.shape[1])
    if c2:
        return CubicSpline(times, values, bc_type=((1, v0), (1, rest)))
    tangents = PchipInterpolator(times, values).derivative()(times)
    tangents[0], tangents[-1] = v0, rest
    return CubicHermiteSpline(*_braked_start(times, values, tangents))


def _braked_start(
    times: np.ndarray, values: np.ndarray, tangents: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Knots, values and tangents with the first interval split where the start velocity overshoots.

    PCHIP tangents keep every interval monotone, but the start tangent is the command stream's
    velocity, not PCHIP's. Where it exceeds 3x the first interval's slope (moving fast, the first
    knot barely ahead: a chunk that says "stop about here"), a cubic runs past the knot and comes
    back. A knot at s of the interval splits it: overshooting columns come to rest there (slope 0)
    at a value between the two knots, and every column's pieces stay within Fritsch-Carlson's
    monotone square (both tangents at most 3x the piece's slope); the other columns take their
    unsplit curve's value and slope at the split, which reproduces it exactly. Braking takes at
    least MIN_BRAKING_S: a knot closer than the stream's velocity can stop within that is passed by
    at most what that velocity covers in it.
    """
    h = times[1] - times[0]
    slope = (values[1] - values[0]) / h
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        alpha = np.where(slope != 0.0, tangents[0] / slope, 0.0)
    over = alpha > 3.0
    if not over.any():
        return times, values, tangents
    tangents = tangents.copy()
    # End the first interval no steeper than its own slope: the braking piece then has room.
    beta = np.where(over, np.clip(tangents[1] / np.where(over, slope, 1.0), 0.0, 1.0), 0.0)
    tangents[1] = np.where(over, beta * slope, tangents[1])
    s = float(np.min((3.0 - beta[over]) / (alpha[over] - beta[over])))
    s = max(s, min(MIN_BRAKING_S, 0.5 * h) / h)
    split = times[0] + s * h
    first = CubicHermiteSpline(times[:2], values[:2], tangents[:2])
    value, velocity = first(split), first(split, 1)
    # Any fraction in [low, high] of the way to the first knot keeps both pieces monotone; where
    # braking at the floor cannot (low > high), the second piece stays monotone.
    low, high = s * alpha / 3.0, 1.0 - (1.0 - s) * beta / 3.0
    fraction = np.minimum(0.5 * (low + high), high)
    value = np.where(over, values[0] + fraction * (values[1] - values[0]), value)
    velocity = np.where(over, 0.0, velocity)
    return (
        np.insert(times, 1, split),
        np.insert(values, 1, value, axis=0),
        np.insert(tangents, 1, velocity, axis=0),
    )


def resample_actions(
    times: np.ndarray,
    values: np.ndarray,
    layout: ActionLayout,
    at: np.ndarray,
    binary_grippers: bool = False,
) -> np.ndarray:
    """A chunk's actions at times `at` (within [times[0], times[-1]]) along the path a plan draws
    between them: PCHIP per column, quaternions by slerp, binary grippers held from the action
    before. Lets a fade be rendered between a coarse chunk's actions (timeline.py)."""
    at = np.asarray(at, dtype=float)
    if len(times) < 2:
        return np.repeat(np.asarray(values, dtype=float)[:1], len(at), axis=0)
    out = PchipInterpolator(times, values)(at)
    if layout.quaternion is not None:
        cols = list(layout.quaternion)
        out[:, cols] = Slerp(times, Rotation.from_quat(values[:, cols]))(at).as_quat()
    if binary_grippers and layout.grippers:
        cols = list(layout.grippers)
        out[:, cols] = values[_knot_before(times, at)][:, cols]
    return out


def _knot_before(times: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Index of the last knot at or before each time (the first knot for times before it)."""
    return np.clip(np.searchsorted(times, at, side="right") - 1, 0, len(times) - 1)
