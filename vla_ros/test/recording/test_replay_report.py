"""The replay report is written whole or not at all, and replaces only a previous report."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from vla_ros.core.recording.episodes import EpisodeMetadata
from vla_ros.core.recording.fail_over import Threshold, judge
from vla_ros.core.recording.joint_track import JointTrack
from vla_ros.core.recording.replay_metrics import ReplayOutputs, evaluate_episode
from vla_ros.core.types import ActionChunk, ActionSpace, InferenceTiming, InvalidInput
from vla_ros.recording.replay import report as report_module
from vla_ros.recording.replay.report import (
    EpisodeReport,
    ReplayReport,
    check_out,
    write_report,
)

TIMES = np.linspace(0.0, 2.0, 21)
TRACK = JointTrack(TIMES, ("j1",), TIMES[:, None].copy())


def one_episode_report(error: float) -> ReplayReport:
    chunk = ActionChunk(
        stamp=0.5,
        dt=0.1,
        actions=np.array([[0.5 + error], [0.6 + error]]),
        dim_names=("j1",),
        action_space=ActionSpace.JOINT_POSITION,
        timing=InferenceTiming(inference=0.02),
    )
    evaluation = evaluate_episode(0.0, 2.0, ReplayOutputs(chunks=[chunk]), TRACK)
    thresholds = [Threshold("open_loop_mae", 0.05)]
    episode = EpisodeReport(Path("bag"), 0, EpisodeMetadata("panda", "pick"), 0.0, 2.0, evaluation)
    return ReplayReport(
        "panda", "scripted", "step", [episode], thresholds, judge(evaluation, thresholds)
    )


def test_a_report_replaces_the_previous_one_whole(tmp_path):
    out = tmp_path / "report"
    write_report(one_episode_report(0.0), out)
    files = write_report(one_episode_report(0.1), out)
    assert {f.name for f in files} == {
        "summary.json",
        "summary.md",
        "episode_001_first_action.png",
        "episode_001_latency.png",
        "episode_001_open_loop_by_step.png",
    }
    summary = json.loads((out / "summary.json").read_text())
    assert summary["overall"]["open_loop"]["mae"] == pytest.approx(0.1)
    assert summary["fail_over"]["violations"] == [
        "open_loop_mae: 0.1 > 0.05 (mean absolute open-loop error [rad])"
    ]
    assert "Gate (open_loop_mae<=0.05): FAILED" in (out / "summary.md").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]  # no staging left


def test_a_failure_while_writing_leaves_the_previous_report(tmp_path, monkeypatch):
    out = tmp_path / "report"
    write_report(one_episode_report(0.0), out)
    before = (out / "summary.json").read_text()

    def broken(*_):
        raise OSError("disk full")

    monkeypatch.setattr(report_module, "summary_markdown", broken)
    with pytest.raises(OSError, match="disk full"):
        write_report(one_episode_report(0.1), out)
    assert (out / "summary.json").read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


def test_only_a_new_empty_or_report_directory_is_accepted(tmp_path):
    check_out(tmp_path / "new")
    (tmp_path / "empty").mkdir()
    check_out(tmp_path / "empty")
    (tmp_path / "file").write_text("x")
    with pytest.raises(InvalidInput, match="is not a replay report"):
        check_out(tmp_path / "file")
