"""Per-joint braking at the acceleration limit, the stop every other decision falls back on.

Braking maps the velocity of one tick to the next: v' = sign(v) max(|v| - a dt, 0). It is
deterministic, so the braking continuation of an accepted state is exactly the path the arm takes if
every later tick holds; the projector only accepts states whose continuation is safe, which makes
"hold" always available (induction over ticks).
"""

from __future__ import annotations

import numpy as np


def brake(velocity: np.ndarray, acceleration: np.ndarray, dt: float) -> np.ndarray:
    """Velocity of the next tick when every joint decelerates at its limit and stops at zero."""
    return np.sign(velocity) * np.maximum(np.abs(velocity) - acceleration * dt, 0.0)


def braking_distance(velocity: np.ndarray, acceleration: np.ndarray, dt: float) -> np.ndarray:
    """Signed distance covered after this tick while braking from `velocity` (discrete time).

    B(v) = dt * sum_{i>=1} max(|v| - i a dt, 0) with m = number of positive terms.
    """
    speed = np.abs(velocity)
    step = acceleration * dt
    m = np.floor(speed / step)
    m = np.where(m * step >= speed, np.maximum(m - 1, 0), m)
    return np.sign(velocity) * dt * (m * speed - step * m * (m + 1) / 2)


def max_viable_velocity(distance: np.ndarray, acceleration: np.ndarray, dt: float) -> np.ndarray:
    """Largest v with dt v + B(v) <= distance: moving at v this tick can still stop within `distance`.

    On [m a dt, (m+1) a dt] the left side is dt (m+1) v - a dt^2 m (m+1) / 2, so m is the largest
    integer with a dt^2 m (m+1) / 2 <= distance. A negative distance (already past the limit) gives
    distance / dt: move back at least that fast.
    """
    distance = np.asarray(distance, float)
    c = acceleration * dt * dt
    ahead = np.maximum(distance, 0.0)
    ratio = ahead / c
    m = np.floor((np.sqrt(1.0 + 8.0 * ratio) - 1.0) / 2.0)
    # Correct the rounding of the square root by one either way.
    m -= m * (m + 1) / 2 > ratio
    m += (m + 1) * (m + 2) / 2 <= ratio
    np.maximum(m, 0.0, out=m)
    viable = (ahead + c * m * (m + 1) / 2) / (dt * (m + 1))
    return np.where(distance >= 0.0, viable, distance / dt)
