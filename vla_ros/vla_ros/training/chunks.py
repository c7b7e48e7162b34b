"""Training samples: one frame's observation and the demonstrated chunk that starts at it.

A chunk running past its episode's end repeats the last action and marks those steps padded
(LeRobot's `action_is_pad`), as LeRobot's dataset does with `action_delta_indices`.
"""

from __future__ import annotations

import numpy as np
import torch

from vla_ros.training.frames import DemoFrames


def chunk_rows(
    frames: DemoFrames, rows: np.ndarray, chunk_size: int
) -> tuple[np.ndarray, np.ndarray]:
    """(len(rows), chunk_size) row indices of each chunk and its padding mask."""
    wanted = rows[:, None] + np.arange(chunk_size)[None]
    last = frames.episode_end[rows][:, None] - 1
    return np.minimum(wanted, last), wanted > last


def batch_of(frames: DemoFrames, rows: np.ndarray, chunk_size: int) -> dict:
    """A LeRobot-style batch (before normalization): images in [0, 1], state, task texts, the
    action chunk and its padding mask."""
    chunk, pad = chunk_rows(frames, rows, chunk_size)
    batch = {
        key: torch.from_numpy(images[rows]).float().div_(255.0)
        for key, images in frames.images.items()
    }
    batch["observation.state"] = torch.from_numpy(frames.state[rows])
    batch["action"] = torch.from_numpy(frames.action[chunk])
    batch["action_is_pad"] = torch.from_numpy(pad)
    batch["task"] = [frames.tasks[t] for t in frames.task[rows]]
    return batch
