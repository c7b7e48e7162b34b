"""The batched numpy FK of the safety model agrees with Pinocchio's, sample by sample."""

from __future__ import annotations

import numpy as np
import pytest

from vla_ros.core.robot_config import available_robots, load_robot_config
from vla_ros.core.safety.config import SafetyConfig
from vla_ros.core.safety.model import Placements, SafetyModel


@pytest.mark.parametrize("robot_name", available_robots())
def test_batch_placements_match_pinocchio_per_sample(robot_name: str) -> None:
    robot = load_robot_config(robot_name)
    model = SafetyModel(robot, SafetyConfig.from_extra(robot.extra))
    Q = np.random.default_rng(3).uniform(robot.limits.lower, robot.limits.upper, (40, len(robot.command_joints)))
    batch = model.batch_placements(Q)  # long batch: the numpy chain
    for k, q in enumerate(Q):
        single = model.placements(q)  # one sample: Pinocchio's forward kinematics
        for field in Placements.__dataclass_fields__:
            np.testing.assert_allclose(getattr(batch, field)[k], getattr(single, field), rtol=0, atol=1e-12, err_msg=field)
    # Supports of a capsule are its own end points; of a box, its corners (placed with the link).
    box = [i for i, c in enumerate(model.capsules) if c.corners is not None]
    for i in set(range(len(model.capsules))) - set(box):
        assert np.array_equal(batch.support[:, i, 0], batch.capsule_a[:, i])
        assert np.array_equal(batch.support[:, i, 1], batch.capsule_b[:, i])
