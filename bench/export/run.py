"""Export throughput: seconds of recorded data exported per wall second, against baselines measured
in the same run on the same bags.

  read:     deserializing the bag's messages that export reads (the floor of any export)
  frames:   read + live synchronization + frame clock + card encoding, no dataset written
  export:   `vla-ros export` itself: LeRobotDataset through LeRobot's API, videos encoded (AV1);
            per episode (what grows with the data) and in total (+ a one-off start: imports, create)
Goal: export faster than real time (ratio > 1) on this machine. Bags: --bags DIR (recorded with
`vla-ros record`), else episodes written here in the sim's shape (3 cameras 224x224 at 10 Hz with
textured moving images, joint states and safe commands at 100 Hz).
Run: source scripts/env.sh && python bench/export/run.py [--quick] [--bags DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "vla_ros" / "test"))  # the test suite's real-bag writer

from bag_files import sim_episode_messages, write_bag  # noqa: E402

from vla_ros.core.recording.episodes import EpisodeMetadata  # noqa: E402
from vla_ros.core.robot.config import load_robot_config  # noqa: E402
from vla_ros.recording.bag_reader import RecordedBag, find_bags  # noqa: E402
from vla_ros.recording.export import ExportOptions, episode_reading, export, plan_episodes  # noqa: E402
from vla_ros.recording.export_source import COMMAND_TOPIC, INSTRUCTION_TOPIC, EpisodeFrames  # noqa: E402


def textured(size: tuple[int, int]):
    """Frame k: a fixed noisy scene shifted by k pixels (camera-like content, not flat colour)."""
    rng = np.random.default_rng(0)
    h, w = size
    gradient = np.linspace(0, 127, w + 200)[None, :, None]
    scene = (gradient + rng.integers(0, 24, (h, w + 200, 3))).astype(np.uint8)
    return lambda k: scene[:, k % 200 : k % 200 + w].tobytes()


def synthesize(where: Path, episodes: int, seconds: float) -> Path:
    panda = load_robot_config("panda")
    cameras = tuple(c.name for c in panda.cameras)
    size = (panda.cameras[0].height, panda.cameras[0].width)
    for i in range(episodes):
        metadata = EpisodeMetadata(
            robot="panda", instruction="put the red cube in the bowl", success=True
        )
        messages = sim_episode_messages(
            panda,
            cameras,
            start_s=100.0 + 1000 * i,
            duration_s=seconds,
            image_size=size,
            frame_pixels=textured(size),
        )
        write_bag(where / f"episode_{i}", messages, metadata.to_custom_data())
    return where


def timed(work) -> tuple[float, float, object]:
    """Wall and CPU seconds (all threads of this process: the encoders' too) of `work()`."""
    started, cpu = time.perf_counter(), time.process_time()
    result = work()
    return time.perf_counter() - started, time.process_time() - cpu, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bags", type=Path, help="recorded bags (default: synthesized here)")
    parser.add_argument("--robot", default="panda")
    parser.add_argument("--episodes", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=20.0, help="per synthesized episode")
    parser.add_argument("--quick", action="store_true", help="2 episodes of 5 s")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(1)
    work = Path(tempfile.mkdtemp(prefix="vla_ros_bench_export_"))
    try:
        bags_dir = args.bags or synthesize(
            work / "bags", args.episodes, 5.0 if args.quick else args.seconds
        )
        options = ExportOptions(bags=(bags_dir,), robot=args.robot, out=work / "dataset")
        reading = episode_reading(options)
        planned = plan_episodes(find_bags(options.bags), reading)
        topics = [
            *reading.camera_topics,
            reading.robot.joint_state_topic,
            COMMAND_TOPIC,
            INSTRUCTION_TOPIC,
        ]

        def read() -> int:
            count = 0
            for episode in planned:
                with RecordedBag(episode.bag) as bag:
                    count += sum(1 for _ in bag.messages(topics))
            return count

        def frames() -> int:
            count = 0
            for episode in planned:
                with RecordedBag(episode.bag) as bag:
                    count += sum(1 for _ in EpisodeFrames(bag, episode.span, reading))
            return count

        load_before = os.getloadavg()[0]
        read_s, read_cpu, messages = timed(read)
        frames_s, frames_cpu, frame_count = timed(frames)
        export_s, export_cpu, summary = timed(lambda: export(options, progress=print))
        data_s = frame_count / reading.fps
        print(
            f"\n{len(planned)} episodes, {data_s:.1f} s of data ({frame_count} frames at {reading.fps} Hz, "
            f"{len(reading.layout.cameras)} cameras), {messages} messages; {os.cpu_count()} cores, "
            f"load average {load_before:.2f} before / {os.getloadavg()[0]:.2f} after"
        )
        print(
            f"{'stage':<16} {'wall s':>8} {'data s / wall s':>16} {'vs read':>8} {'cpu s':>7} {'data s / cpu s':>15}"
        )
        stages = (
            ("read", read_s, read_cpu),
            ("frames", frames_s, frames_cpu),
            # encoding and saving, as the progress lines say (CPU: the whole export)
            ("export episodes", summary.wall_s, None),
            ("export total", export_s, export_cpu),  # + LeRobot import, dataset creation, finalize
        )
        for name, wall, cpu in stages:
            cpu_columns = f"{cpu:>7.2f} {data_s / cpu:>14.1f}x" if cpu else ""
            print(
                f"{name:<16} {wall:>8.2f} {data_s / wall:>15.1f}x {wall / read_s:>7.1f}x {cpu_columns}"
            )
        speed = data_s / summary.wall_s
        verdict = "faster" if speed > 1 else "SLOWER"
        print(f"export of episodes is {verdict} than real time: {speed:.1f}x (goal > 1x)")
        assert summary.frames == frame_count
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
