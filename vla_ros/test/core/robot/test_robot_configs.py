"""Robot configs: every shipped robot loads through one code path; bad input is named precisely."""

from pathlib import Path

import numpy as np
import pytest
import yaml

from vla_ros.core.robot.config import available_robots, load_robot_config
from vla_ros.core.robot.kinematics import Kinematics
from vla_ros.core.types import InvalidInput
from vla_ros.resources import share_path

ROBOTS = ["aloha", "panda", "widowx"]
CAMERAS = {
    "widowx": {"over_shoulder"},
    "panda": {"exterior_1", "exterior_2", "wrist"},
    "aloha": {"cam_high", "cam_low", "cam_left_wrist", "cam_right_wrist"},
}


def test_the_three_robots_ship():
    assert set(ROBOTS) <= set(available_robots())


@pytest.mark.parametrize("name", ROBOTS)
def test_config_is_consistent_with_its_urdf(name):
    robot = load_robot_config(name)
    n = len(robot.command_joints)
    assert all(
        len(v) == n
        for v in (
            robot.limits.lower,
            robot.limits.velocity,
            robot.limits.acceleration,
            robot.limits.jerk,
        )
    )
    assert np.all(robot.limits.lower < robot.limits.upper)
    assert (
        np.all(robot.limits.velocity > 0)
        and np.all(robot.limits.acceleration > 0)
        and np.all(robot.limits.jerk > 0)
    )
    kinematics = Kinematics.from_robot(robot)
    for arm in robot.arms:
        assert arm.ee_frame in kinematics.frames
        assert arm.gripper is not None and arm.gripper_controller is not None
        assert arm.controller.joints == arm.joints
        assert arm.gripper_controller.joints == (arm.gripper.joint,)
    assert {camera.name for camera in robot.cameras} == CAMERAS[name]
    for camera in robot.cameras:
        assert (camera.width, camera.height) == (224, 224)
        assert camera.parent_body is None or camera.parent_body in kinematics.frames


@pytest.mark.parametrize("name", ROBOTS)
def test_home_is_above_the_table_pointing_down_with_the_gripper_open(name):
    robot = load_robot_config(name)
    margin = 0.05 * (robot.limits.upper - robot.limits.lower)
    kinematics = Kinematics.from_robot(robot)
    for arm in robot.arms:
        arm_index = [robot.command_joints.index(j) for j in arm.joints]
        q = robot.home[arm_index]
        assert np.all(q > robot.limits.lower[arm_index] + margin[arm_index]), (
            f"{name} {arm.name} home near a lower limit"
        )
        assert np.all(q < robot.limits.upper[arm_index] - margin[arm_index]), (
            f"{name} {arm.name} home near an upper limit"
        )
        assert (
            robot.home[robot.command_joints.index(arm.gripper.joint)] == arm.gripper.open_position
        )
        pose = kinematics.frame_pose(robot.home, arm.ee_frame)
        assert robot.workspace.contains(pose[:3, 3])
        assert pose[2, 3] > robot.sim.table_height + 0.1
        approach = (
            pose[:3, 2] if name == "panda" else pose[:3, 0]
        )  # Franka TCP z / Interbotix x along the fingers
        assert approach @ [0, 0, -1] > 0.99, f"{name} {arm.name} does not point down at home"


@pytest.mark.parametrize(
    ("name", "controllers"),
    [
        ("panda", {"panda_arm_controller"}),
        ("widowx", {"wx250s/arm_controller", "wx250s/gripper_controller"}),
        (
            "aloha",
            {
                "follower_left/arm_controller",
                "follower_left/gripper_controller",
                "follower_right/arm_controller",
                "follower_right/gripper_controller",
            },
        ),
    ],
)
def test_controllers_are_named_as_the_real_drivers(name, controllers):
    robot = load_robot_config(name)
    names = {c.name for arm in robot.arms for c in (arm.controller, arm.gripper_controller)}
    assert controllers <= names
    assert robot.bringup.driver


