"""When and what to ask a gripper action server for, from the safe gripper joint targets.

A gripper action takes a goal, not a stream: sending one per control tick would preempt the
running goal 100 times a second and the fingers would never settle. A new goal goes out only when
the target moved by more than `min_change` of the stroke (hysteresis) and at least `min_period_s`
after the last one (rate limit); it preempts the goal still running. `binary` grippers (the
executor's gripper_mode) snap to open/closed at mid-stroke; `continuous` ones follow the target.
Closing a franka hand is a grasp (it holds what it closes on; "nothing grasped" is a result, not a
fault), opening is a move. Widths are `width_per_joint` x the joint position (Franka: 2).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from vla_ros.core.config_fields import require_choice, require_non_negative, require_positive
from vla_ros.core.robot.config import GripperConfig

GRIPPER_MODES = ("binary", "continuous")


class GoalKind(str, Enum):
    COMMAND = "command"  # control_msgs/action/GripperCommand: the joint position
    MOVE = "move"  # franka_msgs/action/Move: width
    GRASP = "grasp"  # franka_msgs/action/Grasp: width, force, epsilon


@dataclass(frozen=True)
class GripperGoalConfig:
    """Gripper goals (gripper actions; moveit_bridge parameters).

    gripper_mode: binary (open/closed at mid-stroke) or continuous (follow the target)
    gripper_min_period_s: at least this long between two goals [s]
    gripper_min_change: a new goal needs the target to move by more than this fraction of the stroke
    gripper_max_effort: GripperCommand max_effort; franka Grasp force [N]
    gripper_speed: franka Move/Grasp speed [m/s]
    """

    gripper_mode: str = "binary"
    gripper_min_period_s: float = 0.2
    gripper_min_change: float = 0.1
    gripper_max_effort: float = 20.0
    gripper_speed: float = 0.1

    def __post_init__(self) -> None:
        require_choice("gripper_mode", self.gripper_mode, GRIPPER_MODES)
        require_non_negative("gripper_min_period_s", self.gripper_min_period_s)
        require_non_negative("gripper_min_change", self.gripper_min_change)
        require_positive("gripper_max_effort", self.gripper_max_effort)
        require_positive("gripper_speed", self.gripper_speed)


@dataclass(frozen=True)
class GripperGoal:
    kind: GoalKind
    position: float  # joint position target
    width: float  # opening between the pads [m] (franka) = width_per_joint x position


@dataclass(frozen=True)
class GoalDecision:
    goal: GripperGoal
    preempts: bool  # a goal is still running: cancel it first


class GripperGoalPolicy:
    def __init__(
        self,
        gripper: GripperConfig,
        config: GripperGoalConfig,
        *,
        franka_actions: bool = False,
        width_per_joint: float = 1.0,
    ) -> None:
        require_positive("width_per_joint", width_per_joint)
        self.gripper = gripper
        self.config = config
        self.franka_actions = franka_actions
        self.width_per_joint = width_per_joint
        self._stroke = abs(gripper.open_position - gripper.closed_position)
        self._last: GripperGoal | None = None
        self._last_time: float | None = None
        self.running: GripperGoal | None = None

    def target(self, position: float) -> float:
        low, high = sorted((self.gripper.open_position, self.gripper.closed_position))
        clipped = min(max(position, low), high)
        if self.config.gripper_mode == "continuous":
            return clipped
        middle = 0.5 * (self.gripper.open_position + self.gripper.closed_position)
        opening = self.gripper.open_position > self.gripper.closed_position
        return (
            self.gripper.open_position
            if (clipped >= middle) == opening
            else self.gripper.closed_position
        )

    def decide(self, position: float, now: float) -> GoalDecision | None:
        """The goal to send for this safe target at time `now`, or None (unchanged, or too soon)."""
        target = self.target(position)
        if self._last is not None:
            if abs(target - self._last.position) <= self.config.gripper_min_change * self._stroke:
                return None
            if now - self._last_time < self.config.gripper_min_period_s:
                return None
        goal = GripperGoal(self._kind(target), target, self.width_per_joint * target)
        decision = GoalDecision(goal, preempts=self.running is not None)
        self._last, self._last_time, self.running = goal, now, goal
        return decision

    def finished(self, goal: GripperGoal, success: bool, message: str) -> tuple[str, str] | None:
        """(diagnostics level, message) for a goal's result; None for a goal a newer one superseded
        (its cancellation is no fault)."""
        if goal is not self.running:
            return None
        self.running = None
        what = f"gripper {goal.kind.value} to {goal.position:.4f}"
        if success:
            return "ok", f"{what} done"
        if goal.kind == GoalKind.GRASP:
            return "warn", f"{what}: nothing grasped ({message})"
        return "error", f"{what} failed: {message}"

    def _kind(self, target: float) -> GoalKind:
        if not self.franka_actions:
            return GoalKind.COMMAND
        closing = abs(target - self.gripper.closed_position) < abs(
            target - self.gripper.open_position
        )
        return GoalKind.GRASP if closing else GoalKind.MOVE
