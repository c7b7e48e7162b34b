"""What the scripted expert knows about a hand (from the URDF at home) and the pose arithmetic it plans with."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pinocchio as pin

from vla_ros.core.robot.config import ArmConfig, RobotConfig
from vla_ros.core.robot.kinematics import Kinematics
from vla_ros.core.types import InvalidInput

DOWN = np.array([0.0, 0.0, -1.0])
UP = -DOWN


@dataclass
class ArmGeometry:
    """What the expert needs to know about one arm, derived from its URDF."""

    arm: ArmConfig
    joints: np.ndarray  # indices of the arm's joints in command_joints
    gripper: int  # index of the gripper joint in command_joints
    approach: np.ndarray  # ee-frame axis pointing from the wrist out through the fingers
    closing: np.ndarray  # ee-frame axis along which the fingers close
    finger_reach: (
        float  # m, how far an open finger's frame sits from the TCP across the closing axis
    )

    def hand_rotation(self, approach: np.ndarray, closing: np.ndarray) -> np.ndarray:
        """The ee orientation whose approach and closing axes point along the given world axes."""
        ee_axes = np.column_stack(
            [self.approach, self.closing, np.cross(self.approach, self.closing)]
        )
        world_axes = np.column_stack([approach, closing, np.cross(approach, closing)])
        return world_axes @ ee_axes.T

    def grasp_rotation(self, yaw: float) -> np.ndarray:
        """Approach axis pointing down, closing axis along `yaw` (horizontal)."""
        return self.hand_rotation(DOWN, np.array([np.cos(yaw), np.sin(yaw), 0.0]))

    def closing_yaw(self, ee: np.ndarray) -> float:
        axis = ee[:3, :3] @ self.closing
        return float(np.arctan2(axis[1], axis[0]))

    def closed_on_nothing(self, q: np.ndarray) -> bool:
        """The gripper closed (almost) fully: nothing between the fingers."""
        gripper = self.arm.gripper
        return bool(
            q[self.gripper]
            <= gripper.closed_position + 0.1 * abs(gripper.open_position - gripper.closed_position)
        )

    def settled(self, q: np.ndarray, qd: np.ndarray, rate: float, minimum_closure: float) -> bool:
        """A closing gripper has stopped: closed past `minimum_closure` (it has moved) and closing
        slower than `rate` (closure per second): on the cube, or fully on nothing."""
        gripper = self.arm.gripper
        closure_rate = qd[self.gripper] / (gripper.closed_position - gripper.open_position)
        return bool(self.closure(q) >= minimum_closure and abs(closure_rate) < rate)

    def closure(self, q: np.ndarray) -> float:
        """The gripper's observed closure: 0 open, 1 closed."""
        gripper = self.arm.gripper
        return float(
            (q[self.gripper] - gripper.open_position)
            / (gripper.closed_position - gripper.open_position)
        )


def arm_geometry(robot: RobotConfig, arm: ArmConfig, kinematics: Kinematics) -> ArmGeometry:
    """Approach and closing axes of the hand, in its ee frame, from the URDF at the home pose."""
    names = robot.command_joints
    q = robot.home.copy()
    ee = kinematics.frame_pose(q, arm.ee_frame)
    wrist = kinematics.frame_pose(q, arm.joints[-1])
    approach = _snap(ee[:3, :3].T @ (ee[:3, 3] - wrist[:3, 3]))
    gripper = names.index(arm.gripper.joint)
    joint = robot.urdf.joints.get(arm.gripper.joint)
    if joint is None:
        raise InvalidInput(f"gripper joint '{arm.gripper.joint}' is not in the URDF")
    finger = joint.child
    q_open, q_closed = q.copy(), q.copy()
    q_open[gripper], q_closed[gripper] = arm.gripper.open_position, arm.gripper.closed_position
    finger_open = kinematics.frame_pose(q_open, finger)[:3, 3]
    closing = _snap(ee[:3, :3].T @ (kinematics.frame_pose(q_closed, finger)[:3, 3] - finger_open))
    if abs(approach @ closing) > 0.5:
        raise InvalidInput(
            f"arm '{arm.name}': fingers close along the approach axis; cannot plan top-down grasps"
        )
    reach = abs(closing @ ee[:3, :3].T @ (finger_open - ee[:3, 3]))
    return ArmGeometry(
        arm,
        np.array([names.index(j) for j in arm.joints]),
        gripper,
        approach,
        closing,
        float(reach),
    )


def pose(position: np.ndarray, rotation: np.ndarray) -> np.ndarray:
    out = np.eye(4)
    out[:3, :3], out[:3, 3] = rotation, position
    return out


def yaw_of(object_pose: np.ndarray) -> float:
    """Yaw of an object pose [x y z qw qx qy qz]."""
    w, x, y, z = object_pose[3:7]
    return float(np.arctan2(2 * (w * z + x * y), 1 - 2 * (y * y + z * z)))


def nearest_yaw(base: float, current: float, period: float = np.pi / 2) -> float:
    """The yaw among base + k*period (k*90deg: a cube's faces) closest to `current`."""
    candidates = base + np.arange(round(2 * np.pi / period)) * period
    differences = np.angle(np.exp(1j * (candidates - current)))
    return float(current + differences[np.argmin(np.abs(differences))])


def reached(ee: np.ndarray, target: np.ndarray, tolerance: float, scale: float = 1.0) -> bool:
    """Within `tolerance * scale` metres and 0.05 * scale radians of `target`."""
    position = np.linalg.norm(ee[:3, 3] - target[:3, 3]) < tolerance * scale
    rotation = np.linalg.norm(pin.log3(target[:3, :3] @ ee[:3, :3].T)) < 0.05 * scale
    return bool(position and rotation)


def _snap(vector: np.ndarray) -> np.ndarray:
    """The signed unit axis nearest to `vector`."""
    axis = np.zeros(3)
    k = int(np.argmax(np.abs(vector)))
    axis[k] = np.sign(vector[k])
    return axis
