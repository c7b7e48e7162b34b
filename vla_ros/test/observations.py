"""Observations for tests: every camera of the robot filled with seeded noise, joints near home."""

from __future__ import annotations

import numpy as np

from vla_ros.core.types import JointState, Observation


def observation_for(
    robot,
    stamp: float = 12.5,
    seed: int = 0,
    instruction: str = "pick up the red cube",
    sequence: int = 7,
) -> Observation:
    rng = np.random.default_rng(seed)
    images = {
        c.name: rng.integers(0, 256, (c.height, c.width, 3), dtype=np.uint8) for c in robot.cameras
    }
    grippers = {arm.gripper.joint for arm in robot.arms if arm.gripper}
    noise = np.array(
        [0.0 if j in grippers else rng.uniform(-0.05, 0.05) for j in robot.command_joints]
    )
    positions = robot.home + noise
    return Observation(
        stamp, images, JointState(robot.command_joints, positions), instruction, sequence=sequence
    )
