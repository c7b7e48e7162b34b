"""vla_policy: /vla/observation -> Policy backend (off the executor thread) -> /vla/action_chunk.

A new instruction on /vla/instruction (a RunTask goal, a user) becomes the policy's instruction and
resets its episode state. A policy that inpaints (uses_rtc_prefix) gets the newest /vla/rtc_prefix,
the actions the chunk executor will run while it infers, attached when its inference starts.
"""

from __future__ import annotations

import time
from dataclasses import replace

import yaml
from std_msgs.msg import Header, String

from vla_ros.backends.latency import DelayedPolicy
from vla_ros.backends.registry import create_policy
from vla_ros.core.inference.worker import InferenceWorker
from vla_ros.core.perception.stamped_history import StampedHistory
from vla_ros.core.robot.config import load_robot_config
from vla_ros.core.types import InvalidInput
from vla_ros.core.types import Observation as CoreObservation
from vla_ros.nodes.conversions import (
    chunk_from_msg,
    chunk_to_msg,
    object_poses_from_msg,
    observation_from_msg,
)
from vla_ros.nodes.managed import ManagedNode, reset_stamp_s, run_node, stamp_to_s
from vla_ros.nodes.node_parameters import VlaPolicyParameters
from vla_ros.nodes.parameters import declare_config
from vla_ros.nodes.qos import LATCHED
from vla_ros_msgs.msg import ActionChunk, ObjectPoses, Observation


class VlaPolicyNode(ManagedNode):
    def __init__(self, **kwargs) -> None:
        super().__init__("vla_policy", **kwargs)

    def configure(self) -> None:
        parameters = declare_config(self, VlaPolicyParameters)
        robot, backend = load_robot_config(parameters.robot), parameters.backend
        options = yaml.safe_load(parameters.backend_options) or {}
        if not isinstance(options, dict):
            raise InvalidInput(
                f"parameter backend_options must be a YAML mapping, got {options!r}"
            )
        if parameters.device:
            options["device"] = parameters.device
        self.get_logger().info(f"loading backend '{backend}' for robot '{robot.name}' ...")
        started = time.perf_counter()
        policy = create_policy(backend, robot, options)
        try:
            policy.warmup()
        except ConnectionError as error:
            # A remote server that is not up yet: serve anyway, the backend reconnects with backoff.
            self.get_logger().warning(f"warm-up could not reach the policy server: {error}")
        self.get_logger().info(
            f"backend '{backend}' ready in {time.perf_counter() - started:.2f} s"
        )
        if parameters.latency_ms > 0.0:
            policy = DelayedPolicy(policy, parameters.latency_ms / 1000.0)
        self._worker = InferenceWorker(
            policy,
            self._publish_chunk,
            self._on_policy_error,
            parameters.trigger,
            on_not_ready=lambda waiting: self.get_logger().info(f"policy waiting: {waiting}"),
            prepare=self._completed,
        )
        self._rtc_prefix = None
        self._instruction_override = parameters.instruction
        self._object_poses: StampedHistory[dict] = StampedHistory()
        self._chunk_pub = self.create_publisher(ActionChunk, "/vla/action_chunk", 10)
        self.create_subscription(Observation, "/vla/observation", self._on_observation, 2)
        self.create_subscription(
            Header, "/vla/inference_request", lambda _: self._worker.request(), 10
        )
        self.create_subscription(String, "/vla/instruction", self._on_instruction, LATCHED)
        self.create_subscription(Header, "/vla/reset", self._on_reset, 10)
        if policy.uses_rtc_prefix:
            self.create_subscription(ActionChunk, "/vla/rtc_prefix", self._on_rtc_prefix, 10)
        if policy.needs_object_poses:
            self.create_subscription(ObjectPoses, "/sim/object_poses", self._on_object_poses, 10)
        self.create_timer(1.0, self._report)

    def activate(self) -> None:
        self._worker.start()

    def deactivate(self) -> None:
        self._worker.stop()

    def cleanup(self) -> None:
        self._worker.stop()
        self._worker.policy.close()

    def _on_observation(self, msg: Observation) -> None:
        if not self.is_active:
            return
        try:
            observation = observation_from_msg(msg)
        except InvalidInput as error:
            self.report_bad_input("observation", error)
            return
        self._worker.submit(observation)

    def _on_reset(self, msg: Header) -> None:
        self._rtc_prefix = None  # the next episode starts from rest
        # Observations captured since the reset's stamp are the new episode's; an unstamped reset
        # drops every pending one.
        self._worker.reset(at_s=reset_stamp_s(msg))

    def _on_rtc_prefix(self, msg: ActionChunk) -> None:
        try:
            self._rtc_prefix = chunk_from_msg(msg)
        except InvalidInput as error:
            self.report_bad_input("rtc_prefix", error)

    def _completed(self, observation: CoreObservation) -> CoreObservation:
        """The observation as inferred, completed just before the inference starts (it may have
        waited while the model was busy): the newest instruction and RTC prefix, and the object
        poses of its capture (core/perception/stamped_history.py)."""
        extras = {
            **observation.extras,
            "object_poses": self._object_poses.at(observation.stamp) or {},
        }
        if self._rtc_prefix is not None:
            extras["rtc_prefix"] = self._rtc_prefix
        instruction = self._instruction_override or observation.instruction
        return replace(observation, instruction=instruction, extras=extras)

    def _on_object_poses(self, msg: ObjectPoses) -> None:
        self._object_poses.add(stamp_to_s(msg.header.stamp), object_poses_from_msg(msg))

    def _on_instruction(self, msg: String) -> None:
        if msg.data != self._instruction_override:
            self._instruction_override = msg.data
            # A new task: the policy's state goes; a pending observation is still the world as it
            # is, and is inferred with the new instruction (an instruction published just before the
            # first frames of an episode may be handled after its observation).
            self._worker.reset(at_s=float("-inf"))

    def _publish_chunk(self, chunk) -> None:
        self._chunk_pub.publish(chunk_to_msg(chunk))

    def _on_policy_error(self, error: Exception) -> None:
        self.report_bad_input("inference (no chunk published; the executor holds)", error)

    def _report(self) -> None:
        stats = dict(vars(self._worker.stats))
        link = self._worker.policy.link_state
        if link is not None:
            stats["link_state"] = link
        message = stats["last_error"] or (
            f"waiting: {stats['waiting_for']}" if stats["waiting_for"] else "serving"
        )
        self.publish_diagnostics("warn" if stats["last_error"] else "ok", message, stats)


def main(args=None) -> None:
    run_node(VlaPolicyNode, args)
