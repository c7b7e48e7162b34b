"""Property tests of the executor: time only moves forward, stale actions never run, boundaries stay smooth."""

from __future__ import annotations

import numpy as np
import pytest
from chunk_streams import NAMES, chunk_at, clock_chunk, ground_truth
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vla_ros.core.chunking import ChunkExecutor, ExecutorConfig
from vla_ros.core.chunking.closed_loop import replay
from vla_ros.core.chunking.config import STRATEGIES

PERIOD = 0.01
FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def deliveries(draw):
    """Chunks with random stamps and latencies, delivered with duplicates and out of order."""
    dt = draw(st.sampled_from([0.02, 0.05, 0.1]))
    horizon = draw(st.integers(2, 20))
    stamps = np.cumsum(draw(st.lists(st.floats(0.0, 0.6), min_size=1, max_size=8)))
    arrivals = [s + draw(st.floats(0.0, 1.0)) for s in stamps]
    order = [(a, i) for i, a in enumerate(arrivals)]
    for i in draw(st.lists(st.integers(0, len(stamps) - 1), max_size=3)):  # duplicates
        order.append((arrivals[i] + draw(st.floats(0.0, 0.2)), i))
    return dt, horizon, stamps, sorted(order)


@FAST
@given(deliveries(), st.sampled_from(STRATEGIES))
def test_time_only_moves_forward_and_passed_actions_never_run(delivery, strategy):
    dt, horizon, stamps, order = delivery
    executor = ChunkExecutor(ExecutorConfig(strategy=strategy), NAMES)
    ticks = np.arange(0.0, max(a for a, _ in order) + horizon * dt + 0.2, PERIOD)
    commands, queue = [], list(order)
    for now in ticks:
        while queue and queue[0][0] <= now:
            _, index = queue.pop(0)
            admission = executor.submit(clock_chunk(float(stamps[index]), horizon, dt), now)
            if admission.executed:
                knots = executor.timeline.plan.trajectory.times
                # Knots after the bridge are all at or after the arrival: nothing stale was placed.
                assert np.all(knots >= now - 1e-9)
        command = executor.tick(now)
        if command is not None:
            commands.append(command)
    stamps_out = [c.stamp for c in commands]
    assert all(b > a for a, b in zip(stamps_out, stamps_out[1:]))
    # Clock chunks: each value is its action's intended time, so going back in time means decreasing.
    values = np.array([c.values for c in commands])
    assert np.all(np.diff(values, axis=0) >= -1e-3 * dt), (
        f"backwards by {np.diff(values, axis=0).min():.3g}"
    )
    stats = executor.stats(ticks[-1])
    assert (
        stats.duplicates
        + stats.out_of_order
        + stats.stale_chunks
        + executor.timeline.counters.chunks_accepted
        == len(order)
    )


def tick_steps(result) -> np.ndarray:
    return np.linalg.norm(np.diff(result.values, axis=0), axis=1)


@FAST
@given(
    st.sampled_from(["crossfade", "temporal_ensemble"]),
    st.sampled_from([0.02, 0.05, 0.1]),
    st.integers(8, 30),
    st.floats(0.0, 0.03),
    st.data(),
)
def test_boundary_jumps_stay_bounded(strategy, dt, horizon, noise, data):
    """Per-tick motion stays within ~2.5x the ground truth's own speed (catching up after the cold-start
    stall) plus the chunks' disagreement spread over one action step (a jump would exceed it)."""
    latency = data.draw(st.floats(0.0, (horizon - 2) * dt - PERIOD))
    executor = ChunkExecutor(ExecutorConfig(strategy=strategy), NAMES)
    result = replay(
        executor, lambda s: chunk_at(s, horizon, dt, noise), lambda _: latency, 4.0, PERIOD
    )
    truth_speed = np.max(
        np.linalg.norm(np.diff(ground_truth(np.arange(0, 4.0, PERIOD)), axis=0), axis=1)
    )
    steps = tick_steps(result)
    disagreement = 8.0 * noise * np.sqrt(len(NAMES))  # a few sigmas of two chunks' relative error
    bound = 3.0 * truth_speed + disagreement * PERIOD / dt + 1e-6
    assert steps.max() <= bound, f"max step {steps.max():.4g} > bound {bound:.4g}"


@FAST
@given(
    st.sampled_from(STRATEGIES), st.sampled_from([0.02, 0.05, 0.1]), st.integers(4, 40), st.data()
)
def test_no_starvation_when_latency_below_chunk_duration(strategy, dt, horizon, data):
    # The last action (at (horizon - 1) * dt) must still be half a step ahead when the chunk is
    # taken in, at the first control tick after it lands (up to one period later).
    latency = data.draw(st.floats(0.0, (horizon - 1.5) * dt - PERIOD - 1e-3))
    executor = ChunkExecutor(ExecutorConfig(strategy=strategy), NAMES)
    result = replay(
        executor,
        lambda s: chunk_at(s, horizon, dt),
        lambda _: latency,
        3 * (latency + horizon * dt),
        PERIOD,
    )
    assert len(result.arrivals) >= 2, "the stream never got going"
    assert result.warm_starvation_time == 0.0


def test_slow_first_call_does_not_flood_the_server():
    """A 0.8 s warm-up call on 0.9 s chunks, 0.28 s after it. Planning on the warm-up's latency, a
    request went out every 0.05 s until the next call landed (six in flight); now one goes out
    until a second latency is measured, and the warm-up does not count once it is."""
    dt, horizon = 0.1, 10
    result = replay(
        ChunkExecutor(ExecutorConfig(), NAMES),
        lambda s: chunk_at(s, horizon, dt),
        lambda k: 0.8 if k == 0 else 0.28,
        3.0,
        PERIOD,
    )
    first, second = result.arrivals[:2]
    assert [r for r in result.requests if r < second] == [0.0, pytest.approx(first)]
    gaps = np.diff([r for r in result.requests if r >= first])
    assert np.all(gaps > 0.3), gaps  # span-paced: 0.9 s x (1 - refresh 0.58) = 0.38 s apart
    assert result.warm_starvation_time == 0.0


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_slow_first_call_does_not_starve_later(strategy):
    """A 5x slow warm-up call: its latency is outvoted, and the stream runs without gaps after it."""
    dt, horizon, latency = 0.05, 20, 0.15
    # refresh_fraction 0: requests paced by latency alone, which is what this test checks.
    executor = ChunkExecutor(ExecutorConfig(strategy=strategy, refresh_fraction=0.0), NAMES)
    result = replay(
        executor,
        lambda s: chunk_at(s, horizon, dt),
        lambda k: 5 * latency if k == 0 else latency,
        5.0,
        PERIOD,
    )
    assert executor.stats(5.0).starvation_time == 0.0
    assert executor.trigger.estimator.estimate == pytest.approx(latency, abs=PERIOD + 1e-9)
    # Requests are paced by the chunk span, not issued back to back.
    assert len(result.requests) < 5.0 / ((horizon - 1) * dt - 2 * latency - 0.1) + 2
