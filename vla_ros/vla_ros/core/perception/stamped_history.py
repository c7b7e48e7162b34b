"""A stream's recent values by stamp, read at a past time: the world as it was when an observation
was captured.

The policy node infers an observation up to one inference after its capture (it waits while the
model is busy). What it adds from other streams must be of the capture, not of the inference's
start: object poses read at the inference's start put a held cube 300 ms ahead of the hand the
observation's joint state shows (at 300 ms latency the scripted expert took it for dropped, let go
and grasped again, up to 9 times an episode).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import deque
from typing import Generic, TypeVar

T = TypeVar("T")


class StampedHistory(Generic[T]):
    def __init__(self, horizon_s: float = 5.0) -> None:
        self.horizon_s = horizon_s
        self._stamps: deque[float] = deque()
        self._values: deque[T] = deque()

    def add(self, stamp: float, value: T) -> None:
        """Keep `value` as of `stamp`; one stamped earlier than the newest starts over (the clock went
        back: a new run of the sim)."""
        if self._stamps and stamp < self._stamps[-1]:
            self._stamps.clear()
            self._values.clear()
        self._stamps.append(stamp)
        self._values.append(value)
        while self._stamps[0] < stamp - self.horizon_s:
            self._stamps.popleft()
            self._values.popleft()

    def at(self, stamp: float) -> T | None:
        """The newest value stamped at or before `stamp`; the oldest kept for an earlier stamp (the
        stream began after it); None before any value."""
        if not self._stamps:
            return None
        return self._values[max(bisect_right(self._stamps, stamp) - 1, 0)]

    def __len__(self) -> int:
        return len(self._stamps)
