"""End-effector linear and angular speed, with the ISO 10218 reduced-speed mode switchable at run time.

Exact check: the discrete speeds the controller produces, |p(q_to) - p(q_from)| / dt and
|log3(R_from^T R_to)| / dt. Rows: the speed ball replaced by an inscribed polytope (26 facet
normals, facets at R cos(covering angle)) on the linearized EE twist J v.
"""

from __future__ import annotations

import itertools

import numpy as np

from vla_ros.core.safety.compiled import kernel
from vla_ros.core.safety.constraint import Constraint, Rows
from vla_ros.core.safety.context import StepContext
from vla_ros.core.safety.model import SafetyModel


def _directions() -> tuple[np.ndarray, float]:
    normals = np.array([d for d in itertools.product((-1, 0, 1), repeat=3) if any(d)], float)
    normals /= np.linalg.norm(normals, axis=1, keepdims=True)
    # Covering angle of the normals, from a dense sample of the sphere (plus a safety factor).
    samples = np.random.default_rng(0).normal(size=(20000, 3))
    samples /= np.linalg.norm(samples, axis=1, keepdims=True)
    cos_cover = float(np.min(np.max(samples @ normals.T, axis=1)))
    return normals, 0.98 * cos_cover


NORMALS, INSCRIBED = _directions()


def rotation_angle(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """Angle of before^T after for stacks of rotations: atan2(sin, cos), exact for small angles too."""
    relative = np.swapaxes(before, -1, -2) @ after
    skew = relative - np.swapaxes(relative, -1, -2)
    sine = 0.5 * np.linalg.norm(np.stack([skew[..., 2, 1], skew[..., 0, 2], skew[..., 1, 0]], axis=-1), axis=-1)
    cosine = 0.5 * (np.trace(relative, axis1=-2, axis2=-1) - 1.0)
    return np.arctan2(sine, cosine)


class EndEffectorSpeedLimit(Constraint):
    name = "ee_speed"

    def __init__(self, model: SafetyModel) -> None:
        self.model = model

    def rows(self, ctx: StepContext) -> Rows | None:
        linear, angular = self._limits(ctx)
        # No rows when the fastest this tick can move cannot reach a facet: |n'J v| <= sum_j |J_j|
        # |v_j| <= sum_j |J_j| (|v_prev_j| + a_j dt) over the acceleration box, a hard box the
        # answer (and braking, and any blend of the two) always lies in.
        fastest = np.abs(ctx.state.v) + ctx.limits.acceleration * ctx.dt
        if all(
            np.sqrt(np.square(jacobian[:3]).sum(axis=0)) @ fastest < INSCRIBED * linear
            and np.sqrt(np.square(jacobian[3:]).sum(axis=0)) @ fastest < INSCRIBED * angular
            for jacobian in ctx.jacobians
        ):
            return None
        blocks, bounds = [], []
        for jacobian in ctx.jacobians:
            blocks += [NORMALS @ jacobian[:3], NORMALS @ jacobian[3:]]
            bounds += [np.full(len(NORMALS), INSCRIBED * linear), np.full(len(NORMALS), INSCRIBED * angular)]
        upper = np.concatenate(bounds)
        return Rows(np.full_like(upper, -np.inf), upper, np.vstack(blocks))

    def violation(self, ctx: StepContext, path: np.ndarray) -> float:
        """Exact discrete speeds, unless a bound already clears the limit on every step.

        Bound per step dq from q: |J(q0) dq| + R |dq|_1 (|q - q0|_1 + |dq|_1), J(q0) the Jacobian at
        the path's start and R >= |dJ_i/dq_j| (a column moves at most by the larger reach of the two
        joints, 1 for rotations), so only paths that may really be too fast pay for FK.
        """
        linear, angular = self._limits(ctx)
        worst = -np.inf
        for jacobian in self.model.jacobians(path[0]):
            bound_linear, bound_angular = _speed_bounds(path, jacobian, self.model.reach_bound)
            worst = max(worst, bound_linear / ctx.dt - linear, bound_angular / ctx.dt - angular)
        if worst < 0.0:
            return worst
        placements = self.model.path_placements(path)
        speed = np.linalg.norm(np.diff(placements.ee_position, axis=0), axis=-1) / ctx.dt
        turn = rotation_angle(placements.ee_rotation[:-1], placements.ee_rotation[1:]) / ctx.dt
        return float(max((speed - linear).max(), (turn - angular).max()))

    @staticmethod
    def _limits(ctx: StepContext) -> tuple[float, float]:
        return ctx.config.linear_speed(ctx.reduced_speed), ctx.config.angular_speed(ctx.reduced_speed)


@kernel("UniTuple(float64, 2)(float64[:, ::1], float64[:, ::1], float64)")
def _speed_bounds(path, jacobian, reach_bound):
    """Largest bound on the EE's linear and angular motion over any step of the path (see violation)."""
    linear, angular = 0.0, 0.0
    for k in range(1, len(path)):
        step = path[k] - path[k - 1]
        size = np.sum(np.abs(step))
        curvature = size * (np.sum(np.abs(path[k - 1] - path[0])) + size)
        twist = jacobian @ step
        linear = max(linear, np.sqrt(np.sum(twist[:3] ** 2)) + reach_bound * curvature)
        angular = max(angular, np.sqrt(np.sum(twist[3:] ** 2)) + curvature)
    return linear, angular
