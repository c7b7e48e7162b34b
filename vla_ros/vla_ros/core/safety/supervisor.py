"""Why the arm must hold, decided from the input stream: e-stop latch, invalid or stale commands,
lost or never-heard upstream nodes, a silent joint-state stream.

Precedence: estop > invalid_command > upstream_lost:<nodes> > upstream_unseen:<nodes> >
joint_states_stale > stale_command > not_ready (no command yet). The e-stop latches on a True and
stays latched until explicitly released. A lost upstream (core/liveness.py: the policy, perception
or executor process died or hangs) holds even while its last commands still arrive fresh: the
executor keeps commanding the end of a plan nobody extends, and the status must name who is
missing. An upstream node never heard from holds too: the projector cannot vouch for a node it has
not heard, and one that died before its first heartbeat reached the projector (discovery is slow on
a loaded host) would otherwise never be named at all.

An episode reset (reset()) forgets the last command: the robot was moved, and the old episode's
target is no place to go. Commands stamped at or before the reset are ignored and counted
(`before_reset`, core/reset_floor.py); until a newer one arrives the arm holds (not_ready). Joint
states measured before it are no place to re-anchor (measured() says which are).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from vla_ros.core.reset_floor import ResetFloor
from vla_ros.core.time_guard import refuse_future
from vla_ros.core.types import Command

UPSTREAM_LOST = "upstream_lost"
UPSTREAM_UNSEEN = "upstream_unseen"


class HoldSupervisor:
    def __init__(
        self,
        command_timeout_s: float,
        counters: Counter | None = None,
        joint_state_timeout_s: float = 0.5,
    ) -> None:
        for name, value in (
            ("command_timeout_s", command_timeout_s),
            ("joint_state_timeout_s", joint_state_timeout_s),
        ):
            if not value > 0.0:
                raise ValueError(f"{name} must be > 0 seconds, got {value}")
        self.command_timeout_s = command_timeout_s
        self.joint_state_timeout_s = joint_state_timeout_s
        self.counters = counters if counters is not None else Counter()
        self.estop_latched = False
        self.command: Command | None = None
        self._received_at: float | None = None
        self._measured_at: float | None = None
        self._invalid = False
        self._reset = ResetFloor(inclusive=True)  # commands
        self._reset_measured = ResetFloor()  # joint states

    def set_estop(self, engaged: bool) -> None:
        if engaged and not self.estop_latched:
            self.counters["estop"] += 1
        self.estop_latched = engaged

    def accept(self, now: float, command: Command) -> None:
        if self._reset.before(command.stamp, now):
            self.counters["before_reset"] += 1
            return
        self.command, self._received_at, self._invalid = command, now, False

    def reset(self, at_s: float | None) -> None:
        """An episode boundary stamped `at_s` (None: unstamped): forget the last command."""
        self.command, self._received_at = None, None
        self._reset.reset(at_s)
        self._reset_measured.reset(at_s)

    def reject(self) -> None:
        """An invalid command arrived: forget the last good one and hold until a valid one comes."""
        self.counters["invalid_command"] += 1
        self.command, self._invalid = None, True

    def measured(self, now: float, stamp: float | None = None) -> bool:
        """A joint state of the robot, measured at `stamp` (None: now), arrived. True when it was
        measured at or after the latest reset: a state to re-anchor at. InvalidInput when stamped
        in the future: neither fresh nor a place to re-anchor (a flood's state of all zeros,
        stamped an hour ahead, once re-anchored the projector at the zero pose after a reset)."""
        refuse_future("joint state", stamp, now)
        self._measured_at = now
        return not self._reset_measured.before(now if stamp is None else stamp, now)

    def hold_reason(
        self, now: float, lost_upstream: Sequence[str] = (), unseen_upstream: Sequence[str] = ()
    ) -> str:
        if self.estop_latched:
            return "estop"
        if self._invalid:
            return "invalid_command"
        if lost_upstream:
            return f"{UPSTREAM_LOST}:{','.join(lost_upstream)}"
        if unseen_upstream:
            return f"{UPSTREAM_UNSEEN}:{','.join(unseen_upstream)}"
        if self._measured_at is not None and now - self._measured_at > self.joint_state_timeout_s:
            return "joint_states_stale"
        if self._received_at is None:
            return "not_ready"
        if now - self._received_at > self.command_timeout_s:
            return "stale_command"
        return ""
