"""Connection bookkeeping for policies served by another process: link state and reconnect backoff.

A remote backend never blocks past its own timeouts and never retries inside `infer`: when the
server is down, `infer` raises ConnectionError at once (the node reports it and the executor holds
the arm), and the next `infer` after the backoff delay tries to reconnect. Delays grow
exponentially from `initial` to `maximum` and reset after a success.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Generic, TypeVar

from vla_ros.core.types import InvalidInput

Handle = TypeVar("Handle")
_log = logging.getLogger(__name__)


class LinkState(str, Enum):
    DISCONNECTED = "disconnected"  # never connected yet, or closed
    CONNECTED = "connected"
    BACKING_OFF = "backing_off"  # the last attempt or call failed; waiting before the next attempt


@dataclass(frozen=True)
class Backoff:
    initial: float = 0.5
    maximum: float = 10.0
    multiplier: float = 2.0

    def __post_init__(self) -> None:
        if not (0 < self.initial <= self.maximum) or self.multiplier < 1:
            raise InvalidInput(
                f"options backoff_initial={self.initial} and backoff_max={self.maximum} need 0 < "
                "backoff_initial <= backoff_max "
                f"(multiplier {self.multiplier} >= 1)"
            )


class RemoteLink(Generic[Handle]):
    """Holds one connection handle made by `connect`; closes it with `close` when a call fails."""

    def __init__(
        self,
        name: str,
        connect: Callable[[], Handle],
        close: Callable[[Handle], None],
        backoff: Backoff = Backoff(),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name, self._connect, self._close, self.backoff, self._clock = (
            name,
            connect,
            close,
            backoff,
            clock,
        )
        self.state = LinkState.DISCONNECTED
        self.last_error = ""
        self.failures = 0
        self._handle: Handle | None = None
        self._delay = backoff.initial
        self._next_attempt = 0.0

    def handle(self) -> Handle:
        """The live connection, connecting first if due; ConnectionError while the server is unreachable."""
        if self._handle is not None:
            return self._handle
        wait = self._next_attempt - self._clock()
        if wait > 0:
            raise ConnectionError(
                f"{self.name} unreachable ({self.last_error}); next reconnect attempt in {wait:.1f} s"
            )
        try:
            self._handle = self._connect()
        except Exception as error:
            self.failed(error)
            raise ConnectionError(f"{self.name} unreachable: {self.last_error}") from error
        if self.failures:
            _log.info("%s reconnected after %d failure(s)", self.name, self.failures)
        self.state, self.failures, self._delay = LinkState.CONNECTED, 0, self.backoff.initial
        return self._handle

    def failed(self, error: BaseException) -> None:
        """Drop the connection after `error` and schedule the next attempt."""
        self.last_error = f"{type(error).__name__}: {error}"
        self.failures += 1
        self.close()
        self.state = LinkState.BACKING_OFF
        self._next_attempt = self._clock() + self._delay
        self._delay = min(self._delay * self.backoff.multiplier, self.backoff.maximum)

    def close(self) -> None:
        handle, self._handle = self._handle, None
        self.state = LinkState.DISCONNECTED
        if handle is not None:
            # A dead connection may fail to close; it is gone either way.
            with contextlib.suppress(Exception):
                self._close(handle)
