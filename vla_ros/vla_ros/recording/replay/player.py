"""Plays a bag's sensor topics into the graph on the bag's clock.

Messages go out as the CDR bytes the bag holds (no conversion can alter them), in record-time order,
each after /clock has reached its record time; between messages /clock ticks every CLOCK_PERIOD_S
of bag time so the nodes' timers run as they did when the bag was recorded.

Modes:
- realtime: bag time at wall-clock speed; fast: `speed` times faster. The policy runs as it would
  on the robot, so a slow policy answers fewer observations (like live).
- step: as fast as the graph goes, but after each complete camera set (every camera has a new frame,
  the rule by which camera_ingest emits an observation) it waits for the observation and then for
  the policy's chunk answering it (or a timeout, counted), with the clock held. Every observation is
  answered, whatever the policy's speed: two step runs of one bag give the same chunks.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from rclpy.node import Node
from rclpy.parameter import Parameter
from rclpy.publisher import Publisher
from rclpy.qos import QoSProfile, ReliabilityPolicy
from rosgraph_msgs.msg import Clock

from vla_ros.core.types import InvalidInput
from vla_ros.nodes.managed import s_to_stamp
from vla_ros.nodes.qos import EPISODE_EVENTS, LATCHED
from vla_ros.recording.bag_reader import EPISODE_TOPIC, RecordedBag
from vla_ros.recording.replay.bag_plan import ReplayBag, message_class
from vla_ros.recording.replay.collector import OutputCollector

MODES = ("realtime", "fast", "step")
CHUNK_TOPIC = "/vla/action_chunk"
# Child processes (--processes split|each) and model backends may take this long to come up.
GRAPH_READY_TIMEOUT_S = 120.0
CLOCK_PERIOD_S = 0.01
# Step mode: wall time given to the nodes' timers at each clock tick (without it the executor and
# the projector would see the clock leap, and hold for stale commands no live run would see).
STEP_TICK_PAUSE_S = 0.002
# Reliable, so a subscriber that asks for reliability gets it; best-effort subscribers (sensor
# QoS) still match.
PLAYED = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE)
QOS_BY_TOPIC = {"/vla/instruction": LATCHED, EPISODE_TOPIC: EPISODE_EVENTS}


class GraphNotReady(RuntimeError):
    """The graph's nodes did not subscribe to the played topics, or the policy never served."""


@dataclass(frozen=True)
class PlayMode:
    """How a bag is played.

    name: realtime | fast | step
    speed: bag seconds per wall second (fast mode)
    step_timeout_s: step mode: wall seconds to wait for an observation's chunk
    observation_timeout_s: step mode: wall seconds to wait for the observation of a camera set
    drain_s: wall seconds to wait at a bag's end for outputs still in flight
    """

    name: str = "step"
    speed: float = 1.0
    step_timeout_s: float = 10.0
    observation_timeout_s: float = 1.0
    drain_s: float = 0.5

    def __post_init__(self) -> None:
        if self.name not in MODES:
            raise InvalidInput(f"--mode {self.name!r} is not one of {list(MODES)}")
        for name in ("speed", "step_timeout_s", "observation_timeout_s"):
            if not getattr(self, name) > 0.0:
                raise InvalidInput(f"{name} must be > 0, got {getattr(self, name)}")

    @property
    def wall_per_bag_s(self) -> float:
        return {"realtime": 1.0, "fast": 1.0 / self.speed, "step": 0.0}[self.name]


class BagPlayer(Node):
    def __init__(self) -> None:
        super().__init__(
            "vla_ros_replay_player", parameter_overrides=[Parameter("use_sim_time", value=False)]
        )
        self._clock = self.create_publisher(Clock, "/clock", PLAYED)
        self._played: dict[str, Publisher] = {}
        self._clock_s: float | None = None

    def play(self, bag: ReplayBag, mode: PlayMode, collector: OutputCollector) -> list[float]:
        """Play `bag`; returns the bag times of step-mode observations whose chunk never came
        (`collector`: the graph's outputs, which step mode waits on)."""
        self._connect(bag)
        timeouts: list[float] = []
        pending = set(bag.camera_topics)
        self._clock_s = None  # a bag's clock may start before the previous bag's end
        wall_zero, bag_zero = time.monotonic(), bag.start_s
        with RecordedBag(bag.path) as reader:
            for message in reader.messages(bag.played, raw=True):
                self._advance_clock(message.time_s, mode, wall_zero, bag_zero)
                completes_set = mode.name == "step" and pending == {message.topic}
                pending.discard(message.topic)
                seen = collector.last_observation
                self._played[message.topic].publish(message.msg)
                if completes_set:
                    pending = set(bag.camera_topics)
                    if not _answered(collector, seen, mode):
                        timeouts.append(message.time_s)
        if mode.name != "step":
            time.sleep(mode.drain_s)
        return timeouts

    def _connect(self, bag: ReplayBag) -> None:
        """Publishers for the bag's topics, matched with the graph's subscribers, and the policy
        serving (its chunk publisher exists once its backend has loaded), before anything plays:
        messages sent before discovery completes would be lost."""
        for topic, msgtype in bag.played.items():
            if topic not in self._played:
                self._played[topic] = self.create_publisher(
                    message_class(msgtype), topic, QOS_BY_TOPIC.get(topic, PLAYED)
                )
        needed = [self._clock, *(self._played[t] for t in bag.camera_topics)]
        deadline = time.monotonic() + GRAPH_READY_TIMEOUT_S
        while True:
            waiting = [p.topic_name for p in needed if p.get_subscription_count() == 0]
            if not self.count_publishers(CHUNK_TOPIC):
                waiting.append(f"{CHUNK_TOPIC} (publisher)")
            if not waiting:
                return
            if time.monotonic() > deadline:
                raise GraphNotReady(
                    f"after {GRAPH_READY_TIMEOUT_S:g} s nothing in the graph matches {waiting}"
                )
            time.sleep(0.05)

    def _advance_clock(
        self, to_s: float, mode: PlayMode, wall_zero: float, bag_zero: float
    ) -> None:
        """Publish /clock up to `to_s` in CLOCK_PERIOD_S ticks, each at its wall time when paced."""
        if self._clock_s is not None and to_s <= self._clock_s:
            return
        tick = to_s if self._clock_s is None else self._clock_s + CLOCK_PERIOD_S
        while True:
            tick = min(tick, to_s)
            if mode.wall_per_bag_s:
                delay = wall_zero + (tick - bag_zero) * mode.wall_per_bag_s - time.monotonic()
                if delay > 0.0:
                    time.sleep(delay)
            else:
                time.sleep(STEP_TICK_PAUSE_S)
            self._clock.publish(Clock(clock=s_to_stamp(tick)))
            self._clock_s = tick
            if tick >= to_s:
                return
            tick += CLOCK_PERIOD_S


def _answered(collector: OutputCollector, seen: int, mode: PlayMode) -> bool:
    """Step mode: wait for the observation of the camera set just published (newer than
    `seen`), then its chunk. False when no chunk came (a timeout, or the policy reported the
    inference failed); a set that camera_ingest did not turn into an observation (a stale camera,
    no joint state yet) is skipped, as live."""
    if not collector.wait_until(
        lambda: collector.last_observation > seen, mode.observation_timeout_s
    ):
        return True
    sequence, errors = collector.last_observation, collector.policy_errors
    collector.wait_until(
        lambda: collector.last_chunk >= sequence or collector.policy_errors > errors,
        mode.step_timeout_s,
    )
    return collector.last_chunk >= sequence
