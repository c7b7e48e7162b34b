"""Waiting on a condition another thread (a node's executor, a process) makes true."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_for(predicate: Callable[[], object], timeout_s: float, poll_s: float = 0.02) -> bool:
    """True as soon as `predicate()` is truthy, False if it is not within `timeout_s` (steady clock)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(poll_s)
    return False
