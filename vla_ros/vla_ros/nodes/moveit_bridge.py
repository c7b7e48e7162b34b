"""moveit_bridge: /vla/safe_joint_command -> the robot's controllers, by the backend selected.

Backends (parameter `backend`, README "Bridge backends"): joint_trajectory (JointTrajectory per
JointTrajectoryController), forward_position (Float64MultiArray per forward position controller),
servo (MoveIt Servo: JointJog or twists, paused while the projector holds, its status in
diagnostics), moveit_py (joint_trajectory streaming, plus MoveItPy moves home after each RunTask
and a planning-scene gate on the upcoming waypoints). Grippers go with the arm's controllers or
by actions (parameter `gripper`). It subscribes to nothing that commands the robot but the safety
projector's output: the projector stays the only path to the robot. When the projector's
heartbeat is lost (core/liveness.py) it raises an alarm, in its log and on /diagnostics.
"""

from __future__ import annotations

import threading
import time

from sensor_msgs.msg import JointState as JointStateMsg
from std_msgs.msg import Header
from std_srvs.srv import Trigger

from vla_ros.core.bridge.scene_gate import SceneGate
from vla_ros.core.bridge.upcoming import chunk_waypoints
from vla_ros.core.robot.config import load_robot_config
from vla_ros.core.robot.kinematics import Kinematics
from vla_ros.core.time_guard import refuse_future
from vla_ros.core.types import InvalidInput
from vla_ros.nodes.bridge.moveit_py import MoveItPyPlanner, planning_groups
from vla_ros.nodes.bridge.outputs import build_outputs
from vla_ros.nodes.bridge.visualization import FkTransforms, PathMarkers, SafetyText
from vla_ros.nodes.conversions import chunk_from_msg, joint_state_from_msg
from vla_ros.nodes.managed import ManagedNode, run_node, stamp_to_s
from vla_ros.nodes.node_parameters import MoveItBridgeParameters
from vla_ros.nodes.parameters import declare_config
from vla_ros.nodes.qos import CONTROL, EPISODE_EVENTS, SENSOR
from vla_ros_msgs.msg import ActionChunk, EpisodeEvent, SafetyStatus

_LEVELS = {"ok": 0, "warn": 1, "error": 2}


