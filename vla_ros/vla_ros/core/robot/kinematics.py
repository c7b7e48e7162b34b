"""Forward kinematics, frame Jacobians and inverse kinematics of a robot's commanded joints (Pinocchio).

The model keeps the joints the caller names, in the caller's order (RobotConfig.command_joints for
a robot), and the joints that mimic one of them, placed where <mimic> puts them (multiplier * q +
offset); Jacobian columns of a mimicking joint add into its leader's column, times the multiplier.
Every other joint is locked: at 0, or at its offset when it mimics a locked joint. Poses are
expressed in the URDF's root frame (the robot's base frame).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pinocchio as pin

from vla_ros.core.robot.urdf import Mimic, Urdf, parse_urdf
from vla_ros.core.types import InvalidInput

if TYPE_CHECKING:
    from vla_ros.core.robot.config import RobotConfig


@dataclass(frozen=True)
class IkResult:
    """Joint positions (in the Kinematics' joint order) and how far their frame pose is from the target."""

    q: np.ndarray
    converged: bool
    position_error: float  # metres
    rotation_error: float  # radians (0 when solved for position only)
    iterations: int = 0


class Kinematics:
    """Kinematics of `joints` (1-DoF revolute/prismatic joints of the URDF), in that order.

    `mimics` (joint -> the joint it follows) defaults to the URDF's <mimic> tags.
    """

    def __init__(
        self,
        urdf: Urdf | str,
        joints: Sequence[str],
        *,
        position_limits: tuple[np.ndarray, np.ndarray] | None = None,
        mimics: dict[str, Mimic] | None = None,
    ) -> None:
        description = urdf if isinstance(urdf, Urdf) else parse_urdf(urdf)
        mimics = description.mimics if mimics is None else mimics
        try:
            full = pin.buildModelFromXML(description.text)
        except Exception as error:
            raise InvalidInput(f"robot description is not a valid URDF: {error}") from error
        self.joints = tuple(joints)
        movable = list(full.names[1:])
        unknown = [j for j in self.joints if j not in movable]
        if unknown:
            raise InvalidInput(
                f"joints {unknown} are not movable joints of the URDF (it has {movable})"
            )
        for name in self.joints:
            if name in mimics:
                raise InvalidInput(
                    f"joint '{name}' is commanded but mimics '{mimics[name].joint}' in the URDF; "
                    "command that joint instead"
                )
        followers = {name: mimic for name, mimic in mimics.items() if name in movable}
        reference = pin.neutral(full)
        for name, mimic in followers.items():
            joint = full.joints[full.getJointId(name)]
            if joint.nq != 1:
                raise InvalidInput(
                    f"joint '{name}' mimics '{mimic.joint}' but has {joint.nq} position "
                    "coordinates; only 1-DoF joints can mimic"
                )
            reference[joint.idx_q] = mimic.offset  # where it stays if its leader is locked (at 0)
        kept = set(self.joints) | {
            name for name, mimic in followers.items() if mimic.joint in self.joints
        }
        locked = [full.getJointId(name) for name in movable if name not in kept]
        self.model = full if not locked else pin.buildReducedModel(full, locked, reference)
        self._data = self.model.createData()
        self._lock = threading.Lock()
        # Pinocchio orders joints depth-first along the tree. Model coordinate k follows command
        # column leader[k]: q_model[k] = multiplier[k] * q[leader[k]] + offset[k].
        self.leader = np.empty(self.model.nq, dtype=np.int64)
        self.multiplier, self.offset = np.ones(self.model.nq), np.zeros(self.model.nq)
        index = np.empty(len(self.joints), dtype=int)
        for i, name in enumerate(self.joints):
            joint = self.model.joints[self.model.getJointId(name)]
            if joint.nq != 1 or joint.nv != 1:
                raise InvalidInput(
                    f"joint '{name}' has {joint.nq} position coordinates; only 1-DoF joints are supported"
                )
            self.leader[joint.idx_q], index[i] = i, joint.idx_q
        for name in kept - set(self.joints):
            k, mimic = self.model.joints[self.model.getJointId(name)].idx_q, followers[name]
            self.leader[k], self.multiplier[k], self.offset[k] = (
                self.joints.index(mimic.joint),
                mimic.multiplier,
                mimic.offset,
            )
        # Jacobian columns in command order: J_model @ selection (a mimicking column adds into its leader's).
        self.selection = np.zeros((self.model.nq, len(self.joints)))
        self.selection[np.arange(self.model.nq), self.leader] = self.multiplier
        lower, upper = self.model.lowerPositionLimit[index], self.model.upperPositionLimit[index]
        if position_limits is not None:
            lower, upper = (np.asarray(v, dtype=float).copy() for v in position_limits)
        self.lower, self.upper = lower, upper
        self._frames = {f.name: i for i, f in enumerate(self.model.frames)}

    @classmethod
    def from_robot(cls, robot: RobotConfig) -> Kinematics:
        """Kinematics of the robot's command joints from its URDF (or its robot_description override)."""
        limits = (robot.limits.lower, robot.limits.upper)
        return cls(robot.urdf, robot.command_joints, position_limits=limits, mimics=robot.mimics)

    @property
    def frames(self) -> tuple[str, ...]:
        return tuple(self._frames)

    def frame_pose(self, q: np.ndarray, frame: str) -> np.ndarray:
        """(4, 4) homogeneous transform of `frame` in the root frame at joint positions q."""
        frame_id, q_model = self._frame_id(frame), self._model_q(q)
        with self._lock:
            pin.forwardKinematics(self.model, self._data, q_model)
            return pin.updateFramePlacement(self.model, self._data, frame_id).homogeneous.copy()

    def frame_jacobian(self, q: np.ndarray, frame: str) -> np.ndarray:
        """(6, n) Jacobian of `frame`: rows [linear; angular] velocity in root-frame axes (LOCAL_WORLD_ALIGNED)."""
        frame_id, q_model = self._frame_id(frame), self._model_q(q)
        with self._lock:
            jacobian = pin.computeFrameJacobian(
                self.model, self._data, q_model, frame_id, pin.LOCAL_WORLD_ALIGNED
            )
        return jacobian @ self.selection

    def solve_ik(
        self,
        frame: str,
        target: np.ndarray,
        q_seed: np.ndarray,
        *,
        position_only: bool = False,
        tolerance: float = 1e-4,
        max_iterations: int = 200,
        restarts: int = 0,
    ) -> IkResult:
        """Joint positions within limits that put `frame` at `target` ((4, 4), root frame), from q_seed.

        Damped least squares on [position error; rotation error (log3)]; joints that reach a limit
        while the step pushes them further out are frozen for that step, so the others keep working.
        Converged when both errors are below `tolerance` (metres, radians). When the seed's basin
        does not reach the target, up to `restarts` further attempts start from random configurations
        (a fixed random sequence, so results are reproducible); the best attempt is returned.
        """
        target = np.asarray(target, dtype=float)
        if target.shape != (4, 4) or not np.all(np.isfinite(target)):
            raise InvalidInput(
                f"IK target must be a finite (4, 4) homogeneous transform, got shape {target.shape}"
            )
        seed = self._checked(q_seed, "q_seed")
        rng = np.random.default_rng(0)
        best = self._descend(frame, target, seed, position_only, tolerance, max_iterations)
        for _ in range(restarts):
            if best.converged:
                break
            attempt = self._descend(
                frame,
                target,
                rng.uniform(self.lower, self.upper),
                position_only,
                tolerance,
                max_iterations,
            )
            if (
                attempt.position_error + attempt.rotation_error
                < best.position_error + best.rotation_error
            ):
                best = attempt
        return best

    def _descend(
        self,
        frame: str,
        target: np.ndarray,
        seed: np.ndarray,
        position_only: bool,
        tolerance: float,
        max_iterations: int,
    ) -> IkResult:
        rows = slice(0, 3) if position_only else slice(0, 6)
        q = np.clip(seed, self.lower, self.upper)
        errors = self._pose_error(q, frame, target)
        iteration = 0
        for iteration in range(1, max_iterations + 1):
            if self._converged(errors, position_only, tolerance):
                iteration -= 1
                break
            jacobian = self.frame_jacobian(q, frame)[rows]
            error = errors[rows]
            # Levenberg-Marquardt damping: small near the target, larger far away or near singularities.
            damping = 1e-6 + 1e-2 * float(error @ error)
            free = np.ones(len(q), dtype=bool)
            for _ in range(2):
                j = jacobian[:, free]
                step = np.zeros(len(q))
                step[free] = j.T @ np.linalg.solve(j @ j.T + damping * np.eye(j.shape[0]), error)
                blocked = ((q <= self.lower) & (step < 0)) | ((q >= self.upper) & (step > 0))
                if not blocked.any():
                    break
                free &= ~blocked
            step *= min(
                1.0, 0.5 / max(np.abs(step).max(), 1e-12)
            )  # trust region: at most 0.5 rad per joint
            q = np.clip(q + step, self.lower, self.upper)
            errors = self._pose_error(q, frame, target)
        converged = self._converged(errors, position_only, tolerance)
        rotation_error = 0.0 if position_only else float(np.linalg.norm(errors[3:]))
        return IkResult(q, converged, float(np.linalg.norm(errors[:3])), rotation_error, iteration)

    def _pose_error(self, q: np.ndarray, frame: str, target: np.ndarray) -> np.ndarray:
        """[target - position; log3(R_target R^T)], both in root-frame axes."""
        pose = self.frame_pose(q, frame)
        return np.concatenate(
            [target[:3, 3] - pose[:3, 3], pin.log3(target[:3, :3] @ pose[:3, :3].T)]
        )

    @staticmethod
    def _converged(errors: np.ndarray, position_only: bool, tolerance: float) -> bool:
        return bool(
            np.linalg.norm(errors[:3]) < tolerance
            and (position_only or np.linalg.norm(errors[3:]) < tolerance)
        )

    def _frame_id(self, frame: str) -> int:
        if frame not in self._frames:
            raise InvalidInput(
                f"unknown frame '{frame}'; frames of this robot: {sorted(self._frames)}"
            )
        return self._frames[frame]

    def _checked(self, q: np.ndarray, what: str = "q") -> np.ndarray:
        q = np.asarray(q, dtype=float)
        if q.shape != (len(self.joints),) or not np.all(np.isfinite(q)):
            raise InvalidInput(
                f"{what} must be {len(self.joints)} finite joint positions for {list(self.joints)}, got {q!r}"
            )
        return q

    def _model_q(self, q: np.ndarray) -> np.ndarray:
        return self.configuration(self._checked(q))

    def configuration(self, q: np.ndarray) -> np.ndarray:
        """The model's configuration at command-joint positions q (mimicking joints where <mimic> puts them)."""
        return self.multiplier * q[self.leader] + self.offset
