"""What `sim:=gazebo` needs, generated from a RobotConfig: for machines with ros_gz and gz_ros2_control.

- a URDF with a `<ros2_control>` block (gz_ros2_control/GazeboSimSystem, position command interfaces
  on every command joint, mimic fingers following their leader), the GazeboSimROS2ControlPlugin and
  one camera sensor per configured camera (fixed cameras on links welded to the base frame);
- the controller_manager parameters: a joint_state_broadcaster and one JointTrajectoryController per
  arm/gripper controller of the robot config;
- a ros_gz_bridge configuration for /clock and every camera's image + camera_info.

ros2_control controller names cannot contain '/', so controllers named "ns/name" in the robot config
run as "name" under a controller_manager in namespace "/ns" when all share one namespace (the real
drivers' topics then match exactly); otherwise as "ns_name", and `trajectory_topics` says where each
configured controller's trajectory topic went so the launch file can remap the bridge to it.

Before anything starts, `require_packages` checks that every package sim:=gazebo runs or loads is
installed and names all missing ones in one error: a partial install used to start the graph and
Gazebo, then fail at the first missing executable and leave them running. The files are written
to one directory per robot (`files_directory`), overwritten by each attempt, not a new temporary
directory per attempt.

Gazebo cannot run here: only the generated files are tested (they parse and name every joint and
controller); the spawn/bridge/controller run is verified only on a full ROS 2 + Gazebo install.
"""

from __future__ import annotations

import math
import os
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from vla_ros.core.robot.config import CameraConfig, ControllerConfig, RobotConfig
from vla_ros.core.types import InvalidInput

CONTROLLER_RATE_HZ = 500
# What sim:=gazebo starts (Gazebo, spawner, bridge, state publisher, controller spawners) and what the
# controller manager loads (the hardware plugin and both controller types), with the apt package
# (ros-$ROS_DISTRO-...) that brings each one.
GAZEBO_PACKAGES = {
    "ros_gz_sim": "ros-gz",
    "ros_gz_bridge": "ros-gz",
    "robot_state_publisher": "robot-state-publisher",
    "controller_manager": "ros2-control",
    "gz_ros2_control": "gz-ros2-control",
    "joint_state_broadcaster": "ros2-controllers",
    "joint_trajectory_controller": "ros2-controllers",
}


def require_packages(packages: Mapping[str, str] = GAZEBO_PACKAGES) -> None:
    """Raise InvalidInput naming every package of `packages` (name -> apt package) not in the ament index."""
    from ament_index_python.packages import get_packages_with_prefixes

    installed = get_packages_with_prefixes()
    missing = [name for name in packages if name not in installed]
    if missing:
        apt = " ".join(sorted({f"ros-$ROS_DISTRO-{packages[name]}" for name in missing}))
        raise InvalidInput(
            f"sim:=gazebo needs ROS packages that are not installed: {missing} (nothing was started). "
            f"Install them (apt install {apt}) and source the workspace, or use sim:=mujoco"
        )


def files_directory(robot_name: str, environ: Mapping[str, str] = os.environ) -> Path:
    """Where sim:=gazebo writes a robot's files: $ROS_HOME (default ~/.ros)/vla_ros/gazebo/<robot>."""
    if not robot_name or Path(robot_name).name != robot_name or robot_name in (".", ".."):
        raise InvalidInput(
            f"robot name '{robot_name}' cannot name a directory (a robot config's `name`, not a path)"
        )
    ros_home = Path(environ.get("ROS_HOME") or Path.home() / ".ros")
    return ros_home / "vla_ros" / "gazebo" / robot_name


@dataclass(frozen=True)
class GazeboBringup:
    urdf: str
    controllers: dict[str, Any]  # controller_manager parameter file content
    bridge: list[dict[str, str]]  # ros_gz_bridge config_file content
    namespace: str  # of the controller_manager ("" = root)
    # configured controller name -> the JointTrajectoryController's topic in Gazebo
    trajectory_topics: dict[str, str]

    @property
    def spawn_order(self) -> tuple[str, ...]:
        """Controllers to start with the controller_manager spawner, broadcaster first."""
        return tuple(
            k
            for k in self.controllers["controller_manager"]["ros__parameters"]
            if k != "update_rate"
        )

    def write(self, directory: Path) -> dict[str, Path]:
        """Write robot.urdf, controllers.yaml and bridge.yaml; the URDF points the plugin at controllers.yaml."""
        directory.mkdir(parents=True, exist_ok=True)
        paths = {
            name: directory / name for name in ("robot.urdf", "controllers.yaml", "bridge.yaml")
        }
        _replace(paths["controllers.yaml"], yaml.safe_dump(self.controllers, sort_keys=False))
        _replace(paths["bridge.yaml"], yaml.safe_dump(self.bridge, sort_keys=False))
        _replace(
            paths["robot.urdf"],
            self.urdf.replace(_PARAMETERS_PLACEHOLDER, str(paths["controllers.yaml"].resolve())),
        )
        return paths


