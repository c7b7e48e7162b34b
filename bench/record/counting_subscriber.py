"""The baseline of bench/record: a bare rclpy subscriber that only counts what DDS delivers (raw
bytes, no deserialization, no writing); prints the counts (JSON, last line) at SIGINT/--duration.

What it misses was lost before any recorder could see it (DDS, the publisher's history); what it
gets and the recorder does not, the recorder lost.
"""

from __future__ import annotations

import json
import time

import rclpy
from endpoint import endpoint, endpoint_parser
from rclpy.experimental import EventsExecutor
from sensor_msgs.msg import Image, JointState


def main() -> None:
    args = endpoint_parser(__doc__, default_depth=100).parse_args()
    robot, node, qos = endpoint(args, "bench_counting_subscriber")
    counts: dict[str, int] = {}

    def counter(topic: str):
        def count(_: bytes) -> None:
            counts[topic] = counts.get(topic, 0) + 1

        return count

    topics = [(JointState, robot.joint_state_topic)] + [(Image, c.topic) for c in robot.cameras]
    for msg_type, topic in topics:
        node.create_subscription(msg_type, topic, counter(topic), qos, raw=True)
    executor = EventsExecutor()  # the recorder's executor: the same cost per message
    executor.add_node(node)
    until = time.monotonic() + args.duration
    while time.monotonic() < until:
        executor.spin_once(timeout_sec=0.1)
    executor.shutdown()
    print(json.dumps(counts), flush=True)
    node.destroy_node()
    rclpy.try_shutdown()


if __name__ == "__main__":
    main()
