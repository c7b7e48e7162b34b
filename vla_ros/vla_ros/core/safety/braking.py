"""Per-joint braking at the acceleration limit, the stop every other decision falls back on.

Braking maps the velocity of one tick to the next: v' = sign(v) max(|v| - a dt, 0). It is
deterministic, so the braking continuation of an accepted state is exactly the path the arm takes if
every later tick holds; the projector only accepts states whose continuation is safe, which makes
"hold" always available (induction over ticks).
"""

from __future__ import annotations

import numpy as np

from vla_ros.core.safety.compiled import kernel


@kernel("float64[:](float64[:], float64[:], float64)")
def brake(velocity: np.ndarray, acceleration: np.ndarray, dt: float) -> np.ndarray:
    """Velocity of the next tick when every joint decelerates at its limit and stops at zero."""
    return np.sign(velocity) * np.maximum(np.abs(velocity) - acceleration * dt, 0.0)


@kernel("float64[:](float64[:], float64[:], float64)")
def braking_distance(velocity: np.ndarray, acceleration: np.ndarray, dt: float) -> np.ndarray:
    """Signed distance covered after this tick while braking from `velocity` (discrete time).

    B(v) = dt * sum_{i>=1} max(|v| - i a dt, 0) with m = number of positive terms.
    """
    out = np.empty_like(velocity)
    for i in range(velocity.size):
        speed, step = abs(velocity[i]), acceleration[i] * dt
        m = np.floor(speed / step)
        if m * step >= speed:
            m = max(m - 1.0, 0.0)
        out[i] = np.sign(velocity[i]) * dt * (m * speed - step * m * (m + 1.0) / 2.0)
    return out


@kernel("float64[:](float64[:], float64[:], float64)")
def max_viable_velocity(distance: np.ndarray, acceleration: np.ndarray, dt: float) -> np.ndarray:
    """Largest v with dt v + B(v) <= distance: moving at v this tick can still stop within `distance`.

    On [m a dt, (m+1) a dt] the left side is dt (m+1) v - a dt^2 m (m+1) / 2, so m is the largest
    integer with a dt^2 m (m+1) / 2 <= distance. A negative distance (already past the limit) gives
    distance / dt: move back at least that fast.
    """
    out = np.empty_like(distance)
    for i in range(distance.size):
        ahead = distance[i]
        if ahead < 0.0:
            out[i] = ahead / dt
            continue
        c = acceleration[i] * dt * dt
        ratio = ahead / c
        m = np.floor((np.sqrt(1.0 + 8.0 * ratio) - 1.0) / 2.0)
        # Correct the rounding of the square root by one either way.
        if m * (m + 1.0) / 2.0 > ratio:
            m -= 1.0
        if (m + 1.0) * (m + 2.0) / 2.0 <= ratio:
            m += 1.0
        m = max(m, 0.0)
        out[i] = (ahead + c * m * (m + 1.0) / 2.0) / (dt * (m + 1.0))
    return out
