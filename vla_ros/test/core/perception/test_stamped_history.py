"""StampedHistory: a stream read at a past stamp."""

from vla_ros.core.perception.stamped_history import StampedHistory


def test_reads_the_newest_value_at_or_before_a_stamp():
    history: StampedHistory[str] = StampedHistory(horizon_s=1.0)
    assert history.at(5.0) is None and len(history) == 0
    for stamp, value in ((1.0, "a"), (1.01, "b"), (1.3, "c")):
        history.add(stamp, value)
    assert [history.at(t) for t in (1.0, 1.005, 1.29, 1.3, 9.0)] == ["a", "a", "b", "c", "c"]
    assert history.at(0.5) == "a"  # before the stream began: its first value


def test_forgets_values_older_than_its_horizon_and_starts_over_when_the_clock_goes_back():
    history: StampedHistory[int] = StampedHistory(horizon_s=1.0)
    for k in range(25):
        history.add(0.125 * k, k)
    assert len(history) == 9 and history.at(0.0) == 16  # kept: stamps 2.0 .. 3.0
    history.add(0.5, -1)  # a new run of the sim
    assert len(history) == 1 and history.at(3.0) == -1
