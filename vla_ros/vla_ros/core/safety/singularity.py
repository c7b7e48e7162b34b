"""Singularity handling as MoveIt Servo does it: slow down, then stop, motion toward a singularity.

kappa = sigma_max / sigma_min of each arm's 6xn EE Jacobian. Above `singularity_slowdown` the
joint velocity along the direction that increases kappa (the last right singular vector, signed
by a finite difference) is limited to s * v, s falling linearly from 1 to 0 at `singularity_stop`;
motion away from the singularity stays free.
"""

from __future__ import annotations

import numpy as np

from vla_ros.core.safety.constraint import Constraint, Rows
from vla_ros.core.safety.context import StepContext
from vla_ros.core.safety.model import SafetyModel

PROBE = 1e-4


def condition_number(jacobian: np.ndarray) -> float:
    sigma = np.linalg.svd(jacobian, compute_uv=False)
    return float(sigma[0] / sigma[-1]) if sigma[-1] > 0 else np.inf


class SingularityLimit(Constraint):
    name = "singularity"

    def __init__(self, model: SafetyModel) -> None:
        self.model = model

    def rows(self, ctx: StepContext) -> Rows | None:
        config, q = ctx.config, ctx.state.q
        rows, bounds = [], []
        for arm, jacobian in enumerate(list(ctx.jacobians)):
            columns = self.model.arm_columns[arm]
            j = jacobian[:, columns]
            kappa = condition_number(j)
            if kappa < config.singularity_slowdown:
                continue
            direction = np.zeros(self.model.n)
            direction[columns] = np.linalg.svd(j)[2][-1]
            ahead = condition_number(self.model.jacobians(q + PROBE * direction)[arm][:, columns])
            behind = condition_number(self.model.jacobians(q - PROBE * direction)[arm][:, columns])
            toward = direction if ahead >= behind else -direction
            scale = np.clip((config.singularity_stop - kappa) / (config.singularity_stop - config.singularity_slowdown), 0, 1)
            rows.append(toward)
            bounds.append(scale * float(np.min(ctx.limits.velocity[columns])))
        if not rows:
            return None
        upper = np.array(bounds)
        return Rows(np.full_like(upper, -np.inf), upper, np.array(rows))
