from dataclasses import replace

import numpy as np
import pytest

from vla_ros.core.model.card import load_model_card
from vla_ros.core.recording.dataset_layout import DatasetLayout, robot_card
from vla_ros.core.types import InvalidInput, JointState, Observation


def observation(robot, cameras, size=(224, 224), gripper=0.04):
    positions = robot.home.copy()
    positions[robot.command_joints.index("panda_finger_joint1")] = gripper
    images = {c: np.full((*size, 3), 7, np.uint8) for c in cameras}
    return Observation(1.0, images, JointState(robot.command_joints, positions), "go")


def test_without_a_card_the_dataset_is_in_robot_joints_and_recorded_image_sizes(robots):
    panda = robots["panda"]
    layout = DatasetLayout(
        robot_card(
            panda, ("wrist", "exterior_1"), {"wrist": (120, 160), "exterior_1": (224, 224)}
        ),
        panda,
    )
    features = layout.features()
    assert list(features) == [
        "observation.images.wrist",
        "observation.images.exterior_1",
        "observation.state",
        "action",
    ]
    assert features["observation.images.wrist"] == {
        "dtype": "video",
        "shape": (120, 160, 3),
        "names": ["height", "width", "channels"],
    }
    assert features["observation.state"]["names"] == list(panda.command_joints)
    assert features["action"] == {
        "dtype": "float32",
        "shape": (8,),
        "names": list(panda.command_joints),
    }
    assert layout.cameras == ("wrist", "exterior_1")
    command = JointState(panda.command_joints, np.arange(8.0))
    frame = layout.frame(observation(panda, ("wrist", "exterior_1")), command, "go")
    assert frame["observation.images.wrist"].shape == (120, 160, 3)
    np.testing.assert_array_equal(frame["action"], np.arange(8.0, dtype=np.float32))
    np.testing.assert_allclose(frame["observation.state"], panda.home, rtol=1e-6)
    assert frame["task"] == "go"


def test_with_a_card_keys_sizes_and_gripper_convention_are_the_cards(robots):
    panda = robots["panda"]
    layout = DatasetLayout(load_model_card("diffusion_panda"), panda)
    features = layout.features()
    assert features["observation.images.exterior_1"]["shape"] == (96, 96, 3)
    assert layout.cameras == ("exterior_1", "wrist")
    frame = layout.frame(
        observation(panda, ("exterior_1", "wrist")),
        JointState(panda.command_joints, panda.home),
        "go",
    )
    assert frame["observation.images.wrist"].shape == (96, 96, 3)
    # scripted_panda: gripper as closure, 0 open .. 1 closed; a half-open finger is 0.5
    with_cameras = replace(load_model_card("scripted_panda"), cameras=layout.card.cameras)
    scripted = DatasetLayout(with_cameras, panda)
    command = JointState(panda.command_joints, np.append(panda.home[:7], 0.02))
    assert scripted.frame(observation(panda, ("exterior_1", "wrist")), command, "go")["action"][
        7
    ] == pytest.approx(0.5)


def test_cards_the_export_cannot_fill_are_refused(robots):
    with pytest.raises(InvalidInput, match="'openvla_bridge' speaks ee_delta actions"):
        DatasetLayout(load_model_card("openvla_bridge"), robots["widowx"])
    with pytest.raises(InvalidInput, match="'scripted_panda' reads no camera"):
        DatasetLayout(load_model_card("scripted_panda"), robots["panda"])
    with pytest.raises(InvalidInput, match="robot 'aloha' has cameras"):
        DatasetLayout(load_model_card("diffusion_panda"), robots["aloha"])
