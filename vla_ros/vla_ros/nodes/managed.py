"""Base for every vla_ros node: a lifecycle node that can bring itself up, with diagnostics.

Real deployments drive the lifecycle from a manager (or `autostart:=false` and `ros2 lifecycle`);
pip-only machines and tests compose nodes with `autostart` on (the default), which configures and
activates each node as soon as it is constructed, as nav2's lifecycle manager would. Every node
leaves through the lifecycle shutdown transition, on a signal (run_node) or when its composer stops.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import rclpy
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue
from rclpy.client import Client
from rclpy.clock import Clock, ClockType
from rclpy.executors import SingleThreadedExecutor
from rclpy.lifecycle import LifecycleNode, LifecycleState, TransitionCallbackReturn
from rclpy.parameter import Parameter
from rclpy.publisher import Publisher
from rclpy.service import Service
from rclpy.subscription import Subscription
from rclpy.timer import Timer
from std_msgs.msg import Header

from vla_ros.core.liveness import HEARTBEAT_PERIOD_S, LivenessMonitor
from vla_ros.nodes.node_parameters import LivenessParameters, ManagedParameters
from vla_ros.nodes.parameters import declare_config
from vla_ros.nodes.shutdown import NODE_STOP_DEADLINE_S, POLL_S, StopRequest, init_ros

# Every active node's heartbeat: std_msgs/Header, the node's name in frame_id.
HEARTBEAT_TOPIC = "/vla/heartbeat"
Levels = {
    "ok": DiagnosticStatus.OK,
    "warn": DiagnosticStatus.WARN,
    "error": DiagnosticStatus.ERROR,
}


class ManagedNode(LifecycleNode):
    """Subclasses implement configure()/activate()/deactivate()/cleanup() returning None or raising.

    What a hook creates (publishers, subscriptions, timers, services, action servers) is recorded
    and destroyed by its counterpart: deactivate undoes activate, cleanup undoes configure, so a
    configure -> cleanup -> configure cycle never stacks a second set. While active, the node
    publishes a heartbeat (core/liveness.py) for the nodes that watch it.
    """

    def __init__(self, name: str, **kwargs: Any) -> None:
        super().__init__(name, **kwargs)
        autostart = declare_config(self, ManagedParameters).autostart
        self._diagnostics = self.create_publisher(DiagnosticArray, "/diagnostics", 10)
        self._configured: list[Any] | None = None
        self._activated: list[Any] | None = None
        if autostart:
            # Transitions from a zero-period one-shot would race the executor; do them now instead.
            self.trigger_configure()
            if self.lifecycle_state == "inactive":
                self.trigger_activate()

    # -- lifecycle plumbing: subclasses override the plain hooks below ---------------------------
    def on_configure(self, state: LifecycleState) -> TransitionCallbackReturn:
        result, self._configured = self._tracked("configure", self.configure)
        return result

    def on_activate(self, state: LifecycleState) -> TransitionCallbackReturn:
        result, self._activated = self._tracked("activate", self._activate_with_heartbeat)
        return result if result != TransitionCallbackReturn.SUCCESS else super().on_activate(state)

    def on_deactivate(self, state: LifecycleState) -> TransitionCallbackReturn:
        result = self._release("deactivate", self.deactivate, "_activated")
        return (
            result if result != TransitionCallbackReturn.SUCCESS else super().on_deactivate(state)
        )

    def on_cleanup(self, state: LifecycleState) -> TransitionCallbackReturn:
        return self._release("cleanup", self.cleanup, "_configured")

    def on_shutdown(self, state: LifecycleState) -> TransitionCallbackReturn:
        """From any state: undo activate, then configure, whichever happened."""
        results = [
            self._release("deactivate", self.deactivate, "_activated"),
            self._release("cleanup", self.cleanup, "_configured"),
        ]
        failed = [r for r in results if r != TransitionCallbackReturn.SUCCESS]
        return failed[0] if failed else TransitionCallbackReturn.SUCCESS

    def configure(self) -> None:
        """Read parameters, load models/configs, create publishers and subscriptions."""

    def activate(self) -> None:
        """Start timers and serving."""

    def deactivate(self) -> None:
        """Stop serving (the node keeps its configuration); entities activate() made go afterwards."""

    def cleanup(self) -> None:
        """Release what configure() holds besides ROS entities (threads, models, connections)."""

    @property
    def lifecycle_state(self) -> str:
        """unconfigured, inactive, active or finalized (or a transition in progress)."""
        return self._state_machine.current_state[1]

    @property
    def is_active(self) -> bool:
        return self.lifecycle_state == "active"

    def close(self) -> None:
        """Leave through the lifecycle shutdown transition (releasing everything), then destroy."""
        if self.lifecycle_state in ("unconfigured", "inactive", "active"):
            self.trigger_shutdown()
        self.destroy_node()

    def _activate_with_heartbeat(self) -> None:
        self.activate()
        beats = self.create_publisher(Header, HEARTBEAT_TOPIC, 10)
        steady = Clock(clock_type=ClockType.STEADY_TIME)
        name = self.get_name()
        self.create_timer(
            HEARTBEAT_PERIOD_S,
            lambda: beats.publish(Header(stamp=self.get_clock().now().to_msg(), frame_id=name)),
            clock=steady,
        )

    def _tracked(
        self, name: str, hook: Callable[[], None]
    ) -> tuple[TransitionCallbackReturn, list[Any] | None]:
        """Run a hook; on success return the entities it created, on failure destroy them."""
        before = self._entities()
        result = self._run_hook(name, hook)
        created = [e for e in self._entities() if e not in before]
        if result == TransitionCallbackReturn.SUCCESS:
            return result, created
        self._destroy(created)
        return result, None

    def _release(
        self, name: str, hook: Callable[[], None], attribute: str
    ) -> TransitionCallbackReturn:
        entities = getattr(self, attribute)
        if entities is None:
            return TransitionCallbackReturn.SUCCESS
        result = self._run_hook(name, hook)
        self._destroy(entities)
        setattr(self, attribute, None)
        return result

    def _entities(self) -> list[Any]:
        return [
            *self.publishers,
            *self.subscriptions,
            *self.timers,
            *self.services,
            *self.clients,
            *self.waitables,
        ]

    def _destroy(self, entities: list[Any]) -> None:
        for entity in entities:
            if isinstance(entity, Publisher):
                self.destroy_publisher(entity)
            elif isinstance(entity, Subscription):
                self.destroy_subscription(entity)
            elif isinstance(entity, Timer):
                self.destroy_timer(entity)
            elif isinstance(entity, Service):
                self.destroy_service(entity)
            elif isinstance(entity, Client):
                self.destroy_client(entity)
            else:  # action servers and other waitables remove themselves from the node
                entity.destroy()

    def _run_hook(self, name: str, hook: Callable[[], None]) -> TransitionCallbackReturn:
        try:
            hook()
        except Exception as error:  # noqa: BLE001 - any failure becomes a reported failed transition
            self.get_logger().error(f"{name} failed: {error}")
            self.publish_diagnostics("error", f"{name} failed: {error}")
            return TransitionCallbackReturn.FAILURE
        return TransitionCallbackReturn.SUCCESS

    def watch_liveness(self) -> LivenessMonitor:
        """Heartbeats of the nodes named by parameter `watched_nodes` (graph.yaml's `watches`; none
        when unset, as for a node started on its own), lost after `liveness_timeout_s` of silence
        (steady clock)."""
        parameters = declare_config(self, LivenessParameters)
        monitor = LivenessMonitor(
            list(parameters.watched_nodes or ()), parameters.liveness_timeout_s
        )
        self.create_subscription(
            Header, HEARTBEAT_TOPIC, lambda msg: monitor.beat(msg.frame_id, time.monotonic()), 10
        )
        return monitor

    # -- helpers ----------------------------------------------------------------------------------
    def now_s(self) -> float:
        """Current ROS time in seconds (sim time when use_sim_time is set)."""
        return self.get_clock().now().nanoseconds * 1e-9

    def started_now_s(self) -> float | None:
        """ROS time, or None while it reads 0 (under use_sim_time before the first /clock): nothing
        to judge a message's stamp by yet, so stamped input is better left alone than rejected."""
        now = self.now_s()
        return now if now > 0.0 else None

    def publish_diagnostics(
        self, level: str, message: str, values: dict[str, Any] | None = None
    ) -> None:
        status = DiagnosticStatus(
            level=Levels[level],
            name=f"vla_ros/{self.get_name()}",
            hardware_id=self.get_namespace() + self.get_name(),
            message=message,
            values=[KeyValue(key=k, value=str(v)) for k, v in (values or {}).items()],
        )
        array = DiagnosticArray(status=[status])
        array.header.stamp = self.get_clock().now().to_msg()
        self._diagnostics.publish(array)

    def report_bad_input(self, what: str, error: Exception) -> None:
        """Log and publish one rejected input; the node keeps running."""
        self.get_logger().error(f"rejected {what}: {error}", throttle_duration_sec=1.0)
        self.publish_diagnostics("error", f"rejected {what}: {error}")


