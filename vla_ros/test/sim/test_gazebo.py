"""sim:=gazebo files: generated and checked here; running them needs ros_gz + gz_ros2_control (not here)."""

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pinocchio as pin
import pytest
import yaml
from scipy.spatial.transform import Rotation

from vla_ros.core.robot.config import load_robot_config
from vla_ros.core.types import InvalidInput
from vla_ros.sim.gazebo import GAZEBO_PACKAGES, files_directory, gazebo_bringup, require_packages

ROBOTS = ["aloha", "panda", "widowx"]


@pytest.mark.parametrize("name", ROBOTS)
def test_urdf_declares_every_joint_to_gz_ros2_control(name):
    robot = load_robot_config(name)
    urdf = gazebo_bringup(robot).urdf
    root = ET.fromstring(urdf)
    control = root.find("ros2_control")
    assert control.find("hardware/plugin").text == "gz_ros2_control/GazeboSimSystem"
    joints = {j.get("name"): j for j in control.findall("joint")}
    for index, joint in enumerate(robot.command_joints):
        command = joints[joint].find("command_interface")
        assert command.get("name") == "position"
        bounds = {p.get("name"): float(p.text) for p in command.findall("param")}
        assert (bounds["min"], bounds["max"]) == (
            robot.limits.lower[index],
            robot.limits.upper[index],
        )
    for arm in robot.arms:
        for mimic in arm.gripper.mimic_joints:
            assert joints[mimic].find("param[@name='mimic']").text == arm.gripper.joint
            assert joints[mimic].find("command_interface") is None
    plugin = root.find("gazebo/plugin")
    assert plugin.get("filename") == "gz_ros2_control-system"
    # Still a URDF the kinematics stack reads, welded to the ground through a "world" link.
    model = pin.buildModelFromXML(urdf)
    assert set(robot.command_joints) <= set(model.names)
    assert model.existFrame("world")


@pytest.mark.parametrize("name", ROBOTS)
def test_controllers_match_the_robot_config(name):
    robot = load_robot_config(name)
    bringup = gazebo_bringup(robot)
    parameters = yaml.safe_load(yaml.safe_dump(bringup.controllers))
    manager = parameters["controller_manager"]["ros__parameters"]
    assert (
        manager["joint_state_broadcaster"]["type"]
        == "joint_state_broadcaster/JointStateBroadcaster"
    )
    configured = [c for arm in robot.arms for c in (arm.controller, arm.gripper_controller)]
    assert set(bringup.trajectory_topics) == {c.name for c in configured}
    for controller in configured:
        topic = bringup.trajectory_topics[controller.name]
        local = topic.removeprefix(f"/{bringup.namespace}" if bringup.namespace else "").split(
            "/"
        )[1]
        assert manager[local]["type"] == "joint_trajectory_controller/JointTrajectoryController"
        assert parameters[local]["ros__parameters"]["joints"] == list(controller.joints)
        assert parameters[local]["ros__parameters"]["command_interfaces"] == ["position"]
    assert (
        bringup.spawn_order[0] == "joint_state_broadcaster"
        and len(bringup.spawn_order) == len(configured) + 1
    )


def test_single_namespace_drivers_keep_their_real_topics():
    widowx = gazebo_bringup(load_robot_config("widowx"))
    assert widowx.namespace == "wx250s"
    assert (
        widowx.trajectory_topics["wx250s/arm_controller"]
        == "/wx250s/arm_controller/joint_trajectory"
    )
    assert ET.fromstring(widowx.urdf).find("gazebo/plugin/ros/namespace").text == "/wx250s"
    aloha = gazebo_bringup(
        load_robot_config("aloha")
    )  # two namespaces: flattened, listed for remapping
    assert (
        aloha.trajectory_topics["follower_right/arm_controller"]
        == "/follower_right_arm_controller/joint_trajectory"
    )


