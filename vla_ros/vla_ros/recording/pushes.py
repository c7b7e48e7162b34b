"""Pushes during demonstrations: the arm is shoved off the expert's path now and then, and the
expert's way back becomes data (DART, Laskey et al. 2017, without its noisy labels).

A policy trained only on the expert's clean paths has never seen the arm off them: a few centimetres
of error (a late chunk, a misjudged pixel) leave it where no demonstration was, and it stalls there.
A push replaces the expert's chunk for a moment; the frames whose command was a push are left out
and the episode is cut around them (`clean_segments`), so every action a policy learns from is the
expert's, and some of them now start off its path.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from vla_ros.core.inference.policy import Policy
from vla_ros.core.robot.config import RobotConfig
from vla_ros.core.types import ActionChunk, InvalidInput, Observation


@dataclass(frozen=True)
class PushOptions:
    """rate: pushes per second of sim time (0: none, the plain demonstrations);
    size: rad, standard deviation of each arm joint's displacement over one push;
    duration: s, how long one push drives the arm."""

    rate: float = 0.0
    size: float = 0.1
    duration: float = 0.4

    def __post_init__(self) -> None:
        if not (math.isfinite(self.rate) and self.rate >= 0):
            raise InvalidInput(f"--push-rate must be >= 0 pushes per second, got {self.rate}")
        for flag, value in (("--push-size", self.size), ("--push-duration", self.duration)):
            if not (math.isfinite(value) and value > 0):
                raise InvalidInput(f"{flag} must be > 0, got {value}")


class PushedExpert(Policy):
    """The expert, its chunk now and then replaced by a push: every arm joint drifts at a constant
    random velocity for `duration` (the grippers do what the expert asks). The expert still infers
    on every observation, so its phases follow what really happens. `pushed` holds the sequence
    numbers of the observations answered with a push."""

    needs_object_poses = True

    def __init__(
        self, expert: Policy, robot: RobotConfig, options: PushOptions, rng: np.random.Generator
    ) -> None:
        self.expert, self.options, self.rng = expert, options, rng
        self._arm_names = list(robot.arm_joints)
        self._arm = [robot.command_joints.index(j) for j in self._arm_names]
        self._lower, self._upper = robot.limits.lower[self._arm], robot.limits.upper[self._arm]
        self.reset()

    @property
    def phase(self) -> str:
        return getattr(self.expert, "phase", "?")

    def reset(self) -> None:
        self.expert.reset()
        self.pushed: set[int] = set()
        self._last_stamp: float | None = None
        self._push_end = -math.inf
        self._velocity = np.zeros(len(self._arm))

    def infer(self, observation: Observation) -> ActionChunk:
        chunk = self.expert.infer(observation)
        now, last = observation.stamp, self._last_stamp
        self._last_stamp = now
        if now >= self._push_end and last is not None and self._starts_push(now - last):
            self._push_end = now + self.options.duration
            self._velocity = self.rng.normal(0.0, self.options.size, len(self._arm))
            self._velocity /= self.options.duration
        if now >= self._push_end:
            return chunk
        self.pushed.add(observation.sequence)
        return replace(chunk, actions=self._push(chunk, observation))

    def _starts_push(self, elapsed: float) -> bool:
        """Whether a push starts in the `elapsed` seconds since the last observation (at `rate`)."""
        return self.rng.random() < -math.expm1(-self.options.rate * elapsed)

    def _push(self, chunk: ActionChunk, observation: Observation) -> np.ndarray:
        """The chunk with its arm columns drifting from the observed joints until the push ends."""
        q = observation.joint_state.subset(self._arm_names)
        elapsed = np.minimum(
            np.arange(chunk.horizon) * chunk.dt, self._push_end - observation.stamp
        )
        arm = np.clip(q + elapsed[:, None] * self._velocity, self._lower, self._upper)
        actions = chunk.actions.copy()
        columns = [chunk.dim_names.index(name) for name in self._arm_names]
        actions[:, columns] = arm
        return actions


def clean_segments(frames: list[dict], pushed: set[int]) -> list[list[dict]]:
    """The episode's frames cut around the pushes: frame i's action is the set point at its
    observation, commanded by the answer to observation i - 1, so frame i goes when i - 1 was
    pushed. Each run of the remaining frames is one segment (a LeRobot episode of its own, so no
    chunk of actions spans a push)."""
    segments: list[list[dict]] = [[]]
    for i, frame in enumerate(frames):
        if i - 1 in pushed:
            if segments[-1]:
                segments.append([])
            continue
        segments[-1].append(frame)
    return [s for s in segments if s]