class MoveItBridgeNode(ManagedNode):
    def __init__(self, **kwargs) -> None:
        super().__init__("moveit_bridge", **kwargs)

    def configure(self) -> None:
        parameters = declare_config(self, MoveItBridgeParameters)
        robot = load_robot_config(parameters.robot)
        self._robot = robot
        self._outputs = build_outputs(self, robot, parameters)
        self._planner = self._gate = None
        if parameters.backend == "moveit_py":
            self._planner = MoveItPyPlanner(
                robot,
                planning_groups(robot, parameters.planning_groups),
                parameters.home_named_state,
                parameters.moveit_params_file,
            )
            self._gate = SceneGate(parameters.gate) if parameters.gate.scene_gate else None
            self._reset_pub = self.create_publisher(Header, "/vla/reset", 10)
            # /vla/episode keeps its last events for late joiners: older ones are no cue to move.
            self._events_since = self.now_s()
            self.create_subscription(
                EpisodeEvent, "/vla/episode", self._on_episode, EPISODE_EVENTS
            )
            self.create_service(Trigger, "~/go_home", self._on_go_home)
        kinematics = Kinematics.from_robot(robot)
        self._markers = PathMarkers(self, robot, kinematics) if parameters.path_markers else None
        self._transforms = FkTransforms(self, robot, kinematics) if parameters.publish_tf else None
        if self._markers or self._transforms:
            self.create_subscription(
                JointStateMsg, robot.joint_state_topic, self._on_joint_state, SENSOR
            )
        if self._markers or self._gate:
            self.create_subscription(ActionChunk, "/vla/action_chunk", self._on_chunk, 10)
        self._safety_text = SafetyText(self, robot) if parameters.path_markers else None
        if self._outputs.servo or self._safety_text:
            self.create_subscription(SafetyStatus, "/vla/safety_status", self._on_safety, CONTROL)
        self.create_subscription(
            JointStateMsg, "/vla/safe_joint_command", self._on_safe_command, CONTROL
        )
        self._homing = threading.Event()
        self._sent = self._refused = 0
        self._home_status = ("ok", "")
        self._gate_status = ("ok", "")
        self._liveness = self.watch_liveness()
        self.create_timer(1.0, self._report)
        self.get_logger().info(f"backend {parameters.backend}: {self._outputs.describe()}")

    def _on_safe_command(self, msg: JointStateMsg) -> None:
        if not self.is_active or self._homing.is_set():
            return  # while MoveIt moves home it owns the controllers
        command_time = stamp_to_s(msg.header.stamp) or self.now_s()
        if self._gate is not None and not self._gate.allows(command_time):
            self._refused += 1
            return
        try:
            target = joint_state_from_msg(msg)
            for sink in self._outputs.sinks:
                sink.send(target)
            if self._outputs.grippers:
                self._outputs.grippers.send(target, self.now_s())
        except InvalidInput as error:
            self.report_bad_input("safe joint command", error)
            return
        self._sent += 1

    def _on_joint_state(self, msg: JointStateMsg) -> None:
        try:
            state = joint_state_from_msg(msg)
            # Drawn and broadcast as the robot now: one stamped ahead is not.
            refuse_future("joint state", stamp_to_s(msg.header.stamp) or None, self.now_s())
            if self._markers:
                self._markers.remember(state)
            if self._transforms:
                self._transforms.publish(state)
        except InvalidInput as error:
            self.report_bad_input("joint state", error)

    def _on_chunk(self, msg: ActionChunk) -> None:
        try:
            waypoints = chunk_waypoints(chunk_from_msg(msg), self._robot.command_joints)
        except InvalidInput as error:
            if self._gate is not None:  # the gate cannot see this chunk: say so, every time
                self._gate_status = ("warn", f"chunk not checked against the scene: {error}")
            return
        if self._gate is not None:
            verdict = self._gate.check(waypoints, self.now_s(), self._planner_colliding)
            self._gate_status = ("ok" if verdict.clear else "error", verdict.describe())
            if not verdict.clear:
                self.get_logger().error(verdict.describe())
        if self._markers:
            self._markers.publish(waypoints, self._gate.refused_from if self._gate else None)

    def _planner_colliding(self, q) -> bool:
        return self._planner.colliding(self._robot.command_joints, q)

    def _on_safety(self, msg: SafetyStatus) -> None:
        if self._outputs.servo:
            self._outputs.servo.follow_hold(bool(msg.holding))
        if self._safety_text:
            self._safety_text.publish(msg.holding, msg.hold_reason, list(msg.active_constraints))

    def _on_episode(self, msg: EpisodeEvent) -> None:
        if stamp_to_s(msg.header.stamp) < self._events_since:
            return
        if msg.event == EpisodeEvent.EVENT_END:
            self._start_home_move()

    def _on_go_home(self, request, response):
        response.success = self._start_home_move()
        response.message = "moving home" if response.success else "a home move is running"
        return response

    def _start_home_move(self) -> bool:
        if self._homing.is_set():
            return False
        self._homing.set()
        threading.Thread(target=self._move_home, name="moveit_home", daemon=True).start()
        return True

    def _move_home(self) -> None:
        try:
            success, message = self._planner.go_home()
        except Exception as error:  # noqa: BLE001 - MoveIt's errors are reported, the bridge goes on
            success, message = False, f"home move failed: {error}"
        self._home_status = ("ok" if success else "error", message)
        if self._gate is not None:
            self._gate.clear()
        # The robot was moved: executor and projector re-anchor at the measured state.
        self._reset_pub.publish(
            Header(stamp=self.get_clock().now().to_msg(), frame_id="moveit_home")
        )
        self._homing.clear()

    def _report(self) -> None:
        values = {"commands_sent": self._sent, "commands_refused_by_gate": self._refused}
        lost = self._liveness.lost(time.monotonic())
        if lost:
            alarm = (
                f"ALARM: {self._liveness.describe_lost(time.monotonic())}: no safe commands reach "
                "the controllers, which hold their last point"
            )
            self.get_logger().error(alarm, throttle_duration_sec=5.0)
            self.publish_diagnostics("error", alarm, values)
            return
        statuses = [("ok", "moving home" if self._homing.is_set() else "streaming")]
        statuses += [self._home_status, self._gate_status]
        for part in (self._outputs.servo, self._outputs.grippers):
            if part is not None:
                statuses.append(part.status())
        level = max((s[0] for s in statuses), key=_LEVELS.__getitem__)
        message = "; ".join(text for _, text in statuses if text)
        self.publish_diagnostics(level, message, values)


def main(args=None) -> None:
    run_node(MoveItBridgeNode, args)
