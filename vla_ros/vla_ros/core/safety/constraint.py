"""The one abstraction every safety constraint implements (pink's Limit, for a safety filter).

The decision variable of each control tick is v, the joint velocity over the tick [rad/s], so the
output position is q = q_prev + dt * v, and the controller sees velocity v and acceleration
(v - v_prev) / dt. A constraint contributes linear rows  lower <= G v <= upper.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from vla_ros.core.safety.context import StepContext


@dataclass(frozen=True)
class Rows:
    """lower <= G v <= upper; G None means a per-joint box (G = identity).

    Boxes are intersected exactly in priority order (0 first); a box that conflicts with the ones
    before it is relaxed for that joint (jerk gives way to acceleration, never the reverse).
    """

    lower: np.ndarray
    upper: np.ndarray
    G: np.ndarray | None = None
    priority: int = 0


class Constraint(ABC):
    """A limit the projected command must respect."""

    name: str = "constraint"

    @abstractmethod
    def rows(self, ctx: StepContext) -> Rows | None:
        """Rows on this tick's joint velocity v; None when the constraint is inactive."""

    def violation(self, ctx: StepContext, path: np.ndarray) -> float:
        """Worst exact (nonlinear) violation along `path`, <= 0 when satisfied.

        `path` (m, n) holds positions at consecutive ticks; path[0] is the last accepted output, so
        states path[1:] and the steps between rows are checked (a path of two equal rows measures
        the state path[0] itself). Constraints whose rows are exact (joint boxes) keep the default;
        kinematic ones override it so the projector can verify a linearized answer and its braking
        continuation.
        """
        return -np.inf

    @property
    def is_exact(self) -> bool:
        return type(self).violation is Constraint.violation
