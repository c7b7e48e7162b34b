"""One end of test_dds's two-process talk: `publish` a bgra8 Image (1280x720 unless WxH is given)
at 10 Hz until SIGINT or the timeout, or `receive` until one arrives (prints its size) or the
timeout passes (exit 1). Usage: image_talk.py publish|receive TIMEOUT_S [WxH]"""

import sys
import time

import rclpy
from rclpy.qos import qos_profile_sensor_data
from sensor_msgs.msg import Image

TOPIC = "/test_dds/image"


def main(role: str, timeout_s: float, size: str = "1280x720") -> int:
    width, height = (int(n) for n in size.split("x"))
    rclpy.init()
    node = rclpy.create_node(f"test_dds_{role}")
    if role == "publish":
        publisher = node.create_publisher(Image, TOPIC, qos_profile_sensor_data)
        frame = Image(width=width, height=height, encoding="bgra8", step=width * 4)
        frame.data = bytes(range(256)) * (width * height * 4 // 256)
        until = time.monotonic() + timeout_s
        while rclpy.ok() and time.monotonic() < until:
            publisher.publish(frame)
            time.sleep(0.1)
        return 0
    received: list[Image] = []
    node.create_subscription(Image, TOPIC, received.append, qos_profile_sensor_data)
    until = time.monotonic() + timeout_s
    while not received and time.monotonic() < until:
        rclpy.spin_once(node, timeout_sec=0.1)
    if received:
        image = received[0]
        print(f"received {image.width}x{image.height} {image.encoding} {len(image.data)} bytes")
    return 0 if received else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], float(sys.argv[2]), *sys.argv[3:]))
