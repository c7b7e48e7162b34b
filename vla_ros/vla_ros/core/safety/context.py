"""What one control tick knows: the last output (the state the controller has seen) and the limits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from vla_ros.core.robot.config import JointLimits
from vla_ros.core.robot.safety_config import SafetyConfig
from vla_ros.core.types import CommandSpace

if TYPE_CHECKING:
    from vla_ros.core.safety.model import SafetyModel


@dataclass(frozen=True)
class MotionState:
    """Last commanded positions, velocity over the last tick and the acceleration before it."""

    q: np.ndarray
    v: np.ndarray
    a: np.ndarray

    @classmethod
    def at_rest(cls, q: np.ndarray) -> MotionState:
        q = np.asarray(q, float).copy()
        return cls(q, np.zeros_like(q), np.zeros_like(q))

    def advanced(self, v: np.ndarray, dt: float) -> MotionState:
        return MotionState(self.q + dt * v, v, (v - self.v) / dt)


@dataclass(frozen=True)
class StepContext:
    state: MotionState
    dt: float
    limits: JointLimits
    config: SafetyConfig
    # Per joint [rad or m]: the configured margin on arm joints, none on grippers (they close on a limit).
    position_margin: np.ndarray | float = 0.0
    reduced_speed: bool = False
    # Evaluates forward kinematics for the kinematic constraints (None: joint-space only).
    model: SafetyModel | None = None
    # Of the command being projected (None: no command, the arm brakes). Limits that bind only in
    # some modes read it (the singularity stop binds EE commands).
    action_space: CommandSpace | None = None

    @property
    def end_effector_command(self) -> bool:
        return self.action_space in (CommandSpace.EE_POSE, CommandSpace.EE_TICK_DELTA)

    @property
    def jacobians(self) -> np.ndarray:
        """Each arm's EE Jacobian (arms, 6, n) at the last commanded positions."""
        if self.model is None:
            raise ValueError("kinematic constraints need a SafetyModel in the StepContext")
        return self.model.jacobians(self.state.q)
