"""The thread that writes bags, so that compression and disk I/O never run on a subscription callback.

Callbacks only enqueue (topic, time, bytes); a slow disk grows the queue (its peak is reported)
instead of making the middleware drop messages.
"""

from __future__ import annotations

import queue
import threading
import traceback
from typing import Any

from vla_ros.recording.bag_file import TopicInfo
from vla_ros.recording.session import RecordingSession

_STOP = object()


class WriterThread(threading.Thread):
    def __init__(self, session: RecordingSession) -> None:
        super().__init__(name="bag_writer", daemon=True)
        self.session = session
        self.error: str | None = None
        self.peak_backlog = 0
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._message = session.message

    def add_topic(self, topic: TopicInfo, latched: bool) -> None:
        self._queue.put((self.session.add_topic, topic, latched))

    def set_backend(self, backend: str) -> None:
        self._queue.put((self.session.set_backend, backend))

    def put(self, topic: str, time_ns: int, data: bytes) -> None:
        """Called on the executor's thread by every subscription callback: O(1), no I/O."""
        self._queue.put((self._message, topic, time_ns, data))

    def stop(self, timeout_s: float | None = None) -> None:
        """Write what is queued, close the open bag, end the thread."""
        self._queue.put(_STOP)
        self.join(timeout_s)

    def run(self) -> None:
        try:
            while (item := self._queue.get()) is not _STOP:
                self.peak_backlog = max(self.peak_backlog, self._queue.qsize())
                item[0](*item[1:])  # (session method, its arguments), in arrival order
        except Exception:  # noqa: BLE001 - reported by the recorder, which then stops with exit 1
            self.error = traceback.format_exc()
        finally:
            self.session.finish()
