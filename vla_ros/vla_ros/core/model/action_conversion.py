"""Model output -> robot command space, driven by a model card and a robot config.

Per output dim, in order: un-normalize (card statistics), convert units (card angle/length units to
rad/m), map gripper values (card open/closed values -> the robot's open/closed joint positions).
Then the chunk is laid out as the pipeline executes it:

- joint_position: one column per RobotConfig.command_joints; joints the model does not drive hold
  their position at observation time (the anchor).
- joint_velocity: integrated from the anchor into joint positions (action i is the position at
  stamp + i*dt, so row 0 is the anchor); gripper dims stay absolute, as pi0 DROID emits them.
- ee_delta: EE_DELTA_DIMS + the arm's gripper joint (names: vla_ros.core.actions), per-step
  increments that the executor anchors to the observation-time pose (vla_ros.core.chunking.anchoring).
- ee_pose: EE_POSE_DIMS + gripper (roll/pitch/yaw outputs become a quaternion, xyz Euler).
"""

from __future__ import annotations

import numpy as np
from scipy.spatial.transform import Rotation

from vla_ros.core.actions import (
    ANGULAR_DIMS,
    EE_DELTA_DIMS,
    EE_POSE_DIMS,
    EE_RPY_DIMS,
    QUATERNION_DIMS,
)
from vla_ros.core.model.card import ModelCard
from vla_ros.core.model.normalization import check_normalization, unnormalize
from vla_ros.core.model.targets import Target, resolve_targets
from vla_ros.core.robot.config import RobotConfig
from vla_ros.core.types import ActionSpace, InvalidInput, JointState

JOINT_SPACES = (ActionSpace.JOINT_POSITION, ActionSpace.JOINT_VELOCITY)


