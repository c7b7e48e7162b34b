"""LeRobot pretrained policies (tiny random weights, real configs, saved and loaded back) through the
registry: chunks of the robot's command dims, equal to what LeRobot's own select_action plays."""

import shutil
from dataclasses import replace

import numpy as np
import pytest
import yaml
from observations import observation_for

from vla_ros.backends.registry import create_policy
from vla_ros.core.types import ActionSpace, InvalidInput


@pytest.mark.parametrize("kind, horizon", [("act", 10), ("diffusion", 8), ("smolvla", 10)])
def test_policy_dir_gives_chunks_of_the_robot_command_dims(kind, horizon, checkpoints, robots):
    robot = robots["widowx"]
    policy = create_policy(
        "lerobot", robot, {"checkpoint": str(checkpoints(kind)), "device": "auto"}
    )
    policy.warmup()
    observation = observation_for(robot)
    chunk = policy.infer(observation)
    assert chunk.actions.shape == (horizon, len(robot.command_joints))
    assert (
        chunk.dim_names == robot.command_joints
        and chunk.action_space == ActionSpace.JOINT_POSITION
    )
    assert chunk.stamp == observation.stamp and chunk.observation_sequence == observation.sequence
    # In process, the inference worker times the call; the backend reports no timing of its own.
    assert chunk.model_id.startswith("tiny_") and chunk.timing.total == 0.0
    assert np.all(np.isfinite(chunk.actions))
    policy.reset()
    assert policy.infer(observation).actions.shape == chunk.actions.shape


def test_act_chunk_matches_lerobot_select_action(checkpoints, robots):
    """The chunk is what LeRobot's own loop would play: n_action_steps select_action calls, un-normalized."""
    import torch

    robot = robots["widowx"]
    policy = create_policy(
        "lerobot", robot, {"checkpoint": str(checkpoints("act")), "device": "cpu"}
    )
    observation = observation_for(robot, seed=3)
    chunk = policy.infer(observation)
    inputs = policy.io.inputs(observation)
    batch = {
        k: torch.from_numpy(v).permute(2, 0, 1)[None].float() / 255
        for k, v in inputs.images.items()
    }
    batch.update({k: torch.from_numpy(v)[None] for k, v in inputs.state.items()})
    batch["task"] = observation.instruction
    batch = policy.preprocessor(batch)
    policy.reset()
    played = np.stack(
        [policy.postprocessor(policy.policy.select_action(batch))[0].numpy() for _ in range(10)]
    )
    expected = policy.io.chunk(played, observation).actions
    np.testing.assert_allclose(chunk.actions, expected, atol=1e-5)
    # Un-normalization happened: the dataset statistics centre actions near 0.3 (std 0.1).
    assert abs(float(np.mean(played[:, :6])) - 0.3) < 0.3


def test_missing_and_invalid_checkpoint_dirs(tmp_path, robots):
    robot = robots["widowx"]
    with pytest.raises(
        InvalidInput,
        match=r"option checkpoint='.*nowhere' is invalid; expected an existing directory \(no such path\)",
    ):
        create_policy("lerobot", robot, {"checkpoint": str(tmp_path / "nowhere")})
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(
        InvalidInput, match=r"is not a LeRobot pretrained policy dir: lacks \['model.safetensors'"
    ):
        create_policy("lerobot", robot, {"checkpoint": str(tmp_path)})
    with pytest.raises(InvalidInput, match="missing required option 'checkpoint'"):
        create_policy("lerobot", robot, {})


def test_card_that_disagrees_with_the_checkpoint(checkpoints, robots, tmp_path):
    copy = tmp_path / "act"
    shutil.copytree(checkpoints("act"), copy)
    card = yaml.safe_load((copy / "vla_ros_card.yaml").read_text())
    card["cameras"][0]["size"] = [96, 96]
    (copy / "vla_ros_card.yaml").write_text(yaml.safe_dump(card))
    with pytest.raises(
        InvalidInput,
        match=r"checkpoint reads images .*\(3, 64, 64\).*card declares .*\(3, 96, 96\)",
    ):
        create_policy("lerobot", robots["widowx"], {"checkpoint": str(copy), "device": "cpu"})
    with pytest.raises(
        InvalidInput,
        match=r"model card 'act_aloha' vs checkpoint \(act\): checkpoint reads images",
    ):
        create_policy(
            "lerobot",
            robots["aloha"],
            {"checkpoint": str(checkpoints("act")), "card": "act_aloha"},
        )


def test_any_image_size_is_served_and_a_non_rgb_image_is_rejected(checkpoints, robots):
    robot = robots["widowx"]
    policy = create_policy(
        "lerobot", robot, {"checkpoint": str(checkpoints("act")), "device": "cpu"}
    )
    observation = observation_for(robot)
    small = replace(observation, images={"over_shoulder": np.zeros((120, 160, 3), np.uint8)})
    assert policy.infer(small).actions.shape[1] == len(robot.command_joints)
    rgba = replace(observation, images={"over_shoulder": np.zeros((120, 160, 4), np.uint8)})
    with pytest.raises(
        InvalidInput,
        match=r"camera 'over_shoulder' image is \(120, 160, 4\) uint8; expected \(height, width, 3\) uint8 RGB",
    ):
        policy.infer(rgba)


def test_hub_model_names_are_refused(checkpoints, robots, tmp_path):
    copy = tmp_path / "smolvla"
    shutil.copytree(checkpoints("smolvla"), copy)
    with pytest.raises(
        InvalidInput,
        match=r"vlm_model_name='HuggingFaceTB/SmolVLM2-500M-Video-Instruct' is not a local directory",
    ):
        create_policy(
            "lerobot",
            robots["widowx"],
            {
                "checkpoint": str(copy),
                "config_overrides": {
                    "vlm_model_name": "HuggingFaceTB/SmolVLM2-500M-Video-Instruct"
                },
            },
        )
    with pytest.raises(InvalidInput, match="config_overrides names 'no_such_field'"):
        create_policy(
            "lerobot",
            robots["widowx"],
            {"checkpoint": str(copy), "config_overrides": {"no_such_field": 1}},
        )


def test_pi0_is_reported_clearly_when_it_cannot_load_offline(tmp_path, robots):
    """LeRobot 0.4.4's pi0 needs its patched transformers (and a hub tokenizer): say so before
    building 3B parameters.
    """
    import json

    from vla_ros.backends.torch_runtime import ensure_torchvision_importable

    ensure_torchvision_importable()
    import backend_models
    from lerobot.policies.pi0.configuration_pi0 import PI0Config

    inputs, outputs = backend_models._features()
    PI0Config(input_features=inputs, output_features=outputs, device="cpu")._save_pretrained(
        tmp_path
    )
    for name in ("model.safetensors", "policy_preprocessor.json", "policy_postprocessor.json"):
        (tmp_path / name).write_text("{}")
    (tmp_path / "vla_ros_card.yaml").write_text(
        yaml.safe_dump(backend_models.lerobot_card("pi0", 50, 50))
    )
    assert json.loads((tmp_path / "config.json").read_text())["type"] == "pi0"
    with pytest.raises(
        InvalidInput,
        match=r"LeRobot's pi0 needs LeRobot's patched transformers .*use backend 'openpi' instead",
    ):
        create_policy("lerobot", robots["widowx"], {"checkpoint": str(tmp_path), "device": "cpu"})
