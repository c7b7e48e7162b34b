"""Unit tests, one behaviour each: blending strategies, interpolation, anchoring, latency, RTC, ruckig."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from chunk_streams import NAMES
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.transform import Rotation

from vla_ros.core.actions import EE_DELTA_DIMS, EE_POSE_DIMS
from vla_ros.core.chunking import Admission, ChunkExecutor, ExecutorConfig
from vla_ros.core.chunking.anchoring import anchor_ee_deltas
from vla_ros.core.chunking.blending import Crossfade, LatestOnly, Overlap
from vla_ros.core.chunking.interpolation import MIN_BRAKING_S, PlanTrajectory, resample_actions
from vla_ros.core.chunking.jerk_limited import JerkLimitedFollower
from vla_ros.core.chunking.latency import LatencyEstimator
from vla_ros.core.chunking.layout import layout_for
from vla_ros.core.chunking.rtc import prefix_on_grid
from vla_ros.core.robot.config import JointLimits
from vla_ros.core.types import ActionChunk, ActionSpace, CommandSpace, InvalidInput, JointState

VECTOR = layout_for(ActionSpace.JOINT_POSITION, NAMES, {})


def overlap(n: int = 5) -> Overlap:
    times = np.linspace(0.1, 0.5, n)
    return Overlap(times, 0.0, 0.5, np.zeros((n, 3)), np.ones(n), np.ones((n, 3)), VECTOR)


def constant_chunk(stamp: float, value: float, horizon: int = 20, dt: float = 0.05) -> ActionChunk:
    return ActionChunk(stamp, dt, np.full((horizon, 3), value), NAMES, ActionSpace.JOINT_POSITION)


# -- blending --------------------------------------------------------------------------------------
def test_latest_only_takes_the_new_values():
    values, _ = LatestOnly().blend(overlap())
    assert np.array_equal(values, np.ones((5, 3)))


def test_crossfade_goes_from_old_to_new_monotonically():
    values, _ = Crossfade().blend(overlap())
    w = values[:, 0]
    assert w[-1] == pytest.approx(1.0) and 0.0 < w[0] < 0.2 and np.all(np.diff(w) > 0)


def test_crossfade_window_cap_hands_over_early():
    values, _ = Crossfade(max_window_s=0.2).blend(overlap())
    assert np.allclose(values[2:, 0], 1.0)


def test_default_executor_hands_over_to_a_new_chunk_within_the_crossfade_cap_without_a_step():
    """The default (crossfade capped at crossfade_max_s): a disagreeing chunk takes over within the
    cap, spread over it (a latest-only switch would move most of the way in one action step)."""
    config = ExecutorConfig()
    executor = ChunkExecutor(config, NAMES)
    executor.submit(constant_chunk(0.0, 0.0, horizon=40), 0.0)
    arrival = 0.5
    executor.submit(constant_chunk(0.45, 1.0, horizon=40), arrival)
    ticks = np.arange(arrival, arrival + 1.0, config.period)
    values = np.array([executor.tick(t).values[0] for t in ticks])
    window = max(config.crossfade_max_s, config.catch_up_s)
    assert values[ticks >= arrival + window + 0.05 + 1e-9] == pytest.approx(1.0)
    # The fade peaks at 2x its mean slope (fade_weight), rendered at the control rate.
    assert np.max(np.diff(values)) <= 2.0 * config.period / window + 1e-9


def ramp_chunk(stamp: float, offset: float, horizon: int = 10, dt: float = 0.1) -> ActionChunk:
    """Joint values moving at 1 rad/s (value = time + offset)."""
    times = stamp + dt * np.arange(horizon)
    return ActionChunk(
        stamp, dt, np.tile((times + offset)[:, None], (1, 3)), NAMES, ActionSpace.JOINT_POSITION
    )


def test_crossfade_spans_its_window_past_the_end_of_the_old_plan():
    """A chunk that lands 0.1 s before the old plan ends still fades in over the full window, the old
    plan held at its end: the command keeps moving at the plans' 1 rad/s while it shifts by the
    0.1 rad they disagree, instead of taking the shift within the 0.1 s left."""
    config = ExecutorConfig(catch_up_s=0.0)
    executor = ChunkExecutor(config, NAMES)
    executor.submit(ramp_chunk(0.0, 0.0), 0.0)  # knots to 0.9 s
    arrival, old_end = 0.8, 0.9
    executor.submit(ramp_chunk(arrival, 0.1), arrival)
    ticks = np.arange(arrival, arrival + 0.6, config.period)
    values = np.array([executor.tick(t).values[0] for t in ticks])
    shift = values - ticks  # 0 on the old plan, 0.1 on the new
    fading = (ticks >= old_end - 1e-9) & (ticks < arrival + config.crossfade_max_s - config.period)
    assert fading.sum() >= 5
    assert np.all((shift[fading] > 0.0) & (shift[fading] < 0.1 - 1e-3))
    assert np.all(np.diff(values) > 0.5 * config.period)  # never stops at the old plan's end
    assert shift[ticks >= arrival + config.crossfade_max_s] == pytest.approx(0.1, abs=1e-6)
    # The shift is spread over the window: no tick moves more than the plans' own step plus 2x
    # the shift's mean rate (fade_weight's peak).
    assert np.max(np.diff(values)) <= config.period * (1.0 + 2.0 * 0.1 / config.crossfade_max_s)


@pytest.mark.parametrize(
    "arrival, old_horizon",
    [(0.5, 20), (0.89, 10), (0.91, 10)],
    ids=["plan_running", "just_before_its_end", "just_after_it_ran_out"],
)
def test_a_chunk_between_coarse_actions_fades_in_at_the_fades_own_acceleration(
    arrival, old_horizon
):
    """A 10 Hz chunk 0.5 rad away lands on a plan that holds (10 Hz too): the command takes the
    whole step within the crossfade window, and no tick accelerates more than the fade itself
    (4 / window^2 times the step), whether the old plan still runs, is about to end, or ran out a
    tick ago. Before, the fade was sampled only at the chunks' 0.1 s actions, a catch-up
    compounded with the crossfade and a run-out plan got only the 0.1 s catch-up: 0.0084, 0.0058
    and 0.0116 rad/tick where the fade's own peak was 0.0032 (its window was 0.25 s then)."""
    config = ExecutorConfig()
    window, step, period = config.crossfade_max_s, 0.5, config.period
    executor = ChunkExecutor(config, NAMES)
    executor.submit(constant_chunk(0.0, 0.0, horizon=old_horizon, dt=0.1), 0.0)
    for t in np.arange(0.0, arrival - 1e-9, period):
        executor.tick(t)
    executor.submit(constant_chunk(arrival - 0.05, step, horizon=10, dt=0.1), arrival)
    ticks = np.arange(arrival, arrival + 0.6, period)
    values = np.array([executor.tick(t).values[0] for t in ticks])
    assert values[ticks >= arrival + window + period] == pytest.approx(step, abs=1e-9)
    lurch = np.abs(np.diff(values, n=2))
    assert lurch.max() <= 1.01 * 4.0 * step / window**2 * period**2
    assert np.max(np.diff(values)) <= 1.01 * 2.0 * step / window * period