def test_aloha_command_order_is_left_arm_gripper_then_right_arm_gripper():
    robot = load_robot_config("aloha")
    joints = (
        "waist",
        "shoulder",
        "elbow",
        "forearm_roll",
        "wrist_angle",
        "wrist_rotate",
        "left_finger",
    )
    assert robot.command_joints == tuple(
        f"{side}_{j}" for side in ("left", "right") for j in joints
    )


def test_unknown_robot_names_the_available_ones():
    with pytest.raises(InvalidInput, match=r"unknown robot 'ur5'.*aloha.*panda.*widowx"):
        load_robot_config("ur5")


def _broken_copy(tmp_path: Path, edit) -> Path:
    raw = yaml.safe_load(share_path("config", "robots", "widowx.yaml").read_text())
    edit(raw)
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


@pytest.mark.parametrize("key", ["arms", "home", "workspace", "base_frame", "urdf"])
def test_missing_required_key_is_named(tmp_path, key):
    path = _broken_copy(tmp_path, lambda raw: raw.pop(key))
    with pytest.raises(InvalidInput, match=f"missing required key '{key}'"):
        load_robot_config(str(path))


@pytest.mark.parametrize(
    "edit, message",
    [
        (
            lambda raw: raw.update(saftey={}),
            r"unknown key\(s\) 'saftey' \(did you mean 'safety'\?\)",
        ),
        (
            lambda raw: raw.update(demo_instructions=["x"]),
            r"'demo_instructions' \(did you mean 'demo'",
        ),
        (lambda raw: raw["arms"][0].update(ee_fram="x"), r"arms\[0\]: unknown key.*'ee_frame'"),
        (lambda raw: raw["arms"][0]["gripper"].update(opn=1), r"gripper: unknown.*'open'"),
        (lambda raw: raw["arms"][0]["controller"].update(nme="x"), r"controller: unknown.*'name'"),
        (
            lambda raw: raw["limits"]["elbow"].update(jerk_limit=1),
            r"limits\.\w+: .*'jerk_limit' \(did you mean 'jerk'",
        ),
        (
            lambda raw: raw["limits"].update(elbw={"jerk": 1}),
            r"limits.*'elbw' \(did you mean 'elbow'",
        ),
        (lambda raw: raw["workspace"].update(maximum=[1, 1, 1]), r"workspace: unknown.*'max'"),
        (lambda raw: raw["cameras"][0]["sim"].update(fov=60), r"cameras\[0\].sim: .*'fovy'"),
        (lambda raw: raw["sim"]["objects"].update(cube_sise=1), r"sim.objects: .*'cube_size'"),
        (lambda raw: raw["bringup"].update(drivr="x"), r"bringup: .*'driver'"),
        (lambda raw: raw["demo"].update(camera="nope"), r"demo.camera 'nope' is not one of"),
        (lambda raw: raw.update(safety={"max_linear_sped": 1}), r"safety: .*'max_linear_speed'"),
    ],
)
def test_every_unknown_key_is_refused_with_a_suggestion(tmp_path, edit, message):
    with pytest.raises(InvalidInput, match=message):
        load_robot_config(str(_broken_copy(tmp_path, edit)))


def test_the_shipped_yamls_fill_the_typed_sections():
    panda, aloha = load_robot_config("panda"), load_robot_config("aloha")
    assert panda.sim.cube_size == 0.045 and panda.bringup.gripper.node == "franka_gripper"
    assert aloha.demo.instructions == ("transfer the red cube",)
    assert aloha.bringup.arm_commands[1] == "/follower_right/commands/joint_group"
    assert aloha.sim.task_region == ((-0.2, -0.1), (-0.08, 0.1))


def test_home_outside_the_joint_limits_names_the_joint(tmp_path):
    path = _broken_copy(tmp_path, lambda raw: raw["home"].update(elbow=2.0))
    with pytest.raises(InvalidInput, match=r"home pose outside joint limits for \['elbow'\]"):
        load_robot_config(str(path))


def test_missing_jerk_limit_is_named(tmp_path):
    path = _broken_copy(tmp_path, lambda raw: raw["limits"].update(elbow={"acceleration": 4.0}))
    with pytest.raises(InvalidInput, match=r"limits.elbow lacks \['jerk'\]"):
        load_robot_config(str(path))


