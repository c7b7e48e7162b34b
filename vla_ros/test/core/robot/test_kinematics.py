"""Kinematics: Jacobians against finite differences, IK round trips within limits, clear errors."""

import time

import numpy as np
import pytest

from vla_ros.core.robot.config import load_robot_config
from vla_ros.core.robot.kinematics import Kinematics
from vla_ros.core.types import InvalidInput

ROBOTS = ["aloha", "panda", "widowx"]


@pytest.fixture(scope="module", params=ROBOTS)
def robot_and_kinematics(request):
    robot = load_robot_config(request.param)
    return robot, Kinematics.from_robot(robot)


def _random_q(robot, rng):
    return rng.uniform(robot.limits.lower, robot.limits.upper)


def test_jacobian_matches_finite_differences(robot_and_kinematics):
    robot, kinematics = robot_and_kinematics
    rng = np.random.default_rng(1)
    for arm in robot.arms:
        q = _random_q(robot, rng)
        jacobian = kinematics.frame_jacobian(q, arm.ee_frame)
        assert jacobian.shape == (6, len(robot.command_joints))
        eps = 1e-6
        for i in range(len(q)):
            step = np.zeros(len(q))
            step[i] = eps
            plus, minus = (
                kinematics.frame_pose(q + step, arm.ee_frame),
                kinematics.frame_pose(q - step, arm.ee_frame),
            )
            linear = (plus[:3, 3] - minus[:3, 3]) / (2 * eps)
            # angular velocity w from dR R^T = [w]x
            skew = (
                (plus[:3, :3] - minus[:3, :3])
                / (2 * eps)
                @ kinematics.frame_pose(q, arm.ee_frame)[:3, :3].T
            )
            angular = np.array([skew[2, 1], skew[0, 2], skew[1, 0]])
            np.testing.assert_allclose(jacobian[:3, i], linear, atol=1e-6)
            np.testing.assert_allclose(jacobian[3:, i], angular, atol=1e-6)


def test_ik_round_trips_random_reachable_poses(robot_and_kinematics):
    """Random joint configurations -> FK -> IK (from home) -> FK lands within 1 mm / 1e-3 rad."""
    robot, kinematics = robot_and_kinematics
    rng = np.random.default_rng(2)
    solved = tried = 0
    for arm in robot.arms:
        for _ in range(15):
            target = kinematics.frame_pose(_random_q(robot, rng), arm.ee_frame)
            result = kinematics.solve_ik(arm.ee_frame, target, robot.home, restarts=8)
            tried += 1
            if not result.converged:
                continue
            solved += 1
            pose = kinematics.frame_pose(result.q, arm.ee_frame)
            assert np.linalg.norm(pose[:3, 3] - target[:3, 3]) < 1e-3
            rotation = pose[:3, :3].T @ target[:3, :3]
            assert np.arccos(np.clip((np.trace(rotation) - 1) / 2, -1, 1)) < 1e-3
            assert np.all(result.q >= robot.limits.lower) and np.all(
                result.q <= robot.limits.upper
            )
    assert solved >= 0.9 * tried, f"{robot.name}: IK solved {solved}/{tried}"


def test_ik_from_a_nearby_seed_converges_quickly(robot_and_kinematics):
    robot, kinematics = robot_and_kinematics
    rng = np.random.default_rng(3)
    arm = robot.arms[0]
    for _ in range(10):
        q = robot.home + rng.normal(0.0, 0.2, len(robot.home))
        q = np.clip(q, robot.limits.lower, robot.limits.upper)
        target = kinematics.frame_pose(q, arm.ee_frame)
        result = kinematics.solve_ik(arm.ee_frame, target, robot.home)
        assert result.converged and result.position_error < 1e-4 and result.rotation_error < 1e-4


def test_top_down_grasps_reach_the_whole_spawn_region(robot_and_kinematics):
    """Every corner of the cube spawn region is reachable with the gripper pointing down at cube height."""
    robot, kinematics = robot_and_kinematics
    height = robot.sim.table_height + robot.sim.cube_size / 2
    (x0, y0), (x1, y1) = robot.sim.object_region
    for arm in robot.arms:
        down = kinematics.frame_pose(robot.home, arm.ee_frame)
        for x in (x0, x1):
            for y in (y0, y1):
                if np.sign(x) == -np.sign(down[0, 3]) and len(robot.arms) > 1:
                    continue  # bimanual: each arm picks on its own side of the table
                target = down.copy()
                target[:3, 3] = (x, y, height)
                result = kinematics.solve_ik(
                    arm.ee_frame, target, robot.home, position_only=False, restarts=8
                )
                assert result.converged, (
                    f"{robot.name} {arm.name} cannot grasp at {(x, y)}: {result}"
                )


