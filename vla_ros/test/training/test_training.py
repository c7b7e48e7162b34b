"""`vla-ros train` / `vla-ros evaluate`: demonstrations -> decoded frames -> a flow_film checkpoint
the `lerobot` backend serves -> closed-loop episodes in the sim.

A 2-episode dataset and a tiny policy (a few training steps): these prove the pipeline and its
bookkeeping (frames match the dataset row for row, chunks padded at episode ends, statistics,
checkpoint files, the loss curve, the evaluation's per-episode report), not that a policy learns
the task; the shipped checkpoint's success is measured by `make train` (README, "Learned policy").
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from lerobot_datasets import load

from vla_ros.commands import main
from vla_ros.core.types import InvalidInput
from vla_ros.training.chunks import batch_of, chunk_rows
from vla_ros.training.frames import DemoFrames, load_frames
from vla_ros.training.trainer import TrainOptions, cosine, train

pytestmark = [pytest.mark.sim]
TINY = {"conv_channels": (8, 16), "keypoints": 8, "hidden_dim": 64}


def quiet(*_: str) -> None:
    pass


@pytest.fixture(scope="module")
def demos(tmp_path_factory) -> Path:
    torch.set_num_threads(1)
    out = tmp_path_factory.mktemp("train") / "demos"
    argv = ["demos", "--robot", "panda", "--episodes", "2", "--seed", "5", "--out", str(out)]
    with contextlib.redirect_stdout(io.StringIO()):
        assert main([*argv, "--card", "flow_film_panda"]) == 0
    return out


@pytest.fixture(scope="module")
def png_demos(tmp_path_factory) -> Path:
    """The same two demonstrations as `demos`, their frames stored as PNG images."""
    out = tmp_path_factory.mktemp("train_png") / "demos"
    argv = ["demos", "--robot", "panda", "--episodes", "2", "--seed", "5", "--out", str(out)]
    with contextlib.redirect_stdout(io.StringIO()):
        assert main([*argv, "--card", "flow_film_panda", "--image-format", "png"]) == 0
    return out


@pytest.fixture(scope="module")
def checkpoint(demos, tmp_path_factory) -> tuple[Path, list[str]]:
    out = tmp_path_factory.mktemp("ckpt") / "flow_film"
    lines: list[str] = []
    options = TrainOptions(
        data=(demos,), out=out, minutes=5, max_steps=6, batch_size=8, policy=TINY
    )
    summary = train(options, progress=lines.append)
    assert summary.steps == 6 and summary.episodes == 2
    return out, lines


def test_frames_hold_every_row_of_the_dataset_in_order(demos):
    frames = load_frames([demos], progress=quiet)
    dataset = load(demos)
    assert len(frames) == dataset.num_frames and frames.episodes == 2
    for row in (0, len(frames) // 2, len(frames) - 1):
        item = dataset[row]
        np.testing.assert_allclose(frames.state[row], item["observation.state"].numpy())
        np.testing.assert_allclose(frames.action[row], item["action"].numpy())
        assert frames.tasks[frames.task[row]] == item["task"]
        for key, images in frames.images.items():
            decoded = (item[key].numpy() * 255.0).round()
            # The same frame of the same video (LeRobot decodes one clip, this the whole file).
            assert np.abs(images[row].astype(float) - decoded).mean() < 2.0
    first_length = dataset.meta.episodes[0]["length"]
    assert (frames.episode_end[:first_length] == first_length).all()
    assert (frames.episode_end[first_length:] == len(frames)).all()


def test_png_frames_are_the_exact_pixels_the_video_frames_approximate(demos, png_demos):
    """`--image-format png`: LeRobot loads the image features; the frames loader decodes LeRobot's
    pixels exactly, and the rest of the dataset is the video one's. The video frames differ from
    them by the codec's loss: what a policy trained on videos never sees live."""
    frames, video = load_frames([png_demos], progress=quiet), load_frames([demos], progress=quiet)
    dataset = load(png_demos)
    assert dataset.meta.features["observation.images.wrist"]["dtype"] == "image"
    np.testing.assert_array_equal(frames.state, video.state)
    np.testing.assert_array_equal(frames.action, video.action)
    for row in (0, len(frames) - 1):
        item = dataset[row]
        for key, images in frames.images.items():
            lerobot = (item[key].numpy() * 255.0).round().astype(np.uint8)
            np.testing.assert_array_equal(images[row], lerobot)
    for key, images in frames.images.items():
        loss = np.abs(images.astype(int) - video.images[key].astype(int))
        assert 0.5 < loss.mean() < 8.0 and loss.max() > 50