def test_temporal_ensemble_is_the_act_weighted_mean_of_all_predictions():
    k = 0.7  # large enough to tell the weights apart
    executor = ChunkExecutor(
        ExecutorConfig(strategy="temporal_ensemble", ensemble_k=k, catch_up_s=0.0), NAMES
    )
    predictions = [1.0, 2.0, 4.0]
    for i, value in enumerate(predictions):  # same stamp grid, each chunk one step later
        executor.submit(constant_chunk(i * 0.05, value), i * 0.05)
    weights = np.exp(-k * np.arange(3))
    expected = np.dot(weights, predictions) / weights.sum()
    t = 0.5  # a time all three chunks predict
    assert executor.timeline.plan.trajectory.sample(t)[0][0] == pytest.approx(expected, rel=1e-9)


# -- interpolation ---------------------------------------------------------------------------------
@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(-1, 1), min_size=2, max_size=12), st.floats(-2, 2))
def test_cubic_hits_knots_starts_at_given_velocity_and_never_overshoots(knots, v0):
    times = 0.1 * np.arange(len(knots))
    values = np.repeat(np.array(knots)[:, None], 3, axis=1)
    plan = PlanTrajectory(times, values, VECTOR, start_velocity=np.full(3, v0))
    assert np.allclose(plan.sample(times)[0], values)
    assert plan.sample(1e-12)[1][0] == pytest.approx(v0, abs=1e-6)
    dense = plan.sample(np.linspace(times[1], times[-1], 500))[0][:, 0]
    assert dense.min() >= min(knots[1:]) - 1e-9 and dense.max() <= max(knots[1:]) + 1e-9


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(*[st.floats(-1, 1)] * 3), min_size=2, max_size=6),
    st.tuples(*[st.floats(0.0, 50.0)] * 3),
    st.floats(0.005, 0.1),
)
def test_a_fast_start_brakes_into_a_close_first_knot_instead_of_running_past_it(knots, speeds, h):
    """The start velocity is the stream's; toward a knot barely ahead it must not overshoot and come
    back (backward motion in time), in every column at once, and stays C1 at the start."""
    values = np.array(knots)
    times = np.concatenate([[0.0], h + 0.1 * np.arange(len(knots) - 1)])
    v0 = np.sign(values[1] - values[0]) * np.array(speeds)
    plan = PlanTrajectory(times, values, VECTOR, start_velocity=v0)
    assert np.allclose(plan.sample(times)[0], values)
    assert np.allclose(plan.sample(1e-12)[1], v0, atol=1e-6 * (1 + np.abs(v0)))
    first = plan.sample(np.linspace(0.0, h, 400))[0]
    low, high = np.minimum(values[0], values[1]), np.maximum(values[0], values[1])
    passed = 1e-9 + np.abs(v0) * MIN_BRAKING_S  # a knot closer than the stream can stop within
    assert np.all(first >= low - passed) and np.all(first <= high + passed)
    dense = plan.sample(np.linspace(h, times[-1], 500))[0]
    assert np.all(dense >= values[1:].min(axis=0) - 1e-9)
    assert np.all(dense <= values[1:].max(axis=0) + 1e-9)


