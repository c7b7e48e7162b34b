"""Each end effector (its ee_frame origin) stays inside the configured workspace box.

Rows: a velocity damper on the linearized motion, lower - p <= dt J v / gain <= upper - p, so
the EE slows exponentially toward a wall; the exact check is the box at every sample (clearance.py).
"""

from __future__ import annotations

import numpy as np

from vla_ros.core.robot_config import Workspace
from vla_ros.core.safety.clearance import ClearanceConstraint
from vla_ros.core.safety.constraint import Rows
from vla_ros.core.safety.context import StepContext
from vla_ros.core.safety.model import Placements, SafetyModel

GAIN = 0.3


class WorkspaceLimit(ClearanceConstraint):
    name = "workspace"

    def __init__(self, model: SafetyModel, workspace: Workspace) -> None:
        self.model, self.workspace = model, workspace
        self.motion_bounds = np.array([model.support(frame) * model.reach for frame in model.ee_frames])

    def rows(self, ctx: StepContext) -> Rows:
        jacobians = ctx.jacobians
        position = self.model.placements(ctx.state.q).ee_position
        G = np.vstack([j[:3] for j in jacobians])
        lower = np.concatenate([GAIN * (self.workspace.lower - p) / ctx.dt for p in position])
        upper = np.concatenate([GAIN * (self.workspace.upper - p) / ctx.dt for p in position])
        return Rows(lower, upper, G)

    def clearances(self, placements: Placements) -> np.ndarray:
        position = placements.ee_position
        return np.minimum(position - self.workspace.lower, self.workspace.upper - position).min(axis=-1)