class ActionConverter:
    """Binds one card to one robot; InvalidInput at construction when they do not fit."""

    def __init__(self, card: ModelCard, robot: RobotConfig) -> None:
        self.card, self.robot = card, robot
        spec = card.action
        where = f"model card '{card.name}' on robot '{robot.name}'"
        self.targets = resolve_targets(spec.targets, robot, spec.space, where)
        self.dim = len(self.targets)
        if self.dim != spec.dim:
            raise InvalidInput(
                f"{where}: the model outputs {spec.dim} values per action but its targets "
                f"{list(spec.targets)} expand to "
                f"{self.dim} on this robot ({[t.label for t in self.targets]})"
            )
        self.names = spec.names or tuple(t.label for t in self.targets)
        if len(self.names) != self.dim:
            raise InvalidInput(
                f"{where}: {len(self.names)} action names {list(spec.names)} for {self.dim} action dims"
            )
        check_normalization(spec.normalization, self.dim, where)
        self._check_kinds(where)
        self.scale = np.array([self._unit_scale(t) for t in self.targets])
        self.gripper_columns = [i for i, t in enumerate(self.targets) if t.kind == "gripper"]
        self.space = ActionSpace.JOINT_POSITION if spec.space in JOINT_SPACES else spec.space
        self.dim_names = self._output_names()
        # Output column of each model dim (joint_position and ee_delta layouts; ee_pose assembles rows).
        self._columns = [
            self.dim_names.index(t.joint or t.axis)
            if t.kind != "ignored" and self.space != ActionSpace.EE_POSE
            else -1
            for t in self.targets
        ]

    # -- binding checks ----------------------------------------------------------------------------
    def _check_kinds(self, where: str) -> None:
        space = self.card.action.space
        kinds = {t.kind for t in self.targets} - {"ignored"}
        if space in JOINT_SPACES and "ee" in kinds:
            raise InvalidInput(f"{where}: {space.value} actions cannot drive end-effector targets")
        if space not in JOINT_SPACES:
            arms = {t.arm for t in self.targets if t.kind != "ignored"}
            if "joint" in kinds or len(arms) != 1 or "ee" not in kinds:
                raise InvalidInput(
                    f"{where}: {space.value} actions drive one arm's end effector (+ its gripper), got targets "
                    f"{[t.label for t in self.targets]}"
                )
        if not kinds:
            raise InvalidInput(
                f"{where}: every action dim is ignored; the model would drive nothing"
            )

    def _unit_scale(self, target: Target) -> float:
        spec = self.card.action
        if target.kind == "joint" or (target.kind == "ee" and target.axis in ANGULAR_DIMS):
            return spec.angle_scale
        if target.kind == "ee" and target.axis in QUATERNION_DIMS:
            return 1.0
        return spec.length_scale  # translations, and grippers in joint units (prismatic fingers)

    def _output_names(self) -> tuple[str, ...]:
        if self.space == ActionSpace.JOINT_POSITION:
            return self.robot.command_joints
        grippers = tuple(t.joint for t in self.targets if t.kind == "gripper")
        return (EE_DELTA_DIMS if self.space == ActionSpace.EE_DELTA else EE_POSE_DIMS) + grippers

    # -- conversion --------------------------------------------------------------------------------
    def to_robot_units(self, actions: np.ndarray) -> np.ndarray:
        """(horizon, dim) model outputs -> the same dims in robot units (rad, m, gripper joint position)."""
        spec = self.card.action
        actions = np.asarray(actions, dtype=float)
        if actions.ndim != 2 or actions.shape[1] != self.dim:
            raise InvalidInput(
                f"model '{self.card.name}' returned actions of shape {actions.shape}; its card declares "
                f"(horizon, {self.dim}) for dims {list(self.names)}"
            )
        values = unnormalize(actions, spec.normalization) * self.scale
        convention = spec.gripper
        if self.gripper_columns and not convention.is_joint_position:
            for column in self.gripper_columns:
                gripper = self.robot.arms[self.targets[column].arm].gripper
                fraction = np.clip(
                    (values[:, column] - convention.closed)
                    / (convention.open - convention.closed),
                    0.0,
                    1.0,
                )
                if convention.binary:
                    fraction = np.where(fraction >= 0.5, 1.0, 0.0)
                values[:, column] = gripper.closed_position + fraction * (
                    gripper.open_position - gripper.closed_position
                )
        return values

    def convert(self, actions: np.ndarray, anchor: JointState) -> np.ndarray:
        """(horizon, dim) model outputs -> (horizon, len(dim_names)) rows in `self.space`."""
        values = self.to_robot_units(actions)
        horizon = values.shape[0]
        if self.space == ActionSpace.JOINT_POSITION:
            start = anchor.subset(self.robot.command_joints)
            out = np.tile(start, (horizon, 1))
            velocity = self.card.action.space == ActionSpace.JOINT_VELOCITY
            for i, target in enumerate(self.targets):
                if target.kind == "ignored":
                    continue
                column = self._columns[i]
                if velocity and target.kind == "joint":
                    steps = np.concatenate([[0.0], np.cumsum(values[:-1, i])]) * self.card.dt
                    out[:, column] = start[column] + steps
                else:
                    out[:, column] = values[:, i]
            return out
        if self.space == ActionSpace.EE_DELTA:
            out = np.zeros((horizon, len(self.dim_names)))
            for i, target in enumerate(self.targets):
                if target.kind != "ignored":
                    out[:, self._columns[i]] = values[:, i]
            return out
        return self._ee_pose(values)

    def _ee_pose(self, values: np.ndarray) -> np.ndarray:
        axes = {t.axis: values[:, i] for i, t in enumerate(self.targets) if t.kind == "ee"}
        position = np.stack([axes[a] for a in EE_POSE_DIMS[:3]], axis=1)
        if "roll" in axes:
            quaternion = Rotation.from_euler(
                "xyz", np.stack([axes[a] for a in EE_RPY_DIMS[3:]], axis=1)
            ).as_quat()
        else:
            raw = np.stack([axes[a] for a in QUATERNION_DIMS], axis=1)
            norms = np.linalg.norm(raw, axis=1, keepdims=True)
            if np.any(norms < 1e-9):
                raise InvalidInput(
                    f"model '{self.card.name}' returned a zero quaternion for the end-effector pose"
                )
            quaternion = raw / norms
        grippers = values[:, self.gripper_columns]
        return np.hstack([position, quaternion, grippers])
