"""Each end effector (its ee_frame origin) stays inside the configured workspace box.

Rows: a velocity damper on the linearized motion, lower - p <= dt J v / gain <= upper - p, so
the EE slows exponentially toward a wall; the exact check is the box at every sample (clearance.py).
"""

from __future__ import annotations

import numpy as np

from vla_ros.core.robot.config import Workspace
from vla_ros.core.safety.constraint import Rows
from vla_ros.core.safety.constraints.clearance import ClearanceConstraint
from vla_ros.core.safety.context import StepContext
from vla_ros.core.safety.model import Placements, SafetyModel

GAIN = 0.3
# Rows only for an EE this close to a wall [m]; farther out the exact path check is enough.
ACTIVATION = 0.1


class WorkspaceLimit(ClearanceConstraint):
    name = "workspace"

    def __init__(self, model: SafetyModel, workspace: Workspace) -> None:
        self.model, self.workspace = model, workspace
        self.motion_bounds = np.array(
            [model.support(frame) * model.reach for frame in model.ee_frames]
        )

    def rows(self, ctx: StepContext) -> Rows | None:
        placements = self.model.placements(ctx.state.q)
        near = np.flatnonzero(self.clearances(placements) < ACTIVATION)
        if not len(near):
            return None
        position = placements.ee_position[near]
        G = np.vstack([ctx.jacobians[k][:3] for k in near])
        lower = (GAIN / ctx.dt) * (self.workspace.lower - position).ravel()
        upper = (GAIN / ctx.dt) * (self.workspace.upper - position).ravel()
        return Rows(lower, upper, G)

    def clearances(self, placements: Placements) -> np.ndarray:
        position = placements.ee_position
        return np.minimum(position - self.workspace.lower, self.workspace.upper - position).min(
            axis=-1
        )