def test_spline_option_is_c2_inside_a_plan():
    times = 0.1 * np.arange(8)
    values = np.repeat(np.sin(times)[:, None], 3, axis=1)
    plan = PlanTrajectory(times, values, VECTOR, c2=True)
    acc = plan._spline(times[1:-1], 2)
    assert np.allclose(plan._spline(times[1:-1] - 1e-7, 2), acc, atol=1e-4)


def test_pose_orientation_is_slerped_and_binary_gripper_snaps():
    layout = layout_for(ActionSpace.EE_POSE, EE_POSE_DIMS + ("gripper",), {"gripper": (1.0, 0.0)})
    q0, q1 = Rotation.identity().as_quat(), Rotation.from_euler("z", 90, degrees=True).as_quat()
    values = np.array([[0, 0, 0, *q0, 0.9], [1, 0, 0, *q1, 0.2]])
    plan = PlanTrajectory(np.array([0.0, 1.0]), values, layout, binary_grippers=True)
    mid, _ = plan.sample(0.5)
    assert Rotation.from_quat(mid[3:7]).as_euler("xyz", degrees=True)[2] == pytest.approx(45.0)
    assert mid[7] == 1.0 and plan.sample(1.0)[0][7] == 0.0


def test_fade_knots_follow_the_chunks_own_path_between_its_actions():
    """Knots added inside a fade: orientation slerped, a binary gripper holds the action before
    (it switches at the next action, as the plan does), positions on the actions' monotone curve."""
    layout = layout_for(ActionSpace.EE_POSE, EE_POSE_DIMS + ("gripper",), {"gripper": (1.0, 0.0)})
    q0, q1 = Rotation.identity().as_quat(), Rotation.from_euler("z", 90, degrees=True).as_quat()
    values = np.array([[0, 0, 0, *q0, 1.0], [1, 0, 0, *q1, 0.0], [1, 0, 0, *q1, 0.0]])
    at = np.array([0.25, 0.5, 0.99, 1.5])
    between = resample_actions(np.array([0.0, 1.0, 2.0]), values, layout, at, binary_grippers=True)
    angles = Rotation.from_quat(between[:, 3:7]).as_euler("xyz", degrees=True)[:, 2]
    assert angles[:3] == pytest.approx(90.0 * at[:3]) and angles[3] == pytest.approx(90.0)
    assert list(between[:, 7]) == [1.0, 1.0, 1.0, 0.0]
    assert np.all(np.diff(between[:, 0]) >= 0.0) and np.all(between[:, 0] <= 1.0 + 1e-12)


