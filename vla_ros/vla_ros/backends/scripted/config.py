"""The scripted expert's options (backend_options of backend `scripted`), validated with errors naming the option."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from vla_ros.core.types import InvalidInput


@dataclass(frozen=True)
class ScriptedExpertConfig:
    # Model card of the expert's action space (config/models): None = scripted_<robot name>.
    card: str | None = None
    # Override the card's chunk size and step (None: the card's chunk_size and 1 / control_rate).
    chunk_size: int | None = None
    dt: float | None = None  # s
    speed: float = 0.25  # m/s, end-effector
    turn_rate: float = 1.5  # rad/s, end-effector
    hover: float = 0.10  # m above a grasp/place point where descents start
    lift: float = 0.12  # m, how high a grasped cube is lifted before carrying
    # Grasps end when the closing gripper has stopped: closed at least `settle_closure` (0 open,
    # 1 closed) and closing slower than `settle_rate` (closure per second). Releases end when the
    # observed closure is within `open_margin` of the opening asked for.
    settle_rate: float = 0.3  # 1/s
    settle_closure: float = 0.1
    open_margin: float = 0.1
    reach_tolerance: float = 0.008  # m, end-effector position error that ends a move
    velocity_fraction: float = 0.6  # of each joint's velocity limit
    # Handover: the receiving hand waits `receive_standoff` back from the cube along its reach, then
    # moves in until its TCP is `receive_offset` short of the cube centre, so its palm stays clear
    # of the giving hand's fingers when they open.
    receive_standoff: float = 0.08  # m
    receive_offset: float = 0.012  # m
    # How far the receiving hand points up from horizontal (rad). Horizontal, a ViperX hand at the
    # handover point waits near its wrist singularity (Jacobian condition number 40, beyond the
    # safety projector's stop at 30), where the projector deflects it; 0.35 rad: 18 there, 13 at the cube.
    receive_pitch: float = 0.35
    # A receiving hand further than this off its line in (e.g. pushed aside by the safety projector
    # near its wrist singularity) backs off to the standoff and comes in again.
    receive_corridor: float = 0.04  # m
    # The giving hand lets go by opening to this closure (1 closed, 0 open), not fully: its finger
    # on the receiving side would swing into the receiving palm, where the safety projector's
    # self-distance check stops it and the handover stalls.
    release_closure: float = 0.35
    finger_clearance: float = (
        0.015  # m, wanted between open fingers and other objects when grasping
    )

    def __post_init__(self) -> None:
        if self.chunk_size is not None and (
            isinstance(self.chunk_size, bool)
            or int(self.chunk_size) != self.chunk_size
            or self.chunk_size < 1
        ):
            raise InvalidInput(
                f"scripted option chunk_size must be a positive integer, got {self.chunk_size!r}"
            )
        if self.card is not None and not isinstance(self.card, str):
            raise InvalidInput(
                f"scripted option card must be a model card name or YAML path, got {self.card!r}"
            )
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "card" or value is None:
                continue
            if not isinstance(value, (int, float)) or not np.isfinite(value) or value <= 0:
                raise InvalidInput(
                    f"scripted option {f.name} must be a positive number, got {value!r}"
                )
        for name in ("velocity_fraction", "release_closure", "settle_closure", "open_margin"):
            if getattr(self, name) > 1.0:
                raise InvalidInput(
                    f"scripted option {name} must be in (0, 1], got {getattr(self, name)}"
                )

    @staticmethod
    def from_options(options: dict) -> ScriptedExpertConfig:
        known = {f.name for f in fields(ScriptedExpertConfig)}
        unknown = sorted(set(options) - known)
        if unknown:
            raise InvalidInput(
                f"unknown scripted expert options {unknown}; valid options: {sorted(known)}"
            )
        return ScriptedExpertConfig(**options)
