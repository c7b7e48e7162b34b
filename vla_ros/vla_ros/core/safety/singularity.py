"""Singularity handling as MoveIt Servo does it: slow down, then stop, motion toward a singularity.

kappa = sigma_max / sigma_min of each arm's 6xn EE Jacobian; the scale s falls linearly from 1 at
`singularity_slowdown` to 0 at `singularity_stop`. EE commands (differential IK) are scaled by s
when they move toward the singularity (singularity_scales, used by ee_commands.py), as Servo scales
its joint deltas; for every command the joint velocity along the direction that increases kappa
(the last right singular vector, signed by a finite difference) is limited to s * v_max (rows).
Motion away from the singularity stays free.
"""

from __future__ import annotations

import numpy as np

from vla_ros.core.safety.constraint import Constraint, Rows
from vla_ros.core.safety.context import StepContext
from vla_ros.core.safety.model import SafetyModel

PROBE = 1e-4


def _scale(kappa: float, config) -> float:
    return min(max(float((config.singularity_stop - kappa) / (config.singularity_stop - config.singularity_slowdown)), 0.0), 1.0)


def singularity_scales(model: SafetyModel, q: np.ndarray, velocity: np.ndarray, config) -> np.ndarray:
    """Per arm: the factor for `velocity`'s arm joints (1 unless it moves toward a singularity)."""
    scales = np.ones(len(model.arm_columns))
    for arm, columns in enumerate(model.arm_columns):
        kappa = model.condition_numbers(q)[arm]
        if kappa < config.singularity_slowdown:
            continue
        speed = np.linalg.norm(velocity[columns])
        if speed == 0.0:
            continue
        probe = np.zeros(model.n)
        probe[columns] = PROBE * velocity[columns] / speed
        if model.probe_condition_numbers(q + probe)[arm] > kappa:
            scales[arm] = _scale(kappa, config)
    return scales


class SingularityLimit(Constraint):
    name = "singularity"

    def __init__(self, model: SafetyModel) -> None:
        self.model = model

    def rows(self, ctx: StepContext) -> Rows | None:
        config, q = ctx.config, ctx.state.q
        kappas = self.model.condition_numbers(q)
        if (kappas < config.singularity_slowdown).all():
            return None
        rows, bounds = [], []
        for arm, jacobian in enumerate(ctx.jacobians):
            columns = self.model.arm_columns[arm]
            j = jacobian[:, columns]
            kappa = kappas[arm]
            if kappa < config.singularity_slowdown:
                continue
            direction = np.zeros(self.model.n)
            direction[columns] = np.linalg.svd(j)[2][-1]
            ahead = self.model.probe_condition_numbers(q + PROBE * direction)[arm]
            behind = self.model.probe_condition_numbers(q - PROBE * direction)[arm]
            toward = direction if ahead >= behind else -direction
            scale = _scale(kappa, config)
            rows.append(toward)
            bounds.append(scale * float(np.min(ctx.limits.velocity[columns])))
        if not rows:
            return None
        upper = np.array(bounds)
        return Rows(np.full_like(upper, -np.inf), upper, np.array(rows))
