"""An independent judge of the projector's output: every limit, in the discrete-time sense.

It recomputes everything from the output positions alone, with the shared Kinematics (not the
projector's own FK) for EE frames and link frames, so a bug in the projector's model shows up here.
Capsule distances reuse the model's segment distance, itself checked against brute force in
test_core.

Singularity (EE commands): over a run of EE commands (holds between them included) no arm's kappa
exceeds singularity_stop, or its largest kappa on the braking path the robot was on when the run
began (it may already be beyond the stop, or carried there by its motion), compared as 1/kappa
to 1e-9.
Jerk: every tick whose jerk exceeds the limit by more than jerk_report.EXCEEDANCE is counted here,
from the output velocities, for the caller to compare with the projector's counter.
"""

from __future__ import annotations

import numpy as np
import pinocchio as pin

from vla_ros.core.robot.kinematics import Kinematics
from vla_ros.core.safety import SafetyProjector
from vla_ros.core.safety.jerk_report import EXCEEDANCE
from vla_ros.core.types import CommandSpace

TOL = 1e-9


class LimitsJudge:
    def __init__(self, projector: SafetyProjector) -> None:
        self.p = projector
        self.robot = projector.robot
        self.kin = Kinematics.from_robot(self.robot)
        by_name = {c.name: c for c in projector.constraints}
        self.self_distance = by_name["self_distance"]
        self.table = by_name["table_distance"]
        self.arm_columns = [
            [self.robot.command_joints.index(j) for j in arm.joints] for arm in self.robot.arms
        ]
        self.q = self.v = None
        # The output velocities and accelerations as reported (the jerk is counted from them).
        self.velocity = self.acceleration = None
        # Per arm, the least 1/kappa allowed during the current run of EE commands (None outside one).
        self.inverse_kappa_bound: np.ndarray | None = None
        self.jerk_exceeded = 0

    def start(self, q: np.ndarray) -> None:
        self.q, self.v = np.asarray(q, float).copy(), np.zeros(len(q))
        self.velocity, self.acceleration = np.zeros(len(q)), np.zeros(len(q))
        self.inverse_kappa_bound = None
        self.jerk_exceeded = 0

    def inverse_kappa(self, q: np.ndarray) -> np.ndarray:
        """Per arm, sigma_min / sigma_max of its EE Jacobian (numpy's SVD on Kinematics' Jacobian)."""
        inverse = []
        for arm, columns in zip(self.robot.arms, self.arm_columns):
            sigma = np.linalg.svd(
                self.kin.frame_jacobian(q, arm.ee_frame)[:, columns], compute_uv=False
            )
            inverse.append(sigma[-1] / sigma[0])
        return np.array(inverse)

    def _braking_path(self) -> list[np.ndarray]:
        """Positions the arm passes if it brakes at its acceleration limits from now on."""
        q, v, path = self.q.copy(), self.v.copy(), [self.q.copy()]
        step = self.robot.limits.acceleration * self.p.dt
        while np.any(v != 0.0):
            v = np.sign(v) * np.maximum(np.abs(v) - step, 0.0)
            q = q + self.p.dt * v
            path.append(q)
        return path

    def _capsules(self, q: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """World capsule ends and each link shape's lowest point (box corners, else capsule ends - r)."""
        a, b, lowest = [], [], []
        for capsule in self.p.model.capsules:
            pose = self.kin.frame_pose(q, capsule.link)
            a.append(pose[:3, :3] @ capsule.a + pose[:3, 3])
            b.append(pose[:3, :3] @ capsule.b + pose[:3, 3])
            if capsule.corners is not None:
                lowest.append(min((pose[:3, :3] @ c + pose[:3, 3])[2] for c in capsule.corners))
            else:
                lowest.append(min(a[-1][2], b[-1][2]) - capsule.radius)
        return np.array(a), np.array(b), np.array(lowest)

    def check(self, safe, reduced_speed: bool = False, space: CommandSpace | None = None) -> None:
        """Assert the new output obeys every limit relative to the previous one; then advance.

        `space`: the action space of the command projected on this tick (None on a hold).
        """
        q, dt, limits, config = safe.positions, self.p.dt, self.robot.limits, self.p.config
        assert np.all(np.isfinite(q)) and np.all(np.isfinite(safe.velocities)), safe
        margin = self.p.margin
        assert np.all(q >= limits.lower + margin - TOL), (q - limits.lower - margin, safe)
        assert np.all(q <= limits.upper - margin + TOL), (limits.upper - margin - q, safe)
        v = (q - self.q) / dt
        assert np.allclose(safe.velocities, v, atol=1e-9, rtol=0), (safe.velocities, v)
        assert np.all(np.abs(v) <= limits.velocity + TOL), (np.abs(v) - limits.velocity, safe)
        a = (v - self.v) / dt
        assert np.all(np.abs(a) <= limits.acceleration + 1e-7), (
            np.abs(a) - limits.acceleration,
            safe,
        )
        linear, angular = config.linear_speed(reduced_speed), config.angular_speed(reduced_speed)
        for arm in self.robot.arms:
            before, after = (
                self.kin.frame_pose(self.q, arm.ee_frame),
                self.kin.frame_pose(q, arm.ee_frame),
            )
            p = after[:3, 3]
            assert np.all(p >= self.robot.workspace.lower - TOL) and np.all(
                p <= self.robot.workspace.upper + TOL
            ), (p, safe)
            speed = np.linalg.norm(p - before[:3, 3]) / dt
            turn = np.linalg.norm(pin.log3(before[:3, :3].T @ after[:3, :3])) / dt
            assert speed <= linear + TOL, (speed, linear, safe)
            assert turn <= angular + TOL, (turn, angular, safe)
        a_end, b_end, lowest = self._capsules(q)
        pairs = self.self_distance.pairs
        if len(pairs):
            # The exact distance of every pair between the capsules placed by this judge's own FK.
            distance, _, _ = self.p.model.pair_distances(a_end, b_end, pairs)
            assert distance.min() >= config.min_self_distance - TOL, (
                distance.min(),
                pairs[distance.argmin()],
                safe,
            )
        caps = self.table.capsules
        if len(caps):
            assert lowest[caps].min() >= config.table_height + config.min_table_distance - TOL, (
                lowest[caps].min(),
                safe,
            )
        self._check_singularity(q, space)
        acceleration = (safe.velocities - self.velocity) / dt
        jerk = (acceleration - self.acceleration) / dt
        self.jerk_exceeded += bool(np.any(np.abs(jerk) > limits.jerk * (1.0 + EXCEEDANCE)))
        self.q, self.v = q.copy(), v
        self.velocity, self.acceleration = safe.velocities.copy(), acceleration

    def _check_singularity(self, q: np.ndarray, space: CommandSpace | None) -> None:
        if space in (CommandSpace.JOINT_POSITION, CommandSpace.JOINT_VELOCITY):
            self.inverse_kappa_bound = None
        elif space is not None and self.inverse_kappa_bound is None:
            stop = 1.0 / self.p.config.singularity_stop
            braking = np.min([self.inverse_kappa(p) for p in self._braking_path()], axis=0)
            self.inverse_kappa_bound = np.minimum(stop, braking)
        if self.inverse_kappa_bound is not None:
            r = self.inverse_kappa(q)
            assert np.all(r >= self.inverse_kappa_bound - TOL), (
                1 / r,
                1 / self.inverse_kappa_bound,
                q,
            )
