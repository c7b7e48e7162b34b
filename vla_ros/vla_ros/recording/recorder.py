"""The recorder node: raw subscriptions to the recorded topics as their publishers appear.

Raw: the callback gets the serialized CDR bytes (no deserialization, no Python message), stamps
them with the node's clock (sim time under use_sim_time, as rosbag2 does) and queues them for the
writer thread. QoS follows the publishers (core/recording/subscription.py).
"""

from __future__ import annotations

import importlib
import time
from collections import Counter

from rcl_interfaces.srv import GetParameters
from rclpy.client import Client
from rclpy.node import Node
from rclpy.parameter import Parameter
from rclpy.qos import DurabilityPolicy, HistoryPolicy, QoSProfile, ReliabilityPolicy
from rosbags.interfaces import (
    Qos,
    QosDurability,
    QosHistory,
    QosLiveliness,
    QosReliability,
    QosTime,
)

from vla_ros.core.recording.subscription import OfferedQos, subscription_qos
from vla_ros.core.recording.topics import ACTION_CHUNK_TOPIC, QosClass, RecordedTopic
from vla_ros.recording.bag_file import TopicInfo
from vla_ros.recording.writer_thread import WriterThread

NODE_NAME = "vla_recorder"
BACKEND_PARAMETER = "backend"  # of the policy node (nodes/node_parameters.py VlaPolicyParameters)
DISCOVERY_PERIOD_S = 0.1  # rosbag2's default topic polling interval
# A backend question not answered (or answered empty) within this long is asked again: one request
# lost on a loaded machine left a bag's metadata without its backend (CI, once).
BACKEND_RETRY_S = 1.0
# What the ROS graph cache (rmw_dds_common) names an endpoint whose node it does not know yet: its
# participant's node list has not arrived (discovery under way) or it is no ROS node at all.
UNKNOWN_NODE_NAMES = frozenset({"_NODE_NAME_UNKNOWN_", "_CREATED_BY_BARE_DDS_APP_"})
_INFINITE_NS = 2**63 - 1