# -- scheduling ------------------------------------------------------------------------------------
def test_duplicate_out_of_order_and_stale_chunks_are_counted_and_ignored():
    executor = ChunkExecutor(ExecutorConfig(), NAMES)
    assert executor.submit(constant_chunk(1.0, 0.0), 0.97) == Admission.ACCEPTED
    assert executor.submit(constant_chunk(1.0, 0.0), 1.1) == Admission.DUPLICATE
    assert executor.submit(constant_chunk(0.5, 9.0), 1.2) == Admission.OUT_OF_ORDER
    assert executor.submit(constant_chunk(1.4, 0.0), 1.6) == Admission.LATE
    assert executor.submit(constant_chunk(1.45, 0.0, horizon=2), 2.0) == Admission.STALE
    stats = executor.stats(2.0)
    assert (stats.duplicates, stats.out_of_order, stats.stale_chunks, stats.late_chunks) == (
        1,
        1,
        1,
        1,
    )
    # The late chunk's actions before now + half a step (1.40 .. 1.60) and the stale chunk's 2.
    assert stats.actions_dropped_stale == 5 + 2


@pytest.mark.parametrize(
    ("chunk", "message"),
    [
        (
            ActionChunk(0.0, 0.05, np.zeros((5, 2)), NAMES[:2], ActionSpace.JOINT_POSITION),
            "command joints",
        ),
        (
            ActionChunk(0.0, 0.05, np.zeros((5, 7)), EE_DELTA_DIMS + ("g",), ActionSpace.EE_DELTA),
            "forward kinematics",
        ),
    ],
)
def test_chunks_that_do_not_fit_the_robot_are_rejected_with_a_clear_message_and_the_plan_continues(
    chunk, message
):
    executor = ChunkExecutor(ExecutorConfig(), NAMES)
    executor.submit(constant_chunk(0.0, 0.3), 0.0)
    before = executor.tick(0.1)
    with pytest.raises(InvalidInput, match=message):
        executor.submit(chunk, 0.1)
    after = executor.tick(0.1)
    assert np.array_equal(before.values, after.values)
    assert executor.stats(0.1).chunks_rejected == 1


def test_clock_jumping_back_drops_the_plan():
    executor = ChunkExecutor(ExecutorConfig(), NAMES)
    executor.submit(constant_chunk(5.0, 0.3), 5.0)
    assert executor.tick(5.1) is not None
    assert executor.tick(0.2) is None and executor.timeline.plan is None
    assert executor.stats(0.2).clock_jumps == 1


def test_a_chunk_stamped_in_the_future_is_ignored_and_real_chunks_keep_coming():
    executor = ChunkExecutor(ExecutorConfig(), NAMES)
    assert executor.submit(constant_chunk(10.0, 0.1), 10.0).executed
    assert (
        executor.submit(constant_chunk(1.7e9, 9.0), 10.1) == Admission.FUTURE
    )  # a wall-clock stamp on sim time
    assert executor.submit(constant_chunk(10.1, 0.2), 10.1).executed
    assert (
        executor.submit(constant_chunk(10.3, 0.2), 10.22) == Admission.ACCEPTED
    )  # within max_future_s
    stats = executor.stats(10.2)
    assert (stats.future_chunks, stats.out_of_order) == (1, 0)
    assert executor.tick(10.25).values[0] < 1.0


