"""How well conditioned each arm's EE Jacobian is: exactly at a configuration, and bounded along a path.

Exact: the largest and smallest singular values of each arm's 6 x arm-joints EE Jacobian
(LOCAL_WORLD_ALIGNED, command columns: SafetyModel.jacobians), kappa = sigma_max / sigma_min; we work
with its inverse r = sigma_min / sigma_max in [0, 1] (finite at a singularity, where kappa is not).
The Jacobian comes from a compiled pass down each EE chain (Pinocchio's joint placements and axes),
so a whole path is checked in one call; the singular values from one-sided Jacobi.

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
(times their <mimic> multiplier), so over command columns D = |S|' D_model |S| (S: those multipliers).
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
    the configuration of the tick.
    """

    def __init__(self, model: SafetyModel) -> None:
        self.model = model
        self._at: tuple[bytes, np.ndarray] | None = None
        pinocchio, kinematics = model.model, model.kinematics
        arms = len(model.arm_columns)
        chains = []
        for frame in model.ee_frames:
            placement = pinocchio.frames[int(pinocchio.getFrameId(frame))]
            chain = [int(j) for j in pinocchio.supports[placement.parentJoint] if j > 0]
            chains.append((chain, placement.placement.translation))
        length, width = (
            max(len(chain) for chain, _ in chains),
            max(len(c) for c in model.arm_columns),
        )
        # Per arm, padded: its command columns (-1 pads); D over them; and down its EE chain, per
        # model joint: placement in its parent (rotation, translation), motion axis, prismatic or
        # not, the slot of its leader among the arm's columns (-1: none) and <mimic> gain and shift;
        # then the EE point in the last joint's frame.
        self.columns = np.full((arms, width), -1, dtype=np.int64)
        self.bounds = np.zeros((arms, width, width))
        self._length = np.array([len(chain) for chain, _ in chains], dtype=np.int64)
        self._rotation = np.zeros((arms, length, 3, 3))
        self._translation = np.zeros((arms, length, 3))
        self._axis = np.zeros((arms, length, 3))
        self._prismatic = np.zeros((arms, length), dtype=np.bool_)
        self._slot = np.full((arms, length), -1, dtype=np.int64)
        self._gain, self._shift = np.zeros((arms, length)), np.zeros((arms, length))
        self._ee_point = np.array([point for _, point in chains]).reshape(arms, 3)
        self._leader = np.full((arms, length), -1, dtype=np.int64)
        for arm, ((chain, _), columns) in enumerate(zip(chains, model.arm_columns)):
            self.columns[arm, : len(columns)] = columns
            slot_of = {int(c): k for k, c in enumerate(columns)}
            for depth, joint in enumerate(chain):
                k = pinocchio.joints[joint].idx_q
                self._rotation[arm, depth] = pinocchio.jointPlacements[joint].rotation
                self._translation[arm, depth] = pinocchio.jointPlacements[joint].translation
                self._prismatic[arm, depth] = pinocchio.joints[joint].shortname() in _PRISMATIC
                self._axis[arm, depth] = _motion_axis(pinocchio, joint)
                self._slot[arm, depth] = slot_of.get(int(kinematics.leader[k]), -1)
                self._gain[arm, depth], self._shift[arm, depth] = (
                    kinematics.multiplier[k],
                    kinematics.offset[k],
                )
                self._leader[arm, depth] = kinematics.leader[k]
            # A command column sums the chain columns that follow it, times their gain.
            carried = np.zeros((len(chain), len(columns)))
            for depth in range(len(chain)):
                if self._slot[arm, depth] >= 0:
                    carried[depth, self._slot[arm, depth]] = abs(self._gain[arm, depth])
            D = _chain_bounds(pinocchio, chains[arm][1], chain, self._prismatic[arm, : len(chain)])
            self.bounds[arm, : len(columns), : len(columns)] = carried.T @ D @ carried

    def extremes(self, q: np.ndarray) -> np.ndarray:
        """(arms, 2): sigma_max and sigma_min of each arm's EE Jacobian at q (command-joint order)."""
        return _extremes(np.asarray(q, float), *self._chain())

    def at(self, q: np.ndarray) -> np.ndarray:
        """extremes at the tick's configuration, remembered (every check of the tick starts there)."""
        key = q.tobytes()
        if self._at is None or self._at[0] != key:
            self._at = (key, self.extremes(q))
        return self._at[1]

    def condition_numbers(self, q: np.ndarray) -> np.ndarray:
        """kappa per arm at q (inf at a singularity)."""
        with np.errstate(divide="ignore"):
            return 1.0 / inverse_conditions(self.at(q))

    def shortfall(self, path: np.ndarray, required: np.ndarray) -> float:
        """Largest required[arm] - r over path[1:] and the arms, > 0 at the first sample that falls
        short (exact there); <= 0 (a certified bound) when none does.

        Each sample is certified from the nearest exactly evaluated one before it (path[0] first) by
        the bound on the Jacobian's change; the first one it cannot certify is evaluated exactly and
        becomes the next anchor.
        """
        return _shortfall(
            np.ascontiguousarray(path), self.at(path[0]), required, self.bounds, *self._chain()
        )

    def _chain(self) -> tuple:
        return (
            self.columns,
            self._length,
            self._rotation,
            self._translation,
            self._axis,
            self._prismatic,
            self._slot,
            self._leader,
            self._gain,
            self._shift,
            self._ee_point,
        )


