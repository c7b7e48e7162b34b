"""QoS profiles shared by the graph."""

from rclpy.qos import (
    DurabilityPolicy,
    HistoryPolicy,
    QoSProfile,
    ReliabilityPolicy,
    qos_profile_sensor_data,
)

# Latest value matters, late joiners get it (instructions, robot_description).
LATCHED = QoSProfile(
    depth=1,
    history=HistoryPolicy.KEEP_LAST,
    durability=DurabilityPolicy.TRANSIENT_LOCAL,
    reliability=ReliabilityPolicy.RELIABLE,
)
# Control-rate streams: never queue old commands behind new ones.
CONTROL = QoSProfile(
    depth=1, history=HistoryPolicy.KEEP_LAST, reliability=ReliabilityPolicy.RELIABLE
)
SENSOR = qos_profile_sensor_data
# Episode boundaries (/vla/episode): none may be lost, a recorder started late still sees the last few.
EPISODE_EVENTS = QoSProfile(
    depth=10,
    history=HistoryPolicy.KEEP_LAST,
    durability=DurabilityPolicy.TRANSIENT_LOCAL,
    reliability=ReliabilityPolicy.RELIABLE,
)
