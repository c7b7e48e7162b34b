"""How a recorder subscribes to a topic so that it matches every publisher and loses nothing."""

from __future__ import annotations

from dataclasses import dataclass

from vla_ros.core.recording.topics import QosClass, RecordedTopic


@dataclass(frozen=True)
class OfferedQos:
    """The part of a publisher's QoS that decides whether a subscription matches it."""

    reliable: bool
    transient_local: bool


@dataclass(frozen=True)
class SubscriptionQos:
    reliable: bool
    transient_local: bool
    depth: int


def subscription_qos(topic: RecordedTopic, offers: list[OfferedQos]) -> SubscriptionQos:
    """rosbag2's rule: ask for reliable (or transient local) only when every publisher offers it.

    A reliable request does not match a best-effort publisher (nothing would be received), while a
    best-effort request to a reliable publisher lets the middleware drop; so reliable wherever all
    publishers allow it. Without publishers yet, the topic's QoS class decides.
    """
    if offers:
        reliable = all(o.reliable for o in offers)
        transient_local = all(o.transient_local for o in offers)
    else:
        reliable = topic.qos is not QosClass.SENSOR
        transient_local = topic.qos is QosClass.LATCHED
    return SubscriptionQos(reliable, transient_local, topic.queue_depth)
