"""`vla-ros replay` through the real graph (subprocess, real DDS) on a small bag written here.

Known answer: the replay backend on the bag's clock plays the bag's own safe commands back, so every
chunk equals the recording at its action times and the open-loop error is 0 up to float rounding
(both sides interpolate the same samples linearly; stamps round-trip to the nanosecond, and the
trajectory moves < 0.05 rad/s, so the bound 1e-6 rad has ample margin). Step mode answers every
camera set: 3 s of 10 Hz cameras = 30 chunks. Two copies of the bag play in turn, as bags of two
sessions would: the clock jumps back between them, and the second bag's numbers are the first's.
"""

from __future__ import annotations

import pytest
from replay_bags import panda_bag, replay_options, run_replay

pytestmark = [pytest.mark.ros, pytest.mark.slow]


def test_replaying_a_bags_own_commands_gives_zero_open_loop_error(tmp_path):
    bag = panda_bag(tmp_path / "bag", duration_s=3.0)
    copy = panda_bag(tmp_path / "copy", duration_s=3.0)
    out = tmp_path / "report"
    result, summary = run_replay(
        [bag, copy],
        out,
        *("--backend", "replay", "--backend-options", replay_options(bag), "--mode", "step"),
        *("--fail-over", "open_loop_mae=1e-6", "--fail-over", "latency_max_ms=0"),
    )
    log = result.stdout + result.stderr
    assert "[episode 1] bag #0 'pick': 30 chunks" in result.stdout, log
    assert "[episode 2] copy #0 'pick': 30 chunks" in result.stdout, log
    # Only the (deliberately impossible) latency bound fails the gate, and the report is written.
    assert result.returncode == 1, result.stderr
    assert "FAIL latency_max_ms" in result.stderr and "open_loop_mae" not in result.stderr
    overall = summary["overall"]
    assert overall["chunks"] == 60 and overall["unanswered"] == 0
    assert overall["open_loop"]["compared_chunks"] == 60
    assert overall["open_loop"]["mae"] < 1e-6 and overall["open_loop"]["samples"] > 0
    assert set(overall["open_loop"]["by_dimension"]) == {
        *(f"panda_joint{i}" for i in range(1, 8)),
        "panda_finger_joint1",
    }
    assert overall["latency_ms"]["max"] > 0.0
    assert summary["fail_over"]["passed"] is False
    assert [e["bag"] for e in summary["episodes"]] == [str(bag), str(copy)]
    assert [e["open_loop"]["mae"] for e in summary["episodes"]] == pytest.approx(
        [0.0, 0.0], abs=1e-6
    )
    assert sorted(p.name for p in out.glob("episode_002_*.png")) == [
        "episode_002_first_action.png",
        "episode_002_latency.png",
        "episode_002_open_loop_by_step.png",
    ]
    markdown = (out / "summary.md").read_text()
    assert "## Episode 1: bag #0 'pick'" in markdown and "## Episode 2: copy #0" in markdown
