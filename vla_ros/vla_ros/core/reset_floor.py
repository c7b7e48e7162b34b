"""A reset's stamp parts an episode's messages from the one before it.

`/vla/reset` and the streams it ends travel on different topics, so a message of the old episode
can arrive after the reset: a chunk inferred from an observation taken before it, a command the
executor sent from the old plan just before it heard of the reset. Acting on one drives the robot,
which was moved (sim reset, a person guiding the arm), towards where the old episode was going:
measured in the panda demo, the projector followed the previous episode's last command for 0.1 s
after a reset and swung joint 7 by 0.13 rad off the home pose with the gripper closing.

So whoever acts on a stream keeps the latest reset's stamp and ignores what is stamped before it.
A clock that falls more than MAX_FUTURE_S behind that stamp is a new time line (a bag looping, a
sim restarted at 0), where the old stamp means nothing: the floor is lifted.
"""

from __future__ import annotations

from dataclasses import dataclass

from vla_ros.core.time_guard import MAX_FUTURE_S


@dataclass
class ResetFloor:
    """`inclusive`: a message stamped at the reset's instant also belongs to the old episode
    (commands: the tick at that instant was computed from the old plan; an observation taken at it
    already shows the new world, so chunks use the exclusive floor)."""

    inclusive: bool = False
    at_s: float | None = None

    def reset(self, at_s: float | None) -> None:
        """A reset stamped `at_s`; None (an unstamped reset, or a clock jump) sets no floor."""
        self.at_s = at_s

    def before(self, stamp: float, now: float) -> bool:
        """Whether a message stamped `stamp`, arriving at `now`, belongs to the episode before the reset."""
        if self.at_s is None:
            return False
        if now < self.at_s - MAX_FUTURE_S:
            self.at_s = None  # the clock went back: another time line
            return False
        return stamp <= self.at_s if self.inclusive else stamp < self.at_s
