"""What a recording of a robot's graph holds: each topic, its type and its QoS class.

One list feeds `vla-ros record` (which subscribes to it) and the YAML files shipped for
`ros2 bag record` on a full ROS install (config/record/), so the two record the same bag.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from vla_ros.core.robot.config import RobotConfig
from vla_ros.core.types import InvalidInput


class QosClass(Enum):
    """How a topic's publishers send, and so how a recorder must subscribe to keep every message.

    SENSOR: drivers publish best effort (a recorder asking for reliable would not match them)
    RELIABLE: the graph's own streams, reliable and volatile
    LATCHED: reliable + transient local: a recorder started late still gets the last message(s)
    """

    SENSOR = "sensor"
    RELIABLE = "reliable"
    LATCHED = "latched"


# Subscription queue depth per class: what the middleware holds while the recorder's executor is
# busy or starved (about 3 s of a 30 Hz camera); faster topics set their own depth.
DEPTH = {QosClass.SENSOR: 100, QosClass.RELIABLE: 1000, QosClass.LATCHED: 1}
# Joint states come at up to 1 kHz (real arms): a second of them rides out a starved recorder.
JOINT_STATE_DEPTH = 1000
# rcl_action's status topic of a goal server (rcl_action_qos_profile_status_default: latched).
ACTION_STATUS_SUFFIX = "/_action/status"
RUN_TASK_ACTION = "/vla/run_task"
EPISODE_TOPIC = "/vla/episode"
# Its first message in a bag names the bag's model (ActionChunk.model_id).
ACTION_CHUNK_TOPIC = "/vla/action_chunk"
RESET_TOPIC = "/vla/reset"
CLOCK_TOPIC = "/clock"


@dataclass(frozen=True)
class RecordedTopic:
    name: str
    msgtype: str  # ROS 2 form: "sensor_msgs/msg/Image"
    qos: QosClass
    depth: int = 0  # 0: DEPTH[qos]

    @property
    def queue_depth(self) -> int:
        return self.depth or DEPTH[self.qos]


# The graph's own topics (nodes/*.py publish them), in the order a reader meets them.
_GRAPH_TOPICS = (
    ("/vla/instruction", "std_msgs/msg/String", QosClass.LATCHED, 0),
    ("/vla/observation", "vla_ros_msgs/msg/Observation", QosClass.RELIABLE, 100),
    (ACTION_CHUNK_TOPIC, "vla_ros_msgs/msg/ActionChunk", QosClass.RELIABLE, 100),
    ("/vla/rtc_prefix", "vla_ros_msgs/msg/ActionChunk", QosClass.RELIABLE, 100),
    ("/vla/command", "vla_ros_msgs/msg/Command", QosClass.RELIABLE, 0),
    ("/vla/safe_joint_command", "sensor_msgs/msg/JointState", QosClass.RELIABLE, 0),
    ("/vla/safety_status", "vla_ros_msgs/msg/SafetyStatus", QosClass.RELIABLE, 0),
    ("/vla/executor_status", "vla_ros_msgs/msg/ExecutorStatus", QosClass.RELIABLE, 0),
    ("/sim/task_status", "vla_ros_msgs/msg/TaskStatus", QosClass.RELIABLE, 0),
    ("/sim/object_poses", "vla_ros_msgs/msg/ObjectPoses", QosClass.RELIABLE, 0),
    (EPISODE_TOPIC, "vla_ros_msgs/msg/EpisodeEvent", QosClass.LATCHED, 10),
    (RESET_TOPIC, "std_msgs/msg/Header", QosClass.RELIABLE, 100),
    (CLOCK_TOPIC, "rosgraph_msgs/msg/Clock", QosClass.RELIABLE, 0),
    ("/diagnostics", "diagnostic_msgs/msg/DiagnosticArray", QosClass.RELIABLE, 100),
    (
        RUN_TASK_ACTION + ACTION_STATUS_SUFFIX,
        "action_msgs/msg/GoalStatusArray",
        QosClass.LATCHED,
        0,
    ),
)


def robot_topics(robot: RobotConfig) -> tuple[RecordedTopic, ...]:
    """The topics of `robot`'s graph worth recording: sensors first, then the graph's streams."""
    sensors = [
        RecordedTopic(
            robot.joint_state_topic,
            "sensor_msgs/msg/JointState",
            QosClass.SENSOR,
            JOINT_STATE_DEPTH,
        )
    ]
    for camera in robot.cameras:
        # What camera_ingest subscribes to: export and replay read raw Image topics only.
        frame_type = "CompressedImage" if camera.transport == "compressed" else "Image"
        sensors.append(
            RecordedTopic(camera.frame_topic, f"sensor_msgs/msg/{frame_type}", QosClass.SENSOR)
        )
        sensors.append(
            RecordedTopic(camera.info_topic, "sensor_msgs/msg/CameraInfo", QosClass.SENSOR)
        )
    topics = (*sensors, *(RecordedTopic(*spec) for spec in _GRAPH_TOPICS))
    names = [t.name for t in topics]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise InvalidInput(f"robot '{robot.name}': topics {duplicates} are listed twice")
    return topics


def with_extra_topics(
    topics: tuple[RecordedTopic, ...], extra: list[str]
) -> tuple[RecordedTopic, ...]:
    """`topics` plus extra topic names (type found on the graph at run time: msgtype "")."""
    known = {t.name for t in topics}
    added = []
    for name in extra:
        if not name.startswith("/") or " " in name:
            raise InvalidInput(f"--topics: '{name}' is not an absolute topic name (/like/this)")
        if name not in known:
            known.add(name)
            added.append(RecordedTopic(name, "", QosClass.RELIABLE, 100))
    return (*topics, *added)
