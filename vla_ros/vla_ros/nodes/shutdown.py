"""SIGINT/SIGTERM -> an orderly stop: exit 0, no traceback, within about two seconds.

rclpy's own signal handlers shut the context down at once, while timers and callbacks still run:
their next publish raises "publisher's context is invalid" and the process exits 1 with a traceback.
Here a signal only asks the spin loop to stop; nodes then leave through their lifecycle shutdown
transition (timers, workers and backends released) and only after that is the context shut down.

Before rclpy.init (the imports) there is nothing to release and nothing has been commanded yet, but
an exception raised there may land in a C extension's initialization or a lock and turn into an
ImportError or a hang. So a node process then simply ends at once (exit 0). From rclpy.init on
(`init_ros`: a DDS participant exists, which must not end abruptly) and in a process composing a
graph (the CLI), the request is noted: a node process leaves in order when its spin loop starts, and
a composing process raises KeyboardInterrupt at the next point that calls `raise_if_requested()`, so
its finally blocks stop what it has already started. Once the CLI only waits (the demo's episodes),
a signal raises KeyboardInterrupt at once (`interruptible`).
"""

from __future__ import annotations

import contextlib
import ctypes
import faulthandler
import io
import logging
import os
import signal
import sys
import time
from collections.abc import Sequence
from types import FrameType
from typing import NoReturn

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
# `kill -USR1 <pid>`: every thread's Python stack on the process's stderr (a hung stop diagnosed).
STACK_DUMP_SIGNAL = signal.SIGUSR1
# A node process whose orderly stop has not ended this long after the request (a callback or a DDS
# call that does not return) ends anyway, exit code 1, its threads' stacks on stderr: under the 5 s
# after which `ros2 launch` and the supervisor escalate, so the log says where it hung.
NODE_STOP_DEADLINE_S = 4.0
# How often a spin loop looks at the stop request: the bound on its reaction time.
POLL_S = 0.1
# Set by the supervisor of `vla-ros run --processes split|each` for its child processes (its pid).
SUPERVISOR_PID_VARIABLE = "VLA_ROS_SUPERVISOR_PID"
_PR_SET_PDEATHSIG = 1


class StopRequest:
    """The process's stop request; its signal handlers live on the main thread."""

    _installed: StopRequest | None = None

    def __init__(self, exit_during_startup: bool) -> None:
        # Plain flags, no lock: a handler runs between two bytecodes of whatever the main thread
        # does, also of a first handler or of a threading.Event's locked section, and taking that
        # lock again there deadlocks (seen: SIGINT twice, or the supervisor's death signal followed
        # by its SIGINT, left processes hanging until SIGKILL).
        self._requested = False
        self._handling = False
        # Spinning: the loop polls `requested`. Interruptible: a signal raises KeyboardInterrupt.
        self.spinning = False
        self.interruptible = False
        self.exit_during_startup = exit_during_startup
        # Set by node processes (NODE_STOP_DEADLINE_S); a composing process's stop may take longer.
        self.deadline_s: float | None = None
        self.received: list[str] = []

    @classmethod
    def install_once(cls, exit_during_startup: bool = True) -> StopRequest:
        """The process's stop request, its handlers installed on the first call (as early as
        possible: `vla-ros` before importing its commands). A node process exits during start-up,
        a composing process (`exit_during_startup=False`) defers; each call sets this, since the
        latest caller knows what the process has started."""
        if cls._installed is None:
            cls._installed = cls(exit_during_startup)
            for number in STOP_SIGNALS:
                signal.signal(number, cls._installed._on_signal)
            # A supervisor starts its children with them blocked (nodes/composition.py): a stop
            # requested before this point is delivered now, to the handlers.
            signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
            _dump_stacks_on(STACK_DUMP_SIGNAL)
        cls._installed.exit_during_startup = exit_during_startup
        return cls._installed

    def _on_signal(self, number: int, _frame: FrameType | None) -> None:
        self.received.append(signal.Signals(number).name)
        if self._handling:  # a signal during the handling of another: the same request
            return
        self._handling = True
        try:
            already, self._requested = self._requested, True
            if already:
                return
            if self.deadline_s is not None:
                _end_after(self.deadline_s)
            if self.spinning:
                return
            if self.interruptible:
                raise KeyboardInterrupt(self.received[-1])
            if self.exit_during_startup:
                print(
                    f"stopped by {self.received[-1]} during start-up", file=sys.stderr, flush=True
                )
                os._exit(0)
        finally:
            self._handling = False

    @property
    def requested(self) -> bool:
        return self._requested

    def wait(self) -> None:
        """Until a stop is requested (polling a flag: see __init__ for why not an Event)."""
        while not self._requested:
            time.sleep(POLL_S)

    def raise_if_requested(self) -> None:
        """A safe point of a composing process's start-up: leave now if a stop was requested."""
        if self.requested:
            raise KeyboardInterrupt(self.received[-1] if self.received else "stop requested")

    @staticmethod
    def ignore_from_now_on() -> None:
        """Call when the process is about to end: at finalization CPython resets Python-level
        handlers to the default action, so a second signal then would kill it (exit -2/-15)."""
        for number in STOP_SIGNALS:
            signal.signal(number, signal.SIG_IGN)


