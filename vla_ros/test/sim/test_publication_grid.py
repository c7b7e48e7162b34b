"""PublicationGrid: one message per grid time over sim time summed from float steps, as MuJoCo sums it."""

import numpy as np
import pytest

from vla_ros.sim.publication_grid import PublicationGrid

STEP = 0.002  # s, the sim's default physics step


def _published(period: float, seconds: float, start: float = 0.0) -> list[float]:
    grid, now, stamps = PublicationGrid(period, start), start, []
    while now < start + seconds:
        now += STEP  # mjData.time += timestep: drifts off the grid by float rounding
        if grid.reached(now, STEP):
            stamps.append(now)
    return stamps


def test_one_message_per_grid_time_over_minutes_of_float_sums():
    # The 100 Hz joint states and 10 Hz cameras over 200 s of steps: the published stamps are the grid.
    for period in (0.01, 0.1):
        stamps = _published(period, 200.0)[1:]  # the first: time 0, reached by the first step
        gaps = np.diff(stamps)
        assert gaps.min() > period - STEP, "a grid time published twice"
        assert np.allclose(gaps, period, atol=STEP / 2)
        assert abs(len(stamps) - 200.0 / period) <= 1


def test_a_long_step_skips_the_grid_times_it_passed():
    grid = PublicationGrid(0.01, 0.0)
    assert grid.reached(0.0, STEP)
    assert grid.reached(0.055, STEP)  # 0.01 .. 0.05 missed: one message, not five
    assert grid.next == pytest.approx(0.06)
    assert not grid.reached(0.058, STEP)
    assert grid.reached(0.0595, STEP)  # within half a step of 0.06
