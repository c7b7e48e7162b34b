"""Assembles time-consistent observations from per-camera frames and a joint-state stream.

An observation is stamped with its newest frame's capture time; the robot state is interpolated to
that time, so the policy sees images and joints from the same instant. Frames older than
`max_frame_age_s` are dropped and counted; a camera whose newest frame is that old blocks
observations (the policy must not act on a frozen view).

Time faults (see time_guard.py): frames and joint states stamped more than `max_future_s` ahead of
now are rejected (`dropped_future`); when the clock jumps back, every frame, the joint history and
the last emitted stamp are forgotten (`clock_jumps`), so messages of the new time line flow at once.
Joint states with NaN/inf positions or velocities are rejected: they never reach an observation.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from vla_ros.core.time_guard import MAX_FUTURE_S, TimeGuard
from vla_ros.core.types import InvalidInput, JointState, Observation


@dataclass(frozen=True)
class SyncConfig:
    """How observations are assembled (the camera_ingest node's parameters).

    cameras: cameras an observation holds (unset: all of the robot's)
    max_frame_age_s: a frame older than this is dropped, and its camera blocks observations [s]
    max_camera_skew_s: the frames of one observation are at most this far apart [s]
    joint_history_s: joint states kept for interpolating the robot state to a frame's time [s]
    max_future_s: stamps further ahead of now are rejected; a clock jumping back further restarts
        the time line [s]
    """

    cameras: tuple[str, ...] | None = None
    max_frame_age_s: float = 0.5
    max_camera_skew_s: float = 0.1
    joint_history_s: float = 2.0
    max_future_s: float = MAX_FUTURE_S

    def __post_init__(self) -> None:
        if self.cameras is not None and not self.cameras:
            raise InvalidInput("cameras must name at least one camera (unset: all of the robot's)")
        for name in ("max_frame_age_s", "max_camera_skew_s", "joint_history_s", "max_future_s"):
            if not getattr(self, name) > 0.0:
                raise InvalidInput(f"{name} must be > 0 s, got {getattr(self, name)}")


@dataclass
class SyncCounters:
    frames: int = 0
    dropped_stale: int = 0
    dropped_out_of_order: int = 0
    dropped_future: int = 0  # frames and joint states
    clock_jumps: int = 0
    observations: int = 0
    blocked_stale_camera: int = 0
    blocked_no_joint_state: int = 0
    last_problem: str = ""


@dataclass
class _Frame:
    stamp: float
    rgb: np.ndarray


@dataclass
class ObservationAssembler:
    """Frames arrive decoded, cropped and downscaled (core/perception/image.py: FrameGeometry)."""

    config: SyncConfig
    counters: SyncCounters = field(default_factory=SyncCounters)

    def __post_init__(self) -> None:
        self._time = TimeGuard(self.config.max_future_s)
        self._sequence = 0
        self._forget_time_line()

    def restart_time_line(self, now: float) -> None:
        """The clock jumped back (also callable from a ROS time-jump callback): forget the old time line."""
        self._time.latest_now = now
        self.counters.clock_jumps += 1
        self.counters.last_problem = (
            f"clock jumped back to {now:.3f} s: frames and joint history reset"
        )
        self._forget_time_line()

    def _forget_time_line(self) -> None:
        self._frames: dict[str, _Frame] = {}
        self._joint_times: deque[float] = deque()
        self._joint_states: deque[JointState] = deque()
        self._last_emitted_stamp = -np.inf

    def _follow_clock(self, now: float) -> None:
        if self._time.jumped_back(now):
            self.restart_time_line(now)

    def _reject_future(self, what: str, stamp: float, now: float) -> None:
        problem = self._time.future_problem(what, stamp, now)
        if problem is not None:
            self.counters.dropped_future += 1
            raise InvalidInput(problem)

    def add_frame(self, camera: str, stamp: float, rgb: np.ndarray, now: float) -> None:
        """Keep the newest frame of `camera`; raises InvalidInput for unknown cameras, stale and future frames."""
        if camera not in self.config.cameras:
            raise InvalidInput(
                f"frame from unknown camera '{camera}'; configured: {list(self.config.cameras)}"
            )
        self.counters.frames += 1
        self._follow_clock(now)
        self._reject_future(f"frame from '{camera}'", stamp, now)
        age = now - stamp
        if age > self.config.max_frame_age_s:
            self.counters.dropped_stale += 1
            raise InvalidInput(
                f"stale frame from '{camera}': age {age:.3f} s > max_frame_age_s {self.config.max_frame_age_s}"
            )
        previous = self._frames.get(camera)
        if previous is not None and stamp < previous.stamp:
            self.counters.dropped_out_of_order += 1
            raise InvalidInput(
                f"out-of-order frame from '{camera}': {stamp:.3f} < {previous.stamp:.3f}"
            )
        self._frames[camera] = _Frame(stamp, rgb)

    def add_joint_state(self, stamp: float, state: JointState, now: float) -> None:
        """Append to the joint history; raises InvalidInput for non-finite and future joint states."""
        self._follow_clock(now)
        state.require_finite()
        self._reject_future("joint state", stamp, now)
        if self._joint_times and stamp < self._joint_times[-1]:
            return  # a replayed or reordered message: the history stays monotonic
        self._joint_times.append(stamp)
        self._joint_states.append(state)
        while self._joint_times and self._joint_times[0] < stamp - self.config.joint_history_s:
            self._joint_times.popleft()
            self._joint_states.popleft()

    def assemble(
        self, now: float, instruction: str, extras: dict | None = None
    ) -> Observation | None:
        """A new observation when every camera has a fresh frame newer than the last one emitted."""
        self._follow_clock(now)
        frames = [self._frames.get(c) for c in self.config.cameras]
        if any(f is None for f in frames):
            return None
        stale = [
            c
            for c, f in zip(self.config.cameras, frames)
            if now - f.stamp > self.config.max_frame_age_s
        ]
        if stale:
            self.counters.blocked_stale_camera += 1
            self.counters.last_problem = (
                f"cameras {stale} stale (no frame within {self.config.max_frame_age_s} s)"
            )
            return None
        stamp = max(f.stamp for f in frames)
        if stamp <= self._last_emitted_stamp:
            return None
        if stamp - min(f.stamp for f in frames) > self.config.max_camera_skew_s:
            return None  # wait for the lagging camera's next frame
        state = self.joint_state_at(stamp)
        if state is None:
            self.counters.blocked_no_joint_state += 1
            self.counters.last_problem = "no joint state received near the frame time"
            return None
        self._last_emitted_stamp = stamp
        self._sequence += 1
        self.counters.observations += 1
        self.counters.last_problem = ""
        return Observation(
            stamp=stamp,
            images={c: f.rgb for c, f in zip(self.config.cameras, frames)},
            joint_state=state,
            instruction=instruction,
            sequence=self._sequence,
            extras=dict(extras or {}),
        )

    def joint_state_at(self, stamp: float) -> JointState | None:
        """Robot state interpolated to `stamp` (nearest at the ends of the buffered history)."""
        if not self._joint_times:
            return None
        times = self._joint_times
        i = bisect_left(times, stamp)
        if i == 0:
            return (
                self._joint_states[0]
                if times[0] - stamp <= self.config.max_camera_skew_s
                else None
            )
        if i == len(times):
            return (
                self._joint_states[-1]
                if stamp - times[-1] <= self.config.max_frame_age_s
                else None
            )
        before, after = self._joint_states[i - 1], self._joint_states[i]
        if before.names != after.names:
            return after
        w = (stamp - times[i - 1]) / max(times[i] - times[i - 1], 1e-9)
        velocities = None
        if before.velocities is not None and after.velocities is not None:
            velocities = (1 - w) * before.velocities + w * after.velocities
        return JointState(
            before.names, (1 - w) * before.positions + w * after.positions, velocities
        )