@pytest.mark.parametrize("first_tick", [False, True], ids=["before_any_tick", "after_ticks"])
def test_a_clock_jump_back_with_a_plan_in_force_asks_for_a_new_chunk_and_runs_it(first_tick):
    executor = ChunkExecutor(ExecutorConfig(), NAMES)
    executor.submit(constant_chunk(100.0, 0.3), 100.05, JointState(NAMES, np.zeros(3)))
    if first_tick:
        assert executor.tick(100.1) is not None and not executor.request_due(100.1)
    # Sim reset: time restarts near 0; the old plan (100..101) must not wait for the clock to come back.
    assert executor.request_due(0.5), "a new chunk is requested at once"
    assert executor.tick(0.5) is None and executor.timeline.plan is None
    assert executor.submit(
        constant_chunk(0.45, 0.6), 0.52, JointState(NAMES, np.zeros(3))
    ).executed
    assert executor.tick(0.6) is not None and executor.stats(0.6).clock_jumps == 1


def test_an_episode_reset_ignores_chunks_inferred_before_it_and_asks_for_a_new_one_at_once():
    """Measured in the panda demo: the chunk of an inference started before a reset landed after it."""
    executor = ChunkExecutor(ExecutorConfig(), NAMES)
    state = JointState(NAMES, np.zeros(3))
    executor.submit(constant_chunk(5.0, 0.3), 5.02, state)
    executor.tick(5.1)
    executor.mark_requested(5.3)  # in flight when the reset comes
    executor.reset(at_s=5.4)
    assert executor.tick(5.45) is None, "no command from the old plan"
    assert executor.submit(constant_chunk(5.3, 0.9), 5.45, state) == Admission.BEFORE_RESET
    assert executor.timeline.plan is None and executor.stats(5.45).before_reset == 1
    assert executor.request_due(5.46), "the answered request does not block the next one"
    assert executor.submit(constant_chunk(5.4, 0.0), 5.5, state).executed, (
        "an observation taken at the reset's instant shows the new world"
    )
    assert executor.tick(5.6).values[0] == pytest.approx(0.0)


def test_a_clock_jump_back_lifts_the_reset_floor():
    executor = ChunkExecutor(ExecutorConfig(), NAMES)
    executor.reset(at_s=50.0)
    assert executor.submit(constant_chunk(0.0, 0.1), 0.05).executed, "a bag looped back to 0"


def test_a_chunk_arriving_first_after_a_clock_jump_is_placed_on_the_new_time_line():
    executor = ChunkExecutor(ExecutorConfig(), NAMES)
    executor.submit(constant_chunk(100.0, 0.3), 100.05)
    assert executor.tick(100.1) is not None
    assert executor.submit(constant_chunk(4.9, 0.6), 5.0).executed
    assert executor.tick(5.1) is not None and executor.stats(5.1).out_of_order == 0


def test_a_step_back_within_max_future_s_skips_ticks_and_keeps_the_plan():
    executor = ChunkExecutor(ExecutorConfig(), NAMES)
    executor.submit(constant_chunk(5.0, 0.3), 5.0)
    assert executor.tick(5.1) is not None
    assert executor.tick(5.05) is None and executor.timeline.plan is not None
    assert executor.tick(5.11) is not None and executor.stats(5.11).clock_jumps == 0


def test_a_robot_state_with_nan_is_rejected_with_the_chunk():
    executor = ChunkExecutor(ExecutorConfig(), NAMES)
    with pytest.raises(InvalidInput, match=r"non-finite positions \{'j2': nan\}"):
        executor.submit(
            constant_chunk(0.0, 0.3), 0.0, JointState(NAMES, np.array([0.0, np.nan, 0.0]))
        )
    assert executor.timeline.plan is None and executor.stats(0.0).chunks_rejected == 1


