"""Forward kinematics for the kinematic constraints: EE frames, Jacobians and link capsules.

Built on the shared Kinematics (Pinocchio model of RobotConfig.command_joints and the joints that
mimic them, where <mimic> puts them: a model joint turns by multiplier * q[its column] + offset). Placements
of capsules and EE frames come from a compiled FK pass over a batch of configurations (the projector
checks every sample of a braking path, and one configuration per tick); Jacobians from Pinocchio.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import pinocchio as pin

from vla_ros.core.robot.config import RobotConfig
from vla_ros.core.robot.kinematics import Kinematics
from vla_ros.core.robot.safety_config import SafetyConfig
from vla_ros.core.safety.capsules import Capsule, closest_points, link_capsules
from vla_ros.core.safety.compiled import kernel

_CACHE_SIZE = 64
# Paths remembered: the braking path and its anchors (clearance.py).
_PATH_MEMO = 4


@dataclass(frozen=True)
class Placements:
    """What the constraints read, for one configuration or (leading axis) a batch of them."""

    ee_position: np.ndarray  # (..., arms, 3)
    ee_rotation: np.ndarray  # (..., arms, 3, 3)
    capsule_a: np.ndarray  # (..., capsules, 3) world end points of the capsule axes
    capsule_b: np.ndarray
    support: np.ndarray  # (..., capsules, 8, 3) world support points (Capsule.support)


class SafetyModel:
    def __init__(
        self, robot: RobotConfig, config: SafetyConfig, kinematics: Kinematics | None = None
    ) -> None:
        self.kinematics = kinematics or Kinematics.from_robot(robot)
        self.model = model = self.kinematics.model
        self._jdata = model.createData()
        self._probe_data = model.createData()
        self._jacobian_key: bytes | None = None
        self._ee_jacobians: np.ndarray | None = None
        self._world_jacobian: np.ndarray | None = None
        self._kappa: np.ndarray | None = None
        joints = robot.command_joints
        self.n = len(joints)
        self._selection = self.kinematics.selection  # model Jacobian columns -> command columns
        self.ee_frames = tuple(arm.ee_frame for arm in robot.arms)
        self._ee_ids = [int(model.getFrameId(f)) for f in self.ee_frames]
        self.arm_columns = [np.array([joints.index(j) for j in arm.joints]) for arm in robot.arms]
        self.gripper_columns = [
            joints.index(arm.gripper.joint) for arm in robot.arms if arm.gripper
        ]
        self._chain()
        capsules = [c for c in link_capsules(robot.urdf) if model.existFrame(c.link)]
        # Finger links: children of each gripper joint and of the joints that mimic it, per arm.
        leaders = {joint: mimic.joint for joint, mimic in robot.mimics.items()}
        self.finger_links = [
            {
                joint.child
                for joint in robot.urdf.joints.values()
                if arm.gripper.joint in (joint.name, leaders.get(joint.name))
            }
            if arm.gripper
            else set()
            for arm in robot.arms
        ]
        self.capsules: tuple[Capsule, ...] = tuple(capsules)
        self.capsule_radius = np.array([c.radius for c in capsules])
        self._half_length = np.array([np.linalg.norm(c.b - c.a) / 2 for c in capsules])
        frames = [model.frames[int(model.getFrameId(c.link))] for c in capsules]
        self._capsule_joint = np.array([f.parentJoint for f in frames], dtype=np.int64)
        self._capsule_a = np.array(
            [f.placement.act(c.a) for f, c in zip(frames, capsules)]
        ).reshape(-1, 3)
        self._capsule_b = np.array(
            [f.placement.act(c.b) for f, c in zip(frames, capsules)]
        ).reshape(-1, 3)
        ee = [model.frames[i] for i in self._ee_ids]
        self._ee_joint = np.array([f.parentJoint for f in ee], dtype=np.int64)
        self._ee_rotation = np.array([f.placement.rotation for f in ee]).reshape(-1, 3, 3)
        self._ee_translation = np.array([f.placement.translation for f in ee]).reshape(-1, 3)
        self.moving_links = self._capsule_joint > 0
        supports = [c.support() for c in capsules]
        self.support_radius = np.array([radius for _, radius in supports])
        support = np.array(
            [[f.placement.act(p) for p in points] for f, (points, _) in zip(frames, supports)]
        ).reshape(-1, 3)
        # Every point the constraints read, in its joint's frame, in the order batch_placements
        # slices them: capsule ends a, ends b, EE origins, 8 supports per capsule.
        self._point_joint = np.concatenate(
            [
                self._capsule_joint,
                self._capsule_joint,
                self._ee_joint,
                np.repeat(self._capsule_joint, 8),
            ]
        )
        self._point_local = np.vstack(
            [self._capsule_a, self._capsule_b, self._ee_translation, support]
        )
        self._cache: OrderedDict[bytes, Placements] = OrderedDict()
        self._path_memo: OrderedDict[bytes, Placements] = OrderedDict()
        self._joint_reach = self._reach()
        self.reach = self.motion_bound(np.ones(model.njoints, dtype=bool))
        # 1 for the command columns whose own joint rotates.
        self.revolute = np.array(
            [0.0 if self._prismatic[model.getJointId(j)] else 1.0 for j in joints]
        )
        # Per capsule, 1 for the model's velocity coordinates (all 1-DoF: v index = q index) whose
        # joint carries it: a mimicking finger's own joint, not its leader's, which moves another link.
        self._capsule_dofs = np.zeros((len(capsules), model.nv))
        for k, joint in enumerate(self._capsule_joint):
            self._capsule_dofs[
                k, [model.joints[j].idx_v for j in model.supports[int(joint)] if j > 0]
            ] = 1.0
        # Bound on |dJ_i/dq_j| for the EE Jacobian columns (the larger reach of i and j; 1 for axes).
        self.reach_bound = float(max(self.reach.max(initial=0.0), 1.0))

    # -- placements (compiled FK over batches) -----------------------------------------------------
    def _chain(self) -> None:
        """Per joint: parent, command column, gain and shift, and the fixed terms of its world transform.

        A joint's position is gain * q[column] + shift (1 and 0, or its <mimic>'s multiplier and
        offset). Its world [R | t] is R_parent [A + sin q AK + (1 - cos q) AK^2 | t_A + q A axis] on
        top of t_parent: Rodrigues' formula on the fixed placement (A, t_A) for a revolute axis
        (AK = A skew(axis)), a translation along A axis for a prismatic one (AK = 0).
        """
        model = self.model
        self._parents = np.array(
            [int(model.parents[j]) for j in range(model.njoints)], dtype=np.int64
        )
        kinematics = self.kinematics
        self._column = np.full(model.njoints, -1, dtype=np.int64)
        self._gain, self._shift = np.ones(model.njoints), np.zeros(model.njoints)
        self._prismatic = np.zeros(model.njoints, dtype=bool)
        self._turn = np.zeros((model.njoints, 3, 3, 3))
        self._turn[0, 0] = np.eye(3)
        self._offset = np.array(
            [model.jointPlacements[j].translation for j in range(model.njoints)]
        )
        self._slide = np.zeros((model.njoints, 3))
        for j in range(1, model.njoints):
            joint = model.joints[j]
            data, q = joint.createData(), pin.neutral(model)
            q[joint.idx_q] = 1.0
            joint.calc(data, q)
            motion = pin.log6(data.M).vector
            self._prismatic[j] = np.linalg.norm(motion[3:]) < 1e-9
            k = joint.idx_q
            self._column[j], self._gain[j], self._shift[j] = (
                kinematics.leader[k],
                kinematics.multiplier[k],
                kinematics.offset[k],
            )
            A = np.asarray(model.jointPlacements[j].rotation)
            self._turn[j, 0] = A
            if self._prismatic[j]:
                self._slide[j] = A @ motion[:3]
            else:
                K = pin.skew(motion[3:])
                self._turn[j, 1], self._turn[j, 2] = A @ K, A @ K @ K

    def batch_placements(self, Q: np.ndarray) -> Placements:
        """Placements of a (m, n) batch of configurations (compiled FK, one pass per sample)."""
        Q = np.ascontiguousarray(Q, dtype=float).reshape(-1, self.n)
        m, c, e = len(Q), len(self.capsules), len(self._ee_joint)
        points = np.empty((m, len(self._point_local), 3))
        rotations = np.empty((m, e, 3, 3))
        _forward_kinematics(
            Q,
            self._parents,
            self._column,
            self._gain,
            self._shift,
            self._turn,
            self._offset,
            self._slide,
            self._point_joint,
            self._point_local,
            self._ee_joint,
            self._ee_rotation,
            points,
            rotations,
        )
        return Placements(
            points[:, 2 * c : 2 * c + e],
            rotations,
            points[:, :c],
            points[:, c : 2 * c],
            points[:, 2 * c + e :].reshape(m, c, 8, 3),
        )

    def path_placements(self, path: np.ndarray) -> Placements:
        """batch_placements of a path, remembered: every constraint checks the same braking path
        (and the same anchors along it)."""
        key = path.tobytes()
        placements = self._path_memo.get(key)
        if placements is None:
            placements = self._path_memo[key] = self.batch_placements(path)
            if len(self._path_memo) > _PATH_MEMO:
                self._path_memo.popitem(last=False)
        return placements

    def placements(self, q: np.ndarray) -> Placements:
        """Placements at one configuration (cached: verification revisits configurations)."""
        key = np.asarray(q, float).tobytes()
        cached = self._cache.get(key)
        if cached is None:
            batch = self.batch_placements(np.asarray(q, float)[None])
            cached = Placements(*(getattr(batch, f)[0] for f in Placements.__dataclass_fields__))
            self._cache[key] = cached
            if len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
        return cached

    def pair_distances(
        self,
        capsule_a: np.ndarray,
        capsule_b: np.ndarray,
        pairs: np.ndarray,
        cutoff: float = np.inf,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Surface distance of capsule pairs (negative: overlap) and the closest axis points.

        `capsule_a`, `capsule_b`: world axis ends (..., capsules, 3), as in Placements, for one
        configuration or a batch (leading axes). Pairs whose cheap lower bound (centre distance
        minus half-lengths and radii) exceeds `cutoff` keep that bound (never more than the true
        distance) and zero closest points; only the others get the exact segment distance.
        """
        lead, c, k = capsule_a.shape[:-2], len(self.capsules), len(pairs)
        distance, c1, c2 = _pair_distances(
            capsule_a.reshape(-1, c, 3),
            capsule_b.reshape(-1, c, 3),
            pairs,
            self._half_length,
            self.capsule_radius,
            float(cutoff),
        )
        return distance.reshape(lead + (k,)), c1.reshape(lead + (k, 3)), c2.reshape(lead + (k, 3))

    def capsule_joint(self, capsule: int) -> int:
        """The joint whose motion carries a capsule (0: the fixed base)."""
        return int(self._capsule_joint[capsule])

    # -- Jacobians (Pinocchio) ---------------------------------------------------------------------
    def jacobians(self, q: np.ndarray) -> np.ndarray:
        """(arms, 6, n) LOCAL_WORLD_ALIGNED Jacobian of each arm's EE frame, columns in command-joint order."""
        self._joint_jacobians_at(q)
        if self._ee_jacobians is None:
            self._ee_jacobians = np.array(
                [self._frame_jacobian(self._jdata, i) for i in self._ee_ids]
            )
        return self._ee_jacobians

    def point_jacobians(
        self, q: np.ndarray, capsules: np.ndarray, points: np.ndarray
    ) -> np.ndarray:
        """(k, 3, n) linear Jacobians at q of world points rigidly attached to capsules' links.

        From Pinocchio's stacked world-frame Jacobian (spatial velocities at the world origin):
        v_point = v + omega x point over the joints that carry the capsule.
        """
        self._joint_jacobians_at(q)
        if self._world_jacobian is None:
            self._world_jacobian = np.ascontiguousarray(self._jdata.J)
        return _point_jacobians(
            self._world_jacobian,
            np.ascontiguousarray(points, float),
            self._capsule_dofs[capsules],
            self.kinematics.leader,
            self.kinematics.multiplier,
            self.n,
        )

    def condition_numbers(self, q: np.ndarray) -> np.ndarray:
        """sigma_max / sigma_min of each arm's 6 x arm-joints EE Jacobian at q (cached with them)."""
        self.jacobians(q)
        if self._kappa is None:
            self._kappa = self._conditions(self._ee_jacobians)
        return self._kappa

    def probe_condition_numbers(self, q: np.ndarray) -> np.ndarray:
        """condition_numbers at a probe configuration, leaving the cached Jacobians alone."""
        pin.computeJointJacobians(self.model, self._probe_data, self.kinematics.configuration(q))
        pin.updateFramePlacements(self.model, self._probe_data)
        return self._conditions([self._frame_jacobian(self._probe_data, i) for i in self._ee_ids])

    def _frame_jacobian(self, data: pin.Data, frame: int) -> np.ndarray:
        """(6, n) LOCAL_WORLD_ALIGNED Jacobian of a frame in command columns (mimicking joints added
        into their leader's).
        """
        return (
            pin.getFrameJacobian(self.model, data, frame, pin.LOCAL_WORLD_ALIGNED)
            @ self._selection
        )

    def _conditions(self, jacobians: np.ndarray) -> np.ndarray:
        return np.array([condition_number(j[:, c]) for j, c in zip(jacobians, self.arm_columns)])

    def _joint_jacobians_at(self, q: np.ndarray) -> None:
        key = np.asarray(q, float).tobytes()
        if key != self._jacobian_key:
            pin.computeJointJacobians(self.model, self._jdata, self.kinematics.configuration(q))
            pin.updateFramePlacements(self.model, self._jdata)
            self._jacobian_key, self._ee_jacobians = key, None
            self._world_jacobian = self._kappa = None

    # -- motion bounds -----------------------------------------------------------------------------
    def support(self, item: str | int) -> np.ndarray:
        """(n,) 1 for the command-joint columns that move an EE frame (name) or a capsule (index)."""
        joint = (
            self._ee_joint[self.ee_frames.index(item)]
            if isinstance(item, str)
            else self._capsule_joint[item]
        )
        mask = np.zeros(self.n)
        for j in self.model.supports[int(joint)]:
            if j > 0:
                mask[self._column[j]] = 1.0
        return mask

    def motion_bound(self, joints: np.ndarray) -> np.ndarray:
        """(n,) metres a point below the model joints in the boolean mask `joints` moves per unit of
        each command column at most: the sum over those joints of |gain| * their reach."""
        bound = np.zeros(self.n)
        for j in np.flatnonzero(joints):
            if j > 0:
                bound[self._column[j]] += abs(self._gain[j]) * self._joint_reach[j]
        return bound

    def relative_motion_bound(self, i: int, j: int) -> np.ndarray:
        """(n,) bound on how fast capsules i and j approach per unit of each command column: only joints
        that carry one of them and not the other move them apart (a mimicking pair of fingers: both)."""
        carried = np.zeros((2, self.model.njoints), dtype=bool)
        for row, capsule in enumerate((i, j)):
            carried[row, list(self.model.supports[self.capsule_joint(capsule)])] = True
        return self.motion_bound(carried[0] ^ carried[1])

    def _reach(self) -> np.ndarray:
        """Per model joint: metres any point below it moves per unit of its position.

        Revolute: the distance from the joint to any point below it, bounded by the summed joint
        offsets in its subtree plus the largest offset of a frame or of a point the constraints
        read (capsule ends, EE origins, support points); prismatic: 1.
        """
        model, reach = self.model, np.zeros(self.model.njoints)
        extent = {}
        for frame in model.frames:
            extent[frame.parentJoint] = max(
                extent.get(frame.parentJoint, 0.0), np.linalg.norm(frame.placement.translation)
            )
        for joint, point in zip(self._point_joint, self._point_local):
            extent[joint] = max(extent.get(joint, 0.0), np.linalg.norm(point))
        for j in range(1, model.njoints):
            if self._prismatic[j]:
                reach[j] = 1.0
                continue
            below = list(model.subtrees[j])
            reach[j] = sum(np.linalg.norm(self._offset[k]) for k in below if k != j) + max(
                extent.get(k, 0.0) for k in below
            )
        return reach


