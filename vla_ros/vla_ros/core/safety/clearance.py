"""Constraints on where the robot is: clearances in metres, checked exactly along a path.

Each constraint watches items (an EE, a link capsule, a pair of capsules) with a clearance each, and
a motion bound per item and joint: a point moves at most reach_i per unit of joint i, and only joints
that move an item relative to what it is measured against count (for a pair: joints that move one
link but not the other). When the motion along the whole path stays below every item's clearance at
the start, the path is certified without more kinematics; otherwise every sample is evaluated.
"""

from __future__ import annotations

from abc import abstractmethod

import numpy as np

from vla_ros.core.safety.constraint import Constraint
from vla_ros.core.safety.context import StepContext
from vla_ros.core.safety.model import Placements, SafetyModel


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
        moved = np.abs(path[1:] - path[0]).sum(axis=0) if len(path) > 1 else np.zeros(self.model.n)
        if not moved.any():
            return float(-start.min())
        total = np.abs(np.diff(path, axis=0)).sum(axis=0) @ self.motion_bounds.T
        if np.all(total < start):
            return float(np.max(total - start))
        return float(-self.clearances(self.model.batch_placements(path[1:])).min())