# -- anchoring -------------------------------------------------------------------------------------
def test_ee_deltas_are_integrated_from_the_observation_time_anchor():
    def pose_of(state: JointState):
        return np.array([state.positions[0], 0.0, 0.5]), Rotation.identity().as_quat()

    deltas = np.zeros((4, 7))
    deltas[:, 0] = 0.01
    deltas[:, 5] = np.deg2rad(10)
    deltas[:, 6] = 1.0
    chunk = ActionChunk(
        0.0,
        0.2,
        deltas,
        EE_DELTA_DIMS + ("gripper",),
        ActionSpace.EE_DELTA,
        anchor=JointState(("j1",), np.array([0.3])),
    )
    anchored = anchor_ee_deltas(chunk, pose_of)
    assert anchored.action_space == ActionSpace.EE_POSE and anchored.dim_names == EE_POSE_DIMS + (
        "gripper",
    )
    # Columns are read by name: the same chunk with its columns shuffled anchors to the same poses.
    order = [6, 3, 0, 5, 1, 4, 2]
    shuffled = replace(
        chunk, actions=deltas[:, order], dim_names=tuple(chunk.dim_names[i] for i in order)
    )
    np.testing.assert_array_equal(anchor_ee_deltas(shuffled, pose_of).actions, anchored.actions)
    assert np.allclose(anchored.actions[:, 0], 0.3 + 0.01 * np.arange(1, 5))
    assert Rotation.from_quat(anchored.actions[-1, 3:7]).as_euler("xyz", degrees=True)[
        2
    ] == pytest.approx(40.0)
    # The executor anchors to the chunk's anchor, whatever the robot's state is now.
    executor = ChunkExecutor(ExecutorConfig(), NAMES, pose_of=pose_of)
    executor.submit(chunk, 0.0, robot_state=JointState(("j1",), np.array([9.0])))
    assert executor.timeline.plan.trajectory.values[-1, 0] == pytest.approx(0.34)


def test_ee_deltas_without_anchor_are_rejected():
    chunk = ActionChunk(
        0.0, 0.2, np.zeros((2, 7)), EE_DELTA_DIMS + ("gripper",), ActionSpace.EE_DELTA
    )
    with pytest.raises(InvalidInput, match="anchor"):
        anchor_ee_deltas(chunk, lambda s: (np.zeros(3), np.array([0, 0, 0, 1.0])))


@pytest.mark.parametrize(
    "space, names, message",
    [
        (ActionSpace.EE_DELTA, tuple(f"d{i}" for i in range(7)), r"missing \['dx', 'dy'"),
        (
            ActionSpace.EE_DELTA,
            EE_DELTA_DIMS[:5] + ("dx", "g"),
            r"missing \['dyaw'\], repeated \['dx'\]",
        ),
        (
            ActionSpace.EE_POSE,
            ("x", "y", "z", "roll", "pitch", "yaw", "g"),
            r"missing \['qx', 'qy'",
        ),
    ],
)
def test_ee_chunks_must_name_their_pose_or_delta_dims(space, names, message):
    executor = ChunkExecutor(
        ExecutorConfig(), NAMES, pose_of=lambda s: (np.zeros(3), np.array([0, 0, 0, 1.0]))
    )
    chunk = ActionChunk(
        0.0, 0.2, np.zeros((2, 7)), names, space, anchor=JointState(("j1",), np.zeros(1))
    )
    with pytest.raises(InvalidInput, match=message):
        executor.submit(chunk, 0.0)


def test_ee_pose_layout_finds_the_quaternion_and_grippers_by_name():
    names = ("gripper", "qw", "x", "qx", "y", "qy", "z", "qz")
    layout = layout_for(ActionSpace.EE_POSE, names, {"gripper": (0.04, 0.0)})
    assert layout.quaternion == (3, 5, 7, 1) and layout.grippers == (0,)
    assert layout.vector_columns == (2, 4, 6)


# -- latency and RTC -------------------------------------------------------------------------------
def test_latency_estimate_drops_a_slow_first_call_once_a_later_one_is_measured():
    estimator = LatencyEstimator(initial_s=0.3)
    assert estimator.estimate == 0.3
    estimator.add(3.0)
    assert estimator.estimate == 3.0  # one sample: all we know
    estimator.add(0.1)
    assert estimator.estimate == pytest.approx(0.1)
    for latency in (0.12, 0.08, 0.11, 0.09):
        estimator.add(latency)
    # Median 0.1 + 2 robust std of the warm calls, capped at the slowest of them; were the 3 s
    # warm-up still counted, median and spread would give 0.105 + 2 * 1.4826 * 0.015 = 0.149.
    assert estimator.estimate == pytest.approx(0.12)
    assert estimator.samples == 6


