"""Synthetic chunk streams with known ground truth, shared by the chunking tests."""

from __future__ import annotations

import numpy as np

from vla_ros.core.types import ActionChunk, ActionSpace

NAMES = ("j1", "j2", "j3")


def ground_truth(t: np.ndarray | float) -> np.ndarray:
    """A smooth joint trajectory (rad): a few slow sines per joint."""
    t = np.atleast_1d(np.asarray(t, dtype=float))[:, None]
    freq = np.array([0.4, 0.7, 0.25])
    return 0.3 * np.sin(2 * np.pi * freq * t + np.array([0.0, 1.0, 2.0])) + 0.1 * np.sin(
        2 * np.pi * 1.1 * freq * t
    )


def chunk_at(
    stamp: float, horizon: int, dt: float, noise: float = 0.0, seed: int = 0
) -> ActionChunk:
    """The chunk a policy would emit for an observation at `stamp`: ground truth + per-chunk error."""
    rng = np.random.default_rng([seed, int(round(stamp * 1e6))])
    actions = ground_truth(stamp + dt * np.arange(horizon))
    if noise:
        growth = 1.0 + np.arange(horizon)[:, None] / horizon
        actions = actions + noise * (
            rng.standard_normal((1, len(NAMES)))
            + 0.3 * growth * rng.standard_normal(actions.shape)
        )
    return ActionChunk(
        stamp,
        dt,
        actions,
        NAMES,
        ActionSpace.JOINT_POSITION,
        observation_sequence=int(round(stamp * 1e6)),
    )


def clock_chunk(stamp: float, horizon: int, dt: float) -> ActionChunk:
    """Each action's value is its own intended time: any action run early or late shows up directly."""
    times = stamp + dt * np.arange(horizon)
    return ActionChunk(
        stamp,
        dt,
        np.repeat(times[:, None], len(NAMES), axis=1),
        NAMES,
        ActionSpace.JOINT_POSITION,
        observation_sequence=int(round(stamp * 1e6)),
    )
