"""Joints with a <mimic> tag sit where it puts them, in every placement, Jacobian and pair choice.

The independent reference is Pinocchio's full model of the same URDF with every joint set by hand
(a mimicking joint at multiplier * leader + offset), and finite differences of it for Jacobians.
"""

from __future__ import annotations

import numpy as np
import pinocchio as pin
import pytest

from vla_ros.core.robot.config import RobotConfig, load_robot_config
from vla_ros.core.robot.kinematics import Kinematics
from vla_ros.core.safety import SafetyProjector
from vla_ros.core.safety.model import SafetyModel


def _robots() -> list[tuple[str, RobotConfig]]:
    """The shipped robots, and WidowX with a mimic that scales and shifts (the shipped ones are 1 and 0)."""
    robots = [(name, load_robot_config(name)) for name in ("panda", "widowx", "aloha")]
    widowx = robots[1][1]
    skewed = widowx.urdf_xml().replace(
        '<mimic joint="left_finger" multiplier="1" offset="0"/>',
        '<mimic joint="left_finger" multiplier="-0.5" offset="0.01"/>',
    )
    assert skewed != widowx.urdf_xml()
    return robots + [("widowx_scaled_mimic", widowx.with_urdf(skewed))]


ROBOTS = _robots()


def _full_poses(robot: RobotConfig, q: np.ndarray) -> tuple[pin.Model, pin.Data]:
    full = pin.buildModelFromXML(robot.urdf_xml())
    data = full.createData()
    q_full = pin.neutral(full)
    for column, joint in enumerate(robot.command_joints):
        q_full[full.joints[full.getJointId(joint)].idx_q] = q[column]
    for joint, mimic in robot.urdf.mimics.items():
        leader = q[robot.command_joints.index(mimic.joint)]
        q_full[full.joints[full.getJointId(joint)].idx_q] = (
            mimic.multiplier * leader + mimic.offset
        )
    pin.framesForwardKinematics(full, data, q_full)
    return full, data


@pytest.mark.parametrize("name, robot", ROBOTS, ids=[n for n, _ in ROBOTS])
def test_every_frame_and_capsule_is_where_the_full_model_puts_it(name, robot) -> None:
    model = SafetyModel(robot, robot.safety)
    kinematics = model.kinematics
    mimic_links = {robot.urdf.joints[j].child for j in robot.urdf.mimics}
    assert mimic_links and mimic_links <= {c.link for c in model.capsules}
    Q = np.random.default_rng(2).uniform(
        robot.limits.lower, robot.limits.upper, (15, len(robot.command_joints))
    )
    batch = model.batch_placements(Q)
    for k, q in enumerate(Q):
        full, data = _full_poses(robot, q)
        for frame in kinematics.frames:
            if frame in ("universe", "root_joint"):
                continue
            expected = data.oMf[full.getFrameId(frame)].homogeneous
            np.testing.assert_allclose(
                kinematics.frame_pose(q, frame), expected, rtol=0, atol=1e-12, err_msg=frame
            )
        for i, capsule in enumerate(model.capsules):
            pose = data.oMf[full.getFrameId(capsule.link)]
            np.testing.assert_allclose(
                batch.capsule_a[k, i],
                pose.act(capsule.a),
                rtol=0,
                atol=1e-12,
                err_msg=capsule.link,
            )
            np.testing.assert_allclose(
                batch.capsule_b[k, i],
                pose.act(capsule.b),
                rtol=0,
                atol=1e-12,
                err_msg=capsule.link,
            )


@pytest.mark.parametrize("name, robot", ROBOTS, ids=[n for n, _ in ROBOTS])
def test_jacobians_of_mimicking_links_match_finite_differences(name, robot) -> None:
    model = SafetyModel(robot, robot.safety)
    fingers = [
        k
        for k, c in enumerate(model.capsules)
        if c.link in {robot.urdf.joints[j].child for j in robot.urdf.mimics}
    ]
    rng = np.random.default_rng(3)
    eps = 1e-6
    for q in rng.uniform(robot.limits.lower, robot.limits.upper, (4, len(robot.command_joints))):
        full, data = _full_poses(robot, q)
        points = np.array(
            [
                data.oMf[full.getFrameId(model.capsules[k].link)].act(model.capsules[k].b)
                for k in fingers
            ]
        )
        jacobians = model.point_jacobians(q, np.array(fingers), points)
        for column in range(len(q)):
            step = np.zeros(len(q))
            step[column] = eps
            moved = []
            for sign in (1, -1):
                full, data = _full_poses(robot, q + sign * step)
                moved.append(
                    [
                        data.oMf[full.getFrameId(model.capsules[k].link)].act(model.capsules[k].b)
                        for k in fingers
                    ]
                )
            numeric = (np.array(moved[0]) - np.array(moved[1])) / (2 * eps)
            np.testing.assert_allclose(
                jacobians[:, :, column], numeric, atol=1e-7, err_msg=f"column {column}"
            )
            frame = robot.urdf.joints[next(iter(robot.urdf.mimics))].child
            linear = model.kinematics.frame_jacobian(q, frame)[:3, column]
            full, plus = _full_poses(robot, q + step)
            _, minus = _full_poses(robot, q - step)
            expected = (
                plus.oMf[full.getFrameId(frame)].translation
                - minus.oMf[full.getFrameId(frame)].translation
            ) / (2 * eps)
            np.testing.assert_allclose(
                linear, expected, atol=1e-7, err_msg=f"{frame} column {column}"
            )


def test_the_panda_checks_link5_against_the_mimicking_finger() -> None:
    """With the finger on its own joint (not locked into the hand), link5 and the finger are 3 joints apart."""
    projector = SafetyProjector(load_robot_config("panda"), 0.01)
    self_distance = next(c for c in projector.constraints if c.name == "self_distance")
    links = {
        (projector.model.capsules[i].link, projector.model.capsules[j].link)
        for i, j in self_distance.pairs
    }
    assert ("panda_link5", "panda_rightfinger") in links
    assert ("panda_link5", "panda_leftfinger") in links


def test_the_open_panda_finger_is_40_mm_from_the_closed_one() -> None:
    robot = load_robot_config("panda")
    kinematics = Kinematics.from_robot(robot)
    opened, closed = robot.home.copy(), robot.home.copy()
    opened[-1], closed[-1] = 0.04, 0.0
    for finger in ("panda_leftfinger", "panda_rightfinger"):
        gap = (
            kinematics.frame_pose(opened, finger)[:3, 3]
            - kinematics.frame_pose(closed, finger)[:3, 3]
        )
        assert np.linalg.norm(gap) == pytest.approx(0.04, abs=1e-12), finger
