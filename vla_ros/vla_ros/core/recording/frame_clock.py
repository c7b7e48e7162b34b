"""The fixed frame clock of an exported episode and the signals sampled onto it.

A LeRobot dataset has one clock: frame k is at k / fps. Recorded signals arrive on their own
clocks (cameras at ~10-30 Hz, commands at the controller rate), so each is sampled onto the frame
clock: observations are held (a policy acts on the newest observation it has; images cannot be
interpolated), commands are interpolated linearly (they are smooth position targets at a rate well
above the frame rate).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vla_ros.core.types import InvalidInput, JointState

# Stamps are integer nanoseconds; a tick this close to an observation's stamp is at that stamp.
TICK_TOLERANCE_S = 1e-6


def require_frame_rate(fps: float, source: str) -> int:
    """LeRobot's fps is an integer: `fps` as one, or InvalidInput naming where it came from."""
    if not fps > 0 or abs(fps - round(fps)) > 1e-9:
        raise InvalidInput(f"{source}: frame rate {fps} Hz must be a positive whole number")
    return int(round(fps))


@dataclass(frozen=True)
class CommandTrack:
    """Recorded joint commands of one episode; positions at any time inside it by interpolation."""

    times: np.ndarray  # (N,) increasing stamps [s]
    names: tuple[str, ...]
    positions: np.ndarray  # (N, len(names))

    @classmethod
    def from_states(cls, stamped: list[tuple[float, JointState]], source: str) -> CommandTrack:
        """From (stamp, command) pairs in any order; every command must name the same joints."""
        if not stamped:
            raise InvalidInput(f"{source}: no commands recorded")
        stamped = sorted(stamped, key=lambda pair: pair[0])
        names = stamped[0][1].names
        changed = next((s for _, s in stamped if s.names != names), None)
        if changed is not None:
            raise InvalidInput(
                f"{source}: commands name joints {list(changed.names)} after {list(names)}"
            )
        times = np.array([t for t, _ in stamped])
        keep = np.concatenate(([True], np.diff(times) > 0))  # one command per stamp (the first)
        positions = np.array([s.positions for _, s in stamped])
        return cls(times[keep], names, positions[keep])

    @property
    def first_s(self) -> float:
        return float(self.times[0])

    @property
    def last_s(self) -> float:
        return float(self.times[-1])

    def at(self, t: float) -> JointState:
        """Linearly interpolated command at `t` (inside [first_s, last_s])."""
        if not self.first_s - TICK_TOLERANCE_S <= t <= self.last_s + TICK_TOLERANCE_S:
            raise InvalidInput(
                f"no command at {t:.3f} s (commands span {self.first_s:.3f}..{self.last_s:.3f} s)"
            )
        i = int(np.clip(np.searchsorted(self.times, t, side="right"), 1, len(self.times) - 1))
        t0, t1 = self.times[i - 1], self.times[i]
        w = 0.0 if t1 == t0 else float(np.clip((t - t0) / (t1 - t0), 0.0, 1.0))
        return JointState(self.names, (1 - w) * self.positions[i - 1] + w * self.positions[i])
