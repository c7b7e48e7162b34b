"""When the sim publishes: on a fixed grid of sim times, one message per grid time.

Sim time is a running sum of float time steps, so a step can end a hair short of a grid time. That
step has reached it (within half a step); counting the next grid time from the bare sum instead
publishes the same grid time again one step later (at 100 Hz with 2 ms steps: every joint state
twice, 2 ms apart).
"""

from __future__ import annotations

import math


class PublicationGrid:
    """Grid times start, start + period, ...; missed ones are skipped, never published late in a burst."""

    def __init__(self, period: float, start: float) -> None:
        self.period = period
        self.next = start

    def reached(self, now: float, step: float) -> bool:
        """True once per grid time: when a step ending at `now` (of length `step`) has reached it."""
        at = now + 0.5 * step
        if at < self.next:
            return False
        self.next += self.period * (math.floor((at - self.next) / self.period + 1e-9) + 1)
        return True
