"""Message <-> core type mappings, the only place that knows both worlds."""

from __future__ import annotations

import numpy as np
from geometry_msgs.msg import Point, Pose, Quaternion
from sensor_msgs.msg import CompressedImage, Image
from sensor_msgs.msg import JointState as JointStateMsg
from std_msgs.msg import Header

from vla_ros.core.perception.compressed_image import rgb_image_from_compressed
from vla_ros.core.perception.image import FrameGeometry, rgb_image_from_buffer
from vla_ros.core.types import (
    ActionChunk,
    ActionSpace,
    Command,
    CommandSpace,
    InferenceTiming,
    InvalidInput,
    JointState,
    Observation,
)
from vla_ros.nodes.managed import s_to_stamp, stamp_to_s
from vla_ros_msgs.msg import ActionChunk as ActionChunkMsg
from vla_ros_msgs.msg import Command as CommandMsg
from vla_ros_msgs.msg import ObjectPose
from vla_ros_msgs.msg import ObjectPoses as ObjectPosesMsg
from vla_ros_msgs.msg import Observation as ObservationMsg


def header(stamp_s: float, frame_id: str = "") -> Header:
    return Header(stamp=s_to_stamp(stamp_s), frame_id=frame_id)


def joint_state_from_msg(msg: JointStateMsg) -> JointState:
    """Core joint state; InvalidInput for mismatched sizes and non-finite positions or velocities."""
    if len(msg.position) != len(msg.name):
        raise InvalidInput(
            f"JointState has {len(msg.name)} names but {len(msg.position)} positions"
        )
    velocities = np.array(msg.velocity, float) if len(msg.velocity) == len(msg.name) else None
    state = JointState(tuple(msg.name), np.array(msg.position, float), velocities)
    state.require_finite()  # no NaN/inf reaches an observation, a plan's start or the projector's anchor
    return state


def joint_state_to_msg(state: JointState, stamp_s: float) -> JointStateMsg:
    msg = JointStateMsg(
        header=header(stamp_s), name=list(state.names), position=state.positions.tolist()
    )
    if state.velocities is not None:
        msg.velocity = state.velocities.tolist()
    return msg


def image_from_msg(msg: Image, geometry: FrameGeometry = FrameGeometry()) -> np.ndarray:
    """HxWx3 uint8 RGB from a sensor_msgs/Image, cropped and downscaled by `geometry`;
    InvalidInput for unknown encodings or sizes."""
    return rgb_image_from_buffer(
        bytes(msg.data), msg.encoding, msg.height, msg.width, msg.step, msg.is_bigendian, geometry
    )


def compressed_image_from_msg(
    msg: CompressedImage, geometry: FrameGeometry = FrameGeometry()
) -> np.ndarray:
    """HxWx3 uint8 RGB from a sensor_msgs/CompressedImage (jpeg/png), cropped and downscaled by
    `geometry`; InvalidInput for unknown formats and undecodable data."""
    return rgb_image_from_compressed(bytes(msg.data), msg.format, geometry)


def image_to_msg(rgb: np.ndarray, stamp_s: float, frame_id: str = "") -> Image:
    height, width = rgb.shape[:2]
    return Image(
        header=header(stamp_s, frame_id),
        height=height,
        width=width,
        encoding="rgb8",
        is_bigendian=0,
        step=width * 3,
        data=np.ascontiguousarray(rgb, dtype=np.uint8).tobytes(),
    )


def observation_to_msg(observation: Observation) -> ObservationMsg:
    names = list(observation.images)
    return ObservationMsg(
        header=header(observation.stamp),
        camera_names=names,
        images=[image_to_msg(observation.images[n], observation.stamp, n) for n in names],
        joint_state=joint_state_to_msg(observation.joint_state, observation.stamp),
        instruction=observation.instruction,
        sequence=observation.sequence,
    )


def observation_from_msg(msg: ObservationMsg) -> Observation:
    if len(msg.camera_names) != len(msg.images):
        raise InvalidInput(
            f"Observation has {len(msg.camera_names)} camera names but {len(msg.images)} images"
        )
    return Observation(
        stamp=stamp_to_s(msg.header.stamp),
        images={name: image_from_msg(img) for name, img in zip(msg.camera_names, msg.images)},
        joint_state=joint_state_from_msg(msg.joint_state),
        instruction=msg.instruction,
        sequence=msg.sequence,
    )


