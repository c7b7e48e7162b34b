"""SIGINT/SIGTERM -> an orderly stop: exit 0, no traceback, within about two seconds.

rclpy's own signal handlers shut the context down at once, while timers and callbacks still run:
their next publish raises "publisher's context is invalid" and the process exits 1 with a traceback.
Here a signal only asks the spin loop to stop; nodes then leave through their lifecycle shutdown
transition (timers, workers and backends released) and only after that is the context shut down.
A signal that arrives before spinning starts (a model still loading) aborts the start-up instead,
as KeyboardInterrupt, which every `except Exception` lets through.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
# How often a spin loop looks at the stop request: the bound on its reaction time.
POLL_S = 0.1


class StopRequest:
    """The process's stop request; its signal handlers live on the main thread."""

    _installed: StopRequest | None = None

    def __init__(self) -> None:
        self.event = threading.Event()
        self.spinning = False
        self.received: list[str] = []

    @classmethod
    def install_once(cls) -> StopRequest:
        """The process's stop request, its handlers installed on the first call."""
        if cls._installed is None:
            cls._installed = cls()
            for number in STOP_SIGNALS:
                signal.signal(number, cls._installed._on_signal)
        return cls._installed

    def _on_signal(self, number: int, _frame: FrameType | None) -> None:
        self.received.append(signal.Signals(number).name)
        already = self.event.is_set()
        self.event.set()
        if not self.spinning and not already:
            raise KeyboardInterrupt(f"{self.received[-1]} during start-up")

    @property
    def requested(self) -> bool:
        return self.event.is_set()

    @staticmethod
    def ignore_from_now_on() -> None:
        """Call when the process is about to end: at finalization CPython resets Python-level
        handlers to the default action, so a second signal then would kill it (exit -2/-15)."""
        for number in STOP_SIGNALS:
            signal.signal(number, signal.SIG_IGN)
