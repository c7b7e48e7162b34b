"""LivenessMonitor: lost after the timeout of silence, unseen is not lost, recovery on the next beat."""

import pytest

from vla_ros.core.liveness import HEARTBEAT_PERIOD_S, LivenessMonitor
from vla_ros.core.types import InvalidInput


def test_a_node_is_lost_after_the_timeout_and_back_with_its_next_heartbeat():
    monitor = LivenessMonitor(["vla_policy", "camera_ingest"], timeout_s=1.0)
    monitor.beat("vla_policy", 10.0)
    monitor.beat("camera_ingest", 10.0)
    assert monitor.lost(10.9) == ()
    monitor.beat("camera_ingest", 10.9)
    assert monitor.lost(11.5) == ("vla_policy",)
    assert "vla_policy lost (no heartbeat for 1.5 s)" in monitor.describe_lost(11.5)
    monitor.beat("vla_policy", 11.6)
    assert monitor.lost(11.7) == () and monitor.describe_lost(11.7) == ""
    assert monitor.losses == 1


def test_unseen_nodes_are_not_lost_and_unwatched_heartbeats_are_ignored():
    monitor = LivenessMonitor(["sim", "vla_policy"], timeout_s=1.0)
    monitor.beat("someone_else", 0.0)
    assert monitor.lost(100.0) == () and monitor.unseen() == ("sim", "vla_policy")
    assert monitor.describe(100.0) == "sim never seen; vla_policy never seen"
    monitor.beat("sim", 100.0)
    monitor.beat("vla_policy", 100.0)
    assert monitor.describe(100.5) == "all alive"


def test_a_timeout_shorter_than_two_heartbeats_is_refused():
    with pytest.raises(InvalidInput, match="two heartbeat periods"):
        LivenessMonitor(["sim"], timeout_s=1.5 * HEARTBEAT_PERIOD_S)
