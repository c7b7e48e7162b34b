"""LivenessMonitor: lost after the timeout of silence, unseen is not lost, recovery on the next beat."""

import pytest

from vla_ros.core.liveness import HEARTBEAT_PERIOD_S, LivenessMonitor
from vla_ros.core.types import InvalidInput


def awake(monitor: LivenessMonitor, start: float, end: float) -> None:
    """The watcher's own heartbeats (an unwatched name) from start to end: it was awake."""
    for tick in range(round((end - start) / HEARTBEAT_PERIOD_S) + 1):
        monitor.beat("task_server", start + tick * HEARTBEAT_PERIOD_S)


def test_a_node_is_lost_after_the_timeout_and_back_with_its_next_heartbeat():
    monitor = LivenessMonitor(["vla_policy", "camera_ingest"], timeout_s=1.0)
    monitor.beat("vla_policy", 10.0)
    monitor.beat("camera_ingest", 10.0)
    awake(monitor, 10.0, 10.9)
    assert monitor.lost(10.9) == ()
    monitor.beat("camera_ingest", 10.9)
    awake(monitor, 10.9, 11.5)
    assert monitor.lost(11.5) == ("vla_policy",)
    assert "vla_policy lost (no heartbeat for 1.5 s)" in monitor.describe_lost(11.5)
    monitor.beat("vla_policy", 11.6)
    assert monitor.lost(11.7) == () and monitor.describe_lost(11.7) == ""
    assert monitor.losses == 1


def test_a_watcher_that_slept_does_not_call_the_heartbeats_it_missed_lost():
    monitor = LivenessMonitor(["sim", "safety_projector"], timeout_s=1.0)
    monitor.beat("sim", 10.0)
    monitor.beat("safety_projector", 10.0)
    assert monitor.lost(10.05) == ()
    # The watcher's process stalls 3 s; the heartbeats sent meanwhile are still in its queue.
    assert monitor.lost(13.05) == ()
    monitor.beat("sim", 13.06)
    # safety_projector's beats never come: its silence counts the stall as half a timeout, so it is
    # lost after the other half of awake time.
    looks = [13.05 + 0.1 * i for i in range(1, 11)]
    verdicts = [monitor.lost(t) for t in looks]
    assert verdicts[3] == () and verdicts[4] == verdicts[-1] == ("safety_projector",)
    assert monitor.silence("safety_projector", looks[-1]) == pytest.approx(0.5 + 1.05, abs=1e-9)
    assert "sim" not in monitor.describe_lost(looks[-1])


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
