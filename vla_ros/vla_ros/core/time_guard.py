"""Stamps from the future and clocks that jump back: the two time faults a stamped stream must survive.

Whoever keeps "the newest stamp so far" (frames, joint states, chunks) rejects older ones as out of
order. One stamp far in the future (wall time while the graph runs on sim time, a camera on an
unsynchronised clock) would then lock out every real message until the clock caught up with it,
and a clock that jumps back (ROS time reset, sim reset, a rosbag looping) leaves every stored stamp
in the future of the new time line. So, with `now` passed in by the caller:
- a stamp more than `max_future_s` ahead of now is rejected (the caller counts it);
- now falling more than `max_future_s` behind the latest now seen is a jump back: the caller forgets
  what it holds from the old time line. A smaller step back leaves every stored stamp within
  max_future_s of the new now, so it can only delay messages by that much and is not a jump.

MAX_FUTURE_S: a fresh stamp can be ahead of a node's clock by the skew between machines' clocks
(NTP: a few ms; PTP: microseconds) or, under sim time, by how much later a node sees /clock than
the data stamped from it. Measured in the one-process panda demo (2 episodes): frames at most 2 ms
ahead (one 500 Hz physics step, 3 of 1113), joint states and chunks never. 0.1 s leaves room for a
loaded machine and equals max_camera_skew_s: a stamp accepted from that far ahead delays real
messages by 0.1 s at most, and a 0.1 s step back of the clock is no jump worth a reset.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vla_ros.core.types import InvalidInput

MAX_FUTURE_S = 0.1


@dataclass
class TimeGuard:
    max_future_s: float = MAX_FUTURE_S
    latest_now: float = -np.inf

    def __post_init__(self) -> None:
        if not (self.max_future_s > 0.0 and np.isfinite(self.max_future_s)):
            raise InvalidInput(
                f"max_future_s must be a positive finite number of seconds, got {self.max_future_s}"
            )

    def jumped_back(self, now: float) -> bool:
        """Follow the clock; True when `now` fell more than max_future_s behind the latest now seen."""
        jumped = now < self.latest_now - self.max_future_s
        self.latest_now = now if jumped else max(self.latest_now, now)
        return jumped

    def future_problem(self, what: str, stamp: float, now: float) -> str | None:
        """Why a stamp is refused as being from the future, or None when it is acceptable."""
        return future_problem(what, stamp, now, self.max_future_s)


def future_problem(
    what: str, stamp: float, now: float, max_future_s: float = MAX_FUTURE_S
) -> str | None:
    """Why a stamp is refused as being from the future, or None when it is acceptable."""
    ahead = stamp - now
    if ahead <= max_future_s:
        return None
    return (
        f"{what} stamped {ahead:.3f} s in the future (stamp {stamp:.3f} s, now {now:.3f} s); stamps at most "
        f"max_future_s {max_future_s} s ahead are accepted: is its clock the graph's (sim vs wall time)?"
    )


def refuse_future(
    what: str, stamp: float | None, now: float, max_future_s: float = MAX_FUTURE_S
) -> None:
    """Raise InvalidInput for a stamp from the future (None: unstamped, taken as measured now).

    For robot states: a well-formed joint state stamped ahead (a driver on another clock) is no
    measurement of now, and taken as one it becomes where a plan or the projector starts from."""
    problem = None if stamp is None else future_problem(what, stamp, now, max_future_s)
    if problem is not None:
        raise InvalidInput(problem)
