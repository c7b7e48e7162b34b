"""safety_projector: the only path to the robot. /vla/command -> /vla/safe_joint_command.

Publishes every control tick once a measured joint state has arrived: the projected command, or a
braking-to-hold command (stale/invalid input, e-stop). Decisions live in vla_ros.core.safety. The
tick runs on a steady-clock timer on a real robot (nodes/control_timer.py); its diagnostics report
the tick period's p50/p99/max and overruns of the last second, and the process id (which process
the loop shares: `vla-ros run --processes`).
"""

from __future__ import annotations

import os
import time

from sensor_msgs.msg import JointState as JointStateMsg
from std_msgs.msg import Bool, Header, String
from std_srvs.srv import SetBool

from vla_ros.core.robot.config import load_robot_config
from vla_ros.core.safety import HoldSupervisor, SafeCommand, SafetyProjector
from vla_ros.core.types import InvalidInput
from vla_ros.nodes.control_timer import ControlTimer
from vla_ros.nodes.conversions import command_from_msg, header, joint_state_from_msg
from vla_ros.nodes.managed import ManagedNode, reset_stamp_s, run_node, stamp_to_s
from vla_ros.nodes.node_parameters import SafetyProjectorParameters
from vla_ros.nodes.parameters import declare_config
from vla_ros.nodes.qos import CONTROL, LATCHED, SENSOR
from vla_ros_msgs.msg import Command as CommandMsg
from vla_ros_msgs.msg import SafetyStatus


