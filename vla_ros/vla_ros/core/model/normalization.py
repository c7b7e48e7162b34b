"""Un-normalizing model outputs with statistics from a model card.

bounds (OpenVLA, Octo's q01/q99): a = (x + 1) / 2 * (high - low) + low, x clipped to [-1, 1] first
as OpenVLA does; gaussian: a = x * std + mean. Dims whose `mask` is false pass through (OpenVLA leaves
the gripper un-normalized).
"""

from __future__ import annotations

import numpy as np

from vla_ros.core.model.card import Normalization
from vla_ros.core.types import InvalidInput


def check_normalization(norm: Normalization, dim: int, where: str) -> None:
    """Every statistic and the mask have one entry per action dim."""
    for name in ("mean", "std", "low", "high", "mask"):
        value = getattr(norm, name)
        if value is not None and value.shape != (dim,):
            raise InvalidInput(
                f"{where}: action.normalization.{name} has {value.size} values for {dim} action dims"
            )


def unnormalize(actions: np.ndarray, norm: Normalization) -> np.ndarray:
    """Model-space actions (horizon, dim) -> action units; "none"/"model" return them unchanged."""
    if norm.mode == "bounds":
        x = np.clip(actions, -1.0, 1.0)
        out = 0.5 * (x + 1.0) * (norm.high - norm.low) + norm.low
    elif norm.mode == "gaussian":
        out = actions * norm.std + norm.mean
    else:
        return actions
    return out if norm.mask is None else np.where(norm.mask, out, actions)
