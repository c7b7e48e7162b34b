"""Joint-position chunks that move each hand's TCP in a straight Cartesian line toward its target.

Each step is converted to joints with IK from the previous step and clipped to the joints'
velocity limits, so a chunk starts at the observed state and never asks for more than the arm can do.
"""

from __future__ import annotations

import numpy as np
import pinocchio as pin

from vla_ros.backends.scripted.geometry import ArmGeometry
from vla_ros.core.robot.kinematics import Kinematics

# arm index -> (ee target pose, gripper closure: True / 1 closed, False / 0 open, in between partly open)
HandTargets = dict[int, tuple[np.ndarray, float]]


def plan_chunk(
    kinematics: Kinematics,
    arms: list[ArmGeometry],
    q: np.ndarray,
    targets: HandTargets,
    horizon: int,
    dt: float,
    speed: float,
    turn_rate: float,
    velocity_limits: np.ndarray,
) -> np.ndarray:
    """Actions 0..horizon-1 (joint positions, grippers held): from the observed q toward each target."""
    actions = np.tile(q, (horizon, 1))
    for arm_index, (target, _) in targets.items():
        geo = arms[arm_index]
        current = kinematics.frame_pose(q, geo.arm.ee_frame)
        q_i = q.copy()
        for i in range(1, horizon):
            current = step_toward(current, target, speed * dt, turn_rate * dt)
            result = kinematics.solve_ik(
                geo.arm.ee_frame, current, q_i, tolerance=1e-3, max_iterations=50
            )
            step = np.clip(result.q - q_i, -velocity_limits * dt, velocity_limits * dt)
            q_i = q_i.copy()
            q_i[geo.joints] += step[geo.joints]
            actions[i, geo.joints] = q_i[geo.joints]
    return actions


def step_toward(
    current: np.ndarray, target: np.ndarray, max_move: float, max_turn: float
) -> np.ndarray:
    """One step of a straight line toward target, slowing down over the last few centimetres."""
    delta = target[:3, 3] - current[:3, 3]
    distance = np.linalg.norm(delta)
    move = min(max_move, 0.5 * distance + 0.2 * max_move) if distance > 1e-9 else 0.0
    rotation = pin.log3(target[:3, :3] @ current[:3, :3].T)
    angle = np.linalg.norm(rotation)
    turn = min(max_turn, 0.5 * angle + 0.2 * max_turn)
    out = np.eye(4)
    out[:3, 3] = current[:3, 3] + (delta * min(1.0, move / distance) if distance > 1e-9 else 0.0)
    out[:3, :3] = (
        pin.exp3(rotation * min(1.0, turn / angle)) if angle > 1e-9 else np.eye(3)
    ) @ current[:3, :3]
    return out
