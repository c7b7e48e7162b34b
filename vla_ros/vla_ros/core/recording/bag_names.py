"""Names of the bags a recording writes: episode_<NNN>[_seed<S>], numbered on after earlier runs."""

from __future__ import annotations

import re

EPISODE_PREFIX = "episode"
WHOLE_RECORDING_PREFIX = "recording"  # --split none: one bag for everything
_NUMBERED = re.compile(r"^(episode|recording)_(\d+)(_seed-?\d+)?$")


def bag_name(prefix: str, number: int, seed: int = -1) -> str:
    """episode_007_seed42; the seed only where known (a sim's reset), never on real robots (-1)."""
    return f"{prefix}_{number:03d}" + (f"_seed{seed}" if seed >= 0 else "")


def first_free_number(existing: list[str]) -> int:
    """The number after the highest one already in the output folder (1 when there is none), so a
    second run into the same folder adds bags instead of colliding with the first run's."""
    numbers = [int(m.group(2)) for m in map(_NUMBERED.match, existing) if m]
    return max(numbers, default=0) + 1