@pytest.mark.parametrize("name", ROBOTS)
def test_cameras_are_sensors_looking_at_their_target_and_bridged(name):
    robot = load_robot_config(name)
    bringup = gazebo_bringup(robot)
    root = ET.fromstring(bringup.urdf)
    bridged = {entry["ros_topic_name"]: entry for entry in bringup.bridge}
    assert bridged["/clock"]["gz_type_name"] == "gz.msgs.Clock"
    for camera in robot.cameras:
        sensor = root.find(f"gazebo[@reference='{camera.name}_camera_link']/sensor")
        assert sensor.get("type") == "camera"
        assert int(sensor.find("camera/image/width").text) == camera.width
        assert bridged[camera.topic]["gz_topic_name"] == sensor.find("topic").text
        assert (
            bridged[f"/cameras/{camera.name}/camera_info"]["gz_topic_name"]
            == sensor.find("camera/camera_info_topic").text
        )
        joint = root.find(f"joint[@name='{camera.name}_camera_joint']")
        assert joint.find("parent").get("link") == (camera.parent_body or robot.base_frame)
        rpy = [float(v) for v in joint.find("origin").get("rpy").split()]
        forward = Rotation.from_euler("xyz", rpy).as_matrix()[:, 0]
        towards = np.subtract(camera.look_at, camera.position)
        assert forward @ towards / np.linalg.norm(towards) == pytest.approx(1.0)


def test_write_points_the_plugin_at_the_controller_file(tmp_path):
    paths = gazebo_bringup(load_robot_config("panda")).write(tmp_path)
    urdf = ET.fromstring(paths["robot.urdf"].read_text())
    assert urdf.find("gazebo/plugin/parameters").text == str(paths["controllers.yaml"].resolve())
    assert yaml.safe_load(paths["bridge.yaml"].read_text())[0]["ros_topic_name"] == "/clock"
    assert "panda_arm_controller" in yaml.safe_load(paths["controllers.yaml"].read_text())


# -- before sim:=gazebo starts anything --------------------------------------------------------------
def ament_prefix(root, packages):
    """An install prefix whose ament index lists `packages` (what colcon/apt install write)."""
    index = root / "share" / "ament_index" / "resource_index" / "packages"
    index.mkdir(parents=True)
    for package in packages:
        (index / package).touch()
    return root


def test_missing_gazebo_packages_are_named_together_before_anything_starts(monkeypatch, tmp_path):
    partial = ament_prefix(
        tmp_path / "partial", ["ros_gz_sim", "ros_gz_bridge", "robot_state_publisher"]
    )
    monkeypatch.setenv("AMENT_PREFIX_PATH", str(partial))
    with pytest.raises(InvalidInput) as error:
        require_packages()
    message = str(error.value)
    missing = [
        "controller_manager",
        "gz_ros2_control",
        "joint_state_broadcaster",
        "joint_trajectory_controller",
    ]
    assert f"not installed: {missing}" in message and "nothing was started" in message
    assert (
        "ros-$ROS_DISTRO-gz-ros2-control ros-$ROS_DISTRO-ros2-control ros-$ROS_DISTRO-ros2-controllers"
        in message
    )
    complete = ament_prefix(tmp_path / "complete", GAZEBO_PACKAGES)
    monkeypatch.setenv("AMENT_PREFIX_PATH", f"{partial}:{complete}")
    require_packages()


def test_generated_files_go_to_one_directory_per_robot_reused_by_every_attempt(
    monkeypatch, tmp_path
):
    monkeypatch.setenv("ROS_HOME", str(tmp_path / "ros_home"))
    directory = files_directory("panda")
    assert directory == tmp_path / "ros_home" / "vla_ros" / "gazebo" / "panda"
    bringup = gazebo_bringup(load_robot_config("panda"))
    first = bringup.write(directory)
    (directory / "robot.urdf").write_text("stale")
    second = bringup.write(files_directory("panda"))
    assert (
        first == second
        and second["robot.urdf"].read_text() == first["robot.urdf"].read_text() != "stale"
    )
    assert sorted(p.name for p in (tmp_path / "ros_home").rglob("*") if p.is_file()) == sorted(
        first
    )
    monkeypatch.delenv("ROS_HOME")
    assert files_directory("widowx", {}) == Path.home() / ".ros" / "vla_ros" / "gazebo" / "widowx"
    with pytest.raises(InvalidInput, match="cannot name a directory"):
        files_directory("/robots/custom.yaml")
