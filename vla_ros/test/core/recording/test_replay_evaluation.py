"""Known answers of the replay evaluation: open-loop error, holds, interventions, latency, gates."""

from __future__ import annotations

import numpy as np
import pytest

from vla_ros.core.recording.fail_over import Threshold, judge, parse_threshold
from vla_ros.core.recording.joint_track import JointTrack
from vla_ros.core.recording.open_loop import open_loop_error
from vla_ros.core.recording.replay_metrics import (
    ExecutorTick,
    ReplayOutputs,
    SafetyTick,
    accumulated,
    evaluate_episode,
    hold_seconds,
)
from vla_ros.core.types import ActionChunk, ActionSpace, InferenceTiming, InvalidInput

# Recorded targets: j1 = t, j2 = 2t on t in [0, 10] (linear, so interpolation is exact).
TIMES = np.linspace(0.0, 10.0, 101)
TRACK = JointTrack(TIMES, ("j1", "j2"), np.stack([TIMES, 2 * TIMES], axis=1))


def chunk(stamp: float, rows, names=("j1", "j2"), dt=0.5, latency=0.0, space=None) -> ActionChunk:
    return ActionChunk(
        stamp=stamp,
        dt=dt,
        actions=np.asarray(rows, float),
        dim_names=names,
        action_space=space or ActionSpace.JOINT_POSITION,
        timing=InferenceTiming(inference=latency),
    )


def exact(stamp: float, horizon: int = 3, dt: float = 0.5) -> ActionChunk:
    at = stamp + np.arange(horizon) * dt
    return chunk(stamp, np.stack([at, 2 * at], axis=1), dt=dt)


def test_chunks_equal_to_the_recording_have_zero_error():
    error = open_loop_error([exact(1.0), exact(2.3)], TRACK)
    assert error.compared_chunks == 2
    assert error.overall.samples == 12
    assert error.overall.mae == pytest.approx(0.0, abs=1e-12)


def test_error_by_dimension_and_by_horizon_step():
    # j1 off by +0.1 at step 0, +0.2 at step 1, +0.3 at step 2; j2 off by -0.4 at every step.
    at = 1.0 + np.arange(3) * 0.5
    rows = np.stack([at + [0.1, 0.2, 0.3], 2 * at - 0.4], axis=1)
    error = open_loop_error([chunk(1.0, rows)], TRACK)
    assert error.by_dimension["j1"].mae == pytest.approx(0.2)
    assert error.by_dimension["j1"].rmse == pytest.approx(np.sqrt((0.01 + 0.04 + 0.09) / 3))
    assert error.by_dimension["j2"].mae == pytest.approx(0.4)
    assert [s.mae for s in error.by_step] == pytest.approx([0.25, 0.3, 0.35])
    assert error.overall.mae == pytest.approx(0.3)
    assert [f.predicted - f.recorded for f in error.first_actions["j1"]] == pytest.approx([0.1])


def test_actions_outside_the_recording_are_skipped_not_extrapolated():
    # Steps at 9.5, 10.0 are inside; 10.5 and 11.0 are past the recording's end.
    error = open_loop_error([exact(9.5, horizon=4)], TRACK)
    assert [s.samples for s in error.by_step] == [2, 2, 0, 0]
    assert error.by_step[3].mae is None
    wholly_outside = open_loop_error([exact(20.0)], TRACK)
    assert wholly_outside.skipped_chunks == 1 and wholly_outside.overall.mae is None


def test_only_joint_position_dims_the_recording_names_are_compared():
    gripper = chunk(1.0, [[1.0, 5.0]], names=("j1", "gripper"))
    error = open_loop_error([gripper], TRACK)
    assert set(error.by_dimension) == {"j1"}
    ee = chunk(1.0, [[0.0] * 2], space=ActionSpace.JOINT_VELOCITY)
    assert open_loop_error([ee], TRACK).skipped_chunks == 1


def test_merged_errors_weigh_every_sample_once():
    first = open_loop_error([chunk(1.0, [[1.0 + 0.1, 2.0]], dt=0.1)], TRACK)
    second = open_loop_error([exact(2.0, horizon=3)], TRACK)
    merged = first + second
    assert merged.overall.samples == 8
    assert merged.overall.mae == pytest.approx(0.1 / 8)
    assert merged.compared_chunks == 2 and len(merged.by_step) == 3


