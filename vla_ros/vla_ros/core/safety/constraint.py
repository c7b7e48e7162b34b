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

    def violation(self, ctx: StepContext, q_from: np.ndarray, q_to: np.ndarray) -> float:
        """Exact (nonlinear) violation of the step q_from -> q_to over one tick; <= 0 when satisfied.

        Constraints whose rows are exact (joint boxes) keep the default; kinematic ones override it
        so the projector can verify a linearized solution and its braking continuation.
        """
        return 0.0

    @property
    def is_exact(self) -> bool:
        return type(self).violation is Constraint.violation
