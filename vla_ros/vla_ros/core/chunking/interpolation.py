"""Continuous-time plans through timed action knots, sampled at the controller rate.

Vector columns, two choices:
  'cubic'  (default) C1 cubic Hermite with shape-preserving (PCHIP) tangents: never overshoots the
           knots, so a jump in the data is never turned into motion past the target and back
           (which would be backward motion in time);
  'spline' C2 cubic spline (continuous acceleration inside a plan), which rings around jumps.
Either way the start tangent is the velocity the command stream already has, so a re-plan is C1
(no velocity jump), and the end tangent is zero, so a plan that runs out comes to rest instead of
stopping dead. Quaternions: slerp between knots. Grippers: PCHIP (no overshoot past open/closed),
or a step in binary mode. Outside [start, end] the plan holds its end values with zero velocity.
"""

from __future__ import annotations

import numpy as np
from scipy.interpolate import CubicHermiteSpline, CubicSpline, PchipInterpolator
from scipy.spatial.transform import Rotation, Slerp

from vla_ros.core.chunking.layout import ActionLayout

_QUAT_DIFF_STEP = 1e-4


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
                index = np.clip(
                    np.searchsorted(self.times, ts, side="right") - 1, 0, len(self.times) - 1
                )
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
    return CubicHermiteSpline(times, values, tangents)