def test_position_only_ik_ignores_orientation():
    robot = load_robot_config("panda")
    kinematics = Kinematics.from_robot(robot)
    target = kinematics.frame_pose(robot.home, "panda_hand_tcp")
    target[:3, 3] += (0.1, 0.1, -0.1)
    target[:3, :3] = np.eye(3)  # unreachable together with the position; ignored here
    result = kinematics.solve_ik("panda_hand_tcp", target, robot.home, position_only=True)
    assert result.converged and result.rotation_error == 0.0
    np.testing.assert_allclose(
        kinematics.frame_pose(result.q, "panda_hand_tcp")[:3, 3], target[:3, 3], atol=1e-4
    )


def test_unreachable_target_stays_within_limits_and_reports_failure():
    robot = load_robot_config("widowx")
    kinematics = Kinematics.from_robot(robot)
    target = np.eye(4)
    target[:3, 3] = (2.0, 0.0, 0.3)
    result = kinematics.solve_ik("ee_gripper_link", target, robot.home, max_iterations=50)
    assert not result.converged and result.position_error > 1.0
    assert np.all(result.q >= robot.limits.lower) and np.all(result.q <= robot.limits.upper)


def test_reduced_model_follows_the_callers_joint_order():
    """ALOHA command order puts each gripper between the arms; locked mimic fingers do not count."""
    robot = load_robot_config("aloha")
    kinematics = Kinematics.from_robot(robot)
    reversed_kinematics = Kinematics(robot.urdf_xml(), tuple(reversed(robot.command_joints)))
    q = np.random.default_rng(4).uniform(robot.limits.lower, robot.limits.upper)
    for frame in ("left_ee_gripper_link", "right_ee_gripper_link", "right_left_finger_link"):
        np.testing.assert_allclose(
            kinematics.frame_pose(q, frame), reversed_kinematics.frame_pose(q[::-1], frame)
        )
    left_only = kinematics.frame_jacobian(q, "left_ee_gripper_link")
    right = [robot.command_joints.index(j) for j in robot.arms[1].command_joints]
    assert np.all(left_only[:, right] == 0.0)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda k, q: k.frame_pose(q, "tool0"),
            r"unknown frame 'tool0'; frames of this robot: \[.*ee_gripper_link",
        ),
        (
            lambda k, q: k.frame_pose(q[:3], "ee_gripper_link"),
            r"q must be 7 finite joint positions for \['waist'",
        ),
        (
            lambda k, q: k.frame_jacobian(q * np.nan, "ee_gripper_link"),
            "q must be 7 finite joint positions",
        ),
        (
            lambda k, q: k.solve_ik("ee_gripper_link", np.eye(3), q),
            r"finite \(4, 4\) homogeneous transform",
        ),
    ],
)
def test_bad_input_is_named(call, message):
    robot = load_robot_config("widowx")
    with pytest.raises(InvalidInput, match=message):
        call(Kinematics.from_robot(robot), robot.home)


def test_unknown_joint_or_bad_urdf_is_named():
    urdf = load_robot_config("widowx").urdf_xml()
    with pytest.raises(
        InvalidInput, match=r"joints \['gripper'\] are not movable joints of the URDF"
    ):
        Kinematics(urdf, ["waist", "gripper"])
    with pytest.raises(InvalidInput, match="not a valid URDF"):
        Kinematics("<robot name='x'><link name='a'/", ["waist"])


def test_report_timings(robot_and_kinematics):
    """Not an assertion: prints per-call costs for the report (pytest -s)."""
    robot, kinematics = robot_and_kinematics
    frame, n = robot.arms[0].ee_frame, 2000
    start = time.perf_counter()
    for _ in range(n):
        kinematics.frame_pose(robot.home, frame)
    fk = (time.perf_counter() - start) / n
    start = time.perf_counter()
    for _ in range(n):
        kinematics.frame_jacobian(robot.home, frame)
    jac = (time.perf_counter() - start) / n
    target = kinematics.frame_pose(
        np.clip(robot.home + 0.1, robot.limits.lower, robot.limits.upper), frame
    )
    start = time.perf_counter()
    result = kinematics.solve_ik(frame, target, robot.home)
    ik = time.perf_counter() - start
    print(
        f"\n{robot.name}: FK {fk * 1e6:.1f} us, Jacobian {jac * 1e6:.1f} us, IK {ik * 1e3:.2f} ms "
        f"({result.iterations} it)"
    )
