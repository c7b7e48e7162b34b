"""project(): stack every constraint's rows, solve one exact QP, verify, fall back to braking.

Per tick: joint boxes (velocity, acceleration, viable position, jerk) are intersected exactly in
priority order; kinematic rows (workspace, speed, distance, singularity) go to DAQP, an exact
active-set solver. The QP rows of kinematic constraints are linearizations, so the answer is then
checked with exact forward kinematics over the step and over its braking continuation
(continuation.py); if that fails, the step is blended toward braking (braking_blend.py) — braking
itself is safe by induction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import daqp
import numpy as np

from vla_ros.core.safety.braking import brake
from vla_ros.core.safety.braking_blend import blend_toward_braking
from vla_ros.core.safety.compiled import kernel
from vla_ros.core.safety.constraint import Constraint, Rows
from vla_ros.core.safety.context import StepContext
from vla_ros.core.safety.objective import Objective

_ACTIVE_TOL = 1e-9
# Boxes of this priority and above give way when the QP has no answer with them.
SOFT = 2
# Boxes that meet within rounding (braking exactly on a viability bound) are not a conflict.
_TIE = 1e-12


@dataclass(frozen=True)
class Projection:
    velocity: np.ndarray
    # Constraints that moved the command on this tick (including boxes relaxed, suffixed "_relaxed").
    active: tuple[str, ...]
    # Distance between requested and forwarded step, dt * |v - v_ref| [rad].
    correction_norm: float
    # "" when the QP answered; "infeasible" when it had no answer and the arm brakes.
    failure: str = ""
    # The answer failed exact verification and the velocity is a blend toward braking.
    blended: bool = False


def project(
    ctx: StepContext, constraints: Sequence[Constraint], objective: Objective
) -> Projection:
    """The safe velocity for this tick closest (in the objective's metric) to what was asked."""
    boxes, general = [], []
    for constraint in constraints:
        rows = constraint.rows(ctx)
        if rows is not None:
            (boxes if rows.G is None else general).append((constraint, rows))
    hard = [(c, rows) for c, rows in boxes if rows.priority < SOFT]
    soft = [(c, rows) for c, rows in boxes if rows.priority >= SOFT]
    lower, upper, relaxed = _intersect_boxes(boxes, objective.reference.size)
    all_boxes = (lower, upper)
    braking = brake(ctx.state.v, ctx.limits.acceleration, ctx.dt)
    general = [(c, _admitting(rows, braking)) for c, rows in general]
    velocity, failure = _solve(objective, lower, upper, general)
    # Soft boxes (jerk) against kinematic rows: braking may lie outside them. Widened to admit it
    # (every other row does) they give way only as far as a stop needs; dropped when the solver still
    # has no answer (braking exactly on a bound of every row leaves it no room).
    for admitted in ([(c, _admitting(rows, braking)) for c, rows in soft], []):
        if velocity is not None or not soft:
            break
        lower, upper, relaxed = _intersect_boxes(hard + admitted, objective.reference.size)
        relaxed += [c.name for c, _ in soft]
        velocity, failure = _solve(objective, lower, upper, general)
    if velocity is None:
        velocity, active = braking, []
    else:
        active = _active_names(velocity, lower, upper, boxes, general, objective.reference)
    inexact = [c for c in constraints if not c.is_exact]
    blocked = []
    if inexact and velocity is not braking:
        velocity, blocked = blend_toward_braking(ctx, inexact, velocity, braking, all_boxes)
        active += [name for name in blocked if name not in active]
    active += [f"{name}_relaxed" for name in relaxed]
    correction = float(ctx.dt * np.linalg.norm(velocity - objective.reference))
    return Projection(velocity, tuple(active), correction, failure, bool(blocked))


def _admitting(rows: Rows, braking: np.ndarray) -> Rows:
    """Rows widened to admit braking: never ask more than a stop can give, so the QP stays feasible."""
    value = braking if rows.G is None else rows.G @ braking
    return Rows(
        np.minimum(rows.lower, value), np.maximum(rows.upper, value), rows.G, rows.priority
    )


def _intersect_boxes(
    boxes: list[tuple[Constraint, Rows]], n: int
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Intersect boxes by priority; a later box that would empty a joint's interval is relaxed there."""
    ordered = sorted(boxes, key=lambda item: item[1].priority)
    lower, upper, relaxed = _intersect(
        np.array([rows.lower for _, rows in ordered], float).reshape(-1, n),
        np.array([rows.upper for _, rows in ordered], float).reshape(-1, n),
    )
    return (
        lower,
        upper,
        [constraint.name for (constraint, _), conflict in zip(ordered, relaxed) if conflict],
    )


@kernel("Tuple((float64[:], float64[:], boolean[:]))(float64[:, ::1], float64[:, ::1])")
def _intersect(lowers, uppers):
    """_intersect_boxes on stacked boxes; per box whether it conflicted (beyond rounding) anywhere."""
    count, n = lowers.shape
    lower, upper, relaxed = np.full(n, -np.inf), np.full(n, np.inf), np.zeros(count, np.bool_)
    for box in range(count):
        for j in range(n):
            low, high = max(lower[j], lowers[box, j]), min(upper[j], uppers[box, j])
            if low > high:
                relaxed[box] |= low > high + _TIE
                # Keep the point of the current interval nearest the conflicting box.
                low = high = lower[j] if uppers[box, j] < lower[j] else upper[j]
            lower[j], upper[j] = low, high
    return lower, upper, relaxed


def _solve(
    objective: Objective,
    lower: np.ndarray,
    upper: np.ndarray,
    general: list[tuple[Constraint, Rows]],
) -> tuple[np.ndarray | None, str]:
    if not general and (np.eye(lower.size) == objective.H).all():
        return _clipped(objective.reference, lower, upper), ""
    G = np.vstack([rows.G for _, rows in general]) if general else np.zeros((0, lower.size))
    upper_all = np.concatenate([upper, *[rows.upper for _, rows in general]])
    lower_all = np.concatenate([lower, *[rows.lower for _, rows in general]])
    x, _, exitflag, _ = daqp.solve(
        np.ascontiguousarray(objective.H),
        np.ascontiguousarray(objective.f),
        np.ascontiguousarray(G),
        np.ascontiguousarray(np.minimum(upper_all, 1e30)),
        np.ascontiguousarray(np.maximum(lower_all, -1e30)),
        primal_tol=1e-10,
    )
    if exitflag < 1 or not np.isfinite(x).all():
        return None, f"infeasible (daqp exit flag {exitflag})"
    # The boxes are exact: remove the solver's tolerance from them.
    return _clipped(x, lower, upper), ""


def _clipped(x: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """np.clip for lower <= upper, without its dispatch cost (this runs several times per tick)."""
    return np.minimum(np.maximum(x, lower), upper)


def _active_names(
    velocity: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    boxes: list[tuple[Constraint, Rows]],
    general: list[tuple[Constraint, Rows]],
    reference: np.ndarray,
) -> list[str]:
    moved = np.abs(velocity - reference) > _ACTIVE_TOL
    if not moved.any():
        return []
    names = []
    for constraint, rows in boxes:
        tight = (np.abs(velocity - rows.lower) <= _ACTIVE_TOL) | (
            np.abs(velocity - rows.upper) <= _ACTIVE_TOL
        )
        if (tight & moved).any():
            names.append(constraint.name)
    for constraint, rows in general:
        value = rows.G @ velocity
        if ((value >= rows.upper - _ACTIVE_TOL) | (value <= rows.lower + _ACTIVE_TOL)).any():
            names.append(constraint.name)
    return names
