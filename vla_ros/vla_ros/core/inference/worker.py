"""Runs a Policy on its own thread so no control loop ever waits for a model.

Observations that arrive while an inference runs are coalesced to the newest one. In `continuous`
mode every new observation is inferred as soon as the model is free; in `on_request` mode an
inference starts only when the chunk executor asks for one (it knows when its queue runs dry), on
the newest observation at that moment. The first observation is always inferred (cold start).

A policy that raises NotReady (an input it needs has not arrived yet, e.g. the scripted expert's
object poses right after a sim starts) is waited for, not reported as failing: counted, announced
once per wait through `on_not_ready`, and its next observation is inferred as a cold start again.

Inference time is measured here, around the call, and nowhere else: a chunk carries it as its
`timing.inference` unless its backend reported a split the worker cannot see (a remote backend's
local encoding, round trip to the server and decoding).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from vla_ros.core.inference.policy import Policy
from vla_ros.core.types import ActionChunk, InferenceTiming, InvalidInput, NotReady, Observation

TRIGGER_MODES = ("continuous", "on_request")


@dataclass
class WorkerStats:
    inferences: int = 0
    coalesced: int = 0
    errors: int = 0
    last_latency_s: float = 0.0
    last_error: str = ""
    not_ready: int = 0  # inferences that found the policy waiting for an input
    waiting_for: str = ""  # what it waits for, while it does


class InferenceWorker:
    def __init__(
        self,
        policy: Policy,
        on_chunk: Callable[[ActionChunk], None],
        on_error: Callable[[Exception], None],
        trigger: str = "continuous",
        on_not_ready: Callable[[NotReady], None] | None = None,
        prepare: Callable[[Observation], Observation] | None = None,
    ) -> None:
        """`prepare` completes an observation just before it is inferred (the newest RTC prefix is
        published right before the request that starts the inference, after the observation)."""
        if trigger not in TRIGGER_MODES:
            raise InvalidInput(f"trigger '{trigger}' is not one of {list(TRIGGER_MODES)}")
        self.policy = policy
        self.stats = WorkerStats()
        self._on_chunk, self._on_error, self._trigger = on_chunk, on_error, trigger
        self._on_not_ready = on_not_ready
        self._prepare = prepare
        self._condition = threading.Condition()
        self._pending: Observation | None = None
        self._requested = False
        self._served_any = False
        self._running = False
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._running = True
        self._thread = threading.Thread(target=self._loop, name="vla_inference", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        with self._condition:
            self._running = False
            self._condition.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)

    def submit(self, observation: Observation) -> None:
        with self._condition:
            if self._pending is not None:
                self.stats.coalesced += 1
            self._pending = observation
            self._condition.notify_all()

    def request(self) -> None:
        with self._condition:
            self._requested = True
            self._condition.notify_all()

    def reset(self, at_s: float | None = None) -> None:
        """Drop the policy's episode state and the pending observation (new task or episode).

        `at_s`: when the world changed (a reset's stamp): a pending observation captured at or after
        it shows the new world and is kept. The reset and the observations travel on different
        topics, so the first observation of an episode may arrive before the reset that opened it
        (seen in `vla-ros replay`: a chunk that never came)."""
        with self._condition:
            if at_s is None or self._pending is None or self._pending.stamp < at_s:
                self._pending = None
            self._served_any = False
            self.policy.reset()

    def _ready(self) -> bool:
        if self._pending is None:
            return False
        return self._trigger == "continuous" or self._requested or not self._served_any

    def _loop(self) -> None:
        while True:
            with self._condition:
                self._condition.wait_for(lambda: not self._running or self._ready())
                if not self._running:
                    return
                observation, self._pending = self._pending, None
                self._requested = False
                self._served_any = True
            self._infer(observation)

    def _infer(self, observation: Observation) -> None:
        started = time.perf_counter()
        if self._prepare is not None:
            observation = self._prepare(observation)
        try:
            chunk = self.policy.infer(observation)
        except NotReady as waiting:
            self._wait(waiting)
            return
        except Exception as error:  # noqa: BLE001 - a failing model is reported, never fatal
            self.stats.errors += 1
            self.stats.last_error = f"{type(error).__name__}: {error}"
            self._on_error(error)
            return
        elapsed = time.perf_counter() - started
        self.stats.inferences += 1
        self.stats.last_latency_s = elapsed
        self.stats.last_error = ""
        self.stats.waiting_for = ""
        if chunk.timing.total == 0.0:
            chunk = replace(chunk, timing=InferenceTiming(inference=elapsed))
        self._on_chunk(replace(chunk, observation_sequence=observation.sequence))

    def _wait(self, waiting: NotReady) -> None:
        first = not self.stats.waiting_for
        self.stats.not_ready += 1
        self.stats.waiting_for = str(waiting) or type(waiting).__name__
        with self._condition:
            self._served_any = (
                False  # nothing was served: the next observation is a cold start again
            )
        if first and self._on_not_ready is not None:
            self._on_not_ready(waiting)
