"""sim node: the embedded MuJoCo robot as ROS sees a real one (joint states, cameras, trajectory controllers).

Sim time is the clock of the whole graph: this node steps physics in batches from a wall-clock
timer (real_time_factor x wall time), publishes /clock, /joint_states and object poses at
joint_state_rate_hz and renders the cameras only at camera_rate_hz (one process, two cores).
"""

from __future__ import annotations

import math
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from rclpy.callback_groups import MutuallyExclusiveCallbackGroup
from rclpy.clock import Clock, ClockType
from rosgraph_msgs.msg import Clock as ClockMsg
from sensor_msgs.msg import CameraInfo, Image
from sensor_msgs.msg import JointState as JointStateMsg
from std_msgs.msg import Header
from trajectory_msgs.msg import JointTrajectory as JointTrajectoryMsg

from vla_ros.core.robot.config import load_robot_config
from vla_ros.core.tasks.spec import parse_instruction
from vla_ros.core.types import InvalidInput
from vla_ros.nodes.conversions import header, image_to_msg, joint_state_to_msg, object_poses_to_msg
from vla_ros.nodes.managed import ManagedNode, run_node, s_to_stamp, stamp_to_s
from vla_ros.nodes.node_parameters import SimParameters
from vla_ros.nodes.parameters import declare_config
from vla_ros.sim.publication_grid import PublicationGrid
from vla_ros.sim.tasks import TaskMonitor
from vla_ros.sim.trajectory_follower import JointTrajectory, TrajectoryPoint
from vla_ros.sim.world import SimWorld
from vla_ros_msgs.msg import ObjectPoses, TaskStatus
from vla_ros_msgs.srv import ResetSim

TICK_S = 0.01  # wall-clock period of the stepping timer
# Sim time one tick may advance. Bursts of sim time would let the robot run ahead of controllers
# that had no chance to react; when the machine is loaded the sim runs slower than real time instead.
MAX_LAG_S = TICK_S


