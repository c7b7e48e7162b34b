from vla_ros.core.task_episode import TaskEpisode


def test_success_only_for_this_instruction_and_timeout_in_ros_time():
    episode = TaskEpisode("Put the red cube in the bowl.", timeout_s=10.0, started=100.0)
    assert episode.outcome(101.0, None, False) is None
    assert episode.outcome(101.0, "stack the green cube on the blue cube", True) is None, "a previous task's success"
    assert episode.progress("stack the green cube on the blue cube", 0.7) == 0.0
    assert episode.progress("put the red cube in the bowl", 0.7) == 0.7
    assert episode.outcome(102.0, "put the red cube in the bowl", True).success
    timeout = episode.outcome(110.0, "put the red cube in the bowl", False)
    assert not timeout.success and "timeout after 10 s" in timeout.message


def test_zero_timeout_runs_until_success():
    assert TaskEpisode("transfer the red cube", 0.0, 0.0).outcome(1e6, None, False) is None