@kernel(
    "float64[:, :, ::1](float64[:, ::1], float64[:, ::1], float64[:, ::1], int64[::1], float64[::1], int64)"
)
def _point_jacobians(world_jacobian, points, supports, columns, gains, n):
    """Rows J_lin - point x J_ang of the world Jacobian, on each point's supporting model joints
    only, each added into its command column times its gain (a mimicking joint: its multiplier)."""
    count, dofs = points.shape[0], world_jacobian.shape[1]
    out = np.zeros((count, 3, n))
    for k in range(count):
        x, y, z = points[k, 0], points[k, 1], points[k, 2]
        for d in range(dofs):
            if supports[k, d] == 0.0:
                continue
            c, g = columns[d], gains[d]
            wx, wy, wz = world_jacobian[3, d], world_jacobian[4, d], world_jacobian[5, d]
            out[k, 0, c] += g * (world_jacobian[0, d] - (y * wz - z * wy))
            out[k, 1, c] += g * (world_jacobian[1, d] - (z * wx - x * wz))
            out[k, 2, c] += g * (world_jacobian[2, d] - (x * wy - y * wx))
    return out


@kernel("float64(float64[:, :])")
def condition_number(jacobian) -> float:
    """sigma_max / sigma_min (inf when rank-deficient)."""
    sigma = np.linalg.svd(np.ascontiguousarray(jacobian), full_matrices=False)[1]
    return sigma[0] / sigma[-1] if sigma[-1] > 0.0 else np.inf


