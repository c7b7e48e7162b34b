"""An independent judge of the safe joint commands that reached the robot, message by message.

It sees only /vla/safe_joint_command (what the controllers were sent) and the robot config: every
value finite, joint positions within their limits, velocities within theirs, the velocity change
between consecutive control ticks within acceleration x dt, each end effector inside the workspace
box (forward kinematics from the shared Kinematics, not the projector's compiled FK). A position or
workspace limit already exceeded where the projector started may be kept, never exceeded further,
as the projector promises. Jerk above its limit is counted apart: the projector lets it yield when
stopping needs it, and counts it itself.

Ticks are the projector's (a fixed control period, its positions integrating its velocities): one
message lost on the way is reconstructed from the next one; several lost only bound the velocity
change by the ticks their stamps skipped. A stamp gap longer than INTERRUPTION_S (the projector
died) or a re-anchoring (/vla/reset: the sim or a person moved the robot) starts the judgement
afresh and is counted; any other break in the stream shows up as an impossible velocity step.

The reset and the commands travel on different topics, so the re-anchored command may arrive before
the reset that announces it (seen under load). Commands are therefore judged RESET_GRACE_S of
stamps late: a reset that arrives in that time still applies to the jump it announced. `finish()`
judges the rest at the end of a stream.
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field

import numpy as np

from vla_ros.core.robot.config import RobotConfig
from vla_ros.core.robot.kinematics import Kinematics

TOL = 1e-6
INTERRUPTION_S = 0.5
RESET_GRACE_S = 0.5


@dataclass
class JudgeReport:
    commands: int = 0
    violations: Counter = field(default_factory=Counter)
    jerk_exceedances: int = 0
    interruptions: int = 0
    skipped_ticks: int = 0  # messages lost on the way, whose steps could not be judged one by one
    reanchors: int = 0
    worst: dict[str, float] = field(default_factory=dict)  # kind -> largest excess seen
    first_violation: str = ""
    examples: list[str] = field(default_factory=list)  # the first few violations, described

    @property
    def violation_count(self) -> int:
        return sum(self.violations.values())


class StreamJudge:
    def __init__(self, robot: RobotConfig, control_period_s: float = 0.01) -> None:
        self.robot, self.dt = robot, control_period_s
        self.limits = robot.limits
        self.kinematics = Kinematics.from_robot(robot)
        self.report = JudgeReport()
        self._previous: tuple[float, np.ndarray, np.ndarray] | None = None
        self._previous_acceleration: np.ndarray | None = None
        self._reanchor_pending = False
        self._allowed: dict[str, np.ndarray] = {}
        self._unjudged: deque[tuple[float, tuple[str, ...], np.ndarray, np.ndarray]] = deque()

    def reanchor(self) -> None:
        """A /vla/reset: the projector re-anchors at the robot's measured state. The jump is
        recognized in the stream itself (positions no longer integrate the velocities): the first
        one among the commands not judged yet or still to come."""
        self._reanchor_pending = True

    def check(
        self, stamp: float, names: tuple[str, ...], positions: np.ndarray, velocities: np.ndarray
    ) -> None:
        """Take one command; those RESET_GRACE_S of stamps older than it are judged now."""
        self._unjudged.append((stamp, names, positions, velocities))
        while self._unjudged and self._unjudged[0][0] < stamp - RESET_GRACE_S:
            self._judge(*self._unjudged.popleft())

    def finish(self) -> JudgeReport:
        """Judge the commands still held back (the stream has ended); the report."""
        while self._unjudged:
            self._judge(*self._unjudged.popleft())
        return self.report

    def _judge(
        self, stamp: float, names: tuple[str, ...], positions: np.ndarray, velocities: np.ndarray
    ) -> None:
        self.report.commands += 1
        order = [names.index(j) for j in self.robot.command_joints if j in names]
        if len(order) != len(self.robot.command_joints):
            self._violate("joint_names", 1.0, f"names {names} lack command joints")
            return
        q, v = np.asarray(positions, float)[order], np.asarray(velocities, float)[order]
        if not (np.isfinite(q).all() and np.isfinite(v).all()):
            self._violate("non_finite", 1.0, f"non-finite command at {stamp:.3f}")
            self._previous = None
            return
        workspace = self.robot.workspace
        ee = np.array(
            [self.kinematics.frame_pose(q, arm.ee_frame)[:3, 3] for arm in self.robot.arms]
        )
        outside = {
            "joint_position": np.maximum(self.limits.lower - q, q - self.limits.upper),
            "workspace": np.maximum(workspace.lower - ee, ee - workspace.upper).max(axis=1),
        }
        if self._step(stamp, q, v):
            # The projector starts where the robot is: a limit already exceeded there (a gripper
            # pressed past its stop) may be kept, never exceeded further.
            self._allowed = {kind: np.maximum(excess, 0.0) for kind, excess in outside.items()}
        for kind, excess in outside.items():
            self._excess(kind, (excess - self._allowed[kind]).max(), stamp)
        self._excess("joint_velocity", (np.abs(v) - self.limits.velocity).max(), stamp)

    def _step(self, stamp: float, q: np.ndarray, v: np.ndarray) -> bool:
        """Judge the motion from the previous command; True when this command starts afresh."""
        previous, self._previous = self._previous, (stamp, q, v)
        if previous is None:
            self._previous_acceleration = None
            return True
        t0, q0, v0 = previous
        if stamp - t0 > INTERRUPTION_S:
            self.report.interruptions += 1
            self._previous_acceleration = None
            return True
        # The projector integrates its own output, q = q_prev + dt v exactly: that, not the stamps
        # (quantized to sim-clock updates), tells consecutive ticks from a lost message.
        consecutive = np.abs(q - (q0 + self.dt * v)).max() <= TOL
        if self._reanchor_pending and not consecutive:
            self._reanchor_pending = False
            self.report.reanchors += 1
            self._previous_acceleration = None
            return True
        if consecutive:
            steps = [(v0, v)]
        elif (
            stamp - t0 < 2.5 * self.dt
        ):  # one message lost: its velocity follows from the positions
            between = (q - q0) / self.dt - v
            self._excess("joint_velocity", (np.abs(between) - self.limits.velocity).max(), stamp)
            steps = [(v0, between), (between, v)]
        else:  # several lost: only their sum is known
            self.report.skipped_ticks += round((stamp - t0) / self.dt) - 1
            ticks = round((stamp - t0) / self.dt) + 1  # one more for the stamps' quantization
            self._excess(
                "joint_acceleration",
                (np.abs(v - v0) - ticks * self.dt * self.limits.acceleration).max(),
                stamp,
            )
            self._previous_acceleration = None
            return False
        for before, after in steps:
            self._excess(
                "joint_acceleration",
                (np.abs(after - before) - self.dt * self.limits.acceleration).max(),
                stamp,
            )
            acceleration = (after - before) / self.dt
            if self._previous_acceleration is not None:
                jerk = np.abs(acceleration - self._previous_acceleration) / self.dt
                self.report.jerk_exceedances += bool((jerk > self.limits.jerk * (1 + 1e-9)).any())
            self._previous_acceleration = acceleration
        return False

    def _excess(self, kind: str, excess: float, stamp: float) -> None:
        if excess > TOL:
            self._violate(kind, float(excess), f"{kind} exceeded by {excess:.3g} at {stamp:.3f} s")

    def _violate(self, kind: str, excess: float, text: str) -> None:
        self.report.violations[kind] += 1
        self.report.worst[kind] = max(self.report.worst.get(kind, 0.0), excess)
        self.report.first_violation = self.report.first_violation or text
        if len(self.report.examples) < 20:
            self.report.examples.append(text)
