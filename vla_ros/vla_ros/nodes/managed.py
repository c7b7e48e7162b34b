"""Base for every vla_ros node: a lifecycle node that can bring itself up, with diagnostics.

Real deployments drive the lifecycle from a manager (or `autostart:=false` and `ros2 lifecycle`);
pip-only machines and tests compose nodes with `autostart` on (the default), which configures and
activates each node as soon as it is constructed, as nav2's lifecycle manager would.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import rclpy
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue
from rclpy.executors import ExternalShutdownException, SingleThreadedExecutor
from rclpy.lifecycle import LifecycleNode, LifecycleState, TransitionCallbackReturn
from rclpy.parameter import Parameter

Levels = {"ok": DiagnosticStatus.OK, "warn": DiagnosticStatus.WARN, "error": DiagnosticStatus.ERROR}


class ManagedNode(LifecycleNode):
    """Subclasses implement configure()/activate()/deactivate()/cleanup() returning None or raising."""

    def __init__(self, name: str, **kwargs: Any) -> None:
        super().__init__(name, **kwargs)
        self.declare_parameter("autostart", True)
        self._diagnostics = self.create_publisher(DiagnosticArray, "/diagnostics", 10)
        if self.get_parameter("autostart").value:
            # Transitions from a zero-period one-shot would race the executor; do them now instead.
            self.trigger_configure()
            if self._state_machine.current_state[1] == "inactive":
                self.trigger_activate()

    # -- lifecycle plumbing: subclasses override the plain hooks below ---------------------------
    def on_configure(self, state: LifecycleState) -> TransitionCallbackReturn:
        return self._run_hook("configure", self.configure)

    def on_activate(self, state: LifecycleState) -> TransitionCallbackReturn:
        result = self._run_hook("activate", self.activate)
        return result if result != TransitionCallbackReturn.SUCCESS else super().on_activate(state)

    def on_deactivate(self, state: LifecycleState) -> TransitionCallbackReturn:
        result = self._run_hook("deactivate", self.deactivate)
        return result if result != TransitionCallbackReturn.SUCCESS else super().on_deactivate(state)

    def on_cleanup(self, state: LifecycleState) -> TransitionCallbackReturn:
        return self._run_hook("cleanup", self.cleanup)

    def configure(self) -> None:
        """Read parameters, load models/configs, create publishers and subscriptions."""

    def activate(self) -> None:
        """Start timers and serving."""

    def deactivate(self) -> None:
        """Stop serving (the node keeps its configuration)."""

    def cleanup(self) -> None:
        """Release what configure() created."""

    @property
    def is_active(self) -> bool:
        return self._state_machine.current_state[1] == "active"

    def _run_hook(self, name: str, hook: Callable[[], None]) -> TransitionCallbackReturn:
        try:
            hook()
        except Exception as error:  # noqa: BLE001 - any failure becomes a reported failed transition
            self.get_logger().error(f"{name} failed: {error}")
            self.publish_diagnostics("error", f"{name} failed: {error}")
            return TransitionCallbackReturn.FAILURE
        return TransitionCallbackReturn.SUCCESS

    # -- helpers ----------------------------------------------------------------------------------
    def param(self, name: str, default: Any) -> Any:
        """Declare (once) and read a parameter."""
        if not self.has_parameter(name):
            self.declare_parameter(name, default)
        return self.get_parameter(name).value

    def now_s(self) -> float:
        """Current ROS time in seconds (sim time when use_sim_time is set)."""
        return self.get_clock().now().nanoseconds * 1e-9

    def publish_diagnostics(self, level: str, message: str, values: dict[str, Any] | None = None) -> None:
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


def s_to_stamp(seconds: float) -> Any:
    from builtin_interfaces.msg import Time

    # Round once in integer nanoseconds: rounding the fraction alone turns 24.9999999999 into 24.0.
    nanoseconds = round(seconds * 1e9)
    return Time(sec=nanoseconds // 1_000_000_000, nanosec=nanoseconds % 1_000_000_000)


def run_node(node_class: type[ManagedNode], args: Sequence[str] | None = None) -> None:
    """main() of every node executable: init, spin, shutdown (see nodes/executors.py for why single-threaded)."""
    rclpy.init(args=args)
    node = node_class()
    executor = SingleThreadedExecutor()
    executor.add_node(node)
    try:
        executor.spin()
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    finally:
        node.destroy_node()
        rclpy.try_shutdown()


def parameter_overrides(values: dict[str, Any]) -> list[Parameter]:
    """Parameters for in-process composition (same dict a launch file passes)."""
    return [Parameter(name, value=value) for name, value in values.items()]
