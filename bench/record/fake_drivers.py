"""Fake robot drivers for bench/record: cameras (rgb8, ~30 Hz) and joint states (~1 kHz), each on its
own thread with its own pacing, stamped with the capture time like a real driver; prints how many
messages it published per topic (JSON, last line) when its duration is over.

Run by bench/record/run.py: python bench/record/fake_drivers.py --duration S --width W --height H
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter

import numpy as np
import rclpy
from endpoint import endpoint, endpoint_parser
from rclpy.impl.implementation_singleton import rclpy_implementation as _rclpy
from sensor_msgs.msg import Image, JointState

from vla_ros.nodes.managed import s_to_stamp

JOINT_RATE_HZ = 1000.0
CAMERA_RATE_HZ = 30.0


def _paced(rate_hz: float, until: float, topic: str, publish, counts: Counter) -> None:
    """publish() at rate_hz on absolute deadlines (no drift); behind schedule it catches up.

    A reliable publisher whose history is full of messages a slow subscriber has not acknowledged
    fails to publish after Fast DDS's max_blocking_time; a driver logs that and goes on, so here it
    is counted ("<topic> failed") and publishing goes on.
    """
    period, next_t = 1.0 / rate_hz, time.monotonic()
    while next_t < until:
        delay = next_t - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        try:
            publish()
            counts[topic] += 1
        except _rclpy.RCLError:
            counts[f"{topic} failed"] += 1
        next_t += period


def _camera_like_image(rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    """Smooth shading plus sensor noise: compresses about as a real camera frame does (a constant
    image would flatter zstd, pure noise would not compress at all)."""
    y, x = np.mgrid[0:height, 0:width]
    shade = (x * 200 // max(width, 1) + y * 50 // max(height, 1)).astype(np.int16)
    noise = rng.integers(-6, 7, (height, width, 3), dtype=np.int16)
    return np.clip(shade[..., None] + noise, 0, 255).astype(np.uint8)


def main() -> None:
    parser = endpoint_parser(__doc__, default_depth=10)
    parser.add_argument("--width", type=int, default=640)
    parser.add_argument("--height", type=int, default=480)
    parser.add_argument(
        "--start-delay", type=float, default=0.0, help="wall seconds before publishing"
    )
    args = parser.parse_args()
    robot, node, qos = endpoint(args, "bench_fake_drivers")
    counts: Counter[str] = Counter()
    publishers = []  # (rate, publish) pairs, made before the delay: recorders need their QoS
    clock = node.get_clock()

    def stamp():
        return s_to_stamp(clock.now().nanoseconds * 1e-9)

    joints = JointState(name=list(robot.command_joints))
    joints.position = [0.0] * len(joints.name)
    joint_pub = node.create_publisher(JointState, robot.joint_state_topic, qos)

    def publish_joints() -> None:
        joints.header.stamp = stamp()
        joint_pub.publish(joints)

    publishers.append((JOINT_RATE_HZ, robot.joint_state_topic, publish_joints))
    rng = np.random.default_rng(0)
    for camera in robot.cameras:
        frame = Image(width=args.width, height=args.height, encoding="rgb8", step=args.width * 3)
        frame.header.frame_id = camera.name
        frame.data = _camera_like_image(rng, args.width, args.height).tobytes()
        publisher = node.create_publisher(Image, camera.topic, qos)

        def publish_frame(frame=frame, publisher=publisher) -> None:
            frame.header.stamp = stamp()
            publisher.publish(frame)

        publishers.append((CAMERA_RATE_HZ, camera.topic, publish_frame))
    time.sleep(args.start_delay)
    until = time.monotonic() + args.duration
    threads = [
        threading.Thread(target=_paced, args=(rate, until, topic, publish, counts))
        for rate, topic, publish in publishers
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    time.sleep(1.0)  # let reliable retransmissions finish before the publishers go away
    print(json.dumps(counts), flush=True)
    node.destroy_node()
    rclpy.try_shutdown()


if __name__ == "__main__":
    main()
