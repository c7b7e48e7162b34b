"""End-effector commands (SE(3) poses or deltas, one block per arm) -> differential-IK QP objective.

Per arm the values are [x y z roll pitch yaw gripper] (ee_pose also [x y z qx qy qz qw gripper]),
base frame, metres/radians; ee_delta is a displacement of the last commanded EE pose for this tick
(rotation delta in base-frame axes); the gripper value is always an absolute joint position. Pose
targets are first clipped into the workspace box. The cost is
sum_arms |J v - xi|^2_W + damping |v|^2 (+ gripper tracking), xi the twist toward the target.
"""

from __future__ import annotations

import numpy as np
import pinocchio as pin

from vla_ros.core.robot_config import RobotConfig
from vla_ros.core.safety.braking import max_viable_velocity
from vla_ros.core.safety.commands import approach_velocity
from vla_ros.core.safety.context import StepContext
from vla_ros.core.safety.model import SafetyModel
from vla_ros.core.safety.objective import Objective
from vla_ros.core.types import ActionSpace, Command, InvalidInput


class EndEffectorTargets:
    def __init__(self, robot: RobotConfig, model: SafetyModel) -> None:
        self.robot, self.model = robot, model
        self.grippers = [arm.gripper is not None for arm in robot.arms]

    def layout(self, command: Command) -> int:
        """Pose width per arm (6: xyz rpy, 7: xyz quaternion); InvalidInput when the size fits neither."""
        size = len(command.values)
        grippers = sum(self.grippers)
        arms = len(self.grippers)
        widths = (6, 7) if command.action_space is ActionSpace.EE_POSE else (6,)
        for width in widths:
            if size == width * arms + grippers:
                return width
        expected = [w * arms + grippers for w in widths]
        raise InvalidInput(
            f"{command.action_space.value} command has {size} values; {self.robot.name} needs {expected} "
            f"({arms} arm(s) x [x y z roll pitch yaw | x y z qx qy qz qw] + {grippers} gripper value(s))"
        )

    def targets(self, command: Command, ctx: StepContext) -> tuple[list[pin.SE3], np.ndarray]:
        """Per-arm target poses (clipped into the workspace) and gripper positions."""
        width = self.layout(command)
        values = np.asarray(command.values, float)
        current = self.model.placements(ctx.state.q)
        poses, grippers, offset = [], [], 0
        for arm, has_gripper in enumerate(self.grippers):
            block = values[offset : offset + width]
            offset += width
            if command.action_space is ActionSpace.EE_DELTA:
                position = current.ee_position[arm] + block[:3]
                rotation = pin.rpy.rpyToMatrix(*block[3:6]) @ current.ee_rotation[arm]
            else:
                position, rotation = block[:3], self._rotation(block[3:])
            position = np.clip(position, self.robot.workspace.lower, self.robot.workspace.upper)
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
            raise InvalidInput(f"ee_pose quaternion [qx qy qz qw] must be non-zero, got {values.tolist()}")
        x, y, z, w = values / norm
        return pin.Quaternion(w, x, y, z).toRotationMatrix()

    def objective(self, command: Command, ctx: StepContext, previous: Command | None) -> Objective:
        poses, grippers = self.targets(command, ctx)
        current = self.model.placements(ctx.state.q)
        config = ctx.config
        weight = np.diag([1.0, 1.0, 1.0] + [config.orientation_weight] * 3)
        H = config.ik_damping * np.eye(self.model.n)
        f = np.zeros(self.model.n)
        previous_poses = self._previous_poses(command, previous, ctx)
        for arm, (jacobian, target) in enumerate(zip(ctx.jacobians, poses)):
            error = np.concatenate(
                [target.translation - current.ee_position[arm], pin.log3(target.rotation @ current.ee_rotation[arm].T)]
            )
            twist = error / ctx.dt
            if command.action_space is ActionSpace.EE_POSE:
                twist = self._approach(error, target, previous_poses, arm, command, previous, ctx)
            H += jacobian.T @ weight @ jacobian
            f -= jacobian.T @ weight @ twist
        columns = self.model.gripper_columns
        if columns:
            q, a = ctx.state.q[columns], ctx.limits.acceleration[columns]
            velocity = approach_velocity(grippers, np.zeros(len(columns)), q, a, ctx.dt)
            H[columns, columns] += 1.0
            f[columns] -= velocity
        return Objective(H, f, np.linalg.solve(H, -f))

    def _previous_poses(self, command: Command, previous: Command | None, ctx: StepContext) -> list[pin.SE3] | None:
        if previous is None or previous.action_space is not command.action_space or not command.stamp > previous.stamp:
            return None
        return self.targets(previous, ctx)[0]

    @staticmethod
    def _approach(error, target, previous_poses, arm, command, previous, ctx) -> np.ndarray:
        """Twist that follows a moving target exactly and closes a jump without overshooting."""
        target_twist = np.zeros(6)
        if previous_poses is not None:
            elapsed = command.stamp - previous.stamp
            before = previous_poses[arm]
            target_twist = np.concatenate(
                [(target.translation - before.translation) / elapsed, pin.log3(target.rotation @ before.rotation.T) / elapsed]
            )
        relative = error - ctx.dt * target_twist
        twist = target_twist.copy()
        for part, acceleration in ((slice(0, 3), ctx.config.max_linear_acceleration), (slice(3, 6), ctx.config.max_angular_acceleration)):
            distance = np.linalg.norm(relative[part])
            if distance <= acceleration * ctx.dt**2:
                twist[part] += relative[part] / ctx.dt
            else:
                speed = float(max_viable_velocity(np.array([distance]), np.array([acceleration]), ctx.dt)[0])
                twist[part] += relative[part] / distance * speed
        return twist