def _replace(path: Path, text: str) -> None:
    """Write through a temporary file and rename: a launch reading the file never sees half of it."""
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_text(text)
    partial.replace(path)


_PARAMETERS_PLACEHOLDER = "$(controllers.yaml)"


def gazebo_bringup(robot: RobotConfig) -> GazeboBringup:
    controllers = list(robot.controllers)
    namespaces = {c.name.rpartition("/")[0] for c in controllers}
    namespace = namespaces.pop() if len(namespaces) == 1 else ""
    local = {
        c.name: (c.name.rpartition("/")[2] if namespace else c.name.replace("/", "_"))
        for c in controllers
    }
    prefix = f"/{namespace}" if namespace else ""
    topics = {c.name: f"{prefix}/{local[c.name]}/joint_trajectory" for c in controllers}
    return GazeboBringup(
        urdf=_urdf(robot, namespace),
        controllers=_controller_parameters(controllers, local),
        bridge=_bridge(robot.cameras),
        namespace=namespace,
        trajectory_topics=topics,
    )


def _controller_parameters(
    controllers: list[ControllerConfig], local: dict[str, str]
) -> dict[str, Any]:
    manager: dict[str, Any] = {
        "update_rate": CONTROLLER_RATE_HZ,
        "joint_state_broadcaster": {"type": "joint_state_broadcaster/JointStateBroadcaster"},
    }
    parameters: dict[str, Any] = {"controller_manager": {"ros__parameters": manager}}
    for controller in controllers:
        name = local[controller.name]
        manager[name] = {"type": "joint_trajectory_controller/JointTrajectoryController"}
        parameters[name] = {
            "ros__parameters": {
                "joints": list(controller.joints),
                "command_interfaces": ["position"],
                "state_interfaces": ["position", "velocity"],
                "allow_nonzero_velocity_at_trajectory_end": True,
            }
        }
    return parameters


def _urdf(robot: RobotConfig, namespace: str) -> str:
    root = ET.fromstring(robot.urdf_xml())
    for mujoco_only in root.findall("mujoco"):
        root.remove(mujoco_only)
    _weld_to_world(root)
    control = ET.SubElement(root, "ros2_control", name="GazeboSimSystem", type="system")
    ET.SubElement(
        ET.SubElement(control, "hardware"), "plugin"
    ).text = "gz_ros2_control/GazeboSimSystem"
    home = dict(zip(robot.command_joints, robot.home))
    for index, joint in enumerate(robot.command_joints):
        element = ET.SubElement(control, "joint", name=joint)
        command = ET.SubElement(element, "command_interface", name="position")
        ET.SubElement(command, "param", name="min").text = repr(float(robot.limits.lower[index]))
        ET.SubElement(command, "param", name="max").text = repr(float(robot.limits.upper[index]))
        state = ET.SubElement(element, "state_interface", name="position")
        ET.SubElement(state, "param", name="initial_value").text = repr(float(home[joint]))
        ET.SubElement(element, "state_interface", name="velocity")
    for arm in robot.arms:
        for mimic in arm.gripper.mimic_joints if arm.gripper else ():
            # Humble/Iron gz_ros2_control form; Jazzy+ also reads the URDF's <mimic> tag.
            element = ET.SubElement(control, "joint", name=mimic)
            ET.SubElement(element, "param", name="mimic").text = arm.gripper.joint
            ET.SubElement(element, "param", name="multiplier").text = "1"
            ET.SubElement(element, "state_interface", name="position")
            ET.SubElement(element, "state_interface", name="velocity")
    plugin = ET.SubElement(
        ET.SubElement(root, "gazebo"),
        "plugin",
        filename="gz_ros2_control-system",
        name="gz_ros2_control::GazeboSimROS2ControlPlugin",
    )
    ET.SubElement(plugin, "parameters").text = _PARAMETERS_PLACEHOLDER
    if namespace:
        ET.SubElement(ET.SubElement(plugin, "ros"), "namespace").text = f"/{namespace}"
    for camera in robot.cameras:
        _add_camera(root, camera, robot.base_frame)
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="unicode")


