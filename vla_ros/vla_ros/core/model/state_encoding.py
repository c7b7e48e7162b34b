"""Robot joint state -> the state vectors a model reads, in the card's units and gripper convention.

The inverse of the action mapping for joints and grippers: radians to the card's angle unit, the
gripper joint position to the model's closed..open value. Normalization stays with the model's own
pipeline (LeRobot's processors, the openpi server).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from vla_ros.core.model.card import ModelCard, StateInput
from vla_ros.core.model.targets import resolve_targets
from vla_ros.core.robot.config import RobotConfig
from vla_ros.core.types import InvalidInput, JointState


class StateEncoder:
    def __init__(self, card: ModelCard, robot: RobotConfig) -> None:
        spec = card.action
        self.robot = robot
        self.groups: list[tuple[str, tuple[str, ...], np.ndarray, np.ndarray]] = []
        for state in card.state:
            where = f"model card '{card.name}' state '{state.key}' on robot '{robot.name}'"
            targets = resolve_targets(state.targets, robot, None, where)
            if len(targets) != state.dim:
                raise InvalidInput(
                    f"{where}: the model reads {state.dim} values but targets "
                    f"{list(state.targets)} expand to {len(targets)}"
                )
            if any(t.kind == "ignored" for t in targets):
                raise InvalidInput(f"{where}: state targets cannot be null")
            scale, offset = np.ones(len(targets)), np.zeros(len(targets))
            for i, target in enumerate(targets):
                if target.kind == "joint":
                    scale[i] = 1.0 / spec.angle_scale
                elif spec.gripper.is_joint_position:
                    scale[i] = 1.0 / spec.length_scale
                else:  # model = closed_value + (q - q_closed) / (q_open - q_closed) * (open_value - closed_value)
                    gripper = robot.arms[target.arm].gripper
                    span = (spec.gripper.open - spec.gripper.closed) / (
                        gripper.open_position - gripper.closed_position
                    )
                    scale[i], offset[i] = (
                        span,
                        spec.gripper.closed - gripper.closed_position * span,
                    )
            self.groups.append((state.key, tuple(t.joint for t in targets), scale, offset))

    @property
    def sizes(self) -> dict[str, int]:
        return {key: len(joints) for key, joints, _, _ in self.groups}

    def encode(self, joint_state: JointState) -> dict[str, np.ndarray]:
        """One float32 vector per card state key."""
        return {
            key: (joint_state.subset(joints) * scale + offset).astype(np.float32)
            for key, joints, scale, offset in self.groups
        }


def action_encoder(card: ModelCard, robot: RobotConfig, key: str = "action") -> StateEncoder:
    """Robot joint positions -> the card's action vector under `key` (the action mapping inverted):
    the actions of a dataset, or an executing prefix handed back to the model."""
    return StateEncoder(
        replace(card, state=(StateInput(key, card.action.targets, card.action.dim),)), robot
    )
