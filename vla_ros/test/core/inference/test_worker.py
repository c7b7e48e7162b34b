import threading
import time
from dataclasses import replace

import numpy as np
import pytest

from vla_ros.core.inference.policy import Policy
from vla_ros.core.inference.worker import InferenceWorker
from vla_ros.core.types import (
    ActionChunk,
    ActionSpace,
    InvalidInput,
    JointState,
    NotReady,
    Observation,
)


class SlowPolicy(Policy):
    """Blocks each inference until released, recording which observations it saw."""

    def __init__(self):
        self.seen, self.release, self.resets = [], threading.Semaphore(0), 0
        self.seen_extras = []

    def infer(self, observation):
        self.seen.append(observation.sequence)
        self.seen_extras.append(observation.extras)
        self.release.acquire(timeout=5)
        if observation.instruction == "explode":
            raise RuntimeError("model crashed")
        return ActionChunk(
            observation.stamp, 0.1, np.zeros((2, 1)), ("j",), ActionSpace.JOINT_POSITION
        )

    def reset(self):
        self.resets += 1


def observation(seq, instruction="go"):
    return Observation(float(seq), {}, JointState(("j",), np.zeros(1)), instruction, sequence=seq)


def wait_until(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.005)
    assert predicate()


def make(trigger):
    policy, chunks, errors = SlowPolicy(), [], []
    worker = InferenceWorker(policy, chunks.append, errors.append, trigger)
    worker.start()
    return worker, policy, chunks, errors


def test_observations_arriving_while_busy_are_coalesced_to_the_newest():
    worker, policy, chunks, _ = make("continuous")
    worker.submit(observation(1))
    wait_until(lambda: policy.seen == [1])
    for seq in (2, 3, 4):
        worker.submit(observation(seq))
    policy.release.release()
    policy.release.release()
    wait_until(lambda: len(chunks) == 2)
    worker.stop()
    assert policy.seen == [1, 4] and worker.stats.coalesced == 2
    assert [c.observation_sequence for c in chunks] == [1, 4]
    assert chunks[0].timing.inference > 0.0, "the worker fills in the measured latency"
    assert chunks[0].timing.inference == chunks[0].timing.total


def test_a_policy_declares_every_member_the_node_relies_on_with_defaults():
    policy = SlowPolicy()
    policy.warmup()
    policy.close()
    assert policy.needs_object_poses is False and policy.link_state is None
    assert policy.uses_rtc_prefix is False
    with pytest.raises(TypeError, match="infer"):
        type("NoInfer", (Policy,), {})()


def test_on_request_mode_serves_the_first_observation_then_waits_for_a_request():
    worker, policy, chunks, _ = make("on_request")
    policy.release.release()
    policy.release.release()
    worker.submit(observation(1))
    wait_until(lambda: len(chunks) == 1)
    worker.submit(observation(2))
    time.sleep(0.05)
    assert len(chunks) == 1
    worker.request()
    wait_until(lambda: len(chunks) == 2)
    worker.stop()


def test_prepare_completes_the_observation_when_its_inference_starts():
    """What `prepare` adds is what is current when the inference starts, not when the observation
    arrived: the RTC prefix is published after the observation, right before the request."""
    policy, chunks, current = SlowPolicy(), [], {"prefix": "old"}
    worker = InferenceWorker(
        policy,
        chunks.append,
        [].append,
        "on_request",
        prepare=lambda obs: replace(obs, extras={"rtc_prefix": current["prefix"]}),
    )
    worker.start()
    policy.release.release()
    policy.release.release()
    worker.submit(observation(1))
    wait_until(lambda: len(chunks) == 1)
    worker.submit(observation(2))
    current["prefix"] = "new"
    worker.request()
    wait_until(lambda: len(chunks) == 2)
    worker.stop()
    assert policy.seen_extras == [{"rtc_prefix": "old"}, {"rtc_prefix": "new"}]


def test_a_failing_model_is_reported_and_the_worker_keeps_serving():
    worker, policy, chunks, errors = make("continuous")
    policy.release.release()
    worker.submit(observation(1, "explode"))
    wait_until(lambda: len(errors) == 1)
    policy.release.release()
    worker.submit(observation(2))
    wait_until(lambda: len(chunks) == 1)
    worker.stop()
    assert worker.stats.errors == 1 and "model crashed" in str(errors[0])
    assert worker.stats.last_error == "", "a successful inference clears the reported error"


def test_reset_forwards_to_the_policy_and_bad_trigger_is_rejected():
    worker, policy, _, _ = make("continuous")
    worker.reset()
    worker.stop()
    assert policy.resets == 1
    with pytest.raises(InvalidInput, match="trigger 'sometimes'"):
        InferenceWorker(policy, print, print, "sometimes")


def test_a_reset_drops_a_pending_observation_only_if_captured_before_it():
    worker, policy, chunks, _ = make("continuous")
    worker.submit(observation(1))
    wait_until(lambda: policy.seen == [1])  # busy: what comes now waits
    worker.submit(observation(3))
    worker.reset()  # unstamped: drops any pending observation
    worker.submit(observation(5))
    worker.reset(at_s=8.0)  # the old world: dropped
    worker.submit(observation(9))
    worker.reset(at_s=8.0)  # the new episode's first observation arrived before its reset: kept
    policy.release.release()
    policy.release.release()
    wait_until(lambda: len(chunks) == 2)
    worker.stop()
    assert policy.seen == [1, 9] and policy.resets == 3


class WaitingPolicy(Policy):
    """Not ready until `ready` is set (an input such as object poses has not arrived), then serves."""

    def __init__(self):
        self.ready, self.seen = False, []

    def infer(self, observation):
        self.seen.append(observation.sequence)
        if not self.ready:
            raise NotReady("waiting for the first object poses")
        return ActionChunk(
            observation.stamp, 0.1, np.zeros((2, 1)), ("j",), ActionSpace.JOINT_POSITION
        )


@pytest.mark.parametrize("trigger", ["continuous", "on_request"])
def test_a_policy_not_ready_yet_is_waited_for_not_reported_as_an_error(trigger):
    policy, chunks, errors, waits = WaitingPolicy(), [], [], []
    worker = InferenceWorker(
        policy, chunks.append, errors.append, trigger, on_not_ready=waits.append
    )
    worker.start()
    for seq in (1, 2, 3):
        worker.submit(observation(seq))
        wait_until(lambda seq=seq: policy.seen[-1:] == [seq])
    assert worker.stats.not_ready == 3 and "object poses" in worker.stats.waiting_for
    assert len(waits) == 1, "announced once per wait, not per observation"
    assert errors == [] and worker.stats.errors == 0 and worker.stats.last_error == ""
    policy.ready = True
    worker.submit(observation(4))  # on_request: still a cold start, served without a request
    wait_until(lambda: len(chunks) == 1)
    worker.stop()
    assert worker.stats.waiting_for == "" and chunks[0].observation_sequence == 4
