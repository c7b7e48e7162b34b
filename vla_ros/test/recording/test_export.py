"""`vla-ros export` on real MCAP bags written here: the dataset read back with LeRobotDataset."""

from __future__ import annotations

import numpy as np
import pytest
from bag_files import sim_episode_messages, write_bag
from export_bags import CAMERAS, episode_bag, options
from lerobot_datasets import load

from vla_ros.recording.export import ExportOptions, export
from vla_ros.recording.export_cli import register


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread():
    import torch

    torch.set_num_threads(1)


def test_two_episodes_become_a_dataset_on_the_frame_clock(tmp_path, robots):
    panda = robots["panda"]
    episode_bag(tmp_path / "bags" / "ep0", panda, success=True)
    episode_bag(tmp_path / "bags" / "ep1", panda, success=False, start_s=200.0)
    lines = []
    summary = export(options([tmp_path / "bags"], tmp_path / "data"), progress=lines.append)
    # the first observation is complete with wrist's first frame (100.02 s); frames every 0.1 s
    # from there until the last command (102.0 s): 20 per episode
    assert (summary.episodes, summary.frames) == (2, 40)
    assert len(lines) == 2 and "ep0 episode 0: 20 frames, 2.0 s of data" in lines[0]
    dataset = load(tmp_path / "data")
    assert (dataset.num_episodes, dataset.num_frames, dataset.fps) == (2, 40, 10)
    features = dataset.meta.features
    assert features["observation.state"]["names"] == list(panda.command_joints)
    assert features["action"]["names"] == list(panda.command_joints)
    assert tuple(features["observation.images.wrist"]["shape"]) == (64, 64, 3)
    for i in (0, 7, 19, 20 + 15):
        item = dataset[i]
        k = int(item["frame_index"])
        expected = panda.home + 0.1 * (0.02 + k / 10)  # the ramp at the frame's time
        np.testing.assert_allclose(item["observation.state"].numpy(), expected, atol=1e-5)
        np.testing.assert_allclose(item["action"].numpy(), expected, atol=1e-5)
        exterior, wrist = (item[f"observation.images.{c}"] for c in CAMERAS)
        assert tuple(wrist.shape) == (3, 64, 64)
        for image in (exterior, wrist):  # both cameras' frame k: the frame of its time
            assert float(image.mean()) * 255 == pytest.approx(10 * k, abs=3)
        assert item["task"] == "put the red cube in the bowl"
    assert not list(tmp_path.glob(".data.partial-*"))


def test_only_success_keeps_the_successful_episodes(tmp_path, robots):
    episode_bag(tmp_path / "bags" / "ep0", robots["panda"], success=False, duration_s=1.0)
    episode_bag(tmp_path / "bags" / "ep1", robots["panda"], success=True, duration_s=1.0)
    summary = export(
        options([tmp_path / "bags"], tmp_path / "data", only_success=True), progress=print
    )
    assert (summary.episodes, summary.skipped, summary.frames) == (1, 1, 10)
    assert load(tmp_path / "data").num_episodes == 1


def test_a_card_names_and_sizes_the_features(tmp_path, robots):
    bag = episode_bag(tmp_path / "ep0", robots["panda"], duration_s=1.0)
    export(
        ExportOptions((bag,), "panda", tmp_path / "data", card="diffusion_panda"), progress=print
    )
    dataset = load(tmp_path / "data")
    assert tuple(dataset.meta.features["observation.images.exterior_1"]["shape"]) == (96, 96, 3)
    assert tuple(dataset[3]["observation.images.wrist"].shape) == (3, 96, 96)
    assert dataset.meta.robot_type == "panda"


def test_the_command_line_exports_a_dir_of_bags(tmp_path, robots, capsys):
    import argparse

    episode_bag(tmp_path / "bags" / "ep0", robots["panda"], duration_s=0.5)
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    args = parser.parse_args(
        [
            "export",
            str(tmp_path / "bags"),
            "--robot",
            "panda",
            "--out",
            str(tmp_path / "data"),
            "--cameras",
            *CAMERAS,
            "--fps",
            "20",
            "--set",
            "camera_ingest.crop=[8, 8, 64, 64]",
            "--set",
            "camera_ingest.image_size=[32, 32]",
        ]
    )
    assert args.handler(args) == 0
    out = capsys.readouterr().out
    # 20 Hz from 100.02 s to the last command at 100.5 s: 10 frames, each observation held twice
    assert "[export 1/1] ep0 episode 0: 10 frames, 0.5 s of data" in out
    assert "exported 1 episodes (10 frames" in out
    dataset = load(tmp_path / "data")
    assert dataset.fps == 20
    # Cropped, then downscaled as camera_ingest does live.
    assert tuple(dataset.meta.features["observation.images.wrist"]["shape"]) == (32, 32, 3)
    assert tuple(dataset[0]["observation.images.wrist"].shape) == (3, 32, 32)


def test_a_bag_of_many_episodes_is_split_by_the_episode_events(tmp_path, robots):
    from std_msgs.msg import String

    from vla_ros_msgs.msg import EpisodeEvent

    panda = robots["panda"]
    events = [
        (99.9, EpisodeEvent(event="reset", seed=1, instruction="pick")),
        (102.0, EpisodeEvent(event="end", instruction="pick", success=True, duration=2.0)),
        (109.9, EpisodeEvent(event="reset", seed=2, instruction="stack")),
        (111.0, EpisodeEvent(event="end", instruction="stack", success=False, duration=1.0)),
    ]
    messages = sim_episode_messages(panda, CAMERAS, instruction="pick")
    second = sim_episode_messages(panda, CAMERAS, start_s=110.0, duration_s=1.0)
    messages += [m for m in second if m[0] != "/vla/instruction"]  # only the events say "stack"
    messages += [("/vla/episode", t, e) for t, e in events]
    messages.append(("/vla/instruction", 110.45, String(data="stack it gently")))
    bag = write_bag(tmp_path / "session", sorted(messages, key=lambda m: m[1]))
    summary = export(options([bag], tmp_path / "data"), progress=print)
    assert (summary.episodes, summary.frames) == (2, 20 + 10)
    dataset = load(tmp_path / "data")
    # episode 2: the events' instruction from its reset (not episode 1's, still latched), then the
    # one received at 110.45 s from the first frame received after it (captured 110.52 s, frame 5)
    tasks = [dataset[i]["task"] for i in range(30)]
    assert tasks == ["pick"] * 20 + ["stack"] * 5 + ["stack it gently"] * 5
    summary = export(options([bag], tmp_path / "successful", only_success=True), progress=print)
    assert (summary.episodes, summary.skipped) == (1, 1)