class SafetyProjectorNode(ManagedNode):
    def __init__(self, **kwargs) -> None:
        super().__init__("safety_projector", **kwargs)

    def configure(self) -> None:
        parameters = declare_config(self, SafetyProjectorParameters)
        robot = load_robot_config(parameters.robot, urdf_xml=parameters.robot_description or None)
        self._projector = SafetyProjector(robot, 1.0 / parameters.control_rate_hz)
        self._supervisor = HoldSupervisor(
            parameters.command_timeout_s,
            self._projector.counters,
            parameters.joint_state_timeout_s,
        )
        self._liveness = self.watch_liveness()
        self._measured = None
        self._safe_pub = self.create_publisher(JointStateMsg, "/vla/safe_joint_command", CONTROL)
        self._status_pub = self.create_publisher(SafetyStatus, "/vla/safety_status", CONTROL)
        self.create_subscription(CommandMsg, "/vla/command", self._on_command, CONTROL)
        self.create_subscription(
            JointStateMsg, robot.joint_state_topic, self._on_joint_state, SENSOR
        )
        self.create_subscription(Bool, "/vla/estop", lambda msg: self._set_estop(msg.data), 10)
        self.create_subscription(Bool, "/vla/reduced_speed", self._on_reduced_speed, 10)
        self.create_subscription(Header, "/vla/reset", self._on_reset, 10)
        self.create_service(SetBool, "/vla/set_estop", self._on_set_estop)
        # The robot's own URDF, when it publishes one (robot_state_publisher latches it).
        self.create_subscription(String, "/robot_description", self._on_robot_description, LATCHED)
        self._period = 1.0 / parameters.control_rate_hz
        self._last: SafeCommand | None = None
        self.create_timer(1.0, self._report)

    def activate(self) -> None:
        self._timer = ControlTimer(self, self._period, self._tick)

    def _on_command(self, msg: CommandMsg) -> None:
        try:
            command = command_from_msg(msg)
            if self._projector.ready:
                self._projector.validate(command)
        except InvalidInput as error:
            self._supervisor.reject()
            self.report_bad_input("command", error)
            return
        self._supervisor.accept(self.now_s(), command)

    def _on_joint_state(self, msg: JointStateMsg) -> None:
        try:
            measured = joint_state_from_msg(msg).subset(self._projector.joints)
            # Measured before a reset: no place to re-anchor (an unstamped one counts as now).
            if self._supervisor.measured(self.now_s(), stamp_to_s(msg.header.stamp) or None):
                self._measured = measured
        except InvalidInput as error:
            self.report_bad_input("joint state", error)

    def _set_estop(self, engaged: bool) -> None:
        self._supervisor.set_estop(engaged)
        self.get_logger().warning(f"e-stop {'ENGAGED (latched)' if engaged else 'released'}")

    def _on_set_estop(
        self, request: SetBool.Request, response: SetBool.Response
    ) -> SetBool.Response:
        self._set_estop(request.data)
        response.success, response.message = (
            True,
            f"estop_latched={self._supervisor.estop_latched}",
        )
        return response

    def _on_robot_description(self, msg: String) -> None:
        """Untrusted input while the arm moves: whatever is wrong with it, the running projector stays."""
        try:
            robot = self._projector.robot.with_urdf(msg.data)
            projector = self._projector.for_robot(robot)
        except InvalidInput as error:
            self.report_bad_input("robot_description", error)
            return
        except Exception as error:  # noqa: BLE001 - a core bug must not take the node down with it
            self.report_bad_input(
                "robot_description", InvalidInput(f"{type(error).__name__}: {error}")
            )
            return
        self._projector = projector
        for warning in robot.limit_warnings:
            self.get_logger().warning(f"robot_description: {warning}")
        if robot.limit_warnings:
            self.publish_diagnostics(
                "warn",
                f"robot_description accepted; {len(robot.limit_warnings)} limits kept at the configured ones",
            )
        self.get_logger().info("limits and kinematics now from /robot_description")

    def _on_reset(self, msg: Header) -> None:
        # Episode boundary: re-anchor at the next measured state instead of driving back to the old
        # one, and forget the old episode's commands (hold until the new episode's first).
        self._projector.reset()
        self._supervisor.reset(reset_stamp_s(msg))
        self._measured = None
        self.get_logger().info("reset: re-anchoring at the next measured joint state")

    def _on_reduced_speed(self, msg: Bool) -> None:
        self._projector.reduced_speed = bool(msg.data)

    def _tick(self) -> None:
        if not self._projector.ready:
            if self._measured is None:
                return
            self._projector.start(self._measured)
        now = self.now_s()
        reason = self._supervisor.hold_reason(
            now, self._liveness.lost(time.monotonic()), self._liveness.unseen()
        )
        safe = self._projector.step(None if reason else self._supervisor.command, reason)
        self._safe_pub.publish(
            JointStateMsg(
                header=header(now),
                name=list(safe.names),
                position=safe.positions.tolist(),
                velocity=safe.velocities.tolist(),
            )
        )
        self._status_pub.publish(self._status(safe, now))
        self._last = safe

    def _report(self) -> None:
        ticks, jitter = self._timer.take_report() if self.is_active else ({}, "")
        values = {"pid": os.getpid(), **ticks}
        if self._last is None:
            message = "waiting for a measured joint state"
            self.publish_diagnostics("warn", "; ".join(filter(None, [message, jitter])), values)
            return
        message = f"holding: {self._last.hold_reason}" if self._last.holding else "tracking"
        values |= {
            **self._projector.counters,
            "worst_jerk_ratio": round(self._projector.worst_jerk_ratio, 3),
            "upstream": self._liveness.describe(time.monotonic()),
        }
        level = "warn" if self._last.holding or jitter else "ok"
        self.publish_diagnostics(level, "; ".join(filter(None, [message, jitter])), values)

    def _status(self, safe: SafeCommand, now: float) -> SafetyStatus:
        counters = self._projector.counters
        return SafetyStatus(
            header=header(now),
            holding=safe.holding,
            hold_reason=safe.hold_reason,
            active_constraints=list(safe.active),
            correction_norm=safe.correction_norm,
            counter_names=list(counters),
            counter_values=[int(v) for v in counters.values()],
            estop_latched=self._supervisor.estop_latched,
            reduced_speed=self._projector.reduced_speed,
        )


def main(args=None) -> None:
    run_node(SafetyProjectorNode, args)
