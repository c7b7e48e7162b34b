"""Pushes during demonstrations (`vla-ros demos --push-rate`): the real expert in the real sim, its
chunk replaced by a drift for a moment, and the episode written as the segments between pushes."""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pytest
from lerobot_datasets import load

from vla_ros.backends.scripted import ScriptedExpert
from vla_ros.commands import main
from vla_ros.core.robot.config import load_robot_config
from vla_ros.core.types import InvalidInput, Observation
from vla_ros.recording.pushes import PushedExpert, PushOptions, clean_segments
from vla_ros.sim.world import SimWorld

INSTRUCTION = "stack the green cube on the blue cube"


def test_the_frames_a_push_commanded_are_cut_out():
    frames = [{"i": i} for i in range(10)]
    # Frame i's action was commanded by the answer to observation i - 1.
    kept = clean_segments(frames, {3, 4})
    assert [[f["i"] for f in s] for s in kept] == [[0, 1, 2, 3], [6, 7, 8, 9]]
    assert [[f["i"] for f in s] for s in clean_segments(frames, {9})] == [list(range(10))]
    assert [[f["i"] for f in s] for s in clean_segments(frames, {0, 2})] == [
        [0],
        [2],
        [4, 5, 6, 7, 8, 9],
    ]
    assert clean_segments(frames, set()) == [frames]


def test_bad_push_options_name_the_flag():
    with pytest.raises(InvalidInput, match=r"--push-rate must be >= 0 pushes per second, got -1"):
        PushOptions(rate=-1)
    with pytest.raises(InvalidInput, match=r"--push-size must be > 0, got nan"):
        PushOptions(rate=1, size=float("nan"))
    with pytest.raises(InvalidInput, match=r"--push-duration must be > 0, got 0"):
        PushOptions(rate=1, duration=0)
    assert main(["demos", "--robot", "panda", "--out", "/nonexistent/x", "--push-rate", "-2"]) == 1


@pytest.mark.sim
def test_a_push_drifts_the_arm_from_the_observed_joints_and_leaves_the_grippers_to_the_expert():
    robot = load_robot_config("panda")
    world = SimWorld(robot)
    try:
        world.reset(5, placed_first=("green_cube",))
        # A push at the second observation, surely.
        options = PushOptions(rate=1e9, size=0.1, duration=0.25)
        pushing = PushedExpert(ScriptedExpert(robot), robot, options, np.random.default_rng(0))
        plain = ScriptedExpert(robot)

        def observe(sequence: int) -> Observation:
            return Observation(
                stamp=world.time,
                images={},
                joint_state=world.joint_state(),
                instruction=INSTRUCTION,
                sequence=sequence,
                extras={"object_poses": world.object_poses()},
            )

        first = observe(0)
        np.testing.assert_array_equal(pushing.infer(first).actions, plain.infer(first).actions)
        world.step(50)
        second = observe(1)
        pushed, expert = pushing.infer(second), plain.infer(second)
    finally:
        world.close()
    assert pushing.pushed == {1}
    arm = [pushed.dim_names.index(j) for j in robot.arm_joints]
    others = [i for i in range(len(pushed.dim_names)) if i not in arm]
    np.testing.assert_array_equal(pushed.actions[:, others], expert.actions[:, others])
    q = second.joint_state.subset(robot.arm_joints)
    np.testing.assert_allclose(pushed.actions[0, arm], q)
    drift = pushed.actions[:, arm] - q
    # A constant velocity until the push ends (0.25 s: between actions 2 and 3), then held.
    np.testing.assert_allclose(drift[2], 2 * drift[1], atol=1e-12)
    np.testing.assert_allclose(drift[3:], np.repeat(drift[[3]], len(drift) - 3, 0), atol=1e-12)
    np.testing.assert_allclose(drift[3], 2.5 * drift[1], atol=1e-12)
    assert 0.02 < np.abs(drift[3]).max() < 0.5
    assert not np.allclose(pushed.actions[:, arm], expert.actions[:, arm], atol=0.01)


@pytest.mark.sim
def test_pushed_demonstrations_are_written_as_their_clean_segments(tmp_path):
    import torch

    torch.set_num_threads(1)
    small = [
        "--cameras",
        "wrist",
        "--set",
        "camera_ingest.image_size=[32,32]",
        "--image-format",
        "png",
    ]
    argv = ["demos", "--robot", "panda", "--episodes", "1", "--seed", "1001"] + small
    argv += ["--instructions", INSTRUCTION]
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(argv + ["--out", str(tmp_path / "plain")]) == 0
        assert main(argv + ["--out", str(tmp_path / "pushed"), "--push-rate", "1"]) == 0
    lines = printed.getvalue().splitlines()
    summary = lines[-1]
    assert "pushed, cut into" in lines[-2] and " segments" in summary, summary
    segments = int(summary.split(" segments")[0].rsplit(" ", 1)[-1])
    assert segments >= 2
    plain, pushed = load(tmp_path / "plain"), load(tmp_path / "pushed")
    assert plain.num_episodes == 1 and pushed.num_episodes == segments
    assert f"wrote 1 demonstrations ({pushed.num_frames} frames" in summary
    joints = load_robot_config("panda").arm_joints
    arm = [list(plain.meta.features["action"]["names"]).index(j) for j in joints]

    def rows(dataset, start, stop):
        frames = [dataset[i] for i in range(start, stop)]
        return (
            np.stack([f["observation.state"].numpy() for f in frames]),
            np.stack([f["action"].numpy() for f in frames]),
        )

    path, _ = rows(plain, 0, plain.num_frames)
    start = 0
    for episode in range(segments):
        length = pushed.meta.episodes[episode]["length"]
        state, action = rows(pushed, start, start + length)
        if episode == 0:  # before the first push: the plain demonstration, frame for frame
            np.testing.assert_allclose(state, path[:length], atol=1e-6)
            np.testing.assert_allclose(action, rows(plain, 0, length)[1], atol=1e-6)
        else:  # each later segment starts where the plain demonstration never was
            gap = np.linalg.norm(path[:, arm] - state[0, arm], axis=1).min()
            assert gap > 0.02, f"segment {episode} starts {gap:.3f} rad from the plain path"
        start += length
    assert start == pushed.num_frames
