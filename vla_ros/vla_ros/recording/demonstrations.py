"""`vla-ros demos`: scripted-expert demonstrations in the embedded sim -> one LeRobotDataset v3.0.

No ROS graph: the expert drives SimWorld directly (vla_ros.sim.policy_loop), about a second per
episode. Every frame holds what a policy sees live and the command the robot follows, through the
same layout, image path and writer as the bag export (recording/export.py): cameras rendered at
their configured size, cropped and downscaled by camera_ingest's settings, then resized to the
card; the joint state; the instruction; as action, the controllers' set point at the frame's time
(in the graph: /vla/safe_joint_command). The expert replans at every frame, so no action is decided
between two observations (a held chunk would be a wait the policy cannot see). Failed episodes are
left out (a failed demonstration teaches failure) and reported. With `pushes` the arm is shoved off
the expert's path now and then (recording/pushes.py) and each episode is written as the segments
between its pushes, the expert's recoveries included.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from numpy.random import default_rng

from vla_ros.backends.scripted import ScriptedExpert
from vla_ros.core.inference.policy import Policy
from vla_ros.core.tasks.spec import parse_instruction, recoloured
from vla_ros.core.types import InvalidInput, Observation
from vla_ros.recording.export import dataset_reading
from vla_ros.recording.export_dataset import AtomicDataset, stores_videos
from vla_ros.recording.export_source import EpisodeReading
from vla_ros.recording.pushes import PushedExpert, PushOptions, clean_segments
from vla_ros.sim.policy_loop import LoopOutcome, run_episode
from vla_ros.sim.tasks import TaskMonitor
from vla_ros.sim.world import SimWorld

# Seeds the pushes' random stream next to the episode's seed (which draws the scene).
PUSH_STREAM = 7


@dataclass(frozen=True)
class DemoOptions:
    """What to generate (the flags of `vla-ros demos`).

    robot: robot config (its sim scene and cameras)
    out: dataset directory to create (must not exist)
    episodes: seeds tried, `seed` .. `seed + episodes - 1`
    instructions: cycled over the episodes (default: the robot's demo tasks)
    vary_objects: each episode does its instruction's kind of task on cubes drawn by its seed
    card: model card naming features, image sizes, state and action (default: robot joints)
    cameras: robot cameras to record without a card (default: camera_ingest's, all the robot's)
    fps: frame clock [Hz] (default: the card's control rate, else 10)
    time_limit: simulated seconds before an episode counts as failed
    repo_id: the dataset's LeRobot repo id (default local/<out name>)
    overrides: camera_ingest.<param> values (crop, image_size), as `vla-ros run --set` takes them
    image_format: `video` (LeRobot's AV1 videos) or `png` (lossless images in the parquet files)
    pushes: random pushes off the expert's path (rate 0, the default: none)
    """

    robot: str
    out: Path
    episodes: int = 10
    seed: int = 0
    instructions: tuple[str, ...] | None = None
    vary_objects: bool = False
    card: str | None = None
    cameras: tuple[str, ...] | None = None
    fps: float | None = None
    time_limit: float = 30.0
    repo_id: str | None = None
    overrides: dict = field(default_factory=dict)
    image_format: str = "video"
    pushes: PushOptions = field(default_factory=PushOptions)

    def __post_init__(self) -> None:
        stores_videos(self.image_format)
        if isinstance(self.episodes, bool) or int(self.episodes) != self.episodes:
            raise InvalidInput(f"--episodes must be a whole number, got {self.episodes!r}")
        if self.episodes < 1:
            raise InvalidInput(f"--episodes must be at least 1, got {self.episodes}")
        if not self.time_limit > 0:
            raise InvalidInput(f"--time-limit must be > 0 s, got {self.time_limit}")


@dataclass
class DemoSummary:
    episodes: int = 0  # written
    failed: int = 0
    segments: int = 0  # LeRobot episodes written (more than `episodes` when pushes cut them)
    pushed_out: int = 0  # frames left out of the written episodes: their command was a push
    frames: int = 0
    data_s: float = 0.0
    wall_s: float = 0.0


def generate(options: DemoOptions, progress: Callable[[str], None] = print) -> DemoSummary:
    """Run the episodes and write the successful ones; nothing is written when none succeeds."""
    reading = dataset_reading(
        options.robot, options.card, options.cameras, options.fps, options.overrides
    )
    robot = reading.robot
    instructions = options.instructions or robot.demo.instructions
    world = SimWorld(robot)
    try:
        tasks = [parse_instruction(i) for i in instructions]
        for task in tasks:  # every task checked before anything is written
            TaskMonitor(task, world)
        expert: Policy = ScriptedExpert(robot)
        summary = DemoSummary()
        with AtomicDataset.for_reading(
            options.out, options.repo_id, reading, options.image_format
        ) as dataset:
            for number in range(options.episodes):
                seed = options.seed + number
                instruction = instructions[number % len(instructions)]
                if options.vary_objects:
                    task = tasks[number % len(tasks)]
                    instruction = recoloured(task, world.scene.cube_names, default_rng(seed))
                started = time.perf_counter()
                policy = expert
                if options.pushes.rate > 0:  # its own stream per seed: episodes stay reproducible
                    rng = default_rng((seed, PUSH_STREAM))
                    policy = PushedExpert(expert, robot, options.pushes, rng)
                frames, outcome = record_episode(
                    world, policy, reading, instruction, seed, options.time_limit
                )
                pushed = policy.pushed if isinstance(policy, PushedExpert) else set()
                segments = clean_segments(frames, pushed)
                if outcome.success:
                    for segment in segments:
                        dataset.add_episode(segment)
                    kept = sum(len(s) for s in segments)
                    summary.episodes += 1
                    summary.segments += len(segments)
                    summary.pushed_out += len(frames) - kept
                    summary.frames += kept
                    summary.data_s += kept / reading.fps
                else:
                    summary.failed += 1
                wall = time.perf_counter() - started
                summary.wall_s += wall
                verdict = "written" if outcome.success else f"FAILED, left out ({outcome.detail})"
                if pushed:
                    verdict += f" ({len(pushed)} pushed, cut into {len(segments)} segments)"
                progress(
                    f"[demos {number + 1}/{options.episodes}] seed {seed} '{instruction}': "
                    f"{len(frames)} frames ({outcome.duration:.1f} s sim) in {wall:.1f} s, {verdict}"
                )
            if summary.episodes == 0:
                raise InvalidInput(
                    f"none of the {options.episodes} episodes succeeded within "
                    f"{options.time_limit} s of sim time: no demonstration to write"
                )
    finally:
        world.close()
    return summary


def record_episode(
    world: SimWorld,
    expert: Policy,
    reading: EpisodeReading,
    instruction: str,
    seed: int,
    time_limit: float,
) -> tuple[list[dict], LoopOutcome]:
    """One episode's frames (one per expert call, on the frame clock) and how it ended."""
    layout, geometry = reading.layout, reading.geometry
    cameras = {c.name: c for c in reading.robot.cameras}
    render = tuple((name, cameras[name].width, cameras[name].height) for name in layout.cameras)
    frames: list[dict] = []

    def keep(observation: Observation) -> None:
        # What camera_ingest would publish: the rendered frame cropped and downscaled.
        seen = replace(
            observation, images={name: geometry(rgb) for name, rgb in observation.images.items()}
        )
        frames.append(layout.frame(seen, world.command_set_points(), instruction))

    outcome = run_episode(
        world,
        expert,
        instruction,
        seed,
        time_limit=time_limit,
        replan_period=1.0 / reading.fps,
        render=render,
        observe=keep,
    )
    return frames, outcome
