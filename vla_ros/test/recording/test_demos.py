"""`vla-ros demos`: the scripted expert's sim episodes written as a LeRobotDataset that LeRobot loads.

Two cameras (one the wrist) shrunk to 64x64 by camera_ingest's own image_size keep the videos small;
--vary-objects draws each episode's cubes from its seed, keeping the instructions' kinds.
"""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pytest
from lerobot_datasets import load

from vla_ros.commands import main
from vla_ros.core.robot.config import load_robot_config
from vla_ros.core.tasks.spec import parse_instruction
from vla_ros.core.types import InvalidInput
from vla_ros.recording.demonstrations import DemoOptions, generate

pytestmark = [pytest.mark.sim]
SMALL = ["--cameras", "exterior_1", "wrist", "--set", "camera_ingest.image_size=[64,64]"]


@pytest.fixture(scope="module")
def demos(tmp_path_factory):
    import torch

    torch.set_num_threads(1)
    out = tmp_path_factory.mktemp("demos") / "panda_demos"
    argv = ["demos", "--robot", "panda", "--episodes", "2", "--seed", "3", "--out", str(out)]
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(argv + SMALL + ["--vary-objects"]) == 0
    lines = printed.getvalue().splitlines()
    assert [line.split(" seed ")[0] for line in lines[:2]] == ["[demos 1/2]", "[demos 2/2]"]
    assert lines[-1].startswith("[vla-ros] wrote 2 demonstrations")
    return out


def test_two_episodes_load_in_lerobot_with_what_the_policy_sees_and_the_commands(demos):
    dataset = load(demos)
    joints = list(load_robot_config("panda").command_joints)
    assert dataset.num_episodes == 2 and dataset.fps == 10
    features = dataset.meta.features
    assert features["observation.state"]["names"] == joints
    assert features["action"]["names"] == joints
    for camera in ("exterior_1", "wrist"):
        assert tuple(features[f"observation.images.{camera}"]["shape"]) == (64, 64, 3)
    assert "observation.images.exterior_2" not in features
    gripper = joints.index("panda_finger_joint1")
    start = 0
    for episode, kind in enumerate(("pick_place", "stack")):
        length = dataset.meta.episodes[episode]["length"]
        frames = [dataset[i] for i in range(start, start + length)]
        start += length
        (task,) = {f["task"] for f in frames}
        assert parse_instruction(task).kind == kind
        assert [int(f["frame_index"]) for f in frames] == list(range(length))
        state = np.stack([f["observation.state"].numpy() for f in frames])
        action = np.stack([f["action"].numpy() for f in frames])
        np.testing.assert_allclose(state[0], load_robot_config("panda").home, atol=1e-3)
        # The action is the command: it closes the hand fully while the fingers stop on the cube,
        # and opens it again before the episode ends.
        assert action[:, gripper].min() < 0.005 < 0.015 < state[:, gripper].min()
        assert action[-1, gripper] > 0.035
        wrist = frames[length // 2]["observation.images.wrist"]
        assert tuple(wrist.shape) == (3, 64, 64) and float(wrist.std()) > 0.01
    assert start == dataset.num_frames


def test_bad_input_names_the_problem_and_writes_nothing(tmp_path):
    out = tmp_path / "demos"
    with pytest.raises(InvalidInput, match=r"'put the purple cube in the bowl': unknown colour"):
        generate(DemoOptions("panda", out, instructions=("put the purple cube in the bowl",)))
    with pytest.raises(InvalidInput, match="none of the 1 episodes succeeded within 0.3 s"):
        generate(DemoOptions("panda", out, episodes=1, time_limit=0.3, cameras=("wrist",)))
    with pytest.raises(InvalidInput, match="--episodes must be at least 1"):
        DemoOptions("panda", out, episodes=0)
    with pytest.raises(
        InvalidInput, match=r"image_format must be one of \['video', 'png'\], got 'jpeg'"
    ):
        DemoOptions("panda", out, image_format="jpeg")
    assert list(tmp_path.iterdir()) == []
    out.mkdir()
    assert main(["demos", "--robot", "panda", "--out", str(out)]) == 1
    assert list(out.iterdir()) == []


def test_the_dataset_trains_the_suites_own_policy(demos):
    """One flow_film training step on batches LeRobot makes from the dataset (chunks of actions by
    the policy's delta timestamps, normalization by the dataset's statistics)."""
    import torch
    from lerobot.configs.types import FeatureType
    from lerobot.datasets.factory import resolve_delta_timestamps
    from lerobot.datasets.lerobot_dataset import LeRobotDataset
    from lerobot.datasets.utils import dataset_to_policy_features
    from lerobot.policies.factory import get_policy_class, make_pre_post_processors

    from vla_ros.policies import FlowFilmConfig  # registers flow_film with LeRobot

    meta = load(demos).meta
    features = dataset_to_policy_features(meta.features)
    config = FlowFilmConfig(
        input_features={k: f for k, f in features.items() if f.type is not FeatureType.ACTION},
        output_features={k: f for k, f in features.items() if f.type is FeatureType.ACTION},
        conv_channels=(8, 16),
        hidden_dim=64,
        device="cpu",
    )
    dataset = LeRobotDataset(
        meta.repo_id, root=demos, delta_timestamps=resolve_delta_timestamps(config, meta)
    )
    raw = next(iter(torch.utils.data.DataLoader(dataset, batch_size=4, shuffle=True)))
    assert tuple(raw["action"].shape) == (4, 10, 8)
    preprocessor, _ = make_pre_post_processors(config, dataset_stats=meta.stats)
    policy = get_policy_class("flow_film")(config).train()
    loss, _ = policy.forward(preprocessor(raw))
    loss.backward()
    assert torch.isfinite(loss)
