"""Minimum distance between the robot's own link capsules (for ALOHA also between the two arms).

Pairs that can never separate (same or adjacent links, or already closer than the minimum in the
home pose, MoveIt's "default" collisions) are left out. Rows: velocity dampers
n'(J_j - J_i) v >= -gain (d - d_min) / dt for pairs closer than ACTIVATION; exact check: segment
distances at every sample.
"""

from __future__ import annotations

import numpy as np

from vla_ros.core.safety.clearance import ClearanceConstraint
from vla_ros.core.safety.constraint import Rows
from vla_ros.core.safety.context import StepContext
from vla_ros.core.safety.model import Placements, SafetyModel

GAIN = 0.3
ACTIVATION = 0.02


class SelfDistanceLimit(ClearanceConstraint):
    name = "self_distance"

    def __init__(self, model: SafetyModel, home: np.ndarray, min_distance: float) -> None:
        self.model, self.min_distance = model, min_distance
        candidates = [
            (i, j)
            for i in range(len(model.capsules))
            for j in range(i + 1, len(model.capsules))
            if not self._adjacent(i, j) and (model.moving_links[i] or model.moving_links[j])
        ]
        pairs = np.array(candidates, dtype=int).reshape(-1, 2)
        if len(pairs):
            home_distance, _, _ = model.pair_distances(model.placements(home), pairs)  # exact
            pairs = pairs[home_distance > min_distance]
        self.pairs = pairs
        self._memo: tuple[Placements, tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None
        # Joints that move one capsule of a pair but not the other change their distance.
        supports = [model.support(k) for k in range(len(model.capsules))]
        self.motion_bounds = np.array(
            [np.abs(supports[i] - supports[j]) * model.reach for i, j in pairs]
        ).reshape(-1, model.n)

    def _adjacent(self, i: int, j: int) -> bool:
        a, b = self.model.capsule_joint(i), self.model.capsule_joint(j)
        parents = self.model.model.parents
        return a == b or parents[a] == b or parents[b] == a

    def rows(self, ctx: StepContext) -> Rows | None:
        if not len(self.pairs):
            return None
        distance, c1, c2 = self._distances(self.model.placements(ctx.state.q))
        near = np.flatnonzero(distance < self.min_distance + ACTIVATION)
        if not len(near):
            return None
        i, j = self.pairs[near, 0], self.pairs[near, 1]
        normal = c2[near] - c1[near]
        normal /= np.maximum(np.linalg.norm(normal, axis=1, keepdims=True), 1e-12)
        jacobians = self.model.point_jacobians(ctx.state.q, np.concatenate([j, i]), np.vstack([c2[near], c1[near]]))
        G = np.einsum("ki,kij->kj", normal, jacobians[: len(near)] - jacobians[len(near) :])
        lower = -GAIN * (distance[near] - self.min_distance) / ctx.dt
        return Rows(lower, np.full(len(near), np.inf), G)

    def clearances(self, placements: Placements) -> np.ndarray:
        if not len(self.pairs):
            return np.zeros(placements.capsule_a.shape[:-2] + (0,))
        distance, _, _ = self._distances(placements)
        return distance - self.min_distance

    def _distances(self, placements: Placements) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Pair distances, remembered for the last placements (rows and verification share them)."""
        if self._memo is None or self._memo[0] is not placements:
            cutoff = self.min_distance + ACTIVATION
            self._memo = (placements, self.model.pair_distances(placements, self.pairs, cutoff))
        return self._memo[1]
