"""Constraints on where the robot is: clearances in metres, checked exactly along a path.

Each constraint watches items (an EE, a link capsule, a pair of capsules) with a clearance each, and
a motion bound per item and joint: a point moves at most reach_i per unit of joint i, and only joints
that move an item relative to what it is measured against count (for a pair: joints that move one
link but not the other). When the motion along the whole path stays below every item's clearance at
the start, the path is certified without more kinematics; else from a few exactly evaluated anchors
along it (short paths: every sample at once); only then is every sample evaluated.
"""

from __future__ import annotations

import functools
from abc import abstractmethod

import numpy as np

from vla_ros.core.safety.compiled import kernel
from vla_ros.core.safety.constraint import Constraint
from vla_ros.core.safety.context import StepContext
from vla_ros.core.safety.model import Placements, SafetyModel

# Samples of a path evaluated exactly before falling back to all of them.
ANCHORS = 5


@functools.cache
def _anchors(samples: int) -> np.ndarray:
    """ANCHORS sample indices spread evenly over a path of `samples` (first and last included)."""
    return np.unique(np.linspace(0, samples - 1, ANCHORS).round().astype(np.int64))


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
            anchors = _anchors(len(path))
            clearance = self.clearances(self.model.path_placements(path[anchors]))
            worst = _certified_from_anchors(
                path, self.motion_bounds, anchors, np.ascontiguousarray(clearance)
            )
            if worst < 0.0:
                return worst
        # A path no longer than the anchors is evaluated whole at once.
        return float(-self.clearances(self.model.path_placements(path))[1:].min())


@kernel("float64(float64[:, ::1], float64[:, ::1], float64[:])")
def _certified_from_start(path, motion_bounds, start) -> float:
    """-(least margin) over samples 1.. when each item's motion bound from path[0] stays below its
    clearance there at every sample; +inf when some sample is not certified this way."""
    samples, n = path.shape
    items = motion_bounds.shape[0]
    travelled = np.zeros(n)
    worst = -np.inf
    for item in range(items):
        if start[item] <= 0.0:
            return np.inf
    for k in range(1, samples):
        for j in range(n):
            travelled[j] += abs(path[k, j] - path[k - 1, j])
        for item in range(items):
            bound = 0.0
            for j in range(n):
                bound += motion_bounds[item, j] * travelled[j]
            if bound >= start[item]:
                return np.inf
            worst = max(worst, bound - start[item])
    return worst


@kernel("float64(float64[:, ::1], float64[:, ::1], int64[::1], float64[:, ::1])")
def _certified_from_anchors(path, motion_bounds, anchors, clearance) -> float:
    """Like _certified_from_start with the best of several anchors per sample and item: the least
    (anchor clearance - motion bound between anchor and sample), negated; +inf if some is not > 0."""
    samples, n = path.shape
    items = motion_bounds.shape[0]
    travelled = np.zeros((samples, n))
    for k in range(1, samples):
        for j in range(n):
            travelled[k, j] = travelled[k - 1, j] + abs(path[k, j] - path[k - 1, j])
    worst = -np.inf
    for k in range(1, samples):
        for item in range(items):
            best = -np.inf
            for i in range(anchors.size):
                between = 0.0
                for j in range(n):
                    between += motion_bounds[item, j] * abs(
                        travelled[k, j] - travelled[anchors[i], j]
                    )
                best = max(best, clearance[i, item] - between)
            if best <= 0.0:
                return np.inf
            worst = max(worst, -best)
    return worst