class SimNode(ManagedNode):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__("sim", **kwargs)

    def configure(self) -> None:
        parameters = declare_config(self, SimParameters)
        try:
            robot = load_robot_config(parameters.robot)
        except InvalidInput as error:
            raise InvalidInput(f"parameter robot='{parameters.robot}': {error}") from error
        self.real_time_factor = parameters.real_time_factor
        self.publish_clock = parameters.publish_clock
        self.world = SimWorld(robot)
        # An EGL context is current on one thread at a time: all rendering happens on this one.
        self.render_thread = ThreadPoolExecutor(1, thread_name_prefix="sim_render")
        self.world.model.opt.timestep = 1.0 / parameters.physics_rate_hz
        self._joint_state_period = 1.0 / parameters.joint_state_rate_hz
        self._camera_period = 1.0 / parameters.camera_rate_hz
        self.reset_hold_s = parameters.reset_hold_s
        # A reset holds the arm at home until the graph hears of it (/vla/reset), or this sim time.
        self._reset_at, self._hold_until = -math.inf, -math.inf
        self.episode = 0
        self._start_task(parameters.instruction, parameters.seed)
        group = self.group = MutuallyExclusiveCallbackGroup()
        self.clock_pub = self.create_publisher(ClockMsg, "/clock", 10)
        self.joint_pub = self.create_publisher(JointStateMsg, robot.joint_state_topic, 10)
        self.poses_pub = self.create_publisher(ObjectPoses, "/sim/object_poses", 10)
        self.status_pub = self.create_publisher(TaskStatus, "/sim/task_status", 10)
        self.cameras = [
            (
                c,
                self.create_publisher(Image, c.topic, 2),
                self.create_publisher(CameraInfo, c.info_topic, 2),
            )
            for c in robot.cameras
        ]
        for controller in self.world.controller_names:
            self.create_subscription(
                JointTrajectoryMsg,
                f"/{controller}/joint_trajectory",
                lambda msg, name=controller: self._on_trajectory(name, msg),
                10,
                callback_group=group,
            )
        self.create_service(ResetSim, "/sim/reset", self._on_reset, callback_group=group)
        self.create_subscription(
            Header, "/vla/reset", self._on_graph_reset, 10, callback_group=group
        )

    def activate(self) -> None:
        self._joint_state_grid = PublicationGrid(self._joint_state_period, self.world.time)
        self._camera_grid = PublicationGrid(self._camera_period, self.world.time)
        self._wall = time.monotonic()
        # A steady (wall) clock: with use_sim_time the ROS clock only advances when this timer publishes /clock.
        steady = Clock(clock_type=ClockType.STEADY_TIME)
        self.create_timer(TICK_S, self._tick, callback_group=self.group, clock=steady)

    def cleanup(self) -> None:
        # Renderers must be freed on the thread whose EGL context they hold.
        self.render_thread.submit(self.world.close).result()
        self.render_thread.shutdown()

    # -- stepping --------------------------------------------------------------------------------
    def _tick(self) -> None:
        wall = time.monotonic()
        target = self.world.time + min((wall - self._wall) * self.real_time_factor, MAX_LAG_S)
        self._wall = wall
        dt = self.world.model.opt.timestep
        while self.world.time + 0.5 * dt < target:
            next_event = min(self._joint_state_grid.next, self._camera_grid.next, target)
            self.world.step(max(1, int(round((next_event - self.world.time) / dt))))
            now = self.world.time
            if self._joint_state_grid.reached(now, dt):
                self._publish_state(now)
            if self._camera_grid.reached(now, dt):
                self._publish_cameras(now)

    def _publish_state(self, now: float) -> None:
        if self.publish_clock:
            self.clock_pub.publish(ClockMsg(clock=s_to_stamp(now)))
        self.joint_pub.publish(joint_state_to_msg(self.world.joint_state(), now))
        self.poses_pub.publish(object_poses_to_msg(self.world.object_poses(), now))

    def _publish_cameras(self, now: float) -> None:
        for camera, image_pub, info_pub in self.cameras:
            rgb = self.render_thread.submit(
                self.world.render, camera.name, camera.width, camera.height
            ).result()
            image_pub.publish(image_to_msg(rgb, now, camera.name))
            info_pub.publish(_camera_info(camera, now))
        status = self.monitor.update()
        self.status_pub.publish(
            TaskStatus(
                header=header(now),
                instruction=self.instruction,
                success=status.success,
                progress=status.progress,
                episode=self.episode,
                first_lifted=self.monitor.first_lifted or "",
            )
        )

    # -- inputs ------------------------------------------------------------------------------------
    def _on_trajectory(self, controller: str, msg: JointTrajectoryMsg) -> None:
        if self.world.time < self._hold_until:
            return  # computed for the world before the reset
        try:
            self.world.receive_trajectory(controller, trajectory_from_msg(msg))
        except InvalidInput as error:
            self.report_bad_input(f"trajectory on /{controller}/joint_trajectory", error)

    def _on_graph_reset(self, msg: Header) -> None:
        """The graph heard of the reset: what it commands from now on is meant for the new episode."""
        if stamp_to_s(msg.stamp) >= self._reset_at:
            self._hold_until = -math.inf

    def _on_reset(
        self, request: ResetSim.Request, response: ResetSim.Response
    ) -> ResetSim.Response:
        try:
            self._start_task(request.instruction or self.instruction, int(request.seed))
        except (InvalidInput, ValueError) as error:
            response.success, response.message = False, str(error)
            return response
        self.episode += 1
        self._reset_at = self.world.time
        self._hold_until = self._reset_at + self.reset_hold_s
        response.success, response.message = (
            True,
            f"episode {self.episode}: '{self.instruction}' with seed {request.seed}",
        )
        self.get_logger().info(response.message)
        return response

    def _start_task(self, instruction: str, seed: int) -> None:
        task = parse_instruction(instruction)
        monitor = TaskMonitor(task, self.world)
        self.world.reset(seed, placed_first=(task.obj,))
        self.instruction, self.monitor = instruction, monitor


def trajectory_from_msg(msg: JointTrajectoryMsg) -> JointTrajectory:
    def array(values: Any) -> np.ndarray | None:
        return np.asarray(values, dtype=float) if len(values) else None

    points = tuple(
        TrajectoryPoint(
            p.time_from_start.sec + p.time_from_start.nanosec * 1e-9,
            array(p.positions),
            array(p.velocities),
            array(p.accelerations),
        )
        for p in msg.points
    )
    return JointTrajectory(tuple(msg.joint_names), points, stamp_to_s(msg.header.stamp))


def _camera_info(camera: Any, now: float) -> CameraInfo:
    """Pinhole intrinsics of the simulated camera (square pixels, vertical field of view fovy)."""
    f = 0.5 * camera.height / math.tan(math.radians(camera.fovy_deg) / 2)
    cx, cy = camera.width / 2, camera.height / 2
    return CameraInfo(
        header=header(now, camera.name),
        width=camera.width,
        height=camera.height,
        distortion_model="plumb_bob",
        d=[0.0] * 5,
        k=[f, 0.0, cx, 0.0, f, cy, 0.0, 0.0, 1.0],
        r=[1.0, 0, 0, 0, 1.0, 0, 0, 0, 1.0],
        p=[f, 0.0, cx, 0.0, 0.0, f, cy, 0.0, 0.0, 0.0, 1.0, 0.0],
    )


def main(args: list[str] | None = None) -> None:
    run_node(SimNode, args)
