"""Constraints on where the robot is: clearances in metres, checked exactly along a path.

Each constraint watches items (an EE, a link capsule, a pair of capsules) with a clearance each, and
a motion bound per item and joint: a point moves at most reach_i per unit of joint i, and only joints
that move an item relative to what it is measured against count (for a pair: joints that move one
link but not the other). When the motion along the whole path stays below every item's clearance at
the start, the path is certified without more kinematics; else from a few exactly evaluated anchors
along it (short paths: every sample at once); only then is every sample evaluated.
"""

from __future__ import annotations

from abc import abstractmethod

import numpy as np

from vla_ros.core.safety.constraint import Constraint
from vla_ros.core.safety.context import StepContext
from vla_ros.core.safety.model import Placements, SafetyModel

# Samples of a path evaluated exactly before falling back to all of them.
ANCHORS = 5


class ClearanceConstraint(Constraint):
    model: SafetyModel
    # (items, n): metres an item can move per unit of each joint.
    motion_bounds: np.ndarray

    @abstractmethod
    def clearances(self, placements: Placements) -> np.ndarray:
        """Metres to spare per item (last axis) at the placements (< 0: violated by that much)."""

    def violation(self, ctx: StepContext, path: np.ndarray) -> float:
        start = self.clearances(self.model.placements(path[0]))
        if not start.size:
            return -np.inf
        if len(path) == 2 and not (path[1] - path[0]).any():
            return float(-start.min())
        # Motion bound of every sample from the start, per item: (samples, items).
        travelled = self.model.travel(path)
        from_start = travelled @ self.motion_bounds.T
        if (from_start < start).all():  # the usual case: certified from the start alone
            return float((from_start[1:] - start).max())
        if len(path) > ANCHORS:
            # Then from a few anchors along the path (one small FK batch, shared by the clearance
            # constraints): a sample is safe when some anchor's clearance exceeds the motion between.
            anchors = np.unique(np.linspace(0, len(path) - 1, ANCHORS).round().astype(int))
            clearance = self.clearances(self.model.path_placements(path[anchors]))
            between = np.abs(travelled[:, None, :] - travelled[anchors][None, :, :]) @ self.motion_bounds.T
            bound = np.max(clearance[None] - between, axis=1)  # (samples, items)
            if (bound[1:] > 0.0).all():
                return float(-bound[1:].min())
        # A path no longer than the anchors is evaluated whole at once.
        return float(-self.clearances(self.model.path_placements(path))[1:].min())
