"""How well conditioned each arm's EE Jacobian is: exactly at a configuration, and bounded along a path.

Exact: the largest and smallest singular values of each arm's 6 x arm-joints EE Jacobian (Pinocchio,
LOCAL_WORLD_ALIGNED, command columns, as SafetyModel.jacobians), kappa = sigma_max / sigma_min; we
work with its inverse r = sigma_min / sigma_max in [0, 1] (finite at a singularity, where kappa is not).

Bound: Weyl's inequality |sigma_i(J') - sigma_i(J)| <= ||J' - J||_2 <= ||J' - J||_F, so from a
configuration with exact (S, s) every configuration whose Jacobian moved by at most e has
r >= (s - e) / (S + e). Along the segment from q to q', column i of J moves by at most
sum_j D_ij |q'_j - q_j|, with D_ij >= |d col_i / d q_j| everywhere. For model joints of the EE's
chain, a revolute column is col_i = [z_i x (p - o_i); z_i] (axis z_i through o_i, EE point p); with
d_i >= |p - o_i| (the link offsets summed from joint i to the EE frame, plus the travel of prismatic
joints between):
  j before i in the chain (turns z_i, o_i and p):  [z_j x (z_i x (p - o_i)); z_j x z_i]  <= sqrt(d_i^2 + 1)
  j == i:                                          [z_i x (z_i x (p - o_i)); 0]           <= d_i
  j after i (moves p only):                        [z_i x (z_j x (p - o_j)); 0]           <= d_j
and any pair with a prismatic joint (col = [z; 0], or p translated along z_j) is bounded by 1; joints
off the chain leave the Jacobian alone. A command column sums the model columns that follow it
(times their <mimic> multiplier), so over command columns D = |S|' D_model |S| (S: Kinematics.selection).
"""

from __future__ import annotations

import numpy as np
import pinocchio as pin

from vla_ros.core.safety.compiled import kernel
from vla_ros.core.safety.model import SafetyModel

_PRISMATIC = {"JointModelPX", "JointModelPY", "JointModelPZ", "JointModelPrismaticUnaligned"}
_TINY = np.finfo(float).tiny


class EndEffectorConditioning:
    """Per arm: exact extreme singular values of the EE Jacobian, and the change bounds D.

    One per SafetyModel, shared by the EE objective and the singularity constraint: `at` remembers
    the configuration of the tick (where the model has the Jacobians already).
    """

    def __init__(self, model: SafetyModel) -> None:
        self.model = model
        self._at: tuple[bytes, np.ndarray] | None = None
        self._kinematics, pinocchio = model.kinematics, model.model
        self._model, self._data = pinocchio, pinocchio.createData()
        self._frames = [int(pinocchio.getFrameId(frame)) for frame in model.ee_frames]
        arms, width = len(model.arm_columns), max(len(c) for c in model.arm_columns)
        # Per arm, padded (columns with -1, the rest with 0): its command columns; the map from
        # the model's velocity coordinates that carry its EE to those columns (zero elsewhere);
        # and D over those columns.
        self.columns = np.full((arms, width), -1, dtype=np.int64)
        self._selection = np.zeros((arms, pinocchio.nv, width))
        self.bounds = np.zeros((arms, width, width))
        selection = self._kinematics.selection
        for arm, (frame, columns) in enumerate(zip(self._frames, model.arm_columns)):
            chain = [int(j) for j in pinocchio.supports[pinocchio.frames[frame].parentJoint] if j > 0]
            dofs = [pinocchio.joints[j].idx_v for j in chain]
            carried = np.abs(selection[np.ix_(dofs, columns)])
            self.columns[arm, : len(columns)] = columns
            self._selection[arm][np.ix_(dofs, range(len(columns)))] = selection[np.ix_(dofs, columns)]
            self.bounds[arm, : len(columns), : len(columns)] = carried.T @ _chain_bounds(pinocchio, frame, chain) @ carried

    def extremes(self, q: np.ndarray) -> np.ndarray:
        """(arms, 2): sigma_max and sigma_min of each arm's EE Jacobian at any q (command-joint order)."""
        pin.computeJointJacobians(self._model, self._data, self._kinematics.configuration(q))
        points = np.array([pin.updateFramePlacement(self._model, self._data, f).translation for f in self._frames])
        return _extremes_at_points(self._data.J, points, self._selection, self.columns)

    def at(self, q: np.ndarray) -> np.ndarray:
        """extremes at the tick's configuration, from the model's (cached) Jacobians; remembered."""
        key = q.tobytes()
        if self._at is None or self._at[0] != key:
            self._at = (key, _extremes_of(self.model.jacobians(q), self.columns))
        return self._at[1]

    def condition_numbers(self, q: np.ndarray, probe: bool = False) -> np.ndarray:
        """kappa per arm at q (inf at a singularity); `probe`: at a configuration other than the tick's."""
        with np.errstate(divide="ignore"):
            return 1.0 / inverse_conditions(self.extremes(q) if probe else self.at(q))

    def first_uncertified(
        self, path: np.ndarray, anchor: int, extremes: np.ndarray, required: np.ndarray, start: int
    ) -> tuple[int, float]:
        """The first sample from `start` on whose r is not certified >= `required` (per arm) from the
        exact `extremes` at path[anchor] (len(path) when none), and the largest required - (lower
        bound on r) over the samples certified before it (-inf when there are none)."""
        return _first_uncertified(path, self.columns, self.bounds, anchor, extremes, required, start)