# What faulthandler raises where stderr is no file (captured in a test): nothing to dump to.
_STDERR_NOT_A_FILE = (AttributeError, ValueError, io.UnsupportedOperation)


def _end_after(seconds: float) -> None:
    """faulthandler's watchdog is a C thread: it fires even while the main thread is stuck in C
    holding the GIL, where no Python-level timer would run."""
    with contextlib.suppress(*_STDERR_NOT_A_FILE):
        faulthandler.dump_traceback_later(seconds, exit=True)


def _dump_stacks_on(number: int) -> None:
    with contextlib.suppress(*_STDERR_NOT_A_FILE):
        faulthandler.register(number, all_threads=True)


def end_process(code: int) -> NoReturn:
    """End a node process whose orderly stop is done, without the interpreter's teardown.

    By then every node has left through its lifecycle shutdown and the ROS context is shut down.
    What CPython's finalization would still do is free ~1,100 modules one by one (and run Fast DDS's
    static destructors): 1.2-1.5 s per node process measured here on an idle machine (gdb:
    Py_FinalizeEx -> finalize_modules), and past NODE_STOP_DEADLINE_S under CI load (camera_ingest
    ended by the watchdog with exit 1 while the main thread had no Python frame left). The OS frees
    that memory at once; Python's logging handlers and the std streams are flushed first."""
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


def init_ros(stop: StopRequest | None, args: Sequence[str] | None = None) -> None:
    """rclpy.init without rclpy's signal handlers (the module docstring says why); from here on a
    stop no longer ends the process at once.

    A DDS participant exists from rclpy.init on. Ended abruptly, a process can leave a lock of a
    Fast DDS shared-memory port taken, and every peer still sending to that port then waits on it
    (gdb: the peers' `Port::try_push` in `interprocess_mutex::lock`, its owner a `dds.shm.*` thread
    of a node process that had exited during start-up). Seen when all node processes stopped at once:
    the others overran their 4 s stop deadline. So a stop requested now is honoured where the
    process can leave in order: its spin loop, or the next `raise_if_requested` of a composing
    process; the stop deadline (when set) still counts from the signal.
    """
    import rclpy
    from rclpy.signals import SignalHandlerOptions

    if stop is not None:
        stop.exit_during_startup = False
    rclpy.init(args=args, signal_handler_options=SignalHandlerOptions.NO)


def stop_with_supervisor() -> None:
    """In a child process started by the supervisor (nodes/composition.py): get SIGTERM (an orderly stop) when
    the supervisor dies, however it dies, so no orphan node is left commanding the robot (Linux)."""
    supervisor = os.environ.get(SUPERVISOR_PID_VARIABLE)
    if supervisor is None or not sys.platform.startswith("linux"):
        return
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != int(supervisor):  # it died before the request took effect
        os.kill(os.getpid(), signal.SIGTERM)
