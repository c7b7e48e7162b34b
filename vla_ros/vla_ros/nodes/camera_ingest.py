"""camera_ingest: N camera Image topics + /joint_states -> time-consistent /vla/observation.

Each frame is decoded (raw Image or, with a camera's `transport: compressed`, a CompressedImage on
`<topic>/compressed`), cropped and downscaled to `image_size` at once, so the observation that
travels on carries only the pixels a policy can use (real cameras: 1280x720 at 30 Hz).

Time faults are decided in the core with this node's clock (sim time under use_sim_time): future
stamps are rejected, and a backward clock jump restarts the assembler's time line, here at once
through an rclpy time-jump callback, and in the core at the next message should a jump go unseen.
Under use_sim_time, messages that arrive before the first /clock are ignored: ROS time reads 0 then,
and every stamp would look like it came from the future.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from rclpy.clock import JumpThreshold, TimeJump
from rclpy.duration import Duration
from sensor_msgs.msg import CompressedImage, Image, JointState
from std_msgs.msg import String

from vla_ros.core.perception.observation_sync import ObservationAssembler
from vla_ros.core.robot.config import load_robot_config
from vla_ros.core.types import InvalidInput
from vla_ros.nodes.conversions import (
    compressed_image_from_msg,
    image_from_msg,
    joint_state_from_msg,
    observation_to_msg,
)
from vla_ros.nodes.managed import ManagedNode, run_node, stamp_to_s
from vla_ros.nodes.node_parameters import CameraIngestParameters
from vla_ros.nodes.parameters import declare_config
from vla_ros.nodes.qos import LATCHED, SENSOR, SENSOR_FRAMES
from vla_ros_msgs.msg import Observation


class CameraIngestNode(ManagedNode):
    def __init__(self, **kwargs) -> None:
        super().__init__("camera_ingest", **kwargs)

    def configure(self) -> None:
        parameters = declare_config(self, CameraIngestParameters)
        robot = load_robot_config(parameters.robot)
        by_name = {c.name: c for c in robot.cameras}
        names = list(parameters.sync.cameras or by_name)
        unknown = [n for n in names if n not in by_name]
        if unknown:
            raise InvalidInput(
                f"parameter cameras names {unknown}; robot '{robot.name}' has {list(by_name)}"
            )
        self._geometry = parameters.geometry
        # Decoding crops (in source pixels) and downscales each frame (FrameGeometry).
        self._assembler = ObservationAssembler(replace(parameters.sync, cameras=tuple(names)))
        self._instruction = parameters.instruction
        self._publisher = self.create_publisher(Observation, "/vla/observation", 2)
        self.create_subscription(String, "/vla/instruction", self._on_instruction, LATCHED)
        self.create_subscription(JointState, robot.joint_state_topic, self._on_joint_state, SENSOR)
        for name in names:
            camera = by_name[name]
            compressed = camera.transport == "compressed"
            self.create_subscription(
                CompressedImage if compressed else Image,
                camera.frame_topic,
                lambda msg, n=name: self._on_image(n, msg),
                SENSOR_FRAMES,
            )
        self.create_timer(1.0, self._report)
        backward = Duration(nanoseconds=-round(self._assembler.config.max_future_s * 1e9))
        self._jump_handle = self.get_clock().create_jump_callback(
            JumpThreshold(min_forward=None, min_backward=backward, on_clock_change=False),
            post_callback=self._on_clock_jump,
        )
        self.get_logger().info(
            f"ingesting {names} -> /vla/observation (crop {list(parameters.crop)}, "
            f"image_size {list(parameters.image_size)})"
        )

    def cleanup(self) -> None:
        self._jump_handle.unregister()  # not a node entity: the lifecycle base cannot release it

    def _on_instruction(self, msg: String) -> None:
        self._instruction = msg.data

    def _on_clock_jump(self, jump: TimeJump) -> None:
        self._assembler.restart_time_line(self.now_s())
        self.get_logger().warning(
            f"clock jumped back by {-jump.delta.nanoseconds * 1e-9:.3f} s: frame and joint history reset"
        )

    def _on_joint_state(self, msg: JointState) -> None:
        now = self.started_now_s()
        if now is None:
            return
        try:
            self._assembler.add_joint_state(
                stamp_to_s(msg.header.stamp), joint_state_from_msg(msg), now
            )
        except InvalidInput as error:
            self.report_bad_input("joint state", error)

    def _on_image(self, camera: str, msg: Image | CompressedImage) -> None:
        now = self.started_now_s()
        if now is None:
            return
        try:
            self._assembler.add_frame(camera, stamp_to_s(msg.header.stamp), self._decode(msg), now)
        except InvalidInput as error:
            self.report_bad_input(f"image on camera '{camera}'", error)
            return
        if not self.is_active:
            return
        observation = self._assembler.assemble(now, self._instruction)
        if observation is not None:
            self._publisher.publish(observation_to_msg(observation))

    def _decode(self, msg: Image | CompressedImage) -> np.ndarray:
        if isinstance(msg, CompressedImage):
            return compressed_image_from_msg(msg, self._geometry)
        return image_from_msg(msg, self._geometry)

    def _report(self) -> None:
        counters = vars(self._assembler.counters)
        self.publish_diagnostics(
            "warn" if counters["last_problem"] else "ok",
            counters["last_problem"] or "ok",
            counters,
        )


def main(args=None) -> None:
    run_node(CameraIngestNode, args)
