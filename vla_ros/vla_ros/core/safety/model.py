"""Forward kinematics for the kinematic constraints: EE frames, Jacobians and link capsules.

Built on the shared Kinematics (Pinocchio model reduced to RobotConfig.command_joints). Placements
of capsules and EE frames are computed for a batch of configurations at once (the projector checks
every sample of a braking path); Jacobians come from Pinocchio.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import pinocchio as pin

from vla_ros.core.kinematics import Kinematics
from vla_ros.core.robot_config import RobotConfig
from vla_ros.core.safety.capsules import Capsule, joint_children, link_capsules, segment_distance
from vla_ros.core.safety.config import SafetyConfig

_CACHE_SIZE = 64
# Paths remembered: the braking path and its anchors (clearance.py).
_PATH_MEMO = 4
# Up to this many configurations Pinocchio's FK (one call each) beats the numpy chain.
_PINOCCHIO_BATCH = 10


@dataclass(frozen=True)
class Placements:
    """What the constraints read, for one configuration or (leading axis) a batch of them."""

    ee_position: np.ndarray  # (..., arms, 3)
    ee_rotation: np.ndarray  # (..., arms, 3, 3)
    capsule_a: np.ndarray  # (..., capsules, 3) world end points of the capsule axes
    capsule_b: np.ndarray
    support: np.ndarray  # (..., capsules, 8, 3) world support points (Capsule.support)


class SafetyModel:
    def __init__(self, robot: RobotConfig, config: SafetyConfig, kinematics: Kinematics | None = None) -> None:
        self.kinematics = kinematics or Kinematics.from_robot(robot)
        self.model = model = self.kinematics.model
        self._jdata = model.createData()
        self._fdata = model.createData()
        self._probe_data = model.createData()
        self._jacobian_key: bytes | None = None
        self._ee_jacobians: list[np.ndarray] | None = None
        self._all_joint_jacobians: np.ndarray | None = None
        self._kappa: np.ndarray | None = None
        joints = robot.command_joints
        self._index = np.array([model.joints[model.getJointId(j)].idx_q for j in joints])
        self.n = len(joints)
        self.ee_frames = tuple(arm.ee_frame for arm in robot.arms)
        self._ee_ids = [int(model.getFrameId(f)) for f in self.ee_frames]
        self.arm_columns = [np.array([joints.index(j) for j in arm.joints]) for arm in robot.arms]
        self.gripper_columns = [joints.index(arm.gripper.joint) for arm in robot.arms if arm.gripper]
        self._chain()
        capsules = [c for c in link_capsules(robot.urdf_xml(), config.link_radius) if model.existFrame(c.link)]
        # Finger links: children of each gripper joint and of the joints that mimic it, per arm.
        children = joint_children(robot.urdf_xml())
        self.finger_links = [
            {children[j] for j in (arm.gripper.joint, *arm.gripper.mimic_joints) if j in children} if arm.gripper else set()
            for arm in robot.arms
        ]
        self.capsules: tuple[Capsule, ...] = tuple(capsules)
        self.capsule_radius = np.array([c.radius for c in capsules])
        self._half_length = np.array([np.linalg.norm(c.b - c.a) / 2 for c in capsules])
        frames = [model.frames[int(model.getFrameId(c.link))] for c in capsules]
        self._capsule_joint = np.array([f.parentJoint for f in frames], dtype=int)
        self._capsule_a = np.array([f.placement.act(c.a) for f, c in zip(frames, capsules)]).reshape(-1, 3)
        self._capsule_b = np.array([f.placement.act(c.b) for f, c in zip(frames, capsules)]).reshape(-1, 3)
        ee = [model.frames[i] for i in self._ee_ids]
        self._ee_joint = np.array([f.parentJoint for f in ee], dtype=int)
        self._ee_rotation = np.array([f.placement.rotation for f in ee])
        self._ee_translation = np.array([f.placement.translation for f in ee])
        self.moving_links = self._capsule_joint > 0
        supports = [c.support() for c in capsules]
        self.support_radius = np.array([radius for _, radius in supports])
        support = np.array([[f.placement.act(p) for p in points] for f, (points, _) in zip(frames, supports)]).reshape(-1, 3)
        # Every point the constraints read, in its joint's frame: capsule ends a, b, EE origins,
        # supports; each distinct one placed once (a capsule's supports are its own ends).
        joint_points = np.column_stack([
            np.concatenate([self._capsule_joint, self._capsule_joint, self._ee_joint, np.repeat(self._capsule_joint, 8)]),
            np.vstack([self._capsule_a, self._capsule_b, self._ee_translation, support]),
        ])
        distinct, self._point_of = np.unique(joint_points, axis=0, return_inverse=True)
        c, e = len(capsules), len(ee)
        self._point_of = self._point_of.ravel()
        self._support_of = self._point_of[2 * c + e :].reshape(c, 8)
        # Points lifted onto the stacked joint transforms [R_0 t_0 | R_1 t_1 | ...] (3, 4 joints):
        # one matrix product places every point of every sample.
        self._lifted = np.zeros((4 * model.njoints, len(distinct)))
        for i, (joint, *point) in enumerate(distinct):
            self._lifted[4 * int(joint) : 4 * int(joint) + 3, i] = point
            self._lifted[4 * int(joint) + 3, i] = 1.0
        # OpenBLAS runs a product on all its threads above 65536 * 4 multiply-adds; on a shared
        # machine that costs milliseconds, so long paths are placed in blocks below it.
        self._block_rows = max(1, 262144 // self._lifted.size)
        self._neutral = pin.neutral(model)
        self._cache: OrderedDict[bytes, Placements] = OrderedDict()
        self._path_memo: OrderedDict[bytes, Placements] = OrderedDict()
        self._travel_memo: tuple[bytes, np.ndarray] | None = None
        self.reach, self.revolute = self._reach()
        # Bound on |dJ_i/dq_j| for the EE Jacobian columns (the larger reach of i and j; 1 for axes).
        self.reach_bound = float(max(self.reach.max(initial=0.0), 1.0))

    # -- placements (numpy FK over batches) --------------------------------------------------------
    def _chain(self) -> None:
        """Per joint: parent, fixed placement, motion axis (from the joint model) and command column."""
        model = self.model
        self._parents = [int(model.parents[j]) for j in range(model.njoints)]
        self._placement_R = [np.asarray(model.jointPlacements[j].rotation) for j in range(model.njoints)]
        self._placement_t = [np.asarray(model.jointPlacements[j].translation) for j in range(model.njoints)]
        column_of = {int(q): c for c, q in enumerate(self._index)}
        self._axis, self._prismatic, self._column = [None], [False], [None]
        for j in range(1, model.njoints):
            joint = model.joints[j]
            data, q = joint.createData(), pin.neutral(model)
            q[joint.idx_q] = 1.0
            joint.calc(data, q)
            motion = pin.log6(data.M).vector
            prismatic = np.linalg.norm(motion[3:]) < 1e-9
            self._axis.append(motion[:3] if prismatic else motion[3:])
            self._prismatic.append(prismatic)
            self._column.append(column_of[int(joint.idx_q)])
        # The joint's world [R | t] is  R_parent C_j  combined as  [C0 + sin q C1 + (1 - cos q) C2 |
        # C3 + q C4] (+ t_parent): Rodrigues' formula on the fixed placement A for a revolute axis
        # (C1 = A K, C2 = A K^2), a translation along A axis for a prismatic one.
        self._joint_terms = [None]
        for j in range(1, model.njoints):
            A, K = self._placement_R[j], pin.skew(self._axis[j])
            zero = np.zeros((3, 3))
            turn = (zero, zero) if self._prismatic[j] else (A @ K, A @ K @ K)
            slide = A @ self._axis[j] if self._prismatic[j] else np.zeros(3)
            self._joint_terms.append(np.hstack([A, *turn, self._placement_t[j][:, None], slide[:, None]]))

    def batch_placements(self, Q: np.ndarray) -> Placements:
        """Placements of a (m, n) batch of configurations, computed together."""
        transforms = self._joint_transforms(np.asarray(Q, float))  # (m, joints, 3, 4)
        m = len(transforms)
        stacked = transforms.transpose(0, 2, 1, 3).reshape(3 * m, -1)
        world = np.empty((3 * m, self._lifted.shape[1]))
        for start in range(0, 3 * m, self._block_rows):
            np.matmul(stacked[start : start + self._block_rows], self._lifted, out=world[start : start + self._block_rows])
        points = world.reshape(m, 3, -1).transpose(0, 2, 1)
        c, e = len(self.capsules), len(self._ee_joint)
        return Placements(
            points[:, self._point_of[2 * c : 2 * c + e]],
            transforms[:, self._ee_joint, :, :3] @ self._ee_rotation,
            points[:, self._point_of[:c]],
            points[:, self._point_of[c : 2 * c]],
            points[:, self._support_of],
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

    def travel(self, path: np.ndarray) -> np.ndarray:
        """(m, n) per-joint distance covered from path[0] to each sample, remembered like paths."""
        key = path.tobytes()
        if self._travel_memo is None or self._travel_memo[0] != key:
            travelled = np.zeros(path.shape)
            np.cumsum(np.abs(np.diff(path, axis=0)), axis=0, out=travelled[1:])
            self._travel_memo = (key, travelled)
        return self._travel_memo[1]

    def _joint_transforms(self, Q: np.ndarray) -> np.ndarray:
        """World [R | t] (m, joints, 3, 4) of every joint frame: Pinocchio per sample for a few
        samples, one numpy pass down the chain for many (its cost hardly grows with the batch)."""
        m = Q.shape[0]
        if m <= _PINOCCHIO_BATCH:
            q_model = np.tile(self._neutral, (m, 1))
            q_model[:, self._index] = Q
            homogeneous = np.empty((m, self.model.njoints, 4, 4))
            for sample, q in enumerate(q_model):
                pin.forwardKinematics(self.model, self._fdata, q)
                homogeneous[sample] = [M.homogeneous for M in self._fdata.oMi]
            return homogeneous[:, :, :3]
        T = np.zeros((m, self.model.njoints, 3, 4))
        T[:, 0, :, :3] = np.eye(3)
        for j in range(1, len(self._parents)):
            parent = T[:, self._parents[j]]
            terms = parent[:, :, :3] @ self._joint_terms[j]  # (m, 3, 11)
            q = Q[:, self._column[j], None]
            T[:, j, :, :3] = terms[:, :, 0:3] + np.sin(q)[:, None] * terms[:, :, 3:6] + (1 - np.cos(q))[:, None] * terms[:, :, 6:9]
            T[:, j, :, 3] = parent[:, :, 3] + terms[:, :, 9] + q * terms[:, :, 10]
        return T

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
        self, placements: Placements, pairs: np.ndarray, cutoff: float = np.inf
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Surface distance of capsule pairs (negative: overlap) and the closest axis points.

        Pairs whose cheap lower bound (centre distance minus half-lengths and radii) exceeds
        `cutoff` keep that bound (never more than the true distance) and zero closest points; only
        the others get the exact segment distance. Single configuration or a batch (leading axis).
        """
        i, j = pairs[:, 0], pairs[:, 1]
        a, b = placements.capsule_a, placements.capsule_b
        centre = 0.5 * (a + b)
        reach = self._half_length[i] + self._half_length[j] + self.capsule_radius[i] + self.capsule_radius[j]
        distance = np.linalg.norm(centre[..., i, :] - centre[..., j, :], axis=-1) - reach
        c1 = np.zeros(distance.shape + (3,))
        c2 = np.zeros(distance.shape + (3,))
        near = distance <= cutoff
        if near.any():
            idx = np.nonzero(near)
            lead, k = idx[:-1], idx[-1]
            ends = [x[lead + (pk,)] for x in (a, b) for pk in (i[k], j[k])]
            axis, c1[near], c2[near] = segment_distance(ends[0], ends[2], ends[1], ends[3])
            distance[near] = axis - self.capsule_radius[i[k]] - self.capsule_radius[j[k]]
        return distance, c1, c2

    def capsule_joint(self, capsule: int) -> int:
        """The joint whose motion carries a capsule (0: the fixed base)."""
        return int(self._capsule_joint[capsule])

    # -- Jacobians (Pinocchio) ---------------------------------------------------------------------
    def jacobians(self, q: np.ndarray) -> list[np.ndarray]:
        """(6, n) LOCAL_WORLD_ALIGNED Jacobian of each arm's EE frame, columns in command-joint order."""
        self._joint_jacobians_at(q)
        if self._ee_jacobians is None:
            self._ee_jacobians = [
                pin.getFrameJacobian(self.model, self._jdata, i, pin.LOCAL_WORLD_ALIGNED)[:, self._index]
                for i in self._ee_ids
            ]
        return self._ee_jacobians

    def point_jacobians(self, q: np.ndarray, capsules: np.ndarray, points: np.ndarray) -> np.ndarray:
        """(k, 3, n) linear Jacobians at q of world points rigidly attached to capsules' links."""
        self._joint_jacobians_at(q)
        if self._all_joint_jacobians is None:
            self._all_joint_jacobians = np.array(
                [pin.getJointJacobian(self.model, self._jdata, j, pin.LOCAL_WORLD_ALIGNED)[:, self._index] for j in range(self.model.njoints)]
            )
            self._joint_origins = np.array([np.asarray(M.translation) for M in self._jdata.oMi])
        joints = self._capsule_joint[capsules]
        jacobian = self._all_joint_jacobians[joints]  # (k, 6, n)
        offset = points - self._joint_origins[joints]
        # v_point = v_joint + omega x offset = J_lin qd - offset x (J_ang qd)
        return jacobian[:, :3] - np.cross(offset[:, :, None], jacobian[:, 3:], axis=1)

    def condition_numbers(self, q: np.ndarray) -> np.ndarray:
        """sigma_max / sigma_min of each arm's 6 x arm-joints EE Jacobian at q (cached with them)."""
        self.jacobians(q)
        if self._kappa is None:
            self._kappa = self._conditions(self._ee_jacobians)
        return self._kappa

    def probe_condition_numbers(self, q: np.ndarray) -> np.ndarray:
        """condition_numbers at a probe configuration, leaving the cached Jacobians alone."""
        q_model = self._neutral.copy()
        q_model[self._index] = q
        pin.computeJointJacobians(self.model, self._probe_data, q_model)
        pin.updateFramePlacements(self.model, self._probe_data)
        return self._conditions(
            [pin.getFrameJacobian(self.model, self._probe_data, i, pin.LOCAL_WORLD_ALIGNED)[:, self._index] for i in self._ee_ids]
        )

    def _conditions(self, jacobians: list[np.ndarray]) -> np.ndarray:
        sigma = [np.linalg.svd(j[:, c], compute_uv=False) for j, c in zip(jacobians, self.arm_columns)]
        return np.array([s[0] / s[-1] if s[-1] > 0 else np.inf for s in sigma])

    def _joint_jacobians_at(self, q: np.ndarray) -> None:
        key = np.asarray(q, float).tobytes()
        if key != self._jacobian_key:
            q_model = self._neutral.copy()
            q_model[self._index] = q
            pin.computeJointJacobians(self.model, self._jdata, q_model)
            pin.updateFramePlacements(self.model, self._jdata)
            self._jacobian_key, self._ee_jacobians = key, None
            self._all_joint_jacobians = self._kappa = None

    # -- motion bounds -----------------------------------------------------------------------------
    def support(self, item: str | int) -> np.ndarray:
        """(n,) 1 for the command-joint columns that move an EE frame (name) or a capsule (index)."""
        joint = self._ee_joint[self.ee_frames.index(item)] if isinstance(item, str) else self._capsule_joint[item]
        mask = np.zeros(self.n)
        for j in self.model.supports[int(joint)]:
            if j > 0:
                mask[self._column[j]] = 1.0
        return mask

    def _reach(self) -> tuple[np.ndarray, np.ndarray]:
        """Metres any point of the robot moves per unit of each joint, and which joints rotate.

        Revolute: the distance from the joint to any point below it, bounded by the summed
        joint offsets in its subtree plus the largest frame/capsule offset; prismatic: 1.
        """
        model, reach = self.model, np.zeros(self.n)
        extent = {}
        for frame in model.frames:
            extent[frame.parentJoint] = max(extent.get(frame.parentJoint, 0.0), np.linalg.norm(frame.placement.translation))
        for k, joint in enumerate(self._capsule_joint):
            ends = max(np.linalg.norm(self._capsule_a[k]), np.linalg.norm(self._capsule_b[k]))
            extent[joint] = max(extent.get(joint, 0.0), ends)
        revolute = np.zeros(self.n)
        for j in range(1, model.njoints):
            column = self._column[j]
            if self._prismatic[j]:
                reach[column] = 1.0
                continue
            below = list(model.subtrees[j])
            reach[column] = sum(np.linalg.norm(self._placement_t[k]) for k in below if k != j)
            reach[column] += max(extent.get(k, 0.0) for k in below)
            revolute[column] = 1.0
        return reach, revolute