@kernel(
    "void(float64[:, ::1], int64[::1], int64[::1], float64[::1], float64[::1], float64[:, :, :, ::1], float64[:, ::1], "
    "float64[:, ::1], int64[::1], float64[:, ::1], int64[::1], float64[:, :, ::1], float64[:, :, "
    "::1], float64[:, :, :, ::1])"
)
def _forward_kinematics(
    Q,
    parents,
    columns,
    gain,
    bias,
    turn,
    offset,
    slide,
    point_joint,
    point_local,
    frame_joint,
    frame_rotation,
    points,
    rotations,
) -> None:
    """World points (m, P, 3) and frame rotations (m, F, 3, 3) of every sample, down the chain."""
    joints = parents.size
    R, t, M = np.zeros((joints, 3, 3)), np.zeros((joints, 3)), np.empty((3, 3))
    for r in range(3):
        R[0, r, r] = 1.0
    for sample in range(Q.shape[0]):
        for j in range(1, joints):
            parent, q = parents[j], gain[j] * Q[sample, columns[j]] + bias[j]
            sine, versine = np.sin(q), 1.0 - np.cos(q)
            for r in range(3):
                for c in range(3):
                    M[r, c] = (
                        turn[j, 0, r, c] + sine * turn[j, 1, r, c] + versine * turn[j, 2, r, c]
                    )
            for r in range(3):
                shift = 0.0
                for c in range(3):
                    R[j, r, c] = (
                        R[parent, r, 0] * M[0, c]
                        + R[parent, r, 1] * M[1, c]
                        + R[parent, r, 2] * M[2, c]
                    )
                    shift += R[parent, r, c] * (offset[j, c] + q * slide[j, c])
                t[j, r] = t[parent, r] + shift
        for k in range(point_joint.size):
            j = point_joint[k]
            for r in range(3):
                points[sample, k, r] = (
                    t[j, r]
                    + R[j, r, 0] * point_local[k, 0]
                    + R[j, r, 1] * point_local[k, 1]
                    + R[j, r, 2] * point_local[k, 2]
                )
        for f in range(frame_joint.size):
            j = frame_joint[f]
            for r in range(3):
                for c in range(3):
                    rotations[sample, f, r, c] = (
                        R[j, r, 0] * frame_rotation[f, 0, c]
                        + R[j, r, 1] * frame_rotation[f, 1, c]
                        + R[j, r, 2] * frame_rotation[f, 2, c]
                    )


@kernel(
    "Tuple((float64[:, :], float64[:, :, :], float64[:, :, :]))"
    "(float64[:, :, :], float64[:, :, :], int64[:, :], float64[:], float64[:], float64)"
)
def _pair_distances(a, b, pairs, half_length, radius, cutoff):
    """SafetyModel.pair_distances over (samples, capsules, 3) capsule ends."""
    samples, count = a.shape[0], pairs.shape[0]
    distance = np.empty((samples, count))
    c1, c2 = np.zeros((samples, count, 3)), np.zeros((samples, count, 3))
    for s in range(samples):
        for k in range(count):
            i, j = pairs[k, 0], pairs[k, 1]
            squared = 0.0
            for r in range(3):
                squared += (0.5 * (a[s, i, r] + b[s, i, r]) - 0.5 * (a[s, j, r] + b[s, j, r])) ** 2
            bound = np.sqrt(squared) - (half_length[i] + half_length[j] + radius[i] + radius[j])
            if bound <= cutoff:
                bound = (
                    closest_points(a[s, i], b[s, i], a[s, j], b[s, j], c1[s, k], c2[s, k])
                    - radius[i]
                    - radius[j]
                )
            distance[s, k] = bound
    return distance, c1, c2
