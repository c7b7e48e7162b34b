"""`vla-ros record` as a process of its own beside a running graph (the demo's --record).

Its own process keeps recording off the control path: compression and disk writes never take the
GIL from the nodes. Stopping it is SIGINT and a wait until it has closed its bags.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rclpy.node import Node

from vla_ros.core.recording.topics import RecordedTopic
from vla_ros.core.types import InvalidInput
from vla_ros.recording.recorder import NODE_NAME


class RecorderProcess:
    def __init__(self, robot: str, backend: str, out: Path, log: Path) -> None:
        self.out = out
        log.parent.mkdir(parents=True, exist_ok=True)
        self._log = log.open("w")
        command = [sys.executable, "-m", "vla_ros.cli", "record", "--robot", robot]
        # The backend the demo brought the graph up with: the very string the recorder would ask the
        # policy node for, without racing discovery for it (on a loaded host the first episode's bag
        # could close before the answer came).
        command += ["--backend", backend, "--out", str(out), "--use-sim-time"]
        # Progress (a line per bag, the summary) to our stdout; ROS logging to the log file.
        self._process = subprocess.Popen(command, stdout=None, stderr=self._log)

    def wait_until_recording(
        self, node: Node, topics: tuple[RecordedTopic, ...], timeout_s: float = 60.0
    ) -> None:
        """Until the recorder subscribes to every listed topic that has a publisher now, so the
        first episode is recorded from its reset on."""
        deadline = time.monotonic() + timeout_s
        missing = [t.name for t in topics]
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise InvalidInput(
                    f"the recorder exited ({self._process.returncode}): see {self._log.name}"
                )
            missing = [
                t.name
                for t in topics
                if node.count_publishers(t.name)
                and not any(
                    i.node_name == NODE_NAME for i in node.get_subscriptions_info_by_topic(t.name)
                )
            ]
            if not missing:
                return
            time.sleep(0.1)
        raise InvalidInput(f"the recorder did not subscribe to {missing} within {timeout_s} s")

    def stop(self, timeout_s: float = 120.0) -> int:
        """SIGINT, then wait until the open bag is closed (its metadata written); the exit code."""
        if self._process.poll() is None:
            self._process.send_signal(signal.SIGINT)
        try:
            code = self._process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self._process.kill()
            code = self._process.wait()
        self._log.close()
        return code


@contextmanager
def recording_alongside(
    out: Path | None, robot: str, backend: str, logs: Path
) -> Iterator[RecorderProcess | None]:
    """A recorder into `out` for the duration of the block (None: no recording, nothing started);
    on the way out it is stopped and its bags closed, whatever ended the block."""
    if out is None:
        yield None
        return
    recorder = RecorderProcess(robot, backend, out, logs / "recorder.log")
    try:
        yield recorder
    finally:
        code = recorder.stop()
        if code != 0:
            print(
                f"vla-ros: error: the recorder exited {code} (log: {logs / 'recorder.log'})",
                file=sys.stderr,
            )