def test_two_datasets_append_with_their_own_episodes_and_tasks(demos):
    frames = load_frames([demos, demos], progress=quiet)
    half = len(frames) // 2
    assert frames.episodes == 4
    assert (frames.episode_end[half:] > half).all()
    np.testing.assert_array_equal(frames.state[:half], frames.state[half:])
    assert [frames.tasks[t] for t in frames.task[:half]] == [
        frames.tasks[t] for t in frames.task[half:]
    ]


def test_chunks_repeat_the_last_action_past_the_episode_end_and_mark_it_padded():
    frames = DemoFrames(
        images={"cam": np.zeros((5, 3, 2, 2), np.uint8)},
        state=np.zeros((5, 1), np.float32),
        action=np.arange(5, dtype=np.float32)[:, None],
        episode=np.array([0, 0, 0, 1, 1]),
        episode_end=np.array([3, 3, 3, 5, 5]),
        task=np.array([0, 0, 0, 1, 1]),
        tasks=["a", "b"],
        fps=10.0,
    )
    rows, pad = chunk_rows(frames, np.array([0, 2, 3]), 3)
    np.testing.assert_array_equal(rows, [[0, 1, 2], [2, 2, 2], [3, 4, 4]])
    np.testing.assert_array_equal(pad, [[0, 0, 0], [0, 1, 1], [0, 0, 1]])
    batch = batch_of(frames, np.array([2, 4]), 3)
    assert batch["action"].shape == (2, 3, 1) and batch["task"] == ["a", "b"]
    np.testing.assert_array_equal(batch["action"][1, :, 0], [4, 4, 4])


def test_the_checkpoint_is_what_the_lerobot_backend_serves(checkpoint, demos):
    from vla_ros.backends.registry import create_policy
    from vla_ros.core.robot.config import load_robot_config

    out, lines = checkpoint
    names = {p.name for p in out.iterdir()}
    assert {
        "config.json",
        "model.safetensors",
        "vla_ros_card.yaml",
        "loss.csv",
        "loss.png",
    } <= names
    assert len(np.loadtxt(out / "loss.csv", delimiter=",", skiprows=1)) == 6
    assert lines[-1].startswith("[train] 6 steps in ") and lines[-1].endswith(f"saved {out}")
    assert any("from 2 episodes (2 instructions), flow_film with" in line for line in lines)
    robot = load_robot_config("panda")
    policy = create_policy("lerobot", robot, {"checkpoint": str(out)})
    frames = load_frames([demos], progress=quiet)
    # The normalization the processors carry is the dataset's own.
    statistics = policy.preprocessor.steps[2].stats["action"]
    np.testing.assert_allclose(np.asarray(statistics["mean"]), frames.action.mean(0), rtol=1e-5)
    from observations import observation_for

    chunk = policy.infer(observation_for(robot))
    assert chunk.actions.shape == (10, 8) and np.isfinite(chunk.actions).all()


def test_training_fits_a_batch(demos):
    """The loop's loss falls on data it sees (the optimizer, normalization and targets connect)."""
    from vla_ros.policies.flow_film.modeling_flow_film import FlowFilmPolicy
    from vla_ros.policies.flow_film.processor_flow_film import make_flow_film_pre_post_processors
    from vla_ros.training.trainer import policy_config, statistics

    torch.manual_seed(0)
    frames = load_frames([demos], progress=quiet)
    config = policy_config(frames, TrainOptions(data=(demos,), out=Path("unused"), policy=TINY))
    policy = FlowFilmPolicy(config).train()
    preprocessor, _ = make_flow_film_pre_post_processors(config, statistics(frames))
    batch = preprocessor(batch_of(frames, np.arange(0, len(frames), 4), config.chunk_size))
    optimizer = torch.optim.AdamW(policy.parameters(), lr=3e-3)
    losses = []
    for _ in range(60):
        torch.manual_seed(1)  # the same noise and flow times each step: the loss of one problem
        loss, _ = policy.forward(batch)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]


