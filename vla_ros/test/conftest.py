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
    """Real rclpy on a background MultiThreadedExecutor, with a probe node for test traffic."""

    def __init__(self) -> None:
        import threading

        import rclpy
        from rclpy.executors import MultiThreadedExecutor

        rclpy.init()
        self.executor = MultiThreadedExecutor(num_threads=4)
        self.probe = rclpy.create_node("test_probe")
        self.executor.add_node(self.probe)
        self._thread = threading.Thread(target=self.executor.spin, daemon=True)
        self._thread.start()
        self.nodes = [self.probe]

    def add(self, node):
        self.nodes.append(node)
        self.executor.add_node(node)
        return node

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

        self.executor.shutdown(timeout_sec=2.0)
        for node in self.nodes:
            node.destroy_node()
        rclpy.try_shutdown()
        self._thread.join(timeout=2.0)


@pytest.fixture
def ros():
    """A live ROS 2 context for one test; nodes added with `ros.add(...)` are destroyed after it."""
    pytest.importorskip("rclpy")
    pytest.importorskip("vla_ros_msgs.msg")
    harness = RosHarness()
    yield harness
    harness.close()
