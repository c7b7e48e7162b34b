"""Which graph nodes are alive, judged from their heartbeats on a steady clock.

Every vla_ros node publishes a heartbeat every HEARTBEAT_PERIOD_S while it is active (its name in
the message). A watched node whose last heartbeat is older than the timeout is lost: its process
died, it hangs, it was deactivated or the network cut it off. Receipt times are steady-clock
seconds, so neither a paused simulation nor a jump of ROS time makes a node look dead or alive.
A node never heard from is not lost but unseen: start-up order is not a fault.

A watcher that was itself asleep cannot judge others: when its process stalls (a loaded machine, a
long GIL hold), the heartbeats it missed sit in its queue while its first look afterwards would
call every node lost. Every heartbeat it receives (its own included, any name) and every look is a
sign that it is awake; the part of a gap between two signs beyond half the timeout is forgiven.
So silence counts only while the watcher was awake, and a node that really died is still found
within the timeout of awake time.
"""

from __future__ import annotations

from collections.abc import Iterable

from vla_ros.core.types import InvalidInput

HEARTBEAT_PERIOD_S = 0.1
# Twenty missed heartbeats: CI on a loaded 2-core host lost whole episodes to false alarms at 1.0 s.
# Not a safety delay: a silent upstream starves the executor and the projector holds on its own.
DEFAULT_TIMEOUT_S = 2.0


def lost_phrase(node: str, silence_s: float) -> str:
    return f"{node} lost (no heartbeat for {silence_s:.1f} s)"


class LivenessMonitor:
    def __init__(self, watched: Iterable[str], timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        if not timeout_s > 2 * HEARTBEAT_PERIOD_S:
            raise InvalidInput(
                f"liveness timeout must exceed two heartbeat periods ({2 * HEARTBEAT_PERIOD_S} s), got {timeout_s}"
            )
        self.watched = tuple(dict.fromkeys(watched))
        self.timeout_s = float(timeout_s)
        self._last: dict[str, float] = {}
        self.losses = 0
        self._lost: tuple[str, ...] = ()
        self._awake_at: float | None = None

    def beat(self, name: str, now: float) -> None:
        """A heartbeat from `name` received at steady time `now` (only a sign of being awake when
        `name` is not watched)."""
        self._forgive_own_sleep(now)
        if name in self.watched:
            self._last[name] = now

    def lost(self, now: float) -> tuple[str, ...]:
        """Watched nodes heard from before but silent for longer than the timeout, in watch order."""
        self._forgive_own_sleep(now)
        lost = tuple(
            n for n in self.watched if n in self._last and now - self._last[n] > self.timeout_s
        )
        self.losses += len(set(lost) - set(self._lost))
        self._lost = lost
        return lost

    def _forgive_own_sleep(self, now: float) -> None:
        if self._awake_at is not None:
            asleep = now - self._awake_at - self.timeout_s / 2
            if asleep > 0:
                self._last = {name: last + asleep for name, last in self._last.items()}
        self._awake_at = max(now, self._awake_at or now)

    def unseen(self) -> tuple[str, ...]:
        """Watched nodes never heard from."""
        return tuple(n for n in self.watched if n not in self._last)

    def silence(self, name: str, now: float) -> float:
        """Seconds since the last heartbeat of `name` (inf when never heard)."""
        return now - self._last[name] if name in self._last else float("inf")

    def describe_lost(self, now: float) -> str:
        """Who is lost and for how long ("" when nobody is)."""
        return "; ".join(lost_phrase(n, self.silence(n, now)) for n in self.lost(now))

    def describe(self, now: float) -> str:
        """One line for diagnostics: who is lost, who was never seen, or that all are alive."""
        parts = [self.describe_lost(now)] if self.lost(now) else []
        parts += [f"{n} never seen" for n in self.unseen()]
        return "; ".join(parts) or "all alive"
