"""End-effector commands (SE(3) poses or per-tick deltas, per arm) -> differential-IK QP objective.

Values are read by name (vla_ros.core.actions): per arm EE_RPY_DIMS or EE_POSE_DIMS (ee_pose) or
EE_DELTA_DIMS (ee_delta: this tick's displacement of the last commanded EE pose), then the arm's
gripper joint, an absolute joint position; base frame, metres/radians. Pose targets are first
clipped into the workspace box.
"""

from __future__ import annotations

import numpy as np
import pinocchio as pin

from vla_ros.core.actions import EE_DELTA_DIMS, EE_POSE_DIMS, EE_RPY_DIMS, ee_command_dims
from vla_ros.core.robot.config import RobotConfig
from vla_ros.core.safety.approach import approach_velocity
from vla_ros.core.safety.compiled import kernel
from vla_ros.core.safety.conditioning import EndEffectorConditioning
from vla_ros.core.safety.constraints.singularity import singularity_scales
from vla_ros.core.safety.context import StepContext
from vla_ros.core.safety.objective import Objective
from vla_ros.core.types import Command, CommandSpace, InvalidInput


class EndEffectorTargets:
    def __init__(self, robot: RobotConfig, conditioning: EndEffectorConditioning) -> None:
        self.robot, self.model, self.conditioning = robot, conditioning.model, conditioning
        # The last EE_POSE command's targets: the next tick differences against them.
        self._last: tuple[Command, list[pin.SE3]] | None = None
        self.grippers = [arm.gripper is not None for arm in robot.arms]
        self._gripper_columns = np.array(self.model.gripper_columns, dtype=np.int64)
        # The dim names each EE space accepts, in the order the arithmetic below reads them.
        self._names = {
            CommandSpace.EE_POSE: (
                ee_command_dims(robot, EE_RPY_DIMS),
                ee_command_dims(robot, EE_POSE_DIMS),
            ),
            CommandSpace.EE_TICK_DELTA: (ee_command_dims(robot, EE_DELTA_DIMS),),
        }
        # The last (space, dim_names) read and its (pose width, columns): a stream repeats its names.
        self._read: tuple[CommandSpace, tuple[str, ...], int, np.ndarray] | None = None

    def layout(self, command: Command) -> tuple[int, np.ndarray]:
        """Pose width per arm (6: xyz rpy or a delta, 7: xyz quaternion) and the columns of the
        values in arm order (pose dims, gripper); InvalidInput when the names fit no layout."""
        names = command.dim_names
        if len(command.values) != len(names):
            raise InvalidInput(
                f"{command.action_space.value} command has {len(command.values)} values for "
                f"{len(names)} dim_names {list(names)}"
            )
        read = self._read
        if read is not None and read[0] is command.action_space and read[1] == names:
            return read[2], read[3]
        names = tuple(names)
        accepted = self._names[command.action_space]
        for expected in accepted:
            if sorted(names) == sorted(expected):
                index = {name: i for i, name in enumerate(names)}
                columns = np.array([index[n] for n in expected], dtype=np.int64)
                width = (len(expected) - sum(self.grippers)) // len(self.grippers)
                self._read = (command.action_space, names, width, columns)
                return width, columns
        raise InvalidInput(
            f"{command.action_space.value} command dims {list(names)} do not name {self.robot.name}'s "
            f"end effector(s): valid are {' or '.join(str(list(e)) for e in accepted)}, in any order "
            f"(per arm its pose dims, prefixed by the arm name on several arms, then its gripper joint)"
        )

    def targets(self, command: Command, ctx: StepContext) -> tuple[list[pin.SE3], np.ndarray]:
        """Per-arm target poses (clipped into the workspace) and gripper positions."""
        width, columns = self.layout(command)
        values = np.asarray(command.values, float)[columns]
        current = self.model.placements(ctx.state.q)
        poses, grippers, offset = [], [], 0
        for arm, has_gripper in enumerate(self.grippers):
            block = values[offset : offset + width]
            offset += width
            if command.action_space is CommandSpace.EE_TICK_DELTA:
                position = current.ee_position[arm] + block[:3]
                rotation = pin.rpy.rpyToMatrix(*block[3:6]) @ current.ee_rotation[arm]
            else:
                position, rotation = block[:3], self._rotation(block[3:])
            position = np.minimum(
                np.maximum(position, self.robot.workspace.lower), self.robot.workspace.upper
            )
            poses.append(pin.SE3(rotation, position))
            if has_gripper:
                grippers.append(values[offset])
                offset += 1
        return poses, np.array(grippers)

    @staticmethod
    def _rotation(values: np.ndarray) -> np.ndarray:
        if values.size == 3:
            return pin.rpy.rpyToMatrix(*values)
        norm = np.linalg.norm(values)
        if not norm > 1e-6:
            raise InvalidInput(
                f"ee_pose quaternion [qx qy qz qw] must be non-zero, got {values.tolist()}"
            )
        x, y, z, w = values / norm
        return pin.Quaternion(w, x, y, z).toRotationMatrix()

    def objective(self, command: Command, ctx: StepContext, previous: Command | None) -> Objective:
        """Track, in the task metric, the joint velocity that differential IK asks for.

        The IK step toward the target (and the target's own motion, from the previous command) are
        mapped to joints by damped least squares; the step is then shaped like a joint target
        (approach_velocity), so a jump in the pose is closed within the joints' acceleration and jerk
        without overshoot, and a smoothly moving target is followed exactly.
        """
        poses, grippers = self.targets(command, ctx)
        current = self.model.placements(ctx.state.q)
        before = self._previous_poses(command, previous, ctx)
        self._last = (command, poses)
        # Per arm, in the task metric: the step to the target, and the target's own velocity.
        error, motion = np.zeros((len(poses), 6)), np.zeros((len(poses), 6))
        elapsed = command.stamp - previous.stamp if before is not None else 0.0
        for arm, target in enumerate(poses):
            error[arm, :3] = target.translation - current.ee_position[arm]
            error[arm, 3:] = pin.log3(target.rotation @ current.ee_rotation[arm].T)
            if before is not None:
                motion[arm, :3] = (target.translation - before[arm].translation) / elapsed
                motion[arm, 3:] = pin.log3(target.rotation @ before[arm].rotation.T) / elapsed
        if not (np.isfinite(error).all() and np.isfinite(motion).all()):
            raise InvalidInput(
                f"{command.action_space.value} command gives a non-finite pose error {error.tolist()}"
            )
        config, n, dt = ctx.config, self.model.n, ctx.dt
        columns = self._gripper_columns
        H, step, moving = _damped_least_squares(
            ctx.jacobians, error, motion, config.orientation_weight, config.ik_damping, columns
        )
        step[columns] = grippers - ctx.state.q[columns]
        velocity = approach_velocity(ctx.state.q + step, moving, ctx)
        if command.action_space is CommandSpace.EE_TICK_DELTA:
            # A delta is this tick's motion, not a place to stop at (grippers stay absolute).
            arm_columns = np.setdiff1d(np.arange(n), columns)
            velocity[arm_columns] = step[arm_columns] / dt
        scales = singularity_scales(self.conditioning, ctx.state.q, velocity, config)
        for scale, arm_columns in zip(scales, self.model.arm_columns):
            velocity[arm_columns] *= scale
        return Objective(H, -H @ velocity, velocity)

    def _previous_poses(
        self, command: Command, previous: Command | None, ctx: StepContext
    ) -> list[pin.SE3] | None:
        if (
            previous is None
            or previous.action_space is not command.action_space
            or not command.stamp > previous.stamp
        ):
            return None
        if command.action_space is not CommandSpace.EE_POSE:
            return None
        if self._last is not None and self._last[0] is previous:
            return self._last[1]
        return self.targets(previous, ctx)[0]


@kernel(
    "Tuple((float64[:, ::1], float64[::1], float64[::1]))(float64[:, :, ::1], float64[:, ::1], "
    "float64[:, ::1], float64, float64, int64[::1])"
)
def _damped_least_squares(jacobians, error, motion, orientation_weight, damping, gripper_columns):
    """H = sum J' W J + damping I (grippers +1: they track their own targets) and the joint
    motions H^-1 J' W e for the step to the target and for the target's velocity (moving; zero
    for grippers, whose step the caller sets)."""
    n = jacobians.shape[2]
    weight = np.array([1.0, 1.0, 1.0, orientation_weight, orientation_weight, orientation_weight])
    H, rhs = damping * np.eye(n), np.zeros((n, 2))
    for arm in range(jacobians.shape[0]):
        weighted = jacobians[arm].T * weight  # J' W
        H += weighted @ jacobians[arm]
        rhs[:, 0] += weighted @ error[arm]
        rhs[:, 1] += weighted @ motion[arm]
    for column in gripper_columns:
        H[column, column] += 1.0
    solution = np.linalg.solve(H, rhs)
    step, moving = solution[:, 0].copy(), solution[:, 1].copy()
    moving[gripper_columns] = 0.0
    return H, step, moving
