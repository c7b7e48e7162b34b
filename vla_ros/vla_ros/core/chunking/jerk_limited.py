"""Jerk-limited following of the plan through ruckig (online mode; no waypoints, which are cloud-only).

Each control tick the plan's state one tick ahead becomes ruckig's target (position and velocity,
velocity clipped to the limit); ruckig returns the next state of a trajectory that respects the
robot's velocity, acceleration and jerk limits. When the plan is feasible the output lands on it
tick by tick; when it is not (a jump), the output catches up as fast as the limits allow.
"""

from __future__ import annotations

import numpy as np
from ruckig import InputParameter, OutputParameter, Result, Ruckig

from vla_ros.core.robot.config import JointLimits


class JerkLimitedFollower:
    def __init__(self, limits: JointLimits, period: float) -> None:
        self.dofs = len(limits.velocity)
        self.period = period
        self._ruckig = Ruckig(self.dofs, period)
        self._input = InputParameter(self.dofs)
        self._output = OutputParameter(self.dofs)
        self._input.max_velocity = limits.velocity.tolist()
        self._input.max_acceleration = limits.acceleration.tolist()
        self._input.max_jerk = limits.jerk.tolist()
        self._input.minimum_duration = period
        self._velocity_limit = limits.velocity
        self.started = False

    def reset(self, position: np.ndarray, velocity: np.ndarray | None = None) -> None:
        self._input.current_position = np.asarray(position, dtype=float).tolist()
        self._input.current_velocity = (
            np.zeros(self.dofs) if velocity is None else np.asarray(velocity, dtype=float)
        ).tolist()
        self._input.current_acceleration = [0.0] * self.dofs
        self.started = True

    def step(
        self, target_position: np.ndarray, target_velocity: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Advance one period towards the target state; returns (position, velocity)."""
        if not self.started:
            self.reset(target_position)
        self._input.target_position = np.asarray(target_position, dtype=float).tolist()
        self._input.target_velocity = np.clip(
            target_velocity, -self._velocity_limit, self._velocity_limit
        ).tolist()
        self._input.target_acceleration = [0.0] * self.dofs
        result = self._ruckig.update(self._input, self._output)
        if result not in (Result.Working, Result.Finished):
            raise RuntimeError(f"ruckig failed with {result} (target {target_position})")
        self._output.pass_to_input(self._input)
        return np.array(self._output.new_position), np.array(self._output.new_velocity)