def stamp_to_s(stamp: Any) -> float:
    return stamp.sec + stamp.nanosec * 1e-9


def reset_stamp_s(msg: Any) -> float | None:
    """A /vla/reset Header's stamp [s]; None for an unstamped reset (zero: when is unknown)."""
    return stamp_to_s(msg.stamp) or None


def s_to_stamp(seconds: float) -> Any:
    from builtin_interfaces.msg import Time

    # Round once in integer nanoseconds: rounding the fraction alone turns 24.9999999999 into 24.0.
    nanoseconds = round(seconds * 1e9)
    return Time(sec=nanoseconds // 1_000_000_000, nanosec=nanoseconds % 1_000_000_000)


def run_node(node_class: type[ManagedNode], args: Sequence[str] | None = None) -> None:
    """main() of every node executable: init, spin until SIGINT/SIGTERM, leave cleanly (nodes/shutdown.py).

    Single-threaded: see nodes/executors.py for why.
    """
    stop = StopRequest.install_once()
    stop.deadline_s = NODE_STOP_DEADLINE_S
    init_ros(stop, args)
    node = node_class()
    executor = SingleThreadedExecutor()
    executor.add_node(node)
    stop.spinning = True
    try:
        while not stop.requested and rclpy.ok():
            executor.spin_once(timeout_sec=POLL_S)
        executor.shutdown(timeout_sec=POLL_S)
    finally:
        node.close()
        rclpy.try_shutdown()
        stop.ignore_from_now_on()


def parameter_overrides(values: dict[str, Any]) -> list[Parameter]:
    """Parameters for in-process composition (same dict a launch file passes)."""
    return [Parameter(name, value=value) for name, value in values.items()]
