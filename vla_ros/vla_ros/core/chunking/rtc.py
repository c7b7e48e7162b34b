"""Real-time-chunking hook: the actions that will run while the next chunk is being computed.

An inference started at `now` answers with a chunk stamped about `now`; its first
ceil(latency / dt) actions will already have passed when it lands, so the plan in force executes
them instead. Backends that inpaint (flow/diffusion heads, RTC) condition the next chunk on exactly
this prefix, so the two agree where they meet. The prefix is in the executed action space (ee_delta
chunks appear as anchored ee_pose).
"""

from __future__ import annotations

import math

import numpy as np

from vla_ros.core.chunking.timeline import Plan
from vla_ros.core.types import ActionChunk


def rtc_prefix(plan: Plan, now: float, latency_s: float) -> ActionChunk:
    steps = max(1, math.ceil(latency_s / plan.dt))
    times = now + plan.dt * np.arange(steps)
    values, _ = plan.trajectory.sample(times)
    return ActionChunk(
        stamp=now,
        dt=plan.dt,
        actions=values,
        dim_names=plan.layout.dim_names,
        action_space=plan.action_space,
        model_id="rtc_prefix",
    )


def prefix_on_grid(prefix: ActionChunk, stamp: float, dt: float) -> np.ndarray:
    """The prefix's actions at a new chunk's times stamp + i*dt, for every i up to the prefix's end
    (linear between its actions; times before its start take its first action: those have passed
    and the executor skips them). (k, dim) rows, k >= 1 when the prefix ends after `stamp`."""
    end = prefix.time_of(prefix.horizon - 1)
    count = int(np.floor((end - stamp) / dt + 1e-9)) + 1 if end >= stamp else 0
    return prefix.actions_at(stamp + dt * np.arange(count))
