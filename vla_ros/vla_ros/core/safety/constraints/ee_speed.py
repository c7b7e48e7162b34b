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
        reach = [_twist_bounds(jacobian, fastest) for jacobian in ctx.jacobians]
        if all(lin < INSCRIBED * linear and ang < INSCRIBED * angular for lin, ang in reach):
            return None
        blocks, bounds = [], []
        for jacobian in ctx.jacobians:
            blocks += [NORMALS @ jacobian[:3], NORMALS @ jacobian[3:]]
            bounds += [
                np.full(len(NORMALS), INSCRIBED * linear),
                np.full(len(NORMALS), INSCRIBED * angular),
            ]
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
        step, turn = _largest_steps(placements.ee_position, placements.ee_rotation)
        return max(step / ctx.dt - linear, turn / ctx.dt - angular)

    @staticmethod
    def _limits(ctx: StepContext) -> tuple[float, float]:
        return ctx.config.linear_speed(ctx.reduced_speed), ctx.config.angular_speed(
            ctx.reduced_speed
        )


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


@kernel("UniTuple(float64, 2)(float64[:, ::1], float64[:])")
def _twist_bounds(jacobian, speeds):
    """Bounds on |linear| and |angular| EE velocity for joint speeds up to `speeds`: sum_j |J_j| speed_j."""
    linear, angular = 0.0, 0.0
    for j in range(jacobian.shape[1]):
        linear += (
            np.sqrt(jacobian[0, j] ** 2 + jacobian[1, j] ** 2 + jacobian[2, j] ** 2) * speeds[j]
        )
        angular += (
            np.sqrt(jacobian[3, j] ** 2 + jacobian[4, j] ** 2 + jacobian[5, j] ** 2) * speeds[j]
        )
    return linear, angular


@kernel("UniTuple(float64, 2)(float64[:, :, :], float64[:, :, :, :])")
def _largest_steps(position, rotation):
    """Largest EE displacement [m] and rotation angle [rad] between consecutive samples, any arm.

    The angle of R_before^T R_after as atan2(sin, cos) from its skew part and trace: exact for
    small angles too (no arccos of a value near 1).
    """
    step, turn, relative = 0.0, 0.0, np.empty((3, 3))
    for k in range(1, position.shape[0]):
        for arm in range(position.shape[1]):
            step = max(step, np.sqrt(np.sum((position[k, arm] - position[k - 1, arm]) ** 2)))
            before, after = rotation[k - 1, arm], rotation[k, arm]
            for r in range(3):
                for c in range(3):
                    relative[r, c] = (
                        before[0, r] * after[0, c]
                        + before[1, r] * after[1, c]
                        + before[2, r] * after[2, c]
                    )
            sine = 0.5 * np.sqrt(
                (relative[2, 1] - relative[1, 2]) ** 2
                + (relative[0, 2] - relative[2, 0]) ** 2
                + (relative[1, 0] - relative[0, 1]) ** 2
            )
            cosine = 0.5 * (relative[0, 0] + relative[1, 1] + relative[2, 2] - 1.0)
            turn = max(turn, np.arctan2(sine, cosine))
    return step, turn
