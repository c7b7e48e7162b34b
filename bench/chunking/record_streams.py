"""Record chunk streams from the sim for the chunking bench: the scripted expert on the Panda.

The expert runs closed loop in SimWorld (no ROS; vla_ros.sim.policy_loop), observing every
OBSERVATION_PERIOD_S. Every chunk it emits is kept with its observation time, and the path it
commands itself (each chunk followed linearly until the next one, no latency) is the reference an
executor should track. A noisy copy adds per-chunk model-like error (a bias per chunk plus noise
growing along the horizon, seeded), since a learned policy's successive chunks disagree where the
expert's do not. The bench replays these streams open loop: a request at time t gets the newest
chunk observed at or before t.

Two chunkings: the expert card's own (10 actions of 0.1 s) and a SmolVLA/pi0-like 1.5 s chunk of
30 actions at 20 Hz. One .npz per (task, seed, chunking) under bench/chunking/data/.
Run: source scripts/env.sh && python bench/chunking/record_streams.py [--seeds 0 1]
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vla_ros.backends.scripted import ScriptedExpert
from vla_ros.core.inference.policy import Policy
from vla_ros.core.robot.config import load_robot_config
from vla_ros.core.types import ActionChunk, Observation
from vla_ros.sim.policy_loop import run_episode
from vla_ros.sim.world import SimWorld

DATA_DIR = Path(__file__).resolve().parent / "data"
OBSERVATION_PERIOD_S = 0.1
REFERENCE_RATE_HZ = 100.0
TASKS = {
    "pick_place": "put the red cube in the bowl",
    "stack": "stack the green cube on the blue cube",
}
# name -> scripted expert options (None: the card's own chunking)
CHUNKINGS = {"card_h10_dt100ms": {}, "h30_dt50ms": {"chunk_size": 30, "dt": 0.05}}
NOISE_BIAS = 0.01  # rad (closure units for the gripper), one draw per chunk
NOISE_STEP = 0.003  # per action, growing to 3x along the horizon


@dataclass
class RecordingPolicy(Policy):
    """Passes chunks through and keeps them."""

    inner: Policy
    chunks: list[ActionChunk]

    def infer(self, observation: Observation) -> ActionChunk:
        chunk = self.inner.infer(observation)
        self.chunks.append(chunk)
        return chunk

    def reset(self) -> None:
        self.inner.reset()
        self.chunks.clear()

    @property
    def phase(self) -> str:
        return getattr(self.inner, "phase", "?")


def reference_path(stamps: np.ndarray, dt: float, actions: np.ndarray, rate_hz: float):
    """What the expert commands itself, as the sim's trajectory followers run it: chunk k takes over
    at stamps[k] from the set point there and goes linearly through its actions 1.. until stamps[k+1]."""
    times = np.arange(stamps[0], stamps[-1], 1.0 / rate_hz)
    values = np.empty((len(times), actions.shape[2]))
    steps = dt * np.arange(actions.shape[1])
    current = actions[0, 0]
    for k, stamp in enumerate(stamps[:-1]):
        rows = (times >= stamp) & (times < stamps[k + 1])
        knots = np.vstack([current, actions[k, 1:]])
        for j in range(actions.shape[2]):
            values[rows, j] = np.interp(times[rows], stamp + steps, knots[:, j])
        current = np.array(
            [np.interp(stamps[k + 1], stamp + steps, knots[:, j]) for j in range(knots.shape[1])]
        )
    return times, values


def add_model_noise(actions: np.ndarray, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    chunks, horizon, dim = actions.shape
    growth = 1.0 + 2.0 * np.arange(horizon)[None, :, None] / horizon
    bias = NOISE_BIAS * rng.standard_normal((chunks, 1, dim))
    return actions + bias + NOISE_STEP * growth * rng.standard_normal(actions.shape)


def record(world: SimWorld, options: dict, instruction: str, seed: int) -> dict[str, np.ndarray]:
    recorder = RecordingPolicy(ScriptedExpert.from_options(world.robot, options), [])
    outcome = run_episode(world, recorder, instruction, seed, replan_period=OBSERVATION_PERIOD_S)
    chunks = recorder.chunks
    origin = chunks[0].stamp
    stamps = np.array([c.stamp - origin for c in chunks])
    actions = np.stack([c.actions for c in chunks])
    times, values = reference_path(stamps, chunks[0].dt, actions, REFERENCE_RATE_HZ)
    grippers = {arm.gripper.joint for arm in world.robot.arms if arm.gripper}
    return {
        "stamps": stamps,
        "dt": np.array(chunks[0].dt),
        "dim_names": np.array(chunks[0].dim_names),
        # Scored dims: arm joints (rad). Gripper closures are on/off events in another unit.
        "scored": np.array([name not in grippers for name in chunks[0].dim_names]),
        "actions": actions.astype(np.float32),
        "actions_noisy": add_model_noise(actions, seed).astype(np.float32),
        "reference_times": times,
        "reference_values": values.astype(np.float32),
        "success": np.array(outcome.success),
        "instruction": np.array(instruction),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--out", type=Path, default=DATA_DIR)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    world = SimWorld(load_robot_config("panda"))
    for chunking, options in CHUNKINGS.items():
        for task, instruction in TASKS.items():
            for seed in args.seeds:
                started = time.perf_counter()
                data = record(world, options, instruction, seed)
                path = args.out / f"panda_{task}_seed{seed}_{chunking}.npz"
                np.savez_compressed(path, **data)
                print(
                    f"{path.name}: {len(data['stamps'])} chunks over {data['stamps'][-1]:.1f} s, "
                    f"success {bool(data['success'])}, {path.stat().st_size / 1e3:.0f} kB, "
                    f"{time.perf_counter() - started:.1f} s"
                )


if __name__ == "__main__":
    main()