def _motion_axis(pinocchio: pin.Model, joint: int) -> np.ndarray:
    """Unit axis of a 1-DoF joint in its own frame (rotation axis, or translation direction)."""
    model = pinocchio.joints[joint]
    data, q = model.createData(), pin.neutral(pinocchio)
    q[model.idx_q] = 1.0
    model.calc(data, q)
    motion = pin.log6(data.M).vector
    return motion[:3] if np.linalg.norm(motion[3:]) < 1e-9 else motion[3:]


def _chain_bounds(
    pinocchio: pin.Model, ee_point: np.ndarray, chain: list[int], prismatic: np.ndarray
) -> np.ndarray:
    """D over the model joints of an EE chain, root first (module docstring)."""
    travel = np.maximum(np.abs(pinocchio.lowerPositionLimit), np.abs(pinocchio.upperPositionLimit))
    # From the EE back: a bound on the distance from each joint's origin to the EE point.
    reach, below = np.zeros(len(chain)), float(np.linalg.norm(ee_point))
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


_CHAIN = (
    "int64[:, ::1], int64[::1], float64[:, :, :, ::1], float64[:, :, ::1], float64[:, :, ::1], boolean[:, ::1], "
    "int64[:, ::1], int64[:, ::1], float64[:, ::1], float64[:, ::1], float64[:, ::1]"
)


