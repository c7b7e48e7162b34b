"""The suite's own flow_film policy (vla_ros.policies): a LeRobot policy type saved and loaded by
LeRobot's loaders and served by the `lerobot` backend (tiny random weights, the real MiniLM)."""

from dataclasses import replace

import numpy as np
import pytest
import torch
from observations import observation_for

from vla_ros.backends.registry import create_policy
from vla_ros.core.types import InvalidInput

PICK = "put the red cube in the bowl"


@pytest.fixture(scope="module")
def loaded(checkpoints):
    """(policy, preprocessor) as LeRobot's own loaders build them from the checkpoint dir."""
    from lerobot.policies.factory import get_policy_class, make_pre_post_processors

    import vla_ros.policies  # noqa: F401  (registers flow_film)

    torch.set_num_threads(1)
    directory = checkpoints("flow_film")
    policy = get_policy_class("flow_film").from_pretrained(directory).eval()
    preprocessor, _ = make_pre_post_processors(policy.config, pretrained_path=str(directory))
    return policy, preprocessor


def batch_for(robot, preprocessor, task: str) -> dict:
    observation = observation_for(robot)
    image = observation.images["over_shoulder"][:64, :64]
    state = observation.joint_state.subset(robot.command_joints).astype(np.float32)
    return preprocessor(
        {
            "observation.images.over_shoulder": torch.from_numpy(image).permute(2, 0, 1) / 255.0,
            "observation.state": torch.from_numpy(state),
            "task": task,
        }
    )


def test_the_backend_serves_a_flow_film_checkpoint(checkpoints, robots):
    robot = robots["widowx"]
    policy = create_policy("lerobot", robot, {"checkpoint": str(checkpoints("flow_film"))})
    policy.warmup()
    chunk = policy.infer(observation_for(robot))
    assert chunk.actions.shape == (10, len(robot.command_joints))
    assert chunk.model_id == "tiny_flow_film" and np.all(np.isfinite(chunk.actions))
    weights = checkpoints("flow_film") / "model.safetensors"
    assert weights.stat().st_size < 1_000_000  # the frozen MiniLM is not in the checkpoint


def test_real_time_chunking_is_an_option_of_the_backend(checkpoints, robots):
    robot = robots["widowx"]
    directory = str(checkpoints("flow_film"))
    assert create_policy("lerobot", robot, {"checkpoint": directory}).uses_rtc_prefix
    assert not create_policy(
        "lerobot", robot, {"checkpoint": directory, "rtc": False}
    ).uses_rtc_prefix
    with pytest.raises(InvalidInput, match="option rtc='no' is invalid; expected true or false"):
        create_policy("lerobot", robot, {"checkpoint": directory, "rtc": "no"})


def test_the_instruction_conditions_the_chunk_and_a_prefix_is_kept(loaded, robots):
    policy, preprocessor = loaded
    robot = robots["widowx"]
    noise = torch.randn(1, 10, 7, generator=torch.Generator().manual_seed(0))
    pick = policy.predict_action_chunk(batch_for(robot, preprocessor, PICK), noise=noise)
    again = policy.predict_action_chunk(batch_for(robot, preprocessor, PICK), noise=noise)
    stack = policy.predict_action_chunk(
        batch_for(robot, preprocessor, "stack the green cube on the blue cube"), noise=noise
    )
    torch.testing.assert_close(pick, again)
    assert (pick - stack).abs().max() > 1e-4
    prefix = torch.full((1, 3, 7), 0.5)
    inpainted = policy.predict_action_chunk(
        batch_for(robot, preprocessor, PICK), noise=noise, prefix=prefix
    )
    torch.testing.assert_close(inpainted[:, :3], prefix)
    assert (inpainted[:, 3:] - pick[:, 3:]).abs().max() > 1e-6  # the rest follows the prefix


def test_training_loss_reaches_the_film_layers(loaded, robots):
    policy, preprocessor = loaded
    batch = batch_for(robots["widowx"], preprocessor, PICK)
    batch["action"] = torch.zeros(1, 10, 7)
    batch["action_is_pad"] = torch.zeros(1, 10, dtype=torch.bool)
    policy.train()
    try:
        loss, info = policy.forward(batch)
        loss.backward()
    finally:
        policy.eval()
    assert torch.isfinite(loss) and info["loss"] == pytest.approx(loss.item())
    film = policy.encoders[0].layers[0].film.weight.grad
    assert film is not None and film.abs().max() > 0
    policy.zero_grad()


