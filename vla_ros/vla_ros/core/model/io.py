"""One card bound to one robot: observation -> model inputs, model actions -> ActionChunk.

Every backend goes through this, so the conventions (units, gripper, cameras, timing) are applied
the same way whichever runtime or server produced the numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vla_ros.core.model.action_conversion import ActionConverter
from vla_ros.core.model.card import ModelCard
from vla_ros.core.model.image_preprocessing import ImagePreprocessor
from vla_ros.core.model.state_encoding import StateEncoder
from vla_ros.core.robot.config import RobotConfig
from vla_ros.core.types import ActionChunk, InvalidInput, JointState, Observation


@dataclass(frozen=True)
class ModelInputs:
    images: dict[str, np.ndarray]  # card camera key -> uint8 image (card size and layout)
    state: dict[str, np.ndarray]  # card state key -> float32 vector
    prompt: str


class ModelIO:
    def __init__(
        self, card: ModelCard, robot: RobotConfig, camera_map: dict[str, str] | None = None
    ) -> None:
        self.card, self.robot = card, robot
        self.actions = ActionConverter(card, robot)
        self.states = StateEncoder(card, robot)
        self.images = ImagePreprocessor(card, robot, camera_map)

    def inputs(self, observation: Observation) -> ModelInputs:
        return ModelInputs(
            self.images(observation.images),
            self.states.encode(observation.joint_state),
            observation.instruction,
        )

    def placeholder_observation(self) -> Observation:
        """Black images and the home pose: a well-formed input for warm-up inferences."""
        images = {
            camera.name: np.zeros((camera.height, camera.width, 3), np.uint8)
            for _, camera in self.images.bindings
        }
        return Observation(
            0.0, images, JointState(self.robot.command_joints, self.robot.home.copy()), "warm up"
        )

    def chunk(self, actions: np.ndarray, observation: Observation) -> ActionChunk:
        """The first `card.execute` model actions as a chunk stamped with the observation's time."""
        actions = np.asarray(actions, dtype=float)
        if actions.ndim != 2 or actions.shape[0] == 0:
            raise InvalidInput(
                f"model '{self.card.name}' returned actions of shape {actions.shape}; expected "
                f"(horizon, {self.actions.dim})"
            )
        values = self.actions.convert(actions[: self.card.execute], observation.joint_state)
        return ActionChunk(
            stamp=observation.stamp,
            dt=self.card.dt,
            actions=values,
            dim_names=self.actions.dim_names,
            action_space=self.actions.space,
            anchor=observation.joint_state,
            model_id=self.card.name,
            observation_sequence=observation.sequence,
        )
