"""Export of the 2 Panda sim episodes recorded through the real graph (fixture recorded_episodes).

The recording holds what camera_ingest published live (/vla/observation): the export rebuilds the
observations from the recorded camera frames and joint states by the same code, and they must be
the live ones at the same instants: the images bit for bit; the state as interpolated from the
joint states received by then, and the recorder may have received the joint state after a frame
before or after camera_ingest did (seen: 2e-3 rad apart). Likewise with max_camera_skew_s (0.1 s)
equal to the cameras' period, a new frame may pair with another camera's previous one or wait for
its new one, by arrival order: the recorder's order is not always camera_ingest's (seen: 1 of 81).
Every rebuilt image must still be a frame of its camera within the skew. Two exceptions, by design:
live, camera_ingest still holds frames and joint states from before an episode's reset, and its
first observations may use them; an episode's bag starts at the reset, so the export waits for the
episode's own. And live, a camera_ingest running behind (a loaded machine) may judge a frame stale
by its clock or find no joint state near it yet, and skip that camera set, which the rebuild, on
the recorder's clock, keeps (seen in CI: 1 of ~70): at most MISSED_LIVE per episode.
The dataset's decoded video frames must be the rebuilt observations' images.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from lerobot_datasets import load

from vla_ros.core.perception.image import rgb_image_from_buffer
from vla_ros.core.types import InvalidInput
from vla_ros.recording.bag_reader import RecordedBag
from vla_ros.recording.export import ExportOptions, episode_reading, export, plan_episodes
from vla_ros.recording.export_source import COMMAND_TOPIC, EpisodeFrames
from vla_ros.recording.joint_tracks import header_stamp_s

pytestmark = [pytest.mark.ros, pytest.mark.sim, pytest.mark.slow]
FPS = 10
MISSED_LIVE = 2  # rebuilt observations camera_ingest skipped live (module docstring)


def image_of(msg) -> np.ndarray:
    return rgb_image_from_buffer(msg.data, msg.encoding, msg.height, msg.width, msg.step)


def live_image(observation_msg, camera: str) -> np.ndarray:
    return image_of(observation_msg.images[list(observation_msg.camera_names).index(camera)])


@pytest.fixture(scope="module")
def exported(recorded_episodes, tmp_path_factory):
    import torch

    torch.set_num_threads(1)
    short = [e for e in recorded_episodes.summary()["episodes"] if e["duration_s"] < 1.0]
    assert not short, f"recorded episodes too short to export (the demo aborted them): {short}"
    out = tmp_path_factory.mktemp("export") / "sim"
    options = ExportOptions(tuple(recorded_episodes.bags), "panda", out)
    return options, export(options, progress=print)


def fingerprint(image: np.ndarray) -> str:
    return hashlib.sha1(np.ascontiguousarray(image).tobytes()).hexdigest()


def test_the_export_rebuilds_observations_by_camera_ingests_rule(recorded_episodes, exported):
    options, _ = exported
    reading = episode_reading(options)
    skew = reading.sync.max_camera_skew_s
    for episode in plan_episodes(recorded_episodes.bags, reading):
        with RecordedBag(episode.bag) as bag:
            live = {
                round(header_stamp_s(m.msg), 6): m.msg for m in bag.messages(["/vla/observation"])
            }
            rebuilt = list(EpisodeFrames(bag, episode.span, reading).observations())
            frame_stamps = {camera: {} for camera in reading.camera_topics.values()}
            for message in bag.messages(list(reading.camera_topics)):
                camera = reading.camera_topics[message.topic]
                stamps = frame_stamps[camera].setdefault(fingerprint(image_of(message.msg)), [])
                stamps.append(
                    header_stamp_s(message.msg)
                )  # a still scene renders the same image again
        # live, the first observations of an episode may use frames or joint states from before
        # its reset, which its bag does not hold: those before the first rebuilt one, within the
        # bag's first half second (seen in CI: 3, at 0.2-0.4 s, the rebuild beginning at 0.5 s)
        assert len(live) > 5 and rebuilt
        early = [s for s in live if s < rebuilt[0].stamp - 1e-6]
        assert not early or rebuilt[0].stamp - min(early) <= 0.5, early
        assert len(rebuilt) >= len(live) - len(early) - 2
        identical = comparable = 0
        missed = [o.stamp for o in rebuilt if round(o.stamp, 6) not in live]
        assert len(missed) <= MISSED_LIVE, f"camera_ingest published none at {missed}"
        for observation in rebuilt:
            published = live.get(round(observation.stamp, 6))  # camera_ingest published one then
            if published is None:
                continue
            # every image a frame of its camera captured within the skew, one of them at the stamp
            window = (observation.stamp - skew - 1e-6, observation.stamp + 1e-6)
            used = [
                [s for s in frame_stamps[c][fingerprint(i)] if window[0] <= s <= window[1]]
                for c, i in observation.images.items()
            ]
            assert all(used)
            assert any(abs(s - observation.stamp) < 1e-6 for stamps in used for s in stamps)
            live_images = {c: live_image(published, c) for c in observation.images}
            if not all(fingerprint(i) in frame_stamps[c] for c, i in live_images.items()):
                continue  # live used a frame from before the reset
            comparable += 1
            joints = dict(zip(published.joint_state.name, published.joint_state.position))
            np.testing.assert_allclose(
                observation.joint_state.positions,
                [joints[n] for n in observation.joint_state.names],
                atol=0.02,  # ~10 ms of arm motion: see the module docstring
            )
            identical += all(
                np.array_equal(i, live_images[c]) for c, i in observation.images.items()
            )
        assert comparable >= len(live) - 2
        # which frames pair is decided by arrival order when two frames are one camera period
        # apart (max_camera_skew_s = the period): see the module docstring
        assert identical >= 0.8 * comparable


def test_the_dataset_is_on_the_frame_clock_with_the_robots_names(recorded_episodes, exported):
    options, summary = exported
    dataset = load(options.out)
    panda_joints = list(episode_reading(options).robot.command_joints)
    assert dataset.num_episodes == 2 and dataset.fps == FPS
    features = dataset.meta.features
    assert features["observation.state"]["names"] == panda_joints
    assert features["action"]["names"] == panda_joints
    for camera in ("exterior_1", "exterior_2", "wrist"):
        assert tuple(features[f"observation.images.{camera}"]["shape"]) == (224, 224, 3)
    start = 0
    for index, bag_path in enumerate(recorded_episodes.bags):
        with RecordedBag(bag_path) as bag:
            live = [m.msg for m in bag.messages(["/vla/observation"])]
            commands = [header_stamp_s(m.msg) for m in bag.messages([COMMAND_TOPIC])]
            (span,) = bag.episodes("panda")
            rebuilt = list(EpisodeFrames(bag, span, episode_reading(options)).observations())
        # the clock: from the first observation at or after the first command to the last
        # observation or command, every 1 / FPS; it starts at the first published live, except
        # that that one may hold frames from before the reset (module docstring): then the clock
        # starts at the episode's own first, one camera period later
        stamps = [header_stamp_s(m) for m in live if header_stamp_s(m) >= commands[0] - 1e-6]
        origin = min(o.stamp for o in rebuilt if o.stamp >= commands[0] - 1e-6)
        assert origin - stamps[0] <= 1.0 / FPS + 1e-6, (origin, stamps[0])
        # the last: rebuilt, as live may have skipped a camera set (module docstring)
        last = max(o.stamp for o in rebuilt)
        expected = int(np.floor((min(last, commands[-1]) - origin) * FPS + 1e-6)) + 1
        frames = [dataset[i] for i in range(start, start + expected)]
        assert dataset.meta.episodes[index]["length"] == expected
        instruction = recorded_episodes.summary()["episodes"][index]["instruction"]
        for k, item in enumerate(frames):
            assert int(item["episode_index"]) == index and int(item["frame_index"]) == k
            assert item["task"] == instruction
            wrist = item["observation.images.wrist"]
            assert tuple(wrist.shape) == (3, 224, 224)
            # the video frame is the image of the observation in force at the frame's time
            time_s = origin + k / FPS + 1e-6
            held = max((o for o in rebuilt if o.stamp <= time_s), key=lambda o: o.stamp)
            decoded = wrist.permute(1, 2, 0).numpy() * 255.0
            assert np.abs(decoded - held.images["wrist"]).mean() < 4.0
        start += expected
    assert summary.frames == start == dataset.num_frames


def test_only_success_keeps_the_episodes_the_task_judge_passed(
    recorded_episodes, exported, tmp_path
):
    successes = sum(e["success"] for e in recorded_episodes.summary()["episodes"])
    options = ExportOptions(
        tuple(recorded_episodes.bags), "panda", tmp_path / "ok", only_success=True
    )
    if successes == 0:
        with pytest.raises(InvalidInput, match="none successful"):
            export(options, progress=print)
        return
    summary = export(options, progress=print)
    assert (summary.episodes, summary.skipped) == (successes, 2 - successes)