def test_with_ema_decay_the_checkpoint_holds_the_weight_average(demos, tmp_path):
    """Runs of 0, 1 and 2 steps from the same seed give the weights w0, w1, w2 the average is made
    of; the 2-step run with --ema-decay saves their warm-up-weighted average, not w2."""
    from safetensors.torch import load_file

    def weights(steps: int, ema_decay: float = 0.0) -> dict:
        out = tmp_path / f"{steps}_{ema_decay}"
        options = TrainOptions(
            data=(demos,), out=out, max_steps=steps, batch_size=4, policy=TINY, ema_decay=ema_decay
        )
        train(options, progress=quiet)
        return load_file(out / "model.safetensors")

    w0, w1, w2, average = weights(0), weights(1), weights(2), weights(2, ema_decay=0.9)
    first, second = 2 / 11, 3 / 12  # the warm-up decays (1 + n) / (10 + n) after 1 and 2 updates
    for name in w2:
        expected = second * (first * w0[name] + (1 - first) * w1[name]) + (1 - second) * w2[name]
        torch.testing.assert_close(average[name], expected, rtol=1e-4, atol=1e-6)
    assert any(not torch.allclose(average[name], w2[name]) for name in w2)


def test_the_learning_rate_decays_from_its_peak_to_a_tenth():
    assert cosine(0.0) == pytest.approx(1.0)
    assert cosine(0.5) == pytest.approx(0.55)
    assert cosine(1.0) == pytest.approx(0.1) and cosine(2.0) == pytest.approx(0.1)


def test_bad_training_options_are_refused_before_any_work(demos, tmp_path):
    with pytest.raises(InvalidInput, match="exists"):
        train(TrainOptions(data=(demos,), out=demos), progress=quiet)
    with pytest.raises(InvalidInput, match="not a LeRobot dataset"):
        train(TrainOptions(data=(tmp_path,), out=tmp_path / "ckpt"), progress=quiet)
    with pytest.raises(InvalidInput, match="flow_film policy options"):
        train(
            TrainOptions(data=(demos,), out=tmp_path / "c2", policy={"no_such_field": 1}),
            progress=quiet,
        )
    with pytest.raises(InvalidInput, match="--minutes"):
        TrainOptions(data=(demos,), out=tmp_path, minutes=0)
    with pytest.raises(InvalidInput, match="--ema-decay"):
        TrainOptions(data=(demos,), out=tmp_path, ema_decay=1.0)


def test_evaluate_reports_each_episode_and_the_totals(checkpoint):
    out, _ = checkpoint
    printed = io.StringIO()
    argv = ["evaluate", "--checkpoint", str(out), "--episodes", "1", "--time-limit", "1.0"]
    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        with contextlib.redirect_stdout(printed):
            assert main([*argv, "--threads", "1"]) == 0
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(threads)  # the tests that follow run at the process's own count
    lines = printed.getvalue().splitlines()
    assert lines[-2].startswith("[evaluate 1/1] seed 0 'put the red cube in the bowl': FAILED")
    assert "first lifted: none" in lines[-2]
    assert "success 0/1 (0%), instructed object lifted first 0/1 (0%)" in lines[-1]


@pytest.mark.parametrize(
    "flag, value, message",
    [
        ("--latency-ms", "-5", "--latency-ms must be >= 0, got -5"),
        ("--latency-ms", "nan", "--latency-ms must be >= 0, got nan"),
        ("--time-limit", "0", "--time-limit must be > 0 s, got 0"),
        ("--replan-period", "-1", "--replan-period must be > 0 s, got -1"),
        ("--threads", "0", "--threads must be >= 1, got 0"),
    ],
)
def test_bad_evaluate_options_are_refused_before_the_model_loads(tmp_path, flag, value, message):
    """The checkpoint does not exist: the option error must come first, and name the flag."""
    argv = ["evaluate", "--checkpoint", str(tmp_path / "none"), flag, value]
    printed = io.StringIO()
    with contextlib.redirect_stderr(printed):
        assert main(argv) == 1
    assert message in printed.getvalue()


