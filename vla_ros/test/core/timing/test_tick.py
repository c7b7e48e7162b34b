"""TickMonitor: known tick times -> exact percentiles, overruns and missed ticks."""

import pytest

from vla_ros.core.timing import TickMonitor
from vla_ros.core.types import InvalidInput

PERIOD = 0.01


def _feed(monitor: TickMonitor, periods_ms: list[float], start: float = 100.0) -> None:
    now = start
    monitor.tick(now)
    for period in periods_ms:
        now += period * 1e-3
        monitor.tick(now)


def test_steady_ticks_have_the_nominal_period_and_no_overrun():
    monitor = TickMonitor(PERIOD)
    _feed(monitor, [10.0] * 100)
    stats = monitor.take_window()
    assert stats.ticks == 100
    assert stats.period_p50_ms == pytest.approx(10.0)
    assert stats.period_p99_ms == pytest.approx(10.0)
    assert stats.period_max_ms == pytest.approx(10.0)
    assert (stats.overruns, stats.missed, stats.jittery) == (0, 0, False)


def test_percentiles_are_nearest_rank_samples():
    monitor = TickMonitor(PERIOD)
    # 100 periods: 1..100 ms in shuffled order; nearest rank p50 = 50 ms, p99 = 99 ms.
    periods = [float(v) for v in range(1, 101)]
    _feed(monitor, periods[::2] + periods[1::2])
    stats = monitor.take_window()
    assert stats.period_p50_ms == pytest.approx(50.0)
    assert stats.period_p99_ms == pytest.approx(99.0)
    assert stats.period_max_ms == pytest.approx(100.0)


def test_a_stall_counts_one_overrun_and_the_deadlines_it_skipped():
    monitor = TickMonitor(PERIOD)
    # rcl's absolute schedule: a 45 ms stall -> one tick 45 ms late... then back on the 10 ms grid
    # (the next deadline is 5 ms away). 40 ms of deadlines got no tick: 3 missed.
    _feed(monitor, [10.0] * 10 + [45.0, 5.0] + [10.0] * 10)
    stats = monitor.take_window()
    assert stats.overruns == 1
    assert stats.missed == 3
    assert stats.period_max_ms == pytest.approx(45.0)


def test_a_period_of_exactly_two_periods_is_not_an_overrun():
    monitor = TickMonitor(PERIOD)
    _feed(monitor, [10.0, 20.0, 20.1])
    assert monitor.take_window().overruns == 1


def test_p99_above_one_and_a_half_periods_is_jittery():
    monitor = TickMonitor(PERIOD)
    _feed(monitor, [10.0] * 98 + [16.0, 16.0])
    stats = monitor.take_window()
    assert stats.period_p99_ms == pytest.approx(16.0)
    assert stats.jittery


def test_windows_are_contiguous_and_reset():
    monitor = TickMonitor(PERIOD)
    _feed(monitor, [10.0] * 5)
    monitor.take_window()
    monitor.tick(100.0 + 0.05 + 0.030)  # the period across the boundary belongs to the new window
    stats = monitor.take_window()
    assert stats.ticks == 1
    assert stats.period_max_ms == pytest.approx(30.0)
    assert stats.overruns == 1


def test_an_empty_window_reports_zeros():
    monitor = TickMonitor(PERIOD)
    monitor.tick(1.0)
    stats = monitor.take_window()
    assert (stats.ticks, stats.period_p99_ms, stats.overruns, stats.missed) == (0, 0.0, 0, 0)
    assert set(stats.diagnostics()) >= {
        "tick_period_p50_ms",
        "tick_period_p99_ms",
        "tick_period_max_ms",
        "tick_overruns",
    }


@pytest.mark.parametrize("period", [0.0, -0.01, float("nan"), float("inf")])
def test_a_bad_period_is_refused_by_value(period):
    with pytest.raises(InvalidInput, match="tick period"):
        TickMonitor(period)
