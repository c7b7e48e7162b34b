from vla_ros.core.tasks.episode import TaskEpisode


def test_success_only_for_this_instruction_and_timeout_in_ros_time():
    episode = TaskEpisode("Put the red cube in the bowl.", timeout_s=10.0, started=100.0)
    assert episode.outcome(101.0, None, False) is None
    assert episode.outcome(101.0, "stack the green cube on the blue cube", True) is None, (
        "a previous task's success"
    )
    assert episode.progress("stack the green cube on the blue cube", 0.7) == 0.0
    assert episode.progress("put the red cube in the bowl", 0.7) == 0.7
    assert episode.outcome(102.0, "put the red cube in the bowl", True).success
    timeout = episode.outcome(110.0, "put the red cube in the bowl", False)
    assert not timeout.success and "timeout after 10 s" in timeout.message


def test_zero_timeout_runs_until_success():
    assert TaskEpisode("transfer the red cube", 0.0, 0.0).outcome(1e6, None, False) is None


def test_a_lost_node_or_a_stalled_input_aborts_with_the_reason():
    interruption = TaskEpisode.interruption
    assert interruption({}, 10.0, {"action chunk": 4.9}, 5.0) is None
    lost = interruption({"vla_policy": 1.2}, 10.0, {"action chunk": 0.1}, 5.0)
    assert (
        lost.aborted
        and not lost.success
        and lost.message == "aborted: vla_policy lost (no heartbeat for 1.2 s)"
    )
    stalled = interruption(
        {}, 10.0, {"action chunk": 5.5}, 5.0, {"camera_ingest": "cameras ['wrist'] stale"}
    )
    assert stalled.aborted and "no action chunk for 5.5 s" in stalled.message
    assert "camera_ingest: cameras ['wrist'] stale" in stalled.message


def test_a_node_lost_before_the_goal_began_gets_the_stall_timeout_to_come_back():
    interruption = TaskEpisode.interruption
    assert interruption({"camera_ingest": 4.0}, 1.0, {}, 5.0) is None, (
        "respawning when the goal came"
    )
    late = interruption({"camera_ingest": 9.0}, 6.0, {}, 5.0)
    assert late.aborted and "camera_ingest lost (no heartbeat for 9.0 s)" in late.message
