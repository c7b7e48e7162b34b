"""The planning-scene gate: refuse the stretch of the executing chunk that collides, before it runs.

Each new chunk's upcoming waypoints (from `now` to `horizon_s` ahead, every `stride`-th, always the
last one in the horizon) are checked against the live planning scene by a collision predicate
(MoveIt's `is_state_colliding` on a real install). The first colliding waypoint refuses the chunk
from the last waypoint checked clear before it (or from `now`): a collision between two checked
waypoints cannot slip through the stride. Commands for times from there on are not forwarded
(the controllers hold) until a later chunk checks clear. The safety projector still judges every
tick; the gate only adds the scene's obstacles, which the projector does not know.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from vla_ros.core.bridge.upcoming import Waypoints
from vla_ros.core.config_fields import require_positive

CollisionCheck = Callable[[np.ndarray], bool]


@dataclass(frozen=True)
class SceneGateConfig:
    """Planning-scene gate (backend moveit_py; moveit_bridge parameters).

    scene_gate: check each joint-position chunk against MoveIt's planning scene
    gate_horizon_s: how far ahead of now a chunk's waypoints are checked [s]
    gate_stride: check every n-th waypoint (and always the last in the horizon)
    """

    scene_gate: bool = True
    gate_horizon_s: float = 1.0
    gate_stride: int = 1

    def __post_init__(self) -> None:
        require_positive("gate_horizon_s", self.gate_horizon_s)
        require_positive("gate_stride", self.gate_stride)


@dataclass(frozen=True)
class GateVerdict:
    checked: int
    colliding_time: float | None
    refused_from: float | None

    @property
    def clear(self) -> bool:
        return self.refused_from is None

    def describe(self) -> str:
        if self.clear:
            return f"chunk clear of the planning scene ({self.checked} waypoints checked)"
        return (
            f"REFUSED: waypoint at t={self.colliding_time:.3f} s collides with the planning scene; "
            f"commands from t={self.refused_from:.3f} s are not forwarded"
        )


class SceneGate:
    def __init__(self, config: SceneGateConfig) -> None:
        self.config = config
        self.refused_from: float | None = None

    def selected(self, waypoints: Waypoints, now: float) -> np.ndarray:
        """Indices of the waypoints to check, in time order."""
        ahead = np.flatnonzero(
            (waypoints.times >= now) & (waypoints.times <= now + self.config.gate_horizon_s)
        )
        if len(ahead) == 0:
            return ahead
        picked = ahead[:: self.config.gate_stride]
        return picked if picked[-1] == ahead[-1] else np.append(picked, ahead[-1])

    def check(self, waypoints: Waypoints, now: float, colliding: CollisionCheck) -> GateVerdict:
        """Check a new chunk; its verdict replaces the previous chunk's refusal."""
        indices = self.selected(waypoints, now)
        last_clear = now
        for count, index in enumerate(indices, start=1):
            time = float(waypoints.times[index])
            if colliding(waypoints.positions[index]):
                self.refused_from = last_clear
                return GateVerdict(count, time, last_clear)
            last_clear = time
        self.refused_from = None
        return GateVerdict(len(indices), None, None)

    def allows(self, command_time: float) -> bool:
        return self.refused_from is None or command_time < self.refused_from

    def clear(self) -> None:
        """Episode boundary: the old chunk's refusal goes with it."""
        self.refused_from = None
