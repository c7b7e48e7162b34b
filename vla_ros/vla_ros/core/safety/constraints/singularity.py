"""Singularity handling as MoveIt Servo does it: slow down, then stop, motion toward a singularity.

kappa = sigma_max / sigma_min of each arm's 6xn EE Jacobian; the scale s falls linearly from 1 at
`singularity_slowdown` to 0 at `singularity_stop`. EE commands (differential IK) are scaled by s
when they move toward the singularity (singularity_scales, used by ee_commands.py), as Servo scales
its joint deltas; for every command the joint velocity along the direction that increases kappa
(the right singular vector of the smallest singular value, signed by a finite difference) is
limited to s * v_max (rows). Motion away from the singularity stays free.

The rows are a linearization along one direction, so for EE commands kappa is also checked exactly
over the step and its braking continuation (violation): no arm's kappa may exceed singularity_stop,
or its kappa where it already is when that is higher (an arm beyond the stop may not go further).
Joint-space commands are not held to it: a joint trajectory through a singularity is well defined
(the rows still slow it along that one direction).
"""

from __future__ import annotations

import numpy as np

from vla_ros.core.safety.conditioning import EndEffectorConditioning, inverse_conditions
from vla_ros.core.safety.constraint import Constraint, Rows
from vla_ros.core.safety.context import StepContext

PROBE = 1e-4


def _scale(kappa: float, config) -> float:
    return min(
        max(
            float(
                (config.singularity_stop - kappa)
                / (config.singularity_stop - config.singularity_slowdown)
            ),
            0.0,
        ),
        1.0,
    )


def singularity_scales(
    conditioning: EndEffectorConditioning, q: np.ndarray, velocity: np.ndarray, config
) -> np.ndarray:
    """Per arm: the factor for `velocity`'s arm joints (1 unless it moves toward a singularity)."""
    model = conditioning.model
    kappas, here = conditioning.condition_numbers(q), inverse_conditions(conditioning.at(q))
    scales = np.ones(len(model.arm_columns))
    for arm, columns in enumerate(model.arm_columns):
        if kappas[arm] < config.singularity_slowdown:
            continue
        speed = np.linalg.norm(velocity[columns])
        if speed == 0.0:
            continue
        probe = np.zeros(model.n)
        probe[columns] = PROBE * velocity[columns] / speed
        if inverse_conditions(conditioning.extremes(q + probe))[arm] < here[arm]:
            scales[arm] = _scale(kappas[arm], config)
    return scales


class SingularityLimit(Constraint):
    name = "singularity"

    def __init__(self, conditioning: EndEffectorConditioning) -> None:
        self.model, self.conditioning = conditioning.model, conditioning

    def rows(self, ctx: StepContext) -> Rows | None:
        config, q = ctx.config, ctx.state.q
        kappas = self.conditioning.condition_numbers(q)
        near = [arm for arm, kappa in enumerate(kappas) if kappa >= config.singularity_slowdown]
        if not near:
            return None
        # Per arm, the right singular vector of its smallest singular value (not a null-space
        # direction of a redundant arm, which moves neither the EE nor kappa).
        directions = np.zeros((len(near), self.model.n))
        for row, arm in enumerate(near):
            columns = self.model.arm_columns[arm]
            directions[row, columns] = np.linalg.svd(
                ctx.jacobians[arm][:, columns], full_matrices=False
            )[2][-1]
        # Arms share no joints: one probe each way serves them all.
        probe = PROBE * directions.sum(axis=0)
        # Compared as 1 / kappa: the side where it falls is the side toward the singularity.
        ahead = inverse_conditions(self.conditioning.extremes(q + probe))[near]
        behind = inverse_conditions(self.conditioning.extremes(q - probe))[near]
        toward = np.where((ahead <= behind)[:, None], directions, -directions)
        slowest = [float(np.min(ctx.limits.velocity[self.model.arm_columns[arm]])) for arm in near]
        upper = np.array(
            [_scale(kappas[arm], config) * speed for arm, speed in zip(near, slowest)]
        )
        return Rows(np.full_like(upper, -np.inf), upper, toward)

    def violation(self, ctx: StepContext, path: np.ndarray) -> float:
        """How far 1 / kappa falls below what each arm must keep over path[1:]: 1 / singularity_stop,
        or 1 / kappa at path[0] when that is lower (an arm beyond the stop may not go further). > 0
        when violated; -inf unless the command is an EE command.

        Relative to path[0] per arm already, so the start itself measures <= 0. Samples are certified
        by a bound on the Jacobian's change where it suffices, else evaluated exactly
        (EndEffectorConditioning.shortfall): a positive answer is exact, at the first failing sample.
        """
        if not ctx.end_effector_command:
            return -np.inf
        required = np.minimum(
            1.0 / ctx.config.singularity_stop, inverse_conditions(self.conditioning.at(path[0]))
        )
        return self.conditioning.shortfall(path, required)
