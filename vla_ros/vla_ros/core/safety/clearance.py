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

from vla_ros.core.safety.compiled import kernel
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
        # The usual case: certified from the start alone.
        worst = _certified_from_start(path, self.motion_bounds, start)
        if worst < 0.0:
            return worst
        if len(path) > ANCHORS:
            # Then from a few anchors along the path (one small FK batch, shared by the clearance
            # constraints): a sample is safe when some anchor's clearance exceeds the motion between.
            anchors = np.unique(np.linspace(0, len(path) - 1, ANCHORS).round().astype(np.int64))
            clearance = self.clearances(self.model.path_placements(path[anchors]))
            worst = _certified_from_anchors(path, self.motion_bounds, anchors, np.ascontiguousarray(clearance))
            if worst < 0.0:
                return worst
        # A path no longer than the anchors is evaluated whole at once.
        return float(-self.clearances(self.model.path_placements(path))[1:].min())


@kernel("float64(float64[:, ::1], float64[:, ::1], float64[:])")
def _certified_from_start(path, motion_bounds, start) -> float:
    """-(least margin) over samples 1.. when each item's motion bound from path[0] stays below its
    clearance there at every sample; +inf when some sample is not certified this way."""
    travelled = np.zeros(path.shape[1])
    worst = -np.inf
    for k in range(len(path)):
        if k > 0:
            travelled += np.abs(path[k] - path[k - 1])
        bound = motion_bounds @ travelled
        if np.any(bound >= start):
            return np.inf
        if k > 0:
            worst = max(worst, np.max(bound - start))
    return worst


@kernel("float64(float64[:, ::1], float64[:, ::1], int64[:], float64[:, :])")
def _certified_from_anchors(path, motion_bounds, anchors, clearance) -> float:
    """Like _certified_from_start with the best of several anchors per sample and item: the least
    (anchor clearance - motion bound between anchor and sample), negated; +inf if some is not > 0."""
    travelled = np.zeros(path.shape)
    for k in range(1, len(path)):
        travelled[k] = travelled[k - 1] + np.abs(path[k] - path[k - 1])
    worst = -np.inf
    for k in range(1, len(path)):
        best = np.full(motion_bounds.shape[0], -np.inf)
        for i in range(len(anchors)):
            best = np.maximum(best, clearance[i] - motion_bounds @ np.abs(travelled[k] - travelled[anchors[i]]))
        if np.any(best <= 0.0):
            return np.inf
        worst = max(worst, -np.min(best))
    return worst
