"""`vla-ros evaluate`: closed-loop success of a checkpoint in the embedded sim, without the ROS graph.

The checkpoint is served by the `lerobot` backend exactly as the graph serves it; each observation
passes through camera_ingest's crop and downscale first (what the policy sees live and what the
demonstrations recorded). Chunks go to the sim's trajectory controllers every `replan_period`
(vla_ros.sim.policy_loop). Per episode: success, and whether the first cube lifted was the
instructed one. The graph's own figure (chunk executor, latency) comes from `vla-ros demo`.

`chunk_error` is the open-loop view on a held-out dataset: how far each predicted chunk is from the
demonstrated one, step by step, next to the trivial chunk that holds the current state; and at each
episode's first frame, where the arm rests at home and only the images tell where to go, next to the
mean first chunk of the other episodes (what a policy that ignores the objects' places does best).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from vla_ros.backends.registry import create_policy
from vla_ros.core.inference.policy import Policy
from vla_ros.core.robot.config import load_robot_config
from vla_ros.core.types import ActionChunk, InvalidInput, Observation
from vla_ros.demo.episode_metrics import EpisodeResult, RunMetrics
from vla_ros.recording.export import dataset_reading
from vla_ros.sim.policy_loop import run_episode
from vla_ros.sim.world import SimWorld


@dataclass(frozen=True)
class EvalOptions:
    """checkpoint: LeRobot checkpoint dir; seeds: first held-out seed and how many episodes;
    instructions: cycled over episodes (default: the robot's demo tasks); replan_period: seconds
    of each chunk played before the next inference; latency: seconds the robot goes on with the
    previous chunk before the new one arrives (the graph's inference delay; 0: the sim waits)."""

    checkpoint: Path
    robot: str = "panda"
    episodes: int = 20
    seed: int = 0
    instructions: tuple[str, ...] | None = None
    replan_period: float = 0.5
    time_limit: float = 30.0
    latency: float = 0.0

    def __post_init__(self) -> None:
        if self.episodes < 1:
            raise InvalidInput(f"--episodes must be at least 1, got {self.episodes}")
        if not self.replan_period > 0:
            raise InvalidInput(f"--replan-period must be > 0 s, got {self.replan_period}")
        if not self.time_limit > 0:
            raise InvalidInput(f"--time-limit must be > 0 s, got {self.time_limit}")
        if not self.latency >= 0:
            raise InvalidInput(f"--latency-ms must be >= 0, got {self.latency * 1000.0:g}")


@dataclass
class EvalSummary:
    """The episodes judged as the demo judges them (RunMetrics), and the wall time they took."""

    metrics: RunMetrics = field(default_factory=RunMetrics)
    wall_s: float = 0.0

    def line(self) -> str:
        episodes = self.metrics.episodes
        successes = sum(e.success for e in episodes)
        instructed = sum(e.instructed_first for e in episodes)
        sim_s = sum(e.duration_s for e in episodes)
        return (
            f"success {successes}/{len(episodes)} ({self.metrics.success_rate:.0%}), instructed "
            f"object lifted first {instructed}/{len(episodes)} "
            f"({self.metrics.instructed_first_rate:.0%}), {sim_s:.0f} s sim in {self.wall_s:.0f} s"
        )


class SeenThroughIngest(Policy):
    """The policy fed what camera_ingest publishes: each image cropped and downscaled."""

    def __init__(self, policy: Policy, geometry: Callable) -> None:
        self.policy, self.geometry = policy, geometry

    def infer(self, observation: Observation) -> ActionChunk:
        images = {name: self.geometry(rgb) for name, rgb in observation.images.items()}
        return self.policy.infer(replace(observation, images=images))

    def reset(self) -> None:
        self.policy.reset()

    def close(self) -> None:
        self.policy.close()


@dataclass(frozen=True)
class ChunkError:
    """Mean absolute error per chunk step over the arm joints [rad] (gripper apart, in its units),
    of the policy and of holding the current state, over `frames` held-out frames."""

    policy_arm: np.ndarray
    hold_arm: np.ndarray
    policy_gripper: float
    hold_gripper: float
    frames: int
    # Episode starts: the policy's and the image-blind mean start chunk's error over the chunk.
    start_policy_arm: float
    start_blind_arm: float
    starts: int

    def line(self) -> str:
        steps = f"steps 0/{len(self.policy_arm) // 2}/{len(self.policy_arm) - 1}"
        policy = "/".join(f"{self.policy_arm[i]:.3f}" for i in self._shown)
        hold = "/".join(f"{self.hold_arm[i]:.3f}" for i in self._shown)
        return (
            f"open loop on {self.frames} held-out frames, arm joints mean abs error [rad] at {steps}: "
            f"policy {policy}, holding the state {hold}; gripper {self.policy_gripper:.3f} "
            f"(holding {self.hold_gripper:.3f}); at the {self.starts} episode starts, over the "
            f"chunk: policy {self.start_policy_arm:.3f}, the other episodes' mean start chunk "
            f"{self.start_blind_arm:.3f} (lower only if the policy sees where to go)"
        )

    @property
    def _shown(self) -> tuple[int, int, int]:
        return 0, len(self.policy_arm) // 2, len(self.policy_arm) - 1


def chunk_error(
    checkpoint: Path, data: Path, robot_name: str = "panda", every: int = 2, seed: int = 0
) -> ChunkError:
    """Open-loop chunk error of a checkpoint on a dataset it was not trained on (every `every`-th
    frame, and every episode's first), through the checkpoint's own processors, with fixed noise."""
    import torch

    from vla_ros.training.chunks import batch_of
    from vla_ros.training.frames import load_frames

    robot = load_robot_config(robot_name)
    served = create_policy("lerobot", robot, {"checkpoint": str(checkpoint)})
    frames = load_frames([data], progress=lambda _: None)
    chunk_size = served.policy.config.chunk_size
    starts = np.flatnonzero(np.r_[True, frames.episode[1:] != frames.episode[:-1]])
    rows = np.union1d(np.arange(0, len(frames), every), starts)
    batch = batch_of(frames, rows, chunk_size)
    truth = batch.pop("action").numpy()
    batch.pop("action_is_pad")
    torch.manual_seed(seed)
    with torch.inference_mode():
        predicted = served.postprocessor(
            served.policy.predict_action_chunk(served.preprocessor(batch))
        ).numpy()
    held = np.repeat(frames.state[rows][:, None], chunk_size, axis=1)
    arm = [i for i, name in enumerate(served.io.actions.names) if name in robot.arm_joints]
    gripper = [i for i in range(truth.shape[-1]) if i not in arm]
    policy_error, hold_error = np.abs(predicted - truth), np.abs(held - truth)
    at_start = np.searchsorted(rows, starts)
    return ChunkError(
        policy_error[..., arm].mean(axis=(0, 2)),
        hold_error[..., arm].mean(axis=(0, 2)),
        float(policy_error[..., gripper].mean()) if gripper else float("nan"),
        float(hold_error[..., gripper].mean()) if gripper else float("nan"),
        len(rows),
        float(policy_error[at_start][..., arm].mean()),
        _blind_start_error(truth[at_start][..., arm]),
        len(starts),
    )


def _blind_start_error(first_chunks: np.ndarray) -> float:
    """Mean abs error of predicting each episode's first chunk by the mean of the others' (leave one
    out, so the baseline never saw the chunk it is judged on); NaN with fewer than two episodes."""
    n = len(first_chunks)
    if n < 2:
        return float("nan")
    others = (first_chunks.sum(axis=0, keepdims=True) - first_chunks) / (n - 1)
    return float(np.abs(others - first_chunks).mean())


def evaluate(options: EvalOptions, progress: Callable[[str], None] = print) -> EvalSummary:
    reading = dataset_reading(options.robot, None, None, None, {})
    robot = reading.robot
    policy = create_policy("lerobot", robot, {"checkpoint": str(options.checkpoint)})
    sources = {c.source for c in policy.io.card.cameras}
    render = tuple((c.name, c.width, c.height) for c in robot.cameras if c.name in sources)
    instructions = options.instructions or robot.demo.instructions
    world = SimWorld(robot)
    summary = EvalSummary()
    try:
        seen = SeenThroughIngest(policy, reading.geometry)
        for number in range(options.episodes):
            seed = options.seed + number
            instruction = instructions[number % len(instructions)]
            started = time.perf_counter()
            outcome = run_episode(
                world,
                seen,
                instruction,
                seed,
                time_limit=options.time_limit,
                replan_period=options.replan_period,
                render=render,
                latency=options.latency,
            )
            wall = time.perf_counter() - started
            summary.metrics.episodes.append(
                EpisodeResult(
                    seed,
                    instruction,
                    outcome.success,
                    outcome.duration,
                    outcome.detail,
                    first_lifted=outcome.first_lifted or "",
                )
            )
            summary.wall_s += wall
            progress(
                f"[evaluate {number + 1}/{options.episodes}] seed {seed} '{instruction}': "
                f"{'success' if outcome.success else 'FAILED'} in {outcome.duration:.1f} s sim "
                f"({wall:.1f} s), first lifted: {outcome.first_lifted or 'none'}"
                + ("" if outcome.success else f" ({outcome.detail})")
            )
    finally:
        world.close()
        policy.close()
    return summary
