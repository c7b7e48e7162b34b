"""Deployed chunk executors, run from their installed code on the bench's simulated clock.

Both sit behind the submit/tick/request_due/mark_requested/stats interface of
vla_ros.core.chunking.closed_loop.replay. Their own code decides what to execute and when to ask;
the glue below only replaces what needs gRPC, a websocket or a real robot (RE_IMPLEMENTED says what).
"""

from __future__ import annotations

import contextlib
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from queue import Queue
from types import SimpleNamespace

import numpy as np
from openpi_client.action_chunk_broker import ActionChunkBroker
from openpi_client.base_policy import BasePolicy

from vla_ros.backends.torch_runtime import ensure_torchvision_importable
from vla_ros.core.types import ActionChunk, Command, CommandSpace

ensure_torchvision_importable()
# lerobot.async_inference opens log files under ./logs at import: keep them out of the repository.
with contextlib.chdir(tempfile.mkdtemp(prefix="lerobot_logs_")):
    import torch
    from lerobot.async_inference.configs import AGGREGATE_FUNCTIONS, PolicyServerConfig
    from lerobot.async_inference.helpers import TimedObservation
    from lerobot.async_inference.policy_server import PolicyServer
    from lerobot.async_inference.robot_client import RobotClient
    from lerobot.datasets.utils import hw_to_dataset_features
    from lerobot.utils.constants import OBS_STR
RE_IMPLEMENTED = (
    "LeRobot 0.4.4 (imported: RobotClient.control_loop_action, _ready_to_send_observation "
    "[chunk_size_threshold], control_loop_observation [timestep, must_go], _aggregate_action_queues "
    "with AGGREGATE_FUNCTIONS; PolicyServer._enqueue_observation [must_go, predicted-timestep and "
    "observations_similar filter, queue of 1], _time_action_chunk). Re-implemented: the gRPC calls "
    "(SendObservations -> _enqueue_observation; GetActions: one inference at a time on the queued "
    "observation, as the server's loop does), the 'action_chunk_size = max(...)' line of "
    "receive_actions, and the robot (state in degrees, so observations_similar's atol=1 means 1 degree "
    "as on an SO-100). As in LeRobot, requests follow the queue (send while qsize/chunk <= 0.5, "
    "the server infers back to back on the newest observation that passes its filter) and the first "
    "chunk (timesteps from 0, latest_action -1) runs from its action 0 on arrival, late by the first "
    "call's latency; after a starved queue the same happens. Not matched: LeRobot's two threads run "
    "in lockstep on the bench clock, and gRPC/pickle time is left out.\n"
    "openpi-client 0.1.2 (imported: ActionChunkBroker, executing all H or N of H actions). "
    "Re-implemented: the blocking websocket infer (the loop stops for the latency).\n"
    "Both: an action sent at an env tick is reached one env step later, linearly (a positions-only "
    "JointTrajectoryController); LeRobot peeks its queue head for it. Starvation: time with no action."
)


class Track:
    """The commanded path of a step-wise client: each action reached one env step after it is sent."""

    def __init__(self, dt: float) -> None:
        self.dt = dt
        self.start: tuple[float, np.ndarray] | None = None
        self.target: np.ndarray | None = None
        self.starvation_time = 0.0
        self._last_sample: float | None = None

    def send(self, now: float, target: np.ndarray) -> None:
        current = self.value(now) if self.start is not None else target
        self.start, self.target = (now, current), np.asarray(target, dtype=float)

    def value(self, now: float) -> np.ndarray:
        t0, v0 = self.start
        u = min(max((now - t0) / self.dt, 0.0), 1.0)
        return v0 + u * (self.target - v0)

    def sample(self, now: float) -> Command | None:
        if self.start is None:
            return None
        end = self.start[0] + self.dt
        if now > end + 1e-9 and self._last_sample is not None:
            self.starvation_time += now - max(self._last_sample, end)
        self._last_sample = now
        return Command(now, CommandSpace.JOINT_POSITION, (), self.value(now))

    def stats(self, now: float) -> SimpleNamespace:
        return SimpleNamespace(starvation_time=self.starvation_time)


class _BenchRobot:
    """What RobotClient reads and writes of a robot: state in degrees, actions by feature name."""

    def __init__(self, dim_names: tuple[str, ...]) -> None:
        self.action_features = {f"{name}.pos": float for name in dim_names}
        self.observation_features = dict(self.action_features)
        self.position = np.zeros(len(dim_names))

    def get_observation(self) -> dict[str, float]:
        return dict(zip(self.observation_features, np.degrees(self.position), strict=True))

    def send_action(self, action: dict[str, float]) -> dict[str, float]:
        self.position = np.array([action[key] for key in self.action_features])
        return action


