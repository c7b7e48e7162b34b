"""Suite-wide test set-up.

Each pytest session talks DDS on a ROS domain no other session on this machine holds (lock files),
so suites that run at the same time never see each other's /joint_states or commands (random
domains can collide, and then one session's /vla/command stream interleaves with another's).
"""

import contextlib
import faulthandler
import os
import random
import sys
import threading

import pytest


def _claim_free_domain() -> str:
    """A ROS domain no other pytest session on this machine holds (a lock file per domain)."""
    import fcntl
    import tempfile

    for domain in random.SystemRandom().sample(range(1, 101), 100):
        lock = os.path.join(tempfile.gettempdir(), f"vla_ros_test_domain_{domain}.lock")
        handle = open(lock, "w")  # noqa: SIM115 - held (locked) until the session ends
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            continue
        _DOMAIN_LOCKS.append(handle)  # held until the session ends
        return str(domain)
    raise RuntimeError("all ROS domains 1..100 are held by other test sessions")


_DOMAIN_LOCKS: list = []
if "ROS_DOMAIN_ID" not in os.environ:
    os.environ["ROS_DOMAIN_ID"] = _claim_free_domain()
os.environ.setdefault("ROS_AUTOMATIC_DISCOVERY_RANGE", "LOCALHOST")
os.environ.setdefault("MUJOCO_GL", "egl")


UDP_LOCALHOST_PROFILE = os.path.join(os.path.dirname(__file__), "dds", "fastdds_udp_localhost.xml")


@contextlib.contextmanager
def _domain_of_its_own():
    """A fresh ROS domain (held, so never reused this session), over UDP on the loopback interface
    without shared memory, for the node processes started while the block runs.

    For tests that end node processes abruptly (SIGKILL, a signal during start-up, a stop deadline)
    or all at once: a process that ends while one of its Fast DDS shared-memory threads holds a
    port's process-shared lock leaves it taken, and every peer still sending to that port waits on
    it (gdb: the others' `Port::try_push` in `interprocess_mutex::lock`, the owner a `dds.shm.*`
    thread of a process already gone). Node stops overran their deadline in ~1 of 8 trials here
    and in CI, and with many such ports left in /dev/shm creating a node took over 10 s. The XML
    file says what this does not prove. Fast DDS reads a profile file once per process: node
    processes started in the block use it, this test process keeps what it began with (its peers
    reach it over UDP).
    """
    names = ("ROS_DOMAIN_ID", "ROS_AUTOMATIC_DISCOVERY_RANGE", "FASTDDS_DEFAULT_PROFILES_FILE")
    previous = {name: os.environ.get(name) for name in names}
    os.environ.update(
        ROS_DOMAIN_ID=_claim_free_domain(),
        ROS_AUTOMATIC_DISCOVERY_RANGE="SUBNET",
        FASTDDS_DEFAULT_PROFILES_FILE=UDP_LOCALHOST_PROFILE,
    )
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.fixture
def domain_of_its_own():
    with _domain_of_its_own():
        yield


@pytest.fixture(scope="module")
def module_domain_of_its_own():
    with _domain_of_its_own():
        yield


class RosHarness:
    """Real rclpy with every node on its own executor thread, and a probe node for test traffic."""

    def __init__(self) -> None:
        import rclpy

        from vla_ros.nodes.executors import IsolatedExecutors

        rclpy.init()
        self.executors = IsolatedExecutors()
        self.probe = self.executors.add(rclpy.create_node("test_probe"))
        self._clients: dict = {}

    def add(self, node):
        return self.executors.add(node)

    def collect(self, msg_type, topic: str, qos=10) -> list:
        received: list = []
        self.probe.create_subscription(msg_type, topic, received.append, qos)
        return received

    def client(self, srv_type, name: str):
        """The probe's client of service `name`, made once and kept (a client per call churns
        DDS discovery and was seen to miss a service for 30 s)."""
        if name not in self._clients:
            self._clients[name] = self.probe.create_client(srv_type, name)
        return self._clients[name]

    def publisher(self, msg_type, topic: str, qos=10):
        return self.probe.create_publisher(msg_type, topic, qos)

    def now(self) -> float:
        return self.probe.get_clock().now().nanoseconds * 1e-9

    @staticmethod
    def wait_for(predicate, timeout: float = 10.0) -> bool:
        from vla_ros.testing.waiting import wait_for

        return wait_for(predicate, timeout)

    def diagnosed(self, diagnostics: list, *fragments: str, timeout: float = 10.0) -> bool:
        """Whether a /diagnostics status whose message holds every fragment arrives in `diagnostics`
        (a list from collect()) within `timeout`."""
        return self.wait_for(
            lambda: any(
                all(f in status.message for f in fragments)
                for array in list(diagnostics)
                for status in array.status
            ),
            timeout,
        )

    def close(self) -> None:
        import rclpy

        self.executors.shutdown()
        rclpy.try_shutdown()


# Tearing a test's graph down takes ~1 s; longer than this, it is stuck. The last CI hung for over an
# hour in a ROS test, where pytest-timeout's signal cannot reach a thread blocked in C code.
TEARDOWN_TIMEOUT_S = 60.0


@pytest.fixture
def ros():
    """A live ROS 2 context for one test; nodes added with `ros.add(...)` are destroyed after it.

    A teardown stuck past TEARDOWN_TIMEOUT_S fails the test with every thread's stack printed,
    instead of hanging the suite.
    """
    pytest.importorskip("rclpy")
    pytest.importorskip("vla_ros_msgs.msg")
    harness = RosHarness()
    yield harness
    closing = threading.Thread(target=harness.close, name="ros_teardown", daemon=True)
    closing.start()
    closing.join(TEARDOWN_TIMEOUT_S)
    if closing.is_alive():
        faulthandler.dump_traceback(file=sys.__stderr__, all_threads=True)
        pytest.fail(f"ROS teardown still running after {TEARDOWN_TIMEOUT_S:g} s (stacks above)")


@pytest.fixture(scope="session")
def robots():
    """The three shipped robot configs, loaded once."""
    from vla_ros.core.robot.config import load_robot_config

    return {name: load_robot_config(name) for name in ("widowx", "panda", "aloha")}