def chunk_to_msg(chunk: ActionChunk) -> ActionChunkMsg:
    anchor = chunk.anchor
    return ActionChunkMsg(
        header=header(chunk.stamp),
        dt=float(chunk.dt),
        horizon=chunk.horizon,
        dim_names=list(chunk.dim_names),
        action_space=chunk.action_space.value,
        data=np.asarray(chunk.actions, float).ravel().tolist(),
        anchor_names=list(anchor.names) if anchor else [],
        anchor_positions=anchor.positions.tolist() if anchor else [],
        preprocess_latency=chunk.timing.preprocess,
        inference_latency=chunk.timing.inference,
        postprocess_latency=chunk.timing.postprocess,
        model_id=chunk.model_id,
        observation_sequence=chunk.observation_sequence,
    )


def chunk_from_msg(msg: ActionChunkMsg) -> ActionChunk:
    """Core chunk from a message; InvalidInput for inconsistent sizes or an unknown action space."""
    dim = len(msg.dim_names)
    if dim == 0 or msg.horizon == 0 or len(msg.data) != msg.horizon * dim:
        raise InvalidInput(
            f"ActionChunk data has {len(msg.data)} values; expected horizon {msg.horizon} x {dim} dims (non-zero)"
        )
    if len(msg.anchor_names) != len(msg.anchor_positions):
        raise InvalidInput(
            f"ActionChunk has {len(msg.anchor_names)} anchor names but {len(msg.anchor_positions)} positions"
        )
    return ActionChunk(
        stamp=stamp_to_s(msg.header.stamp),
        dt=msg.dt,
        actions=np.array(msg.data, float).reshape(msg.horizon, dim),
        dim_names=tuple(msg.dim_names),
        action_space=action_space(msg.action_space),
        anchor=JointState(tuple(msg.anchor_names), np.array(msg.anchor_positions, float))
        if msg.anchor_names
        else None,
        model_id=msg.model_id,
        timing=InferenceTiming(
            msg.preprocess_latency, msg.inference_latency, msg.postprocess_latency
        ),
        observation_sequence=msg.observation_sequence,
    )


def action_space(
    value: str, spaces: type[ActionSpace] | type[CommandSpace] = ActionSpace
) -> ActionSpace | CommandSpace:
    """A message's action_space string as a chunk's ActionSpace or a command's CommandSpace: the
    same "ee_delta" is chunk-relative on an ActionChunk and per-tick on a Command."""
    try:
        return spaces(value)
    except ValueError:
        raise InvalidInput(
            f"unknown action_space '{value}'; valid: {[a.value for a in spaces]}"
        ) from None


def command_to_msg(command: Command) -> CommandMsg:
    return CommandMsg(
        header=header(command.stamp),
        action_space=command.action_space.value,
        dim_names=list(command.dim_names),
        values=np.asarray(command.values, float).tolist(),
        velocities=[]
        if command.velocities is None
        else np.asarray(command.velocities, float).tolist(),
    )


def command_from_msg(msg: CommandMsg) -> Command:
    if len(msg.values) != len(msg.dim_names):
        raise InvalidInput(
            f"Command has {len(msg.dim_names)} dim names but {len(msg.values)} values"
        )
    if msg.velocities and len(msg.velocities) != len(msg.values):
        raise InvalidInput(
            f"Command has {len(msg.values)} values but {len(msg.velocities)} velocities"
        )
    return Command(
        stamp=stamp_to_s(msg.header.stamp),
        action_space=action_space(msg.action_space, CommandSpace),
        dim_names=tuple(msg.dim_names),
        values=np.array(msg.values, float),
        velocities=np.array(msg.velocities, float) if msg.velocities else None,
    )


def object_poses_to_msg(
    poses: dict[str, np.ndarray], stamp_s: float, frame_id: str = "world"
) -> ObjectPosesMsg:
    """poses: name -> [x, y, z, qw, qx, qy, qz] in `frame_id`."""
    objects = []
    for name, p in poses.items():
        pose = Pose(
            position=Point(x=float(p[0]), y=float(p[1]), z=float(p[2])),
            orientation=Quaternion(w=float(p[3]), x=float(p[4]), y=float(p[5]), z=float(p[6])),
        )
        objects.append(ObjectPose(name=name, pose=pose))
    return ObjectPosesMsg(header=header(stamp_s, frame_id), objects=objects)


def object_poses_from_msg(msg: ObjectPosesMsg) -> dict[str, np.ndarray]:
    return {
        o.name: np.array(
            [
                o.pose.position.x,
                o.pose.position.y,
                o.pose.position.z,
                o.pose.orientation.w,
                o.pose.orientation.x,
                o.pose.orientation.y,
                o.pose.orientation.z,
            ]
        )
        for o in msg.objects
    }
