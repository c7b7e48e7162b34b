"""Safety parameters: the robot YAML's `safety:` section (RobotConfig.safety), defaults here for absent keys.

Keys (all optional): position_margin [rad], max_linear_speed [m/s], max_angular_speed [rad/s],
reduced_linear_speed [m/s] (ISO 10218 reduced speed at the TCP, 0.25), reduced_angular_speed [rad/s],
singularity_slowdown / singularity_stop (Jacobian condition numbers, MoveIt Servo's 17 / 30),
min_self_distance [m], adjacent_joints (link pairs this close in the kinematic tree are not
checked), min_table_distance [m], table_height [m, base frame z]; for EE targets:
orientation_weight [m/rad] and ik_damping of the differential-IK cost.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from vla_ros.core.config_sections import mapping, reject_unknown_keys
from vla_ros.core.types import InvalidInput


@dataclass(frozen=True)
class SafetyConfig:
    position_margin: float = 0.01
    max_linear_speed: float = 1.0
    max_angular_speed: float = 2.5
    reduced_linear_speed: float = 0.25
    reduced_angular_speed: float = 0.8
    singularity_slowdown: float = 17.0
    singularity_stop: float = 30.0
    # Between link capsules, which already over-approximate the links (boxes by their half-diagonal).
    min_self_distance: float = 0.0
    # Self-distance skips link pairs at most this many joints apart in one arm (MoveIt's "adjacent").
    adjacent_joints: float = 2
    # The link capsules may touch the table plane, not cross it (capsules over-approximate the links).
    min_table_distance: float = 0.0
    table_height: float = 0.0
    orientation_weight: float = 0.1
    ik_damping: float = 1e-4

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if (
                not isinstance(value, (int, float))
                or value != value
                or value in (float("inf"), float("-inf"))
            ):
                raise InvalidInput(f"safety.{f.name} must be a finite number, got {value!r}")
        positive = [
            "max_linear_speed",
            "max_angular_speed",
            "reduced_linear_speed",
            "reduced_angular_speed",
        ]
        for name in positive:
            if getattr(self, name) <= 0.0:
                raise InvalidInput(f"safety.{name} must be > 0, got {getattr(self, name)}")
        for name in [
            "position_margin",
            "min_self_distance",
            "adjacent_joints",
            "min_table_distance",
            "ik_damping",
            "orientation_weight",
        ]:
            if getattr(self, name) < 0.0:
                raise InvalidInput(f"safety.{name} must be >= 0, got {getattr(self, name)}")
        if not 1.0 <= self.singularity_slowdown < self.singularity_stop:
            raise InvalidInput(
                f"safety.singularity_slowdown ({self.singularity_slowdown}) must be >= 1 and below "
                f"safety.singularity_stop ({self.singularity_stop})"
            )

    @classmethod
    def from_yaml(cls, raw: Any, where: str = "safety") -> SafetyConfig:
        """From the robot YAML's `safety:` mapping; unknown keys rejected with a suggestion."""
        values = mapping(raw, where)
        reject_unknown_keys(values, (f.name for f in fields(cls)), where)
        for key, value in values.items():
            try:
                values[key] = float(value)
            except (TypeError, ValueError):
                raise InvalidInput(f"{where}.{key} must be a number, got {value!r}") from None
        return cls(**values)

    def linear_speed(self, reduced: bool) -> float:
        return (
            min(self.reduced_linear_speed, self.max_linear_speed)
            if reduced
            else self.max_linear_speed
        )

    def angular_speed(self, reduced: bool) -> float:
        return (
            min(self.reduced_angular_speed, self.max_angular_speed)
            if reduced
            else self.max_angular_speed
        )