def _chain_bounds(pinocchio: pin.Model, frame: int, chain: list[int]) -> np.ndarray:
    """D over the model joints of an EE chain, root first (module docstring)."""
    prismatic = [pinocchio.joints[j].shortname() in _PRISMATIC for j in chain]
    travel = np.maximum(np.abs(pinocchio.lowerPositionLimit), np.abs(pinocchio.upperPositionLimit))
    # From the EE back: a bound on the distance from each joint's origin to the EE point.
    reach, below = np.zeros(len(chain)), float(np.linalg.norm(pinocchio.frames[frame].placement.translation))
    for depth in range(len(chain) - 1, -1, -1):
        reach[depth] = below
        below += float(np.linalg.norm(pinocchio.jointPlacements[chain[depth]].translation))
        if prismatic[depth]:
            below += float(travel[pinocchio.joints[chain[depth]].idx_q])
    D = np.ones((len(chain), len(chain)))
    for i in range(len(chain)):
        for j in range(len(chain)):
            if not (prismatic[i] or prismatic[j]):
                D[i, j] = np.hypot(reach[i], 1.0) if j < i else reach[max(i, j)]
    return D


def inverse_conditions(extremes: np.ndarray) -> np.ndarray:
    """r = sigma_min / sigma_max per arm (0 for a zero Jacobian)."""
    return extremes[:, 1] / np.maximum(extremes[:, 0], _TINY)


@kernel("float64[:](float64[:, ::1])")
def _extreme_singular_values(jacobian):
    """[sigma_max, sigma_min] by one-sided Jacobi (Hestenes): rotate pairs of columns of the side with
    fewer columns until all are orthogonal; their norms are then the singular values. Accurate for
    the small ones too (relative to sigma_max), and cheaper than LAPACK's SVD on a 6 x 7 matrix."""
    A = jacobian.T.copy() if jacobian.shape[1] >= jacobian.shape[0] else jacobian.copy()
    length, width = A.shape
    for _ in range(60):
        rotated = False
        for i in range(width - 1):
            for j in range(i + 1, width):
                alpha, beta, gamma = 0.0, 0.0, 0.0
                for k in range(length):
                    alpha += A[k, i] * A[k, i]
                    beta += A[k, j] * A[k, j]
                    gamma += A[k, i] * A[k, j]
                if gamma == 0.0 or abs(gamma) <= 1e-15 * np.sqrt(alpha * beta):
                    continue
                rotated = True
                zeta = (beta - alpha) / (2.0 * gamma)
                t = (1.0 if zeta >= 0.0 else -1.0) / (abs(zeta) + np.sqrt(1.0 + zeta * zeta))
                c = 1.0 / np.sqrt(1.0 + t * t)
                s = c * t
                for k in range(length):
                    a, b = A[k, i], A[k, j]
                    A[k, i], A[k, j] = c * a - s * b, s * a + c * b
        if not rotated:
            break
    largest, smallest = 0.0, np.inf
    for i in range(width):
        norm = 0.0
        for k in range(length):
            norm += A[k, i] * A[k, i]
        largest, smallest = max(largest, np.sqrt(norm)), min(smallest, np.sqrt(norm))
    return np.array([largest, smallest])


