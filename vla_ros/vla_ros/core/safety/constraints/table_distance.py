"""Minimum distance from every moving link to the table plane z = table_height.

A link's lowest point comes from its collision shape's support points (a box's corners; a
cylinder's capsule), not from the self-distance capsule whose caps reach past a box's faces.
Links that start below the allowed height in the home pose (the base, links resting on the table)
are left out. Rows: a damper on the lowest support point's vertical velocity.
"""

from __future__ import annotations

import numpy as np

from vla_ros.core.safety.constraint import Rows
from vla_ros.core.safety.constraints.clearance import ClearanceConstraint
from vla_ros.core.safety.context import StepContext
from vla_ros.core.safety.model import Placements, SafetyModel

GAIN = 0.3
ACTIVATION = 0.05


class TableDistanceLimit(ClearanceConstraint):
    name = "table_distance"

    def __init__(
        self, model: SafetyModel, home: np.ndarray, table_height: float, min_distance: float
    ) -> None:
        self.model, self.floor = model, table_height + min_distance
        clearance = self._clearance(model.placements(home))
        self.capsules = np.flatnonzero(model.moving_links & (clearance >= 0.0))
        self.motion_bounds = np.array(
            [model.support(int(k)) * model.reach for k in self.capsules]
        ).reshape(-1, model.n)

    def _clearance(self, placements: Placements) -> np.ndarray:
        return placements.support[..., 2].min(axis=-1) - self.model.support_radius - self.floor

    def rows(self, ctx: StepContext) -> Rows | None:
        placements = self.model.placements(ctx.state.q)
        clearance = self._clearance(placements)[self.capsules]
        near = np.flatnonzero(clearance < ACTIVATION)
        if not len(near):
            return None
        capsules = self.capsules[near]
        support = placements.support[capsules]
        lowest = support[np.arange(len(capsules)), support[..., 2].argmin(axis=1)]
        G = self.model.point_jacobians(ctx.state.q, capsules, lowest)[:, 2]
        return Rows(-GAIN * clearance[near] / ctx.dt, np.full(len(near), np.inf), G)

    def clearances(self, placements: Placements) -> np.ndarray:
        return self._clearance(placements)[..., self.capsules]
