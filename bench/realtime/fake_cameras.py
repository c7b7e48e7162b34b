"""The cameras of bench/realtime: every camera of the robot at 30 Hz (one thread, absolute deadlines,
one frame per camera per tick with the tick's capture stamp, as synchronized ZED cameras), at the
size and encoding asked for; prints how many sets it published in the window (JSON, last line)."""

from __future__ import annotations

import json
import time

import numpy as np
from sensor_msgs.msg import Image
from timing import Window, endpoint, endpoint_parser

from vla_ros.nodes.managed import s_to_stamp
from vla_ros.nodes.qos import SENSOR

CAMERA_RATE_HZ = 30.0
CHANNELS = {"rgb8": 3, "bgr8": 3, "bgra8": 4, "rgba8": 4}


def main() -> None:
    parser = endpoint_parser(__doc__)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=720)
    parser.add_argument("--encoding", choices=tuple(CHANNELS), default="bgra8")
    args = parser.parse_args()
    robot, node = endpoint(args, "bench_fake_cameras")
    window = Window(args.window_start, args.duration)
    channels = CHANNELS[args.encoding]
    shade = np.linspace(0, 255, args.width * args.height * channels) % 256
    cameras = []
    for camera in robot.cameras:
        frame = Image(width=args.width, height=args.height, encoding=args.encoding)
        frame.step, frame.header.frame_id = args.width * channels, camera.name
        frame.data = shade.astype(np.uint8).tobytes()
        cameras.append((node.create_publisher(Image, camera.topic, SENSOR), frame))
    published, period, next_t = 0, 1.0 / CAMERA_RATE_HZ, time.monotonic()
    while not window.over():
        delay = next_t - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        stamp = s_to_stamp(time.time())
        for publisher, frame in cameras:
            frame.header.stamp = stamp
            publisher.publish(frame)
        published += window.open()
        next_t += period
    print(json.dumps({"sets_published": published}), flush=True)


if __name__ == "__main__":
    main()