def test_rtc_prefix_covers_the_next_inference():
    executor = ChunkExecutor(ExecutorConfig(), NAMES)
    executor.submit(constant_chunk(0.0, 0.5, dt=0.05), 0.22)  # measured latency 0.22 s
    prefix = executor.rtc_prefix(0.3)
    assert prefix.stamp == 0.3 and prefix.dt == 0.05 and prefix.horizon == 5  # ceil(0.22 / 0.05)
    assert np.allclose(
        prefix.actions, executor.timeline.plan.trajectory.sample(0.3 + 0.05 * np.arange(5))[0]
    )


def test_rtc_prefix_on_a_new_chunks_grid():
    """Resampled at the new chunk's times up to the prefix's end; earlier times take its first action."""
    prefix = ActionChunk(
        1.0, 0.05, np.array([[0.0], [1.0], [2.0]]), ("j",), ActionSpace.JOINT_POSITION
    )
    np.testing.assert_allclose(prefix_on_grid(prefix, 0.95, 0.05)[:, 0], [0.0, 0.0, 1.0, 2.0])
    np.testing.assert_allclose(prefix_on_grid(prefix, 1.0, 0.04)[:, 0], [0.0, 0.8, 1.6])
    assert prefix_on_grid(prefix, 1.2, 0.05).shape == (0, 1)  # ended before the chunk starts


# -- jerk limited ----------------------------------------------------------------------------------
def test_ruckig_follower_respects_limits_through_a_jump():
    limits = JointLimits(
        np.full(3, -3.0), np.full(3, 3.0), np.full(3, 1.0), np.full(3, 5.0), np.full(3, 50.0)
    )
    follower = JerkLimitedFollower(limits, 0.01)
    follower.reset(np.zeros(3))
    positions = [follower.step(np.ones(3), np.zeros(3))[0] for _ in range(400)]
    p = np.array(positions)[:, 0]
    v, a = np.diff(p) / 0.01, np.diff(p, 2) / 0.01**2
    assert np.abs(v).max() <= 1.0 + 1e-6 and np.abs(a).max() <= 5.0 + 1e-3
    assert p[-1] == pytest.approx(1.0, abs=1e-6)


def test_jerk_limited_executor_needs_limits():
    with pytest.raises(InvalidInput, match="jerk_limited"):
        ChunkExecutor(ExecutorConfig(interpolation="jerk_limited"), NAMES)


def test_config_errors_name_the_knob():
    with pytest.raises(InvalidInput, match="strategy must be one of"):
        ExecutorConfig(strategy="average")
    with pytest.raises(InvalidInput, match="control_rate_hz"):
        ExecutorConfig(control_rate_hz=0.0)
    with pytest.raises(InvalidInput, match="max_future_s must be a positive"):
        ExecutorConfig(max_future_s=0.0)


def test_openvla_style_deltas_on_the_widowx_start_from_its_forward_kinematics():
    from vla_ros.core.chunking import ChunkExecutor, ExecutorConfig
    from vla_ros.core.chunking.anchoring import ee_pose_function
    from vla_ros.core.robot.config import load_robot_config
    from vla_ros.core.robot.kinematics import Kinematics

    robot = load_robot_config("widowx")
    assert ee_pose_function(load_robot_config("aloha")) is None, (
        "ee_delta is a single-arm convention"
    )
    executor = ChunkExecutor.for_robot(ExecutorConfig(), robot, ee_pose_function(robot))
    anchor = JointState(robot.command_joints, robot.home)
    deltas = np.zeros((4, 7))
    deltas[:, 0] = 0.01  # +1 cm in x per step, gripper column 0
    chunk = ActionChunk(
        1.0,
        0.2,
        deltas,
        ("dx", "dy", "dz", "droll", "dpitch", "dyaw", robot.arms[0].gripper.joint),
        ActionSpace.EE_DELTA,
        anchor=anchor,
    )
    executor.submit(chunk, 1.0)
    command = executor.tick(1.0 + 3 * 0.2)
    home_tcp = Kinematics.from_robot(robot).frame_pose(robot.home, robot.arms[0].ee_frame)[:3, 3]
    assert command.action_space is CommandSpace.EE_POSE
    np.testing.assert_allclose(command.values[:3], home_tcp + [0.04, 0.0, 0.0], atol=1e-6)
