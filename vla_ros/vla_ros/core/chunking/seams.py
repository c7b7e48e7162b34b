"""How far a new chunk starts from the plan it replaces: the boundary jump real-time chunking removes.

When a chunk arrives, it and its predecessor both say where each joint should be at that moment;
their difference is what the chunk executor must hide by blending, or the arm lurches. A policy
that inpaints the executing prefix (RTC, /vla/rtc_prefix) starts its chunk on that prefix, so the
gap is what is left of its inpainting error.
"""

from __future__ import annotations

import numpy as np

from vla_ros.core.types import ActionChunk


def position_at(chunk: ActionChunk, t: float) -> np.ndarray | None:
    """The chunk's actions at time t, linear between actions; None outside its span."""
    if not chunk.stamp <= t <= chunk.time_of(chunk.horizon - 1):
        return None
    return chunk.actions_at(np.array([t]))[0]


def seam_gap(
    previous: ActionChunk, new: ActionChunk, at: float, names: tuple[str, ...]
) -> float | None:
    """Largest difference over the joints `names` between the two plans at time `at`; None when
    either plan does not cover `at` or a joint is missing from either chunk."""
    if previous.action_space != new.action_space:
        return None
    if not set(names) <= set(previous.dim_names) or not set(names) <= set(new.dim_names):
        return None
    old, fresh = position_at(previous, at), position_at(new, at)
    if old is None or fresh is None:
        return None
    old_columns = [previous.dim_names.index(n) for n in names]
    new_columns = [new.dim_names.index(n) for n in names]
    return float(np.max(np.abs(old[old_columns] - fresh[new_columns])))