def _weld_to_world(root: ET.Element) -> None:
    """Gazebo fixes a model to the ground through a link named "world"; add one above the root link."""
    children = {j.find("child").get("link") for j in root.iter("joint")}
    roots = [link.get("name") for link in root.iter("link") if link.get("name") not in children]
    if roots == ["world"]:
        return
    ET.SubElement(root, "link", name="world")
    joint = ET.SubElement(root, "joint", name="world_joint", type="fixed")
    ET.SubElement(joint, "parent", link="world")
    ET.SubElement(joint, "child", link=roots[0])
    ET.SubElement(joint, "origin", xyz="0 0 0", rpy="0 0 0")


def _add_camera(root: ET.Element, camera: CameraConfig, base_frame: str) -> None:
    """A link at the camera mount whose +x looks at `look_at` (Gazebo cameras look along +x)."""
    link = f"{camera.name}_camera_link"
    ET.SubElement(root, "link", name=link)
    joint = ET.SubElement(root, "joint", name=f"{camera.name}_camera_joint", type="fixed")
    ET.SubElement(joint, "parent", link=camera.parent_body or base_frame)
    ET.SubElement(joint, "child", link=link)
    ET.SubElement(
        joint,
        "origin",
        xyz=" ".join(map(repr, map(float, camera.position))),
        rpy=" ".join(map(repr, _look_at_rpy(camera.position, camera.look_at))),
    )
    sensor = ET.SubElement(
        ET.SubElement(root, "gazebo", reference=link), "sensor", name=camera.name, type="camera"
    )
    ET.SubElement(sensor, "update_rate").text = "30"
    ET.SubElement(sensor, "always_on").text = "true"
    ET.SubElement(sensor, "topic").text = f"{camera.name}/image"
    spec = ET.SubElement(sensor, "camera")
    ET.SubElement(spec, "camera_info_topic").text = f"{camera.name}/camera_info"
    fovy = math.radians(camera.fovy_deg)
    ET.SubElement(spec, "horizontal_fov").text = repr(
        2 * math.atan(math.tan(fovy / 2) * camera.width / camera.height)
    )
    image = ET.SubElement(spec, "image")
    ET.SubElement(image, "width").text = str(camera.width)
    ET.SubElement(image, "height").text = str(camera.height)
    ET.SubElement(image, "format").text = "R8G8B8"
    clip = ET.SubElement(spec, "clip")
    ET.SubElement(clip, "near").text = "0.01"
    ET.SubElement(clip, "far").text = "10"


def _look_at_rpy(
    position: tuple[float, ...], target: tuple[float, ...]
) -> tuple[float, float, float]:
    """Roll-pitch-yaw (URDF: R = Rz(yaw) Ry(pitch) Rx(roll)) turning +x towards target, no roll."""
    direction = np.asarray(target, float) - np.asarray(position, float)
    yaw = math.atan2(direction[1], direction[0])
    pitch = -math.atan2(direction[2], math.hypot(direction[0], direction[1]))
    return 0.0, pitch, yaw


def _bridge(cameras: tuple[CameraConfig, ...]) -> list[dict[str, str]]:
    entries = [_bridge_entry("/clock", "/clock", "rosgraph_msgs/msg/Clock", "gz.msgs.Clock")]
    for camera in cameras:
        entries.append(
            _bridge_entry(
                camera.topic, f"{camera.name}/image", "sensor_msgs/msg/Image", "gz.msgs.Image"
            )
        )
        entries.append(
            _bridge_entry(
                camera.info_topic,
                f"{camera.name}/camera_info",
                "sensor_msgs/msg/CameraInfo",
                "gz.msgs.CameraInfo",
            )
        )
    return entries


def _bridge_entry(ros_topic: str, gz_topic: str, ros_type: str, gz_type: str) -> dict[str, str]:
    return {
        "ros_topic_name": ros_topic,
        "gz_topic_name": gz_topic,
        "ros_type_name": ros_type,
        "gz_type_name": gz_type,
        "direction": "GZ_TO_ROS",
    }