@kernel("float64[:, ::1](float64[::1], " + _CHAIN + ")")
def _extremes(
    q, columns, length, rotation, translation, axis, prismatic, slot, leader, gain, shift, ee_point
):
    """EndEffectorConditioning.extremes: per arm, down its chain, joint frames by Rodrigues' formula
    (a joint's frame is its parent's, times its placement, times its motion: oMi = oMp A M(theta)),
    then columns [z x (p - o); z] (prismatic: [z; 0]) added into the leader's slot times the gain."""
    arms = columns.shape[0]
    out = np.empty((arms, 2))
    origins, axes = np.empty((rotation.shape[1], 3)), np.empty((rotation.shape[1], 3))
    frame, turned = np.empty((3, 3)), np.empty((3, 3))
    for arm in range(arms):
        width = 0
        while width < columns.shape[1] and columns[arm, width] >= 0:
            width += 1
        R, t = np.eye(3), np.zeros(3)
        for d in range(length[arm]):
            theta = gain[arm, d] * q[leader[arm, d]] + shift[arm, d]
            a = axis[arm, d]
            shift_by, placed = translation[arm, d], rotation[arm, d]
            for r in range(3):
                t[r] += R[r, 0] * shift_by[0] + R[r, 1] * shift_by[1] + R[r, 2] * shift_by[2]
            for r in range(3):
                for c in range(3):
                    frame[r, c] = (
                        R[r, 0] * placed[0, c] + R[r, 1] * placed[1, c] + R[r, 2] * placed[2, c]
                    )
            for r in range(3):
                axes[d, r] = frame[r, 0] * a[0] + frame[r, 1] * a[1] + frame[r, 2] * a[2]
            if prismatic[arm, d]:
                for r in range(3):
                    t[r] += theta * axes[d, r]
                R[:, :] = frame
            else:
                # frame @ Rot(a, theta) = frame + sin frame K + (1 - cos) frame K^2, K = skew(a)
                sine, versine = np.sin(theta), 1.0 - np.cos(theta)
                for r in range(3):
                    fk0 = frame[r, 1] * a[2] - frame[r, 2] * a[1]
                    fk1 = frame[r, 2] * a[0] - frame[r, 0] * a[2]
                    fk2 = frame[r, 0] * a[1] - frame[r, 1] * a[0]
                    fkk0 = fk1 * a[2] - fk2 * a[1]
                    fkk1 = fk2 * a[0] - fk0 * a[2]
                    fkk2 = fk0 * a[1] - fk1 * a[0]
                    turned[r, 0] = frame[r, 0] + sine * fk0 + versine * fkk0
                    turned[r, 1] = frame[r, 1] + sine * fk1 + versine * fkk1
                    turned[r, 2] = frame[r, 2] + sine * fk2 + versine * fkk2
                R[:, :] = turned
            origins[d] = t
        p = t + R @ ee_point[arm]
        jacobian = np.zeros((6, width))
        for d in range(length[arm]):
            k = slot[arm, d]
            if k < 0:
                continue
            z, o, g = axes[d], origins[d], gain[arm, d]
            if prismatic[arm, d]:
                for r in range(3):
                    jacobian[r, k] += g * z[r]
            else:
                jacobian[0, k] += g * (z[1] * (p[2] - o[2]) - z[2] * (p[1] - o[1]))
                jacobian[1, k] += g * (z[2] * (p[0] - o[0]) - z[0] * (p[2] - o[2]))
                jacobian[2, k] += g * (z[0] * (p[1] - o[1]) - z[1] * (p[0] - o[0]))
                for r in range(3):
                    jacobian[3 + r, k] += g * z[r]
        out[arm] = _extreme_singular_values(jacobian)
    return out


@kernel(
    "float64(float64[:, ::1], float64[:, ::1], float64[:], float64[:, :, ::1], " + _CHAIN + ")"
)
def _shortfall(
    path,
    extremes,
    required,
    bounds,
    columns,
    length,
    rotation,
    translation,
    axis,
    prismatic,
    slot,
    leader,
    gain,
    shift,
    ee_point,
):
    """EndEffectorConditioning.shortfall. Certified: r >= (s - e) / (S + e) from the anchor's exact
    (S, s), with e = sqrt(sum_i (sum_j D_ij |dq_j|)^2) >= ||J(path[k]) - J(path[anchor])||_F."""
    arms, width = columns.shape
    change = np.empty(width)
    anchor, worst = 0, -np.inf
    for k in range(1, path.shape[0]):
        certified = True
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
                certified = False
                break
            worst = max(worst, required[arm] - lower)
        if certified:
            continue
        extremes = _extremes(
            path[k],
            columns,
            length,
            rotation,
            translation,
            axis,
            prismatic,
            slot,
            leader,
            gain,
            shift,
            ee_point,
        )
        anchor = k
        for arm in range(arms):
            worst = max(worst, required[arm] - extremes[arm, 1] / max(extremes[arm, 0], 1e-300))
        if worst > 0.0:
            return worst
    return worst
