"""What an exported dataset holds per frame, named and shaped by a model card (or the robot).

With a card, the dataset is in the card's terms: its camera keys and image sizes (the same resize
as at inference, ImagePreprocessor), its state vectors (StateEncoder: units, gripper convention)
and its action targets encoded the same way from the recorded command. Without one, a card is made
from the robot: `observation.images.<camera>` at the recorded size, `observation.state` and
`action` = positions of the robot's command joints in robot units.
"""

from __future__ import annotations

import numpy as np

from vla_ros.core.model.card import ModelCard, parse_model_card
from vla_ros.core.model.image_preprocessing import ImagePreprocessor
from vla_ros.core.model.state_encoding import StateEncoder, action_encoder
from vla_ros.core.robot.config import RobotConfig
from vla_ros.core.types import ActionSpace, InvalidInput, JointState, Observation

IMAGE_KEY_PREFIX = "observation.images."
STATE_KEY = "observation.state"
ACTION_KEY = "action"


def robot_card(
    robot: RobotConfig, cameras: tuple[str, ...], image_sizes: dict[str, tuple[int, int]]
) -> ModelCard:
    """A card in the robot's own terms: every command joint's position, images at `image_sizes`."""
    joints = list(robot.command_joints)
    return parse_model_card(
        {
            "name": f"{robot.name}_joint_positions",
            "robot": robot.name,
            "action": {"space": "joint_position", "dim": len(joints), "targets": joints},
            "state": [{"key": STATE_KEY, "dim": len(joints), "targets": joints}],
            "cameras": [
                {"key": IMAGE_KEY_PREFIX + c, "source": c, "size": list(image_sizes[c])}
                for c in cameras
            ],
            "control_rate": 10.0,  # the card format needs one; the frame clock is export's --fps
        },
        source=f"robot '{robot.name}' joint positions",
    )


class DatasetLayout:
    """One card bound to one robot: LeRobot features, and the values of a frame."""

    def __init__(self, card: ModelCard, robot: RobotConfig) -> None:
        if card.action.space != ActionSpace.JOINT_POSITION:
            raise InvalidInput(
                f"model card '{card.name}' speaks {card.action.space.value} actions; export writes "
                "the recorded joint commands, so the card must be a joint_position card"
            )
        if not card.cameras:
            raise InvalidInput(f"model card '{card.name}' reads no camera: nothing to export")
        self.card = card
        self.images = ImagePreprocessor(card, robot)
        self.states = StateEncoder(card, robot)
        self.actions = action_encoder(card, robot, ACTION_KEY)

    @property
    def cameras(self) -> tuple[str, ...]:
        """Robot cameras the dataset reads, in the card's order."""
        return tuple(dict.fromkeys(camera.name for _, camera in self.images.bindings))

    @property
    def state_joints(self) -> tuple[str, ...]:
        """Joints the state vectors read (from the recorded joint states)."""
        return tuple(dict.fromkeys(j for _, joints, _, _ in self.states.groups for j in joints))

    @property
    def action_joints(self) -> tuple[str, ...]:
        """Joints the action reads (from the recorded safe commands)."""
        return self.actions.groups[0][1]

    def features(self, videos: bool = True) -> dict[str, dict]:
        """LeRobot features: a video (or, `videos` false, a lossless PNG image) per camera key, a
        float32 vector per state key and the action."""
        features = {}
        for wanted, _ in self.images.bindings:
            hwc = wanted.layout == "hwc"
            features[wanted.key] = {
                "dtype": "video" if videos else "image",
                "shape": (wanted.height, wanted.width, 3)
                if hwc
                else (3, wanted.height, wanted.width),
                "names": ["height", "width", "channels"]
                if hwc
                else ["channels", "height", "width"],
            }
        for key, joints, _, _ in self.states.groups + self.actions.groups:
            names = (
                self.card.action.names if key == ACTION_KEY and self.card.action.names else joints
            )
            features[key] = {"dtype": "float32", "shape": (len(joints),), "names": list(names)}
        return features

    def frame(self, observation: Observation, command: JointState, task: str) -> dict:
        """One frame's values for LeRobotDataset.add_frame."""
        values: dict[str, np.ndarray | str] = dict(self.images(observation.images))
        values.update(self.states.encode(observation.joint_state))
        values.update(self.actions.encode(command))
        values["task"] = task
        return values
