"""Suite-wide test set-up.

Each pytest session talks DDS on its own ROS domain, so suites that run at the same time on one
machine (or a developer's running graph) never see each other's /joint_states or commands.
"""

import os
import random

import pytest

os.environ.setdefault("ROS_DOMAIN_ID", str(random.SystemRandom().randint(1, 100)))
os.environ.setdefault("ROS_AUTOMATIC_DISCOVERY_RANGE", "LOCALHOST")
os.environ.setdefault("MUJOCO_GL", "egl")


class RosHarness:
    """Real rclpy with every node on its own executor thread, and a probe node for test traffic."""

    def __init__(self) -> None:
        import rclpy

        from vla_ros.nodes.executors import IsolatedExecutors

        rclpy.init()
        self.executors = IsolatedExecutors()
        self.probe = self.executors.add(rclpy.create_node("test_probe"))

    def add(self, node):
        return self.executors.add(node)

    def collect(self, msg_type, topic: str, qos=10) -> list:
        received: list = []
        self.probe.create_subscription(msg_type, topic, received.append, qos)
        return received

    def publisher(self, msg_type, topic: str, qos=10):
        return self.probe.create_publisher(msg_type, topic, qos)

    def now(self) -> float:
        return self.probe.get_clock().now().nanoseconds * 1e-9

    @staticmethod
    def wait_for(predicate, timeout: float = 10.0) -> bool:
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.02)
        return False

    def close(self) -> None:
        import rclpy

        self.executors.shutdown()
        rclpy.try_shutdown()


@pytest.fixture
def ros():
    """A live ROS 2 context for one test; nodes added with `ros.add(...)` are destroyed after it."""
    pytest.importorskip("rclpy")
    pytest.importorskip("vla_ros_msgs.msg")
    harness = RosHarness()
    yield harness
    harness.close()
