"""Why the arm must hold, decided from the input stream: e-stop latch, stale or invalid commands.

Precedence: estop > invalid_command > stale_command > not_ready (no command yet). The e-stop latches
on a True and stays latched until explicitly released.
"""

from __future__ import annotations

from collections import Counter

from vla_ros.core.types import Command


class HoldSupervisor:
    def __init__(self, command_timeout_s: float, counters: Counter | None = None) -> None:
        if not command_timeout_s > 0.0:
            raise ValueError(f"command_timeout_s must be > 0 seconds, got {command_timeout_s}")
        self.command_timeout_s = command_timeout_s
        self.counters = counters if counters is not None else Counter()
        self.estop_latched = False
        self.command: Command | None = None
        self._received_at: float | None = None
        self._invalid = False

    def set_estop(self, engaged: bool) -> None:
        if engaged and not self.estop_latched:
            self.counters["estop"] += 1
        self.estop_latched = engaged

    def accept(self, now: float, command: Command) -> None:
        self.command, self._received_at, self._invalid = command, now, False

    def reject(self) -> None:
        """An invalid command arrived: forget the last good one and hold until a valid one comes."""
        self.counters["invalid_command"] += 1
        self.command, self._invalid = None, True

    def hold_reason(self, now: float) -> str:
        if self.estop_latched:
            return "estop"
        if self._invalid:
            return "invalid_command"
        if self._received_at is None:
            return "not_ready"
        if now - self._received_at > self.command_timeout_s:
            return "stale_command"
        return ""
