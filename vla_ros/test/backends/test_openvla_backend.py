"""The OpenVLA path (AutoModelForVision2Seq + AutoProcessor from a local dir, predict_action with
unnorm_key) on a tiny OpenVLA-style checkpoint that ships its code like OpenVLA does."""

import os
import shutil

import numpy as np
import pytest
import yaml
from backend_models import BRIDGE_STATS
from observations import observation_for

from vla_ros.backends.registry import create_policy
from vla_ros.core.types import ActionSpace, InvalidInput


def test_remote_code_runs_only_when_allowed(checkpoints, robots):
    with pytest.raises(
        InvalidInput,
        match=r"ships its own model code .*set option trust_remote_code: true only if you trust",
    ):
        create_policy("openvla", robots["widowx"], {"checkpoint": str(checkpoints("openvla"))})


def test_predict_action_with_the_card_unnorm_key(checkpoints, robots):
    robot = robots["widowx"]
    policy = create_policy(
        "openvla", robot, {"checkpoint": str(checkpoints("openvla")), "trust_remote_code": True}
    )
    policy.warmup()
    assert policy.unnorm_key == "bridge_orig"
    observation = observation_for(robot)
    chunk = policy.infer(observation)
    assert chunk.action_space == ActionSpace.EE_DELTA and chunk.actions.shape == (1, 7)
    assert chunk.dim_names == ("dx", "dy", "dz", "droll", "dpitch", "dyaw", "left_finger")
    low, high = np.array(BRIDGE_STATS["q01"][:6]), np.array(BRIDGE_STATS["q99"][:6])
    assert np.all(chunk.actions[0, :6] >= low) and np.all(chunk.actions[0, :6] <= high)
    gripper = robot.arms[0].gripper
    assert chunk.actions[0, 6] in (
        pytest.approx(gripper.open_position),
        pytest.approx(gripper.closed_position),
    )
    # Another dataset's statistics scale the same tokens differently (q01/q99 = -1/1).
    other = create_policy(
        "openvla",
        robot,
        {
            "checkpoint": str(checkpoints("openvla")),
            "trust_remote_code": True,
            "unnorm_key": "fractal",
        },
    )
    assert not np.allclose(other.infer(observation).actions[0, :6], chunk.actions[0, :6])


def test_unnorm_key_errors_list_the_valid_keys(checkpoints, robots, tmp_path):
    base = {"checkpoint": str(checkpoints("openvla")), "trust_remote_code": True}
    with pytest.raises(
        InvalidInput,
        match=r"unnorm_key 'bridge' is not in the checkpoint's norm_stats; valid keys: \['bridge_orig', 'fractal'\]",
    ):
        create_policy("openvla", robots["widowx"], {**base, "unnorm_key": "bridge"})
    copy = tmp_path / "openvla"
    shutil.copytree(checkpoints("openvla"), copy)
    card = yaml.safe_load((copy / "vla_ros_card.yaml").read_text())
    card.pop("unnorm_key")
    (copy / "vla_ros_card.yaml").write_text(yaml.safe_dump(card))
    with pytest.raises(
        InvalidInput,
        match=r"statistics for \['bridge_orig', 'fractal'\]; choose one with option unnorm_key",
    ):
        create_policy("openvla", robots["widowx"], {**base, "checkpoint": str(copy)})


def test_pickled_weights_are_never_loaded(checkpoints, robots, tmp_path):
    copy = tmp_path / "openvla"
    shutil.copytree(checkpoints("openvla"), copy)
    (copy / "model.safetensors").rename(copy / "pytorch_model.bin")
    with pytest.raises(
        InvalidInput, match=r"has no \*.safetensors weights .*pickled weights are never loaded"
    ):
        create_policy(
            "openvla", robots["widowx"], {"checkpoint": str(copy), "trust_remote_code": True}
        )
    with pytest.raises(InvalidInput, match="has no config.json"):
        create_policy("openvla", robots["widowx"], {"checkpoint": str(tmp_path)})


def test_card_mismatch_and_bad_prompt(checkpoints, robots):
    base = {"checkpoint": str(checkpoints("openvla")), "trust_remote_code": True}
    with pytest.raises(InvalidInput, match="reads camera 'over_shoulder'"):
        create_policy("openvla", robots["panda"], base)
    with pytest.raises(InvalidInput, match=r"option prompt='pick' must contain \{instruction\}"):
        create_policy("openvla", robots["widowx"], {**base, "prompt": "pick"})


@pytest.mark.skipif(
    "OPENVLA_CHECKPOINT" not in os.environ,
    reason=(
        "real OpenVLA-7B weights are verified only where they exist: set OPENVLA_CHECKPOINT to "
        "a local openvla-7b dir (needs ~15 GB, GPU advised)"
    ),
)
def test_real_openvla_checkpoint(robots):
    robot = robots["widowx"]
    policy = create_policy(
        "openvla",
        robot,
        {
            "checkpoint": os.environ["OPENVLA_CHECKPOINT"],
            "card": "openvla_bridge",
            "trust_remote_code": True,
        },
    )
    chunk = policy.infer(observation_for(robot))
    assert chunk.actions.shape == (1, 7) and np.all(np.abs(chunk.actions[0, :3]) < 0.1)
