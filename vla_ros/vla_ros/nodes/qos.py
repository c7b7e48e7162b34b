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
# Joint states: best effort, a few deep (rclpy's sensor-data profile): the assembler interpolates
# joints at each frame's stamp from a history, so samples that land while a frame decodes are kept.
SENSOR = qos_profile_sensor_data
# Camera frames: best effort, newest only. A frame superseded by a newer one is worthless to a
# policy, and at 1280x720 each queued one is megabytes held and decoded for nothing: depth 1 lets
# DDS drop the stale ones before the node ever sees them.
SENSOR_FRAMES = QoSProfile(
    depth=1,
    history=HistoryPolicy.KEEP_LAST,
    durability=DurabilityPolicy.VOLATILE,
    reliability=ReliabilityPolicy.BEST_EFFORT,
)
# Episode boundaries (/vla/episode): none may be lost, a recorder started late still sees the last few.
EPISODE_EVENTS = QoSProfile(
    depth=10,
    history=HistoryPolicy.KEEP_LAST,
    durability=DurabilityPolicy.TRANSIENT_LOCAL,
    reliability=ReliabilityPolicy.RELIABLE,
)
