"""The bare rclpy baseline of bench/realtime, two plain processes beside the graph in the same run:
`cameras`: one subscriber per camera topic (sensor QoS, deserialized as any node would), counting
frames and complete sets (a frame of every camera with the same stamp); `timer`: a 100 Hz rclpy
timer publishing a Header that fake_robot.py times as it times the safe commands. Prints its figures
for the window (JSON, last line)."""

from __future__ import annotations

import json
from collections import defaultdict

from sensor_msgs.msg import Image
from std_msgs.msg import Header
from timing import BASELINE_TIMER_TOPIC, CONTROL_RATE_HZ, Window, endpoint, endpoint_parser

from vla_ros.nodes.qos import CONTROL, SENSOR


def main() -> None:
    parser = endpoint_parser(__doc__)
    parser.add_argument("role", choices=("cameras", "timer"))
    args = parser.parse_args()
    robot, node = endpoint(args, f"bench_baseline_{args.role}")
    window = Window(args.window_start, args.duration)
    if args.role == "timer":
        publisher = node.create_publisher(Header, BASELINE_TIMER_TOPIC, CONTROL)
        node.create_timer(1.0 / CONTROL_RATE_HZ, lambda: publisher.publish(Header()))
        window.spin_until_over(node)
        print(json.dumps({}), flush=True)
        return
    frames: dict[str, int] = defaultdict(int)
    cameras_by_stamp: dict[tuple[int, int], set[str]] = defaultdict(set)

    def on_frame(camera: str, msg: Image) -> None:
        if window.open():
            frames[camera] += 1
            cameras_by_stamp[(msg.header.stamp.sec, msg.header.stamp.nanosec)].add(camera)

    for camera in robot.cameras:
        node.create_subscription(
            Image, camera.topic, lambda m, c=camera.name: on_frame(c, m), SENSOR
        )
    window.spin_until_over(node)
    sets = sum(len(seen) == len(robot.cameras) for seen in cameras_by_stamp.values())
    print(
        json.dumps(
            {
                "frames_per_s": {c: n / args.duration for c, n in frames.items()},
                "sets_per_s": sets / args.duration,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
