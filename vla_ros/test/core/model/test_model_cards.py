"""Model cards: parsing errors name the key and the value; shipped cards bind to their robots;
a card on the wrong robot fails at construction with both sides named."""

import numpy as np
import pytest
import yaml
from observations import observation_for

from vla_ros.core.model.card import available_model_cards, load_model_card, parse_model_card
from vla_ros.core.model.io import ModelIO
from vla_ros.core.types import ActionSpace, InvalidInput


def card_dict(**action):
    base = {
        "name": "t",
        "control_rate": 10.0,
        "chunk_size": 4,
        "action": {
            "space": "joint_position",
            "dim": 7,
            "targets": ["arm0.joints", "arm0.gripper"],
        },
    }
    base["action"].update(action)
    return base


@pytest.mark.parametrize("name", available_model_cards())
def test_shipped_card_binds_to_its_robot_and_makes_a_chunk(name, robots):
    card = load_model_card(name)
    robot = robots[card.robot]
    io = ModelIO(card, robot)
    observation = observation_for(robot)
    inputs = io.inputs(observation)
    assert set(inputs.images) == {c.key for c in card.cameras}
    for camera in card.cameras:
        image = inputs.images[camera.key]
        assert image.shape == (
            (3, camera.height, camera.width)
            if camera.layout == "chw"
            else (camera.height, camera.width, 3)
        )
    chunk = io.chunk(np.zeros((card.chunk_size, card.action.dim)), observation)
    assert chunk.horizon == card.execute and chunk.dt == pytest.approx(1.0 / card.control_rate)
    assert chunk.stamp == observation.stamp and chunk.anchor is observation.joint_state
    if chunk.action_space == ActionSpace.JOINT_POSITION:
        assert chunk.dim_names == robot.command_joints
    else:
        assert chunk.dim_names[-1] == robot.arms[0].gripper.joint


def test_shipped_cards_cover_the_architecture_table():
    spaces = {load_model_card(n).action.space for n in available_model_cards()}
    assert spaces == {ActionSpace.EE_DELTA, ActionSpace.JOINT_VELOCITY, ActionSpace.JOINT_POSITION}
    assert {
        "openvla_bridge",
        "octo_bridge",
        "pi0_droid",
        "pi0_aloha",
        "act_aloha",
        "smolvla_widowx",
        "diffusion_panda",
        "rdt_aloha",
    } <= set(available_model_cards())


@pytest.mark.parametrize(
    "card, robot, message",
    [
        ("pi0_droid", "widowx", "outputs 8 values per action but its targets"),
        ("act_aloha", "widowx", "names arm 'arm1' but widowx has 1 arm"),
        ("openvla_bridge", "panda", "reads camera 'over_shoulder'"),
        ("smolvla_widowx", "aloha", "reads camera .over_shoulder. .* robot .aloha. has cameras"),
    ],
)
def test_card_robot_mismatch_fails_at_construction(card, robot, message, robots):
    with pytest.raises(InvalidInput, match=message):
        ModelIO(load_model_card(card), robots[robot])


@pytest.mark.parametrize(
    "change, message",
    [
        (
            lambda c: c.pop("control_rate"),
            r"control_rate \(Hz\) must be a positive number, got None",
        ),
        (lambda c: c.update(execute=9), "execute=9 exceeds chunk_size=4"),
        (
            lambda c: c["action"].update(space="cartesian"),
            r"action.space must be one of .*'ee_delta'.*got 'cartesian'",
        ),
        (
            lambda c: c["action"].pop("dim"),
            r"action.dim \(number of values the model outputs per action\) must be a positive integer",
        ),
        (
            lambda c: c["action"].update(units={"angle": "grad"}),
            r"units.angle must be one of \['deg', 'rad'\], got 'grad'",
        ),
        (lambda c: c["action"].update(gripper={"open": 1.0}), "needs both 'closed' and 'open'"),
        (
            lambda c: c["action"].update(normalization={"mode": "gaussian", "mean": [0] * 7}),
            r"mode 'gaussian' needs \['std'\]",
        ),
        (
            lambda c: c.update(cameras=[{"key": "a", "size": [224]}]),
            r"cameras\[0\].size must be \[height, width\]",
        ),
        (
            lambda c: c.update(cameras=[{"key": "a", "size": [64, 64], "crop": [0.6, 0, 0.5, 1]}]),
            r"cameras\[0\].crop must be \[top, left, height, width\] as fractions .* got \[0.6, 0, 0.5, 1\]",
        ),
        (
            lambda c: c.update(cameras=[{"key": "a", "size": [64, 64], "crop": [0, 0, 1]}]),
            r"cameras\[0\].crop must be \[top, left, height, width\]",
        ),
        (
            lambda c: c.update(state=[{"key": "s", "targets": ["arm0.joints"]}]),
            r"state\[0\].dim \(length of this state vector\)",
        ),
    ],
)
def test_invalid_card_names_key_and_value(change, message):
    raw = card_dict()
    change(raw)
    with pytest.raises(InvalidInput, match=message):
        parse_model_card(raw, source="card.yaml")


def test_unknown_card_lists_available(tmp_path):
    with pytest.raises(InvalidInput, match="available cards: .*openvla_bridge"):
        load_model_card("no_such_card")
    (tmp_path / "broken.yaml").write_text("action: [unclosed")
    with pytest.raises(InvalidInput, match="not valid YAML"):
        load_model_card(tmp_path / "broken.yaml")


def test_card_found_inside_checkpoint_dir(tmp_path):
    (tmp_path / "vla_ros_card.yaml").write_text(yaml.safe_dump(card_dict()))
    assert load_model_card(tmp_path).action.dim == 7


@pytest.mark.parametrize(
    "targets, message",
    [
        (["arm0.joints", "arm0.joint9"], "has 6 joints"),
        (["arm0.joints", "arm0.joints"], "more than once"),
        (["arm0.joints", "arm0.wrist"], "cannot resolve target 'arm0.wrist'"),
        (["arm0.ee", "arm0.gripper"], "not valid in a joint_position action space"),
    ],
)
def test_bad_targets(targets, message, robots):
    raw = card_dict(targets=targets)
    with pytest.raises(InvalidInput, match=message):
        ModelIO(parse_model_card(raw), robots["widowx"])