class RecorderNode(Node):
    def __init__(
        self,
        topics: tuple[RecordedTopic, ...],
        writer: WriterThread,
        use_sim_time: bool,
        known_types: set[str],
        backend_known: bool = False,
    ) -> None:
        super().__init__(
            NODE_NAME, parameter_overrides=[Parameter("use_sim_time", value=use_sim_time)]
        )
        self.received: Counter[str] = Counter()
        self.skipped: dict[str, str] = {}  # topic -> why it is not recorded
        self._wanted = {t.name: t for t in topics}
        self._writer = writer
        self._known_types = known_types
        self._subscribed: set[str] = set()
        # Without --backend: the policy node (the publisher of the chunks) is asked for its backend.
        self._backend_client: Client | None = None  # the policy node's get_parameters
        self._backend_client_of = ""  # that node's name
        self._backend_known = backend_known
        self._backend_asked_at = -float("inf")  # time.monotonic() of the last question
        self.create_timer(DISCOVERY_PERIOD_S, self._discover)
        self._discover()

    def _discover(self) -> None:
        graph = dict(self.get_topic_names_and_types())
        for name, topic in self._wanted.items():
            if name in self._subscribed or name in self.skipped or name not in graph:
                continue
            publishers = self.get_publishers_info_by_topic(name)
            if not publishers:
                continue  # a subscriber alone made it appear: wait for a publisher's QoS
            self._subscribe(topic, graph[name][0], publishers)
        if not self._backend_known:
            self._ask_backend()

    def _policy_node(self) -> str:
        """The fully qualified name of the chunks' publisher ("" while none is known by name)."""
        for endpoint in self.get_publishers_info_by_topic(ACTION_CHUNK_TOPIC):
            if endpoint.node_name not in UNKNOWN_NODE_NAMES:
                return f"{endpoint.node_namespace.rstrip('/')}/{endpoint.node_name}"
        return ""

    def _ask_backend(self) -> None:
        # Looked up on every pass until answered: a publisher seen before its node's name arrived,
        # or a policy node replaced by another, must not leave the question with nobody to ask.
        policy = self._policy_node()
        if not policy:
            return
        if policy != self._backend_client_of:
            if self._backend_client is not None:
                self.destroy_client(self._backend_client)
            self._backend_client = self.create_client(GetParameters, f"{policy}/get_parameters")
            self._backend_client_of = policy
            self._backend_asked_at = -float("inf")
        if not self._backend_client.service_is_ready():
            return  # asked on a later pass: a request before the service is matched may be lost
        if time.monotonic() - self._backend_asked_at < BACKEND_RETRY_S:
            return
        self._backend_asked_at = time.monotonic()
        request = GetParameters.Request(names=[BACKEND_PARAMETER])
        self._backend_client.call_async(request).add_done_callback(self._on_backend)

    def _on_backend(self, future) -> None:
        response = future.result()
        if response is not None and response.values and response.values[0].string_value:
            self._backend_known = True
            self._writer.set_backend(response.values[0].string_value)

    def _subscribe(self, topic: RecordedTopic, msgtype: str, publishers: list) -> None:
        if topic.msgtype and msgtype != topic.msgtype:
            self._skip(topic.name, f"type {msgtype} on the graph, {topic.msgtype} expected")
            return
        if msgtype not in self._known_types:
            self._skip(topic.name, f"type {msgtype} has no definition for the bag")
            return
        try:
            package, kind, name = msgtype.split("/")
            msg_class = getattr(importlib.import_module(f"{package}.{kind}"), name)
        except (ImportError, AttributeError, ValueError) as error:
            self._skip(topic.name, f"type {msgtype} cannot be imported ({error})")
            return
        offered = [p.qos_profile for p in publishers]
        choice = subscription_qos(
            topic,
            [
                OfferedQos(
                    q.reliability == ReliabilityPolicy.RELIABLE,
                    q.durability == DurabilityPolicy.TRANSIENT_LOCAL,
                )
                for q in offered
            ],
        )
        qos = QoSProfile(
            history=HistoryPolicy.KEEP_LAST,
            depth=choice.depth,
            reliability=(
                ReliabilityPolicy.RELIABLE if choice.reliable else ReliabilityPolicy.BEST_EFFORT
            ),
            durability=(
                DurabilityPolicy.TRANSIENT_LOCAL
                if choice.transient_local
                else DurabilityPolicy.VOLATILE
            ),
        )
        info = TopicInfo(topic.name, msgtype, tuple(_bag_qos(q) for q in offered))
        self._writer.add_topic(info, latched=topic.qos is QosClass.LATCHED)
        self.create_subscription(msg_class, topic.name, self._callback(topic.name), qos, raw=True)
        self._subscribed.add(topic.name)
        self.get_logger().info(
            f"recording {topic.name} [{msgtype}] "
            f"({'reliable' if choice.reliable else 'best effort'}"
            f"{', transient local' if choice.transient_local else ''}, depth {choice.depth})"
        )

    def _callback(self, topic: str):
        clock, put, received = self.get_clock(), self._writer.put, self.received

        def on_message(data: bytes) -> None:
            received[topic] += 1
            put(topic, clock.now().nanoseconds, data)

        return on_message

    def _skip(self, topic: str, why: str) -> None:
        self.skipped[topic] = why
        self.get_logger().warning(f"not recording {topic}: {why}")


def _bag_qos(profile: QoSProfile) -> Qos:
    """A publisher's offered QoS as rosbag2 metadata stores it (enum values are rmw's, shared)."""
    return Qos(
        QosHistory(int(profile.history)),
        profile.depth,
        QosReliability(int(profile.reliability)),
        QosDurability(int(profile.durability)),
        _bag_time(profile.deadline.nanoseconds),
        _bag_time(profile.lifespan.nanoseconds),
        QosLiveliness(int(profile.liveliness)),
        _bag_time(profile.liveliness_lease_duration.nanoseconds),
        bool(profile.avoid_ros_namespace_conventions),
    )


def _bag_time(nanoseconds: int) -> QosTime:
    if nanoseconds >= _INFINITE_NS:  # rmw's "infinite", as rosbag2 writes it
        return QosTime(2147483647, 4294967295)
    return QosTime(nanoseconds // 1_000_000_000, nanoseconds % 1_000_000_000)
