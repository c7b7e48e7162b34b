"""The shipped URDFs against the vendors' published kinematics and limit tables."""

import math

import numpy as np
import pytest

from vla_ros.core.robot.config import load_robot_config, urdf_joint_limits
from vla_ros.core.robot.kinematics import Kinematics

INTERBOTIX_JOINTS = ("waist", "shoulder", "elbow", "forearm_roll", "wrist_angle", "wrist_rotate")
# Published limit tables [deg] (Trossen/Interbotix specifications).
WX250S_DEG = {
    "waist": (-180, 180),
    "shoulder": (-108, 114),
    "elbow": (-123, 92),
    "forearm_roll": (-180, 180),
    "wrist_angle": (-100, 123),
    "wrist_rotate": (-180, 180),
}
VX300S_DEG = {
    "waist": (-180, 180),
    "shoulder": (-106, 72),
    "elbow": (-101, 92),
    "forearm_roll": (-180, 180),
    "wrist_angle": (-107, 128),
    "wrist_rotate": (-180, 180),
}
# Franka Panda datasheet [rad, rad/s].
PANDA_LIMITS = [
    (-2.8973, 2.8973),
    (-1.7628, 1.7628),
    (-2.8973, 2.8973),
    (-3.0718, -0.0698),
    (-2.8973, 2.8973),
    (-0.0175, 3.7525),
    (-2.8973, 2.8973),
]
PANDA_VELOCITY = [2.175] * 4 + [2.61] * 3
# Franka's modified DH parameters (a_{i-1}, d_i, alpha_{i-1}); flange d = 0.107, TCP 0.1034 below the hand.
PANDA_DH = [
    (0, 0.333, 0),
    (0, 0, -math.pi / 2),
    (0, 0.316, math.pi / 2),
    (0.0825, 0, math.pi / 2),
    (-0.0825, 0.384, -math.pi / 2),
    (0, 0, math.pi / 2),
    (0.088, 0, math.pi / 2),
]


def _rot_x(angle):
    c, s = math.cos(angle), math.sin(angle)
    return np.array([[1, 0, 0, 0], [0, c, -s, 0], [0, s, c, 0], [0, 0, 0, 1.0]])


def _rot_z(angle):
    c, s = math.cos(angle), math.sin(angle)
    return np.array([[c, -s, 0, 0], [s, c, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1.0]])


def _trans(x, y, z):
    t = np.eye(4)
    t[:3, 3] = (x, y, z)
    return t


def panda_dh_tcp(q):
    """Craig's convention: T_i = RotX(alpha_{i-1}) TransX(a_{i-1}) RotZ(theta_i) TransZ(d_i)."""
    pose = np.eye(4)
    for (a, d, alpha), theta in zip(PANDA_DH, q):
        pose = pose @ _rot_x(alpha) @ _trans(a, 0, 0) @ _rot_z(theta) @ _trans(0, 0, d)
    return pose @ _trans(0, 0, 0.107) @ _rot_z(-math.pi / 4) @ _trans(0, 0, 0.1034)


def test_panda_forward_kinematics_matches_its_dh_chain():
    robot = load_robot_config("panda")
    kinematics = Kinematics.from_robot(robot)
    rng = np.random.default_rng(7)
    for q in [
        robot.home,
        np.zeros(8),
        *rng.uniform(robot.limits.lower, robot.limits.upper, (20, 8)),
    ]:
        expected = panda_dh_tcp(q[:7])
        actual = kinematics.frame_pose(q, "panda_hand_tcp")
        np.testing.assert_allclose(actual[:3, 3], expected[:3, 3], atol=1e-6)
        np.testing.assert_allclose(actual[:3, :3], expected[:3, :3], atol=1e-6)


def test_widowx_zero_pose_end_effector_is_the_published_home():
    kinematics = Kinematics.from_robot(load_robot_config("widowx"))
    pose = kinematics.frame_pose(np.zeros(7), "ee_gripper_link")
    np.testing.assert_allclose(pose[:3, 3], [0.458325, 0.0, 0.36065], atol=1e-3)
    np.testing.assert_allclose(pose[:3, :3], np.eye(3), atol=1e-9)


@pytest.mark.parametrize("side", ["left", "right"])
def test_each_aloha_arm_zero_pose_end_effector_in_its_base_frame(side):
    kinematics = Kinematics.from_robot(load_robot_config("aloha"))
    q = np.zeros(14)
    base = kinematics.frame_pose(q, f"{side}_base_link")
    ee = kinematics.frame_pose(q, f"{side}_ee_gripper_link")
    np.testing.assert_allclose(
        (np.linalg.inv(base) @ ee)[:3, 3], [0.536494, 0.0, 0.42705], atol=1e-3
    )


def test_aloha_arms_face_each_other_across_the_table():
    kinematics = Kinematics.from_robot(load_robot_config("aloha"))
    left, right = (
        kinematics.frame_pose(np.zeros(14), f"{s}_base_link") for s in ("left", "right")
    )
    assert 0.6 <= np.linalg.norm(right[:3, 3] - left[:3, 3]) <= 0.8
    middle = (left[:3, 3] + right[:3, 3]) / 2
    for base in (left, right):  # each base's x axis (the zero-pose reach) points at the middle
        towards = (middle - base[:3, 3]) / np.linalg.norm(middle - base[:3, 3])
        assert base[:3, 0] @ towards == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("robot", "prefix", "table"),
    [("widowx", "", WX250S_DEG), ("aloha", "left_", VX300S_DEG), ("aloha", "right_", VX300S_DEG)],
)
def test_trossen_joint_limits_equal_the_published_table(robot, prefix, table):
    limits = urdf_joint_limits(load_robot_config(robot).urdf_xml())
    for joint, (lower_deg, upper_deg) in table.items():
        lower, upper, velocity = limits[prefix + joint]
        assert (lower, upper) == pytest.approx(
            (math.radians(lower_deg), math.radians(upper_deg)), abs=1e-12
        ), joint
        assert velocity == pytest.approx(math.pi)


def test_panda_joint_limits_equal_the_datasheet():
    limits = urdf_joint_limits(load_robot_config("panda").urdf_xml())
    for i, ((lower, upper), velocity) in enumerate(zip(PANDA_LIMITS, PANDA_VELOCITY), start=1):
        assert limits[f"panda_joint{i}"] == (lower, upper, velocity)
    assert limits["panda_finger_joint1"][:2] == (0.0, 0.04)


@pytest.mark.parametrize(
    ("robot", "fingers", "stroke"),
    [
        ("widowx", ("left_finger", "right_finger"), (0.015, 0.037)),
        (
            "aloha",
            ("left_left_finger", "left_right_finger", "right_left_finger", "right_right_finger"),
            (0.021, 0.057),
        ),
        ("panda", ("panda_finger_joint1", "panda_finger_joint2"), (0.0, 0.04)),
    ],
)
def test_finger_strokes(robot, fingers, stroke):
    limits = urdf_joint_limits(load_robot_config(robot).urdf_xml())
    for finger in fingers:
        assert limits[finger][:2] == stroke