def test_holds_count_until_the_next_tick_by_reason():
    ticks = [
        SafetyTick(0.0, False),
        SafetyTick(0.1, True, "stale_command"),
        SafetyTick(0.3, True, "stale_command"),
        SafetyTick(0.4, True, "estop"),
        SafetyTick(0.6, False),
    ]
    assert hold_seconds(ticks, 1.0) == pytest.approx({"stale_command": 0.3, "estop": 0.2})
    assert hold_seconds([SafetyTick(0.5, True, "")], 1.0) == pytest.approx({"unspecified": 0.5})


def test_starvation_accumulates_across_a_counter_reset():
    assert accumulated(np.array([1.0, 1.5, 2.0, 0.25, 0.5])) == pytest.approx(1.0 + 0.25 + 0.25)
    assert accumulated(np.array([3.0])) == 0.0


def test_an_episode_evaluation_keeps_only_what_is_stamped_inside_it():
    outputs = ReplayOutputs(
        chunks=[exact(1.0), exact(2.0), exact(8.0)],
        safety=[
            SafetyTick(1.0, False, "", ("joint_velocity",)),
            SafetyTick(1.5, True, "stale_command", ("joint_velocity", "workspace")),
            SafetyTick(2.0, False),
            SafetyTick(9.0, True, "estop"),
        ],
        executor=[ExecutorTick(1.0, 0.5), ExecutorTick(2.0, 0.75), ExecutorTick(9.0, 2.0)],
        unanswered=[2.5, 8.5, 12.0],
    )
    outputs.chunks[1] = chunk(2.0, [[2.0, 4.0]], latency=0.2)
    outputs.chunks[0] = chunk(1.0, [[1.0, 2.0]], latency=0.1)
    evaluation = evaluate_episode(0.5, 4.5, outputs, TRACK)
    assert evaluation.chunks == 2 and evaluation.chunks_per_s == pytest.approx(0.5)
    assert evaluation.interventions == {"joint_velocity": 2, "workspace": 1}
    assert evaluation.holds_s == pytest.approx({"stale_command": 0.5})
    assert evaluation.latencies_ms == pytest.approx((100.0, 200.0))
    assert evaluation.latency_ms(50) == pytest.approx(150.0)
    assert evaluation.starvation_s == pytest.approx(0.25)
    total = evaluation + evaluate_episode(7.5, 9.5, outputs, TRACK)
    assert total.chunks == 3 and total.duration_s == pytest.approx(6.0)
    assert total.holds_s == pytest.approx({"stale_command": 0.5, "estop": 0.5})
    assert total.unanswered == 2


def test_fail_over_parses_and_judges():
    evaluation = evaluate_episode(
        0.0, 10.0, ReplayOutputs(chunks=[chunk(1.0, [[1.05, 2.0]], latency=0.3)]), TRACK
    )
    assert parse_threshold(" latency_p95_ms = 200 ") == Threshold("latency_p95_ms", 200.0)
    failed = judge(
        evaluation,
        [parse_threshold("latency_p95_ms=200"), parse_threshold("open_loop_mae=0.05")],
    )
    assert [v.key for v in failed] == ["latency_p95_ms"]
    assert "300 > 200" in str(failed[0])
    assert judge(evaluation, [Threshold("open_loop_mae", 0.0)])[0].value == pytest.approx(0.025)


def test_a_bound_on_an_unmeasured_number_fails():
    silent = evaluate_episode(0.0, 10.0, ReplayOutputs(), TRACK)
    (violation,) = judge(silent, [Threshold("latency_max_ms", 1e9)])
    assert violation.value is None and "not measured" in str(violation)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("open_loop=0.1", "KEY one of: open_loop_mae"),
        ("holds_s", "expected KEY=VALUE"),
        ("holds_s=abc", "'abc' is not a number"),
        ("holds_s=-1", "must be a number >= 0"),
    ],
)
def test_fail_over_errors_say_what_is_valid(text, message):
    with pytest.raises(InvalidInput, match=message):
        parse_threshold(text)