def test_open_loop_error_sets_the_policy_beside_holding_the_state(checkpoint, demos):
    from vla_ros.training.evaluation import chunk_error

    out, _ = checkpoint
    error = chunk_error(out, demos, every=3)
    frames = load_frames([demos], progress=quiet)
    second_start = int(np.flatnonzero(frames.episode == 1)[0])
    assert error.frames == len(set(range(0, len(frames), 3)) | {second_start})
    # The demonstrated chunk starts at the set point the state is following (within a few mrad)
    # and moves away from it: holding still is exact at step 0 only.
    assert error.hold_arm[0] < 0.01 and error.hold_arm[-1] > 5 * error.hold_arm[0]
    assert error.policy_arm.shape == (10,) and np.isfinite(error.policy_arm).all()
    # Both episodes' first frames are judged; the image-blind baseline predicts each episode's first
    # chunk by the other's, so of two episodes it is their mean difference.
    assert error.starts == 2
    firsts = batch_of(frames, np.array([0, second_start]), 10)["action"].numpy()[..., :7]
    assert error.start_blind_arm == pytest.approx(np.abs(firsts[0] - firsts[1]).mean())
    assert np.isfinite(error.start_policy_arm)
    printed = io.StringIO()
    argv = ["evaluate", "--checkpoint", str(out), "--open-loop", str(demos), "--episodes", "0"]
    with contextlib.redirect_stdout(printed):
        assert main(argv) == 0
    assert "arm joints mean abs error [rad] at steps 0/5/9: policy " in printed.getvalue()
    assert "at the 2 episode starts, over the chunk: policy " in printed.getvalue()


def test_init_continues_from_a_checkpoint_with_its_weights_and_normalization(
    checkpoint, demos, tmp_path
):
    from safetensors.torch import load_file

    out, _ = checkpoint
    again = tmp_path / "continued"
    train(TrainOptions(data=(demos,), out=again, max_steps=0, init=out), progress=quiet)
    before, after = load_file(out / "model.safetensors"), load_file(again / "model.safetensors")
    assert before.keys() == after.keys()
    for name in before:
        torch.testing.assert_close(after[name], before[name])
    with pytest.raises(InvalidInput, match="not a flow_film checkpoint"):
        train(TrainOptions(data=(demos,), out=tmp_path / "x", init=demos), progress=quiet)
    with pytest.raises(InvalidInput, match="--init keeps"):
        train(
            TrainOptions(data=(demos,), out=tmp_path / "y", init=out, policy={"hidden_dim": 8}),
            progress=quiet,
        )
    # Fields that only shape training may change; the continued checkpoint records them.
    shaped = tmp_path / "shaped"
    policy = {"random_shift": 0, "state_dropout": 0.5}
    train(TrainOptions(data=(demos,), out=shaped, max_steps=1, init=out, policy=policy), quiet)
    config = json.loads((shaped / "config.json").read_text())
    assert (config["random_shift"], config["state_dropout"]) == (0, 0.5)


def test_the_shipped_checkpoint_is_small_and_the_backend_serves_it():
    """vla_ros/checkpoints/flow_film_panda (`make demo POLICY=learned`): within the 20 MB the repo
    allows, loaded by the `lerobot` backend with its own card, a finite chunk of the card's shape
    for a Panda observation. (Its success is measured by `vla-ros evaluate`, README "Train".)"""
    from observations import observation_for

    from vla_ros.backends.registry import create_policy
    from vla_ros.core.robot.config import load_robot_config

    shipped = Path(__file__).resolve().parents[2] / "checkpoints" / "flow_film_panda"
    assert sum(p.stat().st_size for p in shipped.iterdir()) < 20e6
    robot = load_robot_config("panda")
    policy = create_policy("lerobot", robot, {"checkpoint": str(shipped)})
    assert policy.io.card.name == "flow_film_panda" and policy.uses_rtc_prefix
    assert policy.policy.config.relative_actions
    chunk = policy.infer(observation_for(robot))
    assert chunk.actions.shape == (10, 8) and np.isfinite(chunk.actions).all()
