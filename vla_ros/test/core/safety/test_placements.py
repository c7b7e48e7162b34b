"""The compiled FK of the safety model agrees with Pinocchio's frame placements, sample by sample."""

from __future__ import annotations

import numpy as np
import pytest

from vla_ros.core.robot.config import available_robots, load_robot_config
from vla_ros.core.safety.model import SafetyModel


@pytest.mark.parametrize("robot_name", available_robots())
def test_batch_placements_match_pinocchio_per_sample(robot_name: str) -> None:
    robot = load_robot_config(robot_name)
    model = SafetyModel(robot, robot.safety)
    Q = np.random.default_rng(3).uniform(
        robot.limits.lower, robot.limits.upper, (40, len(robot.command_joints))
    )
    batch = model.batch_placements(Q)
    kinematics = model.kinematics
    for k, q in enumerate(Q):
        for arm, frame in enumerate(model.ee_frames):
            pose = kinematics.frame_pose(q, frame)
            np.testing.assert_allclose(batch.ee_position[k, arm], pose[:3, 3], rtol=0, atol=1e-12)
            np.testing.assert_allclose(batch.ee_rotation[k, arm], pose[:3, :3], rtol=0, atol=1e-12)
        for i, capsule in enumerate(model.capsules):
            pose = kinematics.frame_pose(q, capsule.link)
            place = lambda p, pose=pose: pose[:3, :3] @ p + pose[:3, 3]  # noqa: E731
            np.testing.assert_allclose(batch.capsule_a[k, i], place(capsule.a), rtol=0, atol=1e-12)
            np.testing.assert_allclose(batch.capsule_b[k, i], place(capsule.b), rtol=0, atol=1e-12)
            points, _ = capsule.support()
            np.testing.assert_allclose(
                batch.support[k, i], [place(p) for p in points], rtol=0, atol=1e-12
            )
        single = model.placements(q)
        np.testing.assert_array_equal(single.capsule_a, batch.capsule_a[k])
