"""Every knob of the chunk executor, validated in one place (errors name the knob and valid values)."""

from __future__ import annotations

from dataclasses import dataclass

from vla_ros.core.config_fields import require_choice, require_non_negative, require_positive
from vla_ros.core.time_guard import MAX_FUTURE_S
from vla_ros.core.types import InvalidInput

STRATEGIES = ("latest_only", "crossfade", "temporal_ensemble")
INTERPOLATIONS = ("cubic", "spline", "jerk_limited")
GRIPPER_MODES = ("binary", "continuous")


@dataclass(frozen=True)
class ExecutorConfig:
    """Chunk executor settings (the chunk_executor node's parameters).

    control_rate_hz: rate of the command stream the controller receives.
    strategy: how a new chunk's overlap with the plan in force is blended (see blending.py).
    ensemble_k: ACT temporal-ensemble decay, weights exp(-k*i) with i=0 the oldest prediction.
    crossfade_max_s: crossfade window: a new chunk fades in over this long, also where the old plan
        ends sooner (held at its end); 0 fades over the whole overlap.
    catch_up_s: a new plan no strategy fade covers (the first, from the robot's state; one after a
        run-out; any under latest_only or temporal_ensemble) fades in from the old plan's
        continuation over at least this long (longer after a run-out; see timeline.py).
    interpolation: 'cubic' (C1 Hermite that never overshoots), 'spline' (C2 inside a plan, rings
        around jumps), or 'jerk_limited' (the cubic followed through ruckig within the robot's
        velocity/acceleration/jerk limits). See interpolation.py.
    gripper_mode: 'binary' snaps gripper dims to the nearer of open/closed, 'continuous' keeps them.
    initial_latency_s: latency assumed before the first chunk has been measured.
    latency_window: how many recent latencies the running estimate looks at.
    request_margin_s: slack added to the latency estimate when deciding to request the next chunk.
    request_timeout_s: a request not answered after this long is sent again.
    refresh_fraction: also request once the plan left is below this fraction of a chunk's span
        (fresher predictions track better; 0 requests only as late as latency allows).
    max_future_s: chunks stamped further ahead of now are ignored, and the clock stepping back by
        more is a jump that drops the plan (see vla_ros.core.time_guard).
    """

    control_rate_hz: float = 100.0
    # Defaults chosen by bench/chunking/run.py on chunk streams recorded from the sim, against
    # LeRobot's async client: a 0.19 s crossfade hands over to fresh predictions quickly (tracking
    # 0.80x LeRobot's at worst; 0.2 s: 0.80x just over, at 4 start phases) without stepping (jumps
    # 0.17x at worst; 0.17 s: 0.21x); refresh at 0.58 of a chunk asks within 1.2x LeRobot's requests
    # wherever that is feasible (0.6: over at 3 points; 0.55, 0.57: tracking 0.83x, 0.86x). Both are
    # sharp optima. See README "Chunk execution".
    strategy: str = "crossfade"
    ensemble_k: float = 0.01
    crossfade_max_s: float = 0.19
    catch_up_s: float = 0.1
    interpolation: str = "cubic"
    gripper_mode: str = "continuous"
    initial_latency_s: float = 0.3
    latency_window: int = 20
    request_margin_s: float = 0.05
    request_timeout_s: float = 2.0
    refresh_fraction: float = 0.58
    max_future_s: float = MAX_FUTURE_S

    def __post_init__(self) -> None:
        require_choice("strategy", self.strategy, STRATEGIES)
        require_choice("interpolation", self.interpolation, INTERPOLATIONS)
        require_choice("gripper_mode", self.gripper_mode, GRIPPER_MODES)
        require_positive("control_rate_hz", self.control_rate_hz)
        require_positive("request_timeout_s", self.request_timeout_s)
        require_positive("max_future_s", self.max_future_s)
        for name in (
            "ensemble_k",
            "crossfade_max_s",
            "catch_up_s",
            "initial_latency_s",
            "request_margin_s",
        ):
            require_non_negative(name, getattr(self, name))
        if not 0.0 <= self.refresh_fraction <= 1.0:
            raise InvalidInput(
                f"refresh_fraction must be within [0, 1], got {self.refresh_fraction}"
            )
        if int(self.latency_window) < 1:
            raise InvalidInput(
                f"latency_window must be an integer >= 1, got {self.latency_window}"
            )

    @property
    def period(self) -> float:
        return 1.0 / self.control_rate_hz