@pytest.mark.parametrize(
    "limits, message",
    [
        (
            {"acceleration": 0.0, "jerk": 40.0},
            r"joint 'elbow' acceleration limit must be > 0, got 0.0",
        ),
        ({"acceleration": 4.0, "jerk": -1.0}, r"joint 'elbow' jerk limit must be > 0, got -1.0"),
        (
            {"acceleration": 4.0, "jerk": 40.0, "lower": 1.0, "upper": 0.5},
            r"joint 'elbow' has lower limit 1.0 >= upper limit 0.5",
        ),
        (
            {"acceleration": float("inf"), "jerk": 40.0},
            r"limits of joint 'elbow' must be finite numbers",
        ),
    ],
)
def test_unusable_limits_are_refused_by_name(tmp_path, limits, message):
    path = _broken_copy(tmp_path, lambda raw: raw["limits"].update(elbow=limits))
    with pytest.raises(InvalidInput, match=message):
        load_robot_config(str(path))


def test_robot_description_of_a_continuous_joint_without_bounds_is_refused():
    shipped = load_robot_config("widowx")
    description = shipped.urdf_xml().replace(
        'lower="-2.1467549799530254" upper="1.605702911834783"', "", 1
    )
    with pytest.raises(
        InvalidInput,
        match=r"limits of joint 'elbow' must be finite numbers, got lower=nan upper=nan",
    ):
        shipped.with_urdf(description)


def test_robot_description_changes_limits_and_kinematics():
    """A robot that publishes its own robot_description (here: longer forearm, tighter elbow) wins."""
    shipped = load_robot_config("widowx")
    description = shipped.urdf_xml()
    description = description.replace('<origin xyz="0.175 0 0"', '<origin xyz="0.2 0 0"', 1)
    description = description.replace(
        'lower="-2.1467549799530254" upper="1.605702911834783"', 'lower="-1.5" upper="1.5"', 1
    )
    assert description != shipped.urdf_xml()
    robot = load_robot_config("widowx", urdf_xml=description)
    elbow = robot.command_joints.index("elbow")
    assert (robot.limits.lower[elbow], robot.limits.upper[elbow]) == (-1.5, 1.5)
    assert robot.urdf_xml() == description
    kinematics = Kinematics.from_robot(robot)
    assert kinematics.frame_pose(np.zeros(7), "ee_gripper_link")[0, 3] == pytest.approx(
        0.458325 + 0.025
    )
    assert (kinematics.lower[elbow], kinematics.upper[elbow]) == (-1.5, 1.5)
    assert shipped.with_urdf(description).urdf_xml() == description


def test_every_command_joint_needs_a_controller_and_controllers_only_command_joints(tmp_path):
    path = _broken_copy(tmp_path, lambda raw: raw["arms"][0].pop("gripper_controller"))
    with pytest.raises(
        InvalidInput, match=r"command joints \['left_finger'\] belong to no controller"
    ):
        load_robot_config(str(path))
    path = _broken_copy(
        tmp_path, lambda raw: raw["arms"][0]["controller"].update(joints=["waist", "tail"])
    )
    with pytest.raises(
        InvalidInput, match=r"controller '.*' names joints \['tail'\] that are not command joints"
    ):
        load_robot_config(str(path))


def test_camera_transport_is_raw_by_default_and_compressed_subscribes_to_the_plugin_topic(
    tmp_path,
):
    camera = load_robot_config("widowx").cameras[0]
    assert (camera.transport, camera.frame_topic) == ("raw", camera.topic)
    path = _broken_copy(tmp_path, lambda raw: raw["cameras"][0].update(transport="compressed"))
    camera = load_robot_config(str(path)).cameras[0]
    assert camera.frame_topic == f"{camera.topic}/compressed"
    path = _broken_copy(tmp_path, lambda raw: raw["cameras"][0].update(transport="h264"))
    with pytest.raises(
        InvalidInput,
        match=r"cameras\[0\]\.transport must be one of \['raw', 'compressed'\], got 'h264'",
    ):
        load_robot_config(str(path))
