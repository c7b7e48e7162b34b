"""Minimum distance between the robot's own link capsules (for ALOHA also between the two arms).

Left out, as a MoveIt SRDF would: pairs on links at most `adjacent_joints` joints apart in one arm
(their own joint limits keep them apart, while the primitive collision shapes of neighbouring links
overlap in valid poses, e.g. Panda link5/link7 with the wrist folded), and pairs already closer
than the minimum in the home pose ("default" collisions). The two arms of ALOHA are checked against
each other, except finger against finger: a handover brings the fingers of both grippers onto the
same object. Rows: velocity dampers
n'(J_j - J_i) v >= -gain (d - d_min) / dt for pairs closer than ACTIVATION; exact check: segment
distances at every sample.
"""

from __future__ import annotations

import numpy as np

from vla_ros.core.safety.constraint import Rows
from vla_ros.core.safety.constraints.clearance import ClearanceConstraint
from vla_ros.core.safety.context import StepContext
from vla_ros.core.safety.model import Placements, SafetyModel

GAIN = 0.3
ACTIVATION = 0.02


class SelfDistanceLimit(ClearanceConstraint):
    name = "self_distance"

    def __init__(
        self, model: SafetyModel, home: np.ndarray, min_distance: float, adjacent_joints: int = 2
    ) -> None:
        self.model, self.min_distance, self.adjacent_joints = model, min_distance, adjacent_joints
        candidates = [
            (i, j)
            for i in range(len(model.capsules))
            for j in range(i + 1, len(model.capsules))
            if not self._adjacent(i, j)
            and not self._fingers(i, j)
            and (model.moving_links[i] or model.moving_links[j])
        ]
        pairs = np.array(candidates, dtype=int).reshape(-1, 2)
        if len(pairs):
            at_home = model.placements(home)
            home_distance, _, _ = model.pair_distances(
                at_home.capsule_a, at_home.capsule_b, pairs
            )  # exact
            pairs = pairs[home_distance > min_distance]
        self.pairs = pairs
        self._memo: tuple[Placements, tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None
        self.motion_bounds = np.array(
            [model.relative_motion_bound(i, j) for i, j in pairs]
        ).reshape(-1, model.n)

    def _fingers(self, i: int, j: int) -> bool:
        """Fingers of two different grippers."""
        arms = [
            {
                arm
                for arm, links in enumerate(self.model.finger_links)
                if self.model.capsules[k].link in links
            }
            for k in (i, j)
        ]
        return bool(arms[0] and arms[1] and arms[0] != arms[1])

    def _adjacent(self, i: int, j: int) -> bool:
        """Within `adjacent_joints` joints of each other below a common moving joint."""
        parents = self.model.model.parents
        chain = lambda joint: [joint] + (chain(parents[joint]) if joint > 0 else [])  # noqa: E731
        a, b = chain(self.model.capsule_joint(i)), chain(self.model.capsule_joint(j))
        common = next(joint for joint in a if joint in b)
        if common == 0 and a[0] != 0 and b[0] != 0:
            return False  # two arms: always checked against each other
        return a.index(common) + b.index(common) <= self.adjacent_joints

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
        jacobians = self.model.point_jacobians(
            ctx.state.q, np.concatenate([j, i]), np.vstack([c2[near], c1[near]])
        )
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
            distances = self.model.pair_distances(
                placements.capsule_a, placements.capsule_b, self.pairs, cutoff
            )
            self._memo = (placements, distances)
        return self._memo[1]
