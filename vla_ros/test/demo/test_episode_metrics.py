"""What the demo reports besides success: did the robot go for the instructed object, and the seams."""

import math

import pytest

from vla_ros.demo.episode_metrics import EpisodeResult, RunMetrics


def test_instructed_first_counts_episodes_whose_first_lifted_cube_was_the_instructed_one():
    metrics = RunMetrics(
        episodes=[
            EpisodeResult(0, "put the red cube in the bowl", True, 5.0, first_lifted="red_cube"),
            EpisodeResult(1, "put the red cube in the bowl", False, 9.0, first_lifted="blue_cube"),
            EpisodeResult(2, "stack the green cube on the blue cube", False, 9.0),
            EpisodeResult(
                3, "stack the green cube on the blue cube", True, 6.0, first_lifted="green_cube"
            ),
        ]
    )
    assert [e.instructed_first for e in metrics.episodes] == [True, False, False, True]
    assert metrics.instructed_first_rate == 0.5
    assert "instructed_first=0.50 " in metrics.summary_line()


def test_seam_gap_percentile_and_its_absence():
    metrics = RunMetrics(seam_gaps_rad=[0.01 * i for i in range(101)])
    assert metrics.seam_gap_p95_rad == pytest.approx(0.95)
    assert metrics.summary_line().endswith("seam_gap_rad_p95=0.950")
    assert math.isnan(RunMetrics().seam_gap_p95_rad)
