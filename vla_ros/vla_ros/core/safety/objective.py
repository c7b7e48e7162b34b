"""What the command asks for, as a QP cost on this tick's joint velocity v: 1/2 v'Hv + f'v.

`reference` is the unconstrained answer (H^-1 (-f)); the projector reports how far it moved from it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Objective:
    H: np.ndarray
    f: np.ndarray
    reference: np.ndarray

    @classmethod
    def track_velocity(cls, velocity: np.ndarray) -> Objective:
        """Least squares on joint velocity: the exact answer whenever `velocity` is safe."""
        velocity = np.asarray(velocity, float)
        return cls(np.eye(velocity.size), -velocity, velocity)