def test_relative_actions_start_the_chunk_at_the_state_and_keep_a_prefix(loaded, robots):
    """relative_actions: the flow runs on offsets from the state; what leaves the model is still
    LeRobot's normalized absolute action, and an inpainted prefix comes back exactly."""
    from vla_ros.policies.flow_film.modeling_flow_film import FlowFilmPolicy

    policy, preprocessor = loaded
    config = replace(policy.config, relative_actions=True)
    relative = FlowFilmPolicy(config).eval()
    generator = torch.Generator().manual_seed(0)
    stats = {
        name: {
            "mean": torch.randn(7, generator=generator),
            "std": torch.rand(7, generator=generator) + 0.1,
        }
        for name in ("state", "action")
    }
    relative.set_frames(stats["state"], stats["action"], torch.full((7,), 0.05))
    state = torch.randn(2, 7, generator=generator)
    actions = torch.randn(2, 10, 7, generator=generator)
    back = relative._from_flow(relative._to_flow(actions, state), state)
    torch.testing.assert_close(back, actions)
    at_rest = (
        relative._from_flow(torch.zeros(2, 10, 7), state) * relative.action_std
        + relative.action_mean
    )
    current = state * relative.state_std + relative.state_mean
    torch.testing.assert_close(at_rest, current.unsqueeze(1).expand(-1, 10, -1))
    batch = batch_for(robots["widowx"], preprocessor, PICK)
    prefix = torch.full((1, 3, 7), 0.5)
    chunk = relative.predict_action_chunk(batch, prefix=prefix)
    torch.testing.assert_close(chunk[:, :3], prefix)
    with pytest.raises(
        ValueError, match="relative_actions needs state and action of the same dims"
    ):
        replace(
            config, output_features={"action": replace(config.action_feature, shape=(3,))}
        ).validate_features()


def test_config_errors_name_the_field():
    from vla_ros.policies import FlowFilmConfig

    with pytest.raises(ValueError, match="n_action_steps"):
        FlowFilmConfig(chunk_size=5, n_action_steps=8)
    with pytest.raises(ValueError, match="flow_steps"):
        FlowFilmConfig(flow_steps=0)
    with pytest.raises(ValueError, match="state_dropout"):
        FlowFilmConfig(state_dropout=1.0)
    with pytest.raises(ValueError, match="inference_noise_scale"):
        FlowFilmConfig(inference_noise_scale=-0.5)


def test_the_inference_noise_scale_chooses_sampled_or_deterministic_chunks(loaded, robots):
    policy, preprocessor = loaded
    batch = batch_for(robots["widowx"], preprocessor, PICK)
    assert policy.config.inference_noise_scale == 0.0  # the default
    first, second = (policy.predict_action_chunk(batch) for _ in range(2))
    torch.testing.assert_close(first, second)  # from the noise's mean: one chunk per observation
    zero = policy.predict_action_chunk(batch, noise=torch.zeros(1, 10, 7))
    torch.testing.assert_close(first, zero)
    sampling = replace(policy.config, inference_noise_scale=1.0)
    policy.config, default = sampling, policy.config
    try:
        sampled = [policy.predict_action_chunk(batch) for _ in range(2)]
    finally:
        policy.config = default
    assert (sampled[0] - sampled[1]).abs().max() > 1e-4


def test_state_dropout_withholds_the_state_in_training_only(loaded):
    """A withheld sample's context does not depend on its state; at inference every state counts."""
    from vla_ros.policies.flow_film.modeling_flow_film import FlowFilmPolicy

    policy, _ = loaded
    dropping = FlowFilmPolicy(replace(policy.config, state_dropout=0.5))
    features = torch.ones(4000, 8)
    torch.manual_seed(0)
    dropping.train()
    out = dropping._withheld(features)
    withheld = (out == 0).all(dim=1)
    assert 0.45 < withheld.float().mean() < 0.55
    assert (out[~withheld] == 1).all()  # a sample's state is withheld whole or kept whole
    dropping.eval()
    torch.testing.assert_close(dropping._withheld(features), features)


def test_the_backend_inpaints_the_executing_prefix_in_robot_terms(checkpoints, robots):
    """observation.extras["rtc_prefix"] (robot joint positions, the executor's /vla/rtc_prefix) is
    resampled onto the chunk's grid, mapped to the card's actions, normalized, inpainted, and comes
    back out of the un-normalization and the card's conversion as the same joint positions."""
    from dataclasses import replace

    from vla_ros.core.types import ActionChunk, ActionSpace, InvalidInput

    robot = robots["widowx"]
    policy = create_policy("lerobot", robot, {"checkpoint": str(checkpoints("flow_film"))})
    observation = observation_for(robot)
    rows = robot.home + np.linspace(0.0, 0.2, 3)[:, None] * np.r_[np.ones(6), 0.0]
    rows[:, -1] = robot.arms[0].gripper.open_position
    # stamped one step after the observation: chunk actions 1..3 are the prefix, action 0 its first
    prefix = ActionChunk(
        observation.stamp + 0.1, 0.1, rows, robot.command_joints, ActionSpace.JOINT_POSITION
    )
    chunk = policy.infer(replace(observation, extras={"rtc_prefix": prefix}))
    np.testing.assert_allclose(chunk.actions[1:4], rows, atol=1e-5)
    np.testing.assert_allclose(chunk.actions[0], rows[0], atol=1e-5)
    assert chunk.actions.shape == (10, 7) and np.abs(chunk.actions[4:] - rows[-1]).max() > 1e-3
    ee_prefix = replace(prefix, action_space=ActionSpace.EE_POSE)
    with pytest.raises(InvalidInput, match="rtc_prefix in ee_pose; inpainting takes joint"):
        policy.infer(replace(observation, extras={"rtc_prefix": ee_prefix}))
