"""ChunkExecutor: latency-stamped chunks in, one smooth command per control tick out.

Composes the timeline (admission, blending, bridge), the plan's interpolation, optional ruckig
jerk limiting, relative-action anchoring, the inference trigger and the RTC prefix. Pure Python:
the chunk_executor node only feeds it messages and the clock.

Before the first chunk there is no command (the safety projector holds); without the robot's state
(joint position chunks are bridged from it) the first plan begins at its first action's time. A malformed chunk raises
InvalidInput and leaves the plan in force untouched. When the plan runs out, position spaces hold
its last target (zero velocity) and velocity spaces command zero; that time counts as starvation.
Time faults (time_guard.py): chunks stamped more than max_future_s ahead are ignored (`future`). If
the clock jumps back by more than max_future_s (simulation reset, bag loop), the plan of the old
time line is dropped (counted), commands stop and a new chunk is requested at once; a smaller step
back skips ticks until the clock passes the last one: nothing is ever executed backwards in time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vla_ros.core.chunking.anchoring import PoseFunction, anchor_ee_deltas
from vla_ros.core.chunking.blending import strategy_from_config
from vla_ros.core.chunking.config import ExecutorConfig
from vla_ros.core.chunking.jerk_limited import JerkLimitedFollower
from vla_ros.core.chunking.latency import InferenceTrigger, LatencyEstimator
from vla_ros.core.chunking.layout import layout_for
from vla_ros.core.chunking.rtc import rtc_prefix
from vla_ros.core.chunking.timeline import Admission, ChunkTimeline
from vla_ros.core.robot.config import JointLimits, RobotConfig
from vla_ros.core.time_guard import TimeGuard
from vla_ros.core.types import (
    ActionChunk,
    ActionSpace,
    Command,
    CommandSpace,
    InvalidInput,
    JointState,
)


@dataclass(frozen=True)
class ExecutorStats:
    strategy: str
    queue_depth: int  # planned actions still ahead of now
    queue_duration: float  # seconds of plan left
    latency_estimate: float
    chunks_received: int
    chunks_rejected: int
    late_chunks: int
    stale_chunks: int
    duplicates: int
    future_chunks: int
    out_of_order: int
    actions_dropped_stale: int
    starvation_time: float
    requests: int
    clock_jumps: int
    before_reset: int  # chunks inferred before the latest episode reset, ignored


class ChunkExecutor:
    def __init__(
        self,
        config: ExecutorConfig,
        command_joints: tuple[str, ...],
        gripper_ranges: dict[str, tuple[float, float]] | None = None,
        limits: JointLimits | None = None,
        pose_of: PoseFunction | None = None,
    ) -> None:
        self.config = config
        self.command_joints = tuple(command_joints)
        self.gripper_ranges = dict(gripper_ranges or {})
        self.pose_of = pose_of
        self.timeline = ChunkTimeline(
            strategy_from_config(config),
            binary_grippers=config.gripper_mode == "binary",
            c2=config.interpolation == "spline",
            catch_up_s=config.catch_up_s,
            max_future_s=config.max_future_s,
            fade_step_s=config.period,
        )
        self.trigger = InferenceTrigger(
            LatencyEstimator(config.initial_latency_s, config.latency_window),
            config.request_margin_s,
            config.request_timeout_s,
            config.period,
            config.refresh_fraction,
        )
        if config.interpolation == "jerk_limited" and limits is None:
            raise InvalidInput(
                "interpolation 'jerk_limited' needs joint velocity/acceleration/jerk limits (robot config)"
            )
        self._follower = (
            JerkLimitedFollower(limits, config.period)
            if config.interpolation == "jerk_limited"
            else None
        )
        self._last_tick: float | None = None
        self._time = TimeGuard(config.max_future_s)
        self.clock_jumps = 0
        self.chunks_received = 0
        self.chunks_rejected = 0
        self.starvation_time = 0.0

    @classmethod
    def for_robot(
        cls, config: ExecutorConfig, robot: RobotConfig, pose_of: PoseFunction | None = None
    ) -> ChunkExecutor:
        grippers = {
            arm.gripper.joint: (arm.gripper.open_position, arm.gripper.closed_position)
            for arm in robot.arms
            if arm.gripper
        }
        return cls(config, robot.command_joints, grippers, robot.limits, pose_of)

    # -- chunks in ---------------------------------------------------------------------------------
    def submit(
        self, chunk: ActionChunk, now: float, robot_state: JointState | None = None
    ) -> Admission:
        """Check that a chunk arriving at `now` fits the robot, anchor and place it. InvalidInput: plan kept."""
        self._follow_clock(now)
        self.chunks_received += 1
        try:
            if chunk.action_space == ActionSpace.EE_DELTA:
                if self.pose_of is None:
                    raise InvalidInput(
                        "ee_delta chunks need forward kinematics (no pose function configured)"
                    )
                chunk = anchor_ee_deltas(chunk, self.pose_of)
            layout = layout_for(
                chunk.action_space, chunk.dim_names, self.gripper_ranges, self.command_joints
            )
            start = None
            if chunk.action_space == ActionSpace.JOINT_POSITION and robot_state is not None:
                robot_state.require_finite()
                start = robot_state.subset(chunk.dim_names)
        except InvalidInput:
            self.chunks_rejected += 1
            raise
        admission = self.timeline.admit(chunk, layout, now, start)
        if admission.executed or admission in (Admission.STALE, Admission.BEFORE_RESET):
            self.trigger.on_chunk(now, chunk.stamp, (chunk.horizon - 1) * chunk.dt)
        return admission

    def _follow_clock(self, now: float) -> None:
        if self._time.jumped_back(now):
            self.clock_jumps += 1
            self.reset()

    def reset(self, at_s: float | None = None) -> None:
        """Episode boundary stamped `at_s` (None: unstamped, or the clock jumped back): drop the
        plan; chunks stamped before `at_s` are the old episode's and are ignored (answered, though:
        the next request goes out at once)."""
        self.timeline.clear(at_s)
        self._last_tick = None
        if self._follower is not None:
            self._follower.started = False

    # -- commands out ------------------------------------------------------------------------------
    def tick(self, now: float) -> Command | None:
        """The command for control time `now` (None before the first chunk or after a clock reset)."""
        self._follow_clock(now)
        plan = self.timeline.plan
        if self._last_tick is not None and now < self._last_tick:
            return None  # a step back within max_future_s: the plan stays, nothing runs backwards
        if plan is None or now < plan.trajectory.start:
            return None  # a first plan without robot state begins at its first action's time, not before
        if now > plan.trajectory.end + 1e-9 and self._last_tick is not None:
            self.starvation_time += now - max(self._last_tick, plan.trajectory.end)
        self._last_tick = now
        values, velocities = plan.trajectory.sample(now)
        if plan.action_space == ActionSpace.JOINT_VELOCITY and now > plan.trajectory.end:
            values = np.zeros_like(values)
        if self._follower is not None and plan.action_space == ActionSpace.JOINT_POSITION:
            values, velocities = self._follower.step(values, velocities)
        space = CommandSpace.executing(plan.action_space)
        return Command(now, space, plan.layout.dim_names, values, velocities)

    # -- asynchronous inference ----------------------------------------------------------------------
    def request_due(self, now: float) -> bool:
        self._follow_clock(now)
        plan = self.timeline.plan
        end = plan.trajectory.end if plan is not None else None
        return self.trigger.due(now, end, plan.dt if plan is not None else 0.0)

    def mark_requested(self, now: float) -> None:
        self.trigger.mark_requested(now)

    def rtc_prefix(self, now: float) -> ActionChunk | None:
        plan = self.timeline.plan
        return None if plan is None else rtc_prefix(plan, now, self.trigger.estimator.estimate)

    def stats(self, now: float) -> ExecutorStats:
        plan = self.timeline.plan
        counters = self.timeline.counters
        ahead = 0 if plan is None else int(np.sum(plan.action_times > now))
        remaining = 0.0 if plan is None else max(0.0, plan.trajectory.end - now)
        return ExecutorStats(
            strategy=self.config.strategy,
            queue_depth=ahead,
            queue_duration=remaining,
            latency_estimate=self.trigger.estimator.estimate,
            chunks_received=self.chunks_received,
            chunks_rejected=self.chunks_rejected,
            late_chunks=counters.late_chunks,
            stale_chunks=counters.stale_chunks,
            duplicates=counters.duplicates,
            future_chunks=counters.future_chunks,
            out_of_order=counters.out_of_order,
            actions_dropped_stale=counters.actions_dropped_stale,
            starvation_time=self.starvation_time,
            requests=self.trigger.requests,
            clock_jumps=self.clock_jumps,
            before_reset=counters.before_reset,
        )