@kernel("float64[:, ::1](float64[::1, :], float64[:, ::1], float64[:, :, ::1], int64[:, ::1])")
def _extremes_at_points(world_jacobian, points, selection, columns):
    """extremes of each arm's EE Jacobian from Pinocchio's stacked world Jacobian (spatial velocity at
    the world origin): at the EE point p a model column is [v - p x w; w], and selection[arm] maps the
    model columns that carry the EE to the arm's command columns."""
    arms, dofs = selection.shape[0], selection.shape[1]
    out = np.empty((arms, 2))
    for arm in range(arms):
        x, y, z = points[arm, 0], points[arm, 1], points[arm, 2]
        width = 0
        while width < columns.shape[1] and columns[arm, width] >= 0:
            width += 1
        jacobian = np.zeros((6, width))
        for d in range(dofs):
            wx, wy, wz = world_jacobian[3, d], world_jacobian[4, d], world_jacobian[5, d]
            twist = (
                world_jacobian[0, d] - (y * wz - z * wy),
                world_jacobian[1, d] - (z * wx - x * wz),
                world_jacobian[2, d] - (x * wy - y * wx),
                wx, wy, wz,
            )
            for k in range(width):
                gain = selection[arm, d, k]
                if gain != 0.0:
                    for r in range(6):
                        jacobian[r, k] += gain * twist[r]
        out[arm] = _extreme_singular_values(jacobian)
    return out


@kernel("float64[:, ::1](float64[:, :, ::1], int64[:, ::1])")
def _extremes_of(jacobians, columns):
    """extremes of each arm's columns (-1: padding) of EE Jacobians (arms, 6, n)."""
    arms = columns.shape[0]
    out = np.empty((arms, 2))
    for arm in range(arms):
        width = 0
        while width < columns.shape[1] and columns[arm, width] >= 0:
            width += 1
        jacobian = np.empty((6, width))
        for k in range(width):
            jacobian[:, k] = jacobians[arm, :, columns[arm, k]]
        out[arm] = _extreme_singular_values(jacobian)
    return out


@kernel("Tuple((int64, float64))(float64[:, ::1], int64[:, ::1], float64[:, :, ::1], int64, float64[:, ::1], float64[:], int64)")
def _first_uncertified(path, columns, bounds, anchor, extremes, required, start):
    """EndEffectorConditioning.first_uncertified: per sample and arm, r >= (s - e) / (S + e) with
    e = sqrt(sum_i (sum_j D_ij |dq_j|)^2) >= ||J(path[k]) - J(path[anchor])||_F."""
    arms, width = columns.shape
    change = np.empty(width)
    worst = -np.inf
    for k in range(start, path.shape[0]):
        for arm in range(arms):
            for b in range(width):
                c = columns[arm, b]
                change[b] = abs(path[k, c] - path[anchor, c]) if c >= 0 else 0.0
            moved = 0.0
            for a in range(width):
                column = 0.0
                for b in range(width):
                    column += bounds[arm, a, b] * change[b]
                moved += column * column
            moved = np.sqrt(moved)
            sigma_max, sigma_min = extremes[arm, 0], extremes[arm, 1]
            lower = (sigma_min - moved) / (sigma_max + moved) if moved < sigma_min else 0.0
            if lower < required[arm]:
                return k, worst
            worst = max(worst, required[arm] - lower)
    return path.shape[0], worst