class LeRobotAsync:
    """LeRobot 0.4.4's async RobotClient + PolicyServer pair; control loop at fps = 1 / chunk dt."""

    def __init__(
        self,
        dim_names: tuple[str, ...],
        dt: float,
        horizon: int,
        aggregate: str = "weighted_average",
        threshold: float = 0.5,
    ) -> None:
        self.name = f"lerobot_{aggregate}"
        self.dt = dt
        self.robot = _BenchRobot(dim_names)
        self.track = Track(dt)
        # RobotClient.__init__ connects a robot and opens a gRPC channel: set its state by hand.
        client = self.client = RobotClient.__new__(RobotClient)
        client.config = SimpleNamespace(aggregate_fn=AGGREGATE_FUNCTIONS[aggregate])
        client.robot = self.robot
        client.shutdown_event = threading.Event()
        client.latest_action_lock = threading.Lock()
        client.latest_action = -1
        client.action_chunk_size = -1
        client._chunk_size_threshold = threshold
        client.action_queue = Queue()
        client.action_queue_lock = threading.Lock()
        client.action_queue_size = []
        client.must_go = threading.Event()
        client.must_go.set()
        client.send_observation = self._send_observation
        self.server = PolicyServer(PolicyServerConfig(fps=round(1.0 / dt)))
        self.server.lerobot_features = hw_to_dataset_features(
            self.robot.observation_features, OBS_STR, use_video=False
        )
        self.server.actions_per_chunk = horizon
        self.in_flight: TimedObservation | None = None
        self._clock = 0.0  # time of the control loop's current iteration
        self._sent_at: dict[int, float] = {}  # observation timestep -> bench time it was captured
        self._next_step = 0.0

    def policy(self, chunk_at: Callable[[float], ActionChunk]) -> Callable[[float], ActionChunk]:
        """The stream answers the observation being inferred (captured at an env tick), not `now`."""
        return lambda now: chunk_at(self._sent_at[self.in_flight.get_timestep()])

    def _send_observation(self, observation: TimedObservation) -> bool:
        self._sent_at[observation.get_timestep()] = self._clock
        self.server._enqueue_observation(observation)
        return True

    def _advance(self, now: float) -> None:
        client = self.client
        while self._next_step <= now + 1e-9:
            self._clock = self._next_step
            if client.actions_available():
                client.control_loop_action()
                head = list(client.action_queue.queue)[:1]
                self.track.send(
                    self._clock, head[0].get_action().numpy() if head else self.robot.position
                )
            if client._ready_to_send_observation():
                client.control_loop_observation(task="bench")
            self._next_step += self.dt

    def request_due(self, now: float) -> bool:
        self._advance(now)
        return self.in_flight is None and not self.server.observation_queue.empty()

    def mark_requested(self, now: float) -> None:
        observation = self.server.observation_queue.get_nowait()
        self.server._predicted_timesteps.add(observation.get_timestep())
        self.server.last_processed_obs = observation
        self.in_flight = observation

    def submit(self, chunk: ActionChunk, now: float) -> None:
        observation, self.in_flight = self.in_flight, None
        actions = self.server._time_action_chunk(
            observation.get_timestamp(),
            list(torch.as_tensor(chunk.actions, dtype=torch.float64)),
            observation.get_timestep(),
        )
        self.client.action_chunk_size = max(self.client.action_chunk_size, len(actions))
        self.client._aggregate_action_queues(actions, self.client.config.aggregate_fn)
        self.client.must_go.set()

    def tick(self, now: float) -> Command | None:
        self._advance(now)
        return self.track.sample(now)

    def stats(self, now: float) -> SimpleNamespace:
        return self.track.stats(now)


class ChunkNotHere(Exception):
    """The broker asked its policy for a chunk: the synchronous call starts (and blocks)."""


@dataclass
class _DeliveredChunk(BasePolicy):
    chunk: ActionChunk | None = None

    def infer(self, obs: dict) -> dict:
        if self.chunk is None:
            raise ChunkNotHere
        actions, self.chunk = self.chunk.actions, None
        return {"actions": actions}


class OpenpiBroker:
    """openpi-client's ActionChunkBroker in a synchronous loop at 1 / chunk dt: execute N actions,
    then infer on the newest observation while the arm holds (the loop stops for the latency)."""

    def __init__(self, dt: float, horizon: int, execute: int | None = None) -> None:
        self.name = "openpi_broker" + (f"_{execute}of{horizon}" if execute else "")
        self.dt = dt
        self.track = Track(dt)
        self._source = _DeliveredChunk()
        self.broker = ActionChunkBroker(self._source, action_horizon=execute or horizon)
        self._next_step: float | None = None  # None: blocked in infer
        self._waiting = True
        self._in_flight = False

    def _advance(self, now: float) -> None:
        while self._next_step is not None and self._next_step <= now + 1e-9:
            try:
                self.track.send(self._next_step, self.broker.infer({})["actions"])
                self._next_step += self.dt
            except ChunkNotHere:
                self._next_step, self._waiting = None, True

    def request_due(self, now: float) -> bool:
        self._advance(now)
        return self._waiting and not self._in_flight

    def mark_requested(self, now: float) -> None:
        self._in_flight = True

    def submit(self, chunk: ActionChunk, now: float) -> None:
        self._source.chunk = chunk
        self._waiting = self._in_flight = False
        self._next_step = now

    def tick(self, now: float) -> Command | None:
        self._advance(now)
        return self.track.sample(now)

    def stats(self, now: float) -> SimpleNamespace:
        return self.track.stats(now)
