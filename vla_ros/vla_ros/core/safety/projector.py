"""SafetyProjector: the stateful filter one control loop runs, tick by tick.

It integrates its own output (the controller sees exactly the positions it publishes), starts at
rest at the measured joint state, and on any hold reason brakes to a stop within the acceleration
limits and stays there. Every tick whose jerk exceeds the limit is counted (joint_jerk_exceeded, and
by what the tick did: _tracking the command, _blending toward braking, _holding).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from vla_ros.core.robot.config import RobotConfig
from vla_ros.core.robot.safety_config import SafetyConfig
from vla_ros.core.safety.braking import brake
from vla_ros.core.safety.commands import check_finite, joint_objective, joint_values
from vla_ros.core.safety.conditioning import EndEffectorConditioning
from vla_ros.core.safety.constraint import Constraint
from vla_ros.core.safety.constraints.ee_speed import EndEffectorSpeedLimit
from vla_ros.core.safety.constraints.joint_acceleration import JointAccelerationLimit
from vla_ros.core.safety.constraints.joint_jerk import JointJerkLimit
from vla_ros.core.safety.constraints.joint_position import JointPositionLimit
from vla_ros.core.safety.constraints.joint_velocity import JointVelocityLimit
from vla_ros.core.safety.constraints.self_distance import SelfDistanceLimit
from vla_ros.core.safety.constraints.singularity import SingularityLimit
from vla_ros.core.safety.constraints.table_distance import TableDistanceLimit
from vla_ros.core.safety.constraints.workspace import WorkspaceLimit
from vla_ros.core.safety.context import MotionState, StepContext
from vla_ros.core.safety.ee_commands import EndEffectorTargets
from vla_ros.core.safety.jerk_report import exceeding, jerk_ratios
from vla_ros.core.safety.model import SafetyModel
from vla_ros.core.safety.objective import Objective
from vla_ros.core.safety.projection import project
from vla_ros.core.types import Command, CommandSpace, InvalidInput


@dataclass(frozen=True)
class SafeCommand:
    """One tick's output: positions and velocities in RobotConfig.command_joints order."""

    names: tuple[str, ...]
    positions: np.ndarray
    velocities: np.ndarray
    hold_reason: str
    active: tuple[str, ...]
    correction_norm: float
    # Largest |jerk| / limit over the joints on this tick (> 1: counted as joint_jerk_exceeded).
    jerk_ratio: float = 0.0
    # The command's step failed exact verification; this tick blends it toward braking.
    blended: bool = False

    @property
    def holding(self) -> bool:
        return bool(self.hold_reason)


def joint_constraints() -> list[Constraint]:
    return [JointVelocityLimit(), JointAccelerationLimit(), JointPositionLimit(), JointJerkLimit()]


def kinematic_constraints(
    robot: RobotConfig,
    model: SafetyModel,
    config: SafetyConfig,
    conditioning: EndEffectorConditioning,
) -> list[Constraint]:
    return [
        WorkspaceLimit(model, robot.workspace),
        EndEffectorSpeedLimit(model),
        SelfDistanceLimit(
            model, robot.home, config.min_self_distance, int(config.adjacent_joints)
        ),
        TableDistanceLimit(model, robot.home, config.table_height, config.min_table_distance),
        SingularityLimit(conditioning),
    ]


class SafetyProjector:
    def __init__(
        self,
        robot: RobotConfig,
        dt: float,
        config: SafetyConfig | None = None,
        constraints: Sequence[Constraint] | None = None,
        kinematic: bool = True,
    ) -> None:
        """`kinematic=False` keeps to joint-space limits (no URDF kinematics, no EE commands)."""
        if not (np.isfinite(dt) and dt > 0.0):
            raise InvalidInput(f"control period must be > 0 seconds, got {dt}")
        self.robot = robot
        self.joints = robot.command_joints
        self.dt = float(dt)
        self.config = config or robot.safety
        self.model = SafetyModel(robot, self.config) if kinematic else None
        conditioning = EndEffectorConditioning(self.model) if self.model else None
        self._ee = EndEffectorTargets(robot, conditioning) if conditioning else None
        if constraints is None:
            constraints = joint_constraints()
            if conditioning is not None:
                constraints += kinematic_constraints(robot, self.model, self.config, conditioning)
        self.constraints = list(constraints)
        self.margin = np.array(
            [self.config.position_margin if j in robot.arm_joints else 0.0 for j in self.joints]
        )
        self.reduced_speed = False
        self.counters: Counter = Counter()
        # Largest jerk ratio of any tick since construction (SafeCommand.jerk_ratio).
        self.worst_jerk_ratio = 0.0
        self.state: MotionState | None = None
        self._previous: Command | None = None

    def for_robot(self, robot: RobotConfig) -> SafetyProjector:
        """A projector for another description of the same robot (robot_description arrived),
        continuing from this one's motion state so the switch never jumps."""
        if robot.command_joints != self.joints:
            raise InvalidInput(
                f"new robot description has joints {list(robot.command_joints)}, expected {list(self.joints)}"
            )
        successor = SafetyProjector(robot, self.dt, robot.safety, kinematic=self.model is not None)
        successor.state, successor.reduced_speed, successor.counters = (
            self.state,
            self.reduced_speed,
            self.counters,
        )
        successor.worst_jerk_ratio = self.worst_jerk_ratio
        return successor

    @property
    def ready(self) -> bool:
        return self.state is not None

    def reset(self) -> None:
        """Forget the motion state: the next start() re-anchors at a fresh measurement.

        For episode boundaries, when the robot was moved by something other than this filter (a sim
        reset, a person guiding the arm) and is at rest: holding the old state would drive it back.
        """
        self.state = None

    def start(self, measured_positions: np.ndarray) -> None:
        """Begin at rest at the measured positions (in command_joints order)."""
        q = np.asarray(measured_positions, float)
        if q.shape != (len(self.joints),) or not np.all(np.isfinite(q)):
            raise InvalidInput(
                f"measured positions must be {len(self.joints)} finite values for {list(self.joints)}"
            )
        self.state = MotionState.at_rest(q)

    def validate(self, command: Command) -> None:
        """Raise InvalidInput for commands that can never be projected (NaN/inf, wrong dims)."""
        check_finite(command)
        if command.action_space in (CommandSpace.JOINT_POSITION, CommandSpace.JOINT_VELOCITY):
            joint_values(command, self.joints)
        elif self._ee is None:
            raise InvalidInput(
                f"{command.action_space.value} commands need kinematics (projector built with kinematic=False)"
            )
        else:
            self._ee.targets(command, self._context())

    def objective(self, command: Command, ctx: StepContext) -> Objective:
        if command.action_space in (CommandSpace.JOINT_POSITION, CommandSpace.JOINT_VELOCITY):
            return joint_objective(command, self.joints, ctx, self._previous)
        if self._ee is None:
            raise InvalidInput(
                f"{command.action_space.value} commands need kinematics (projector built with kinematic=False)"
            )
        return self._ee.objective(command, ctx, self._previous)

    def step(self, command: Command | None, hold_reason: str = "") -> SafeCommand:
        """Advance one tick: project `command`, or brake toward a hold when a reason is given."""
        ctx = self._context(
            command.action_space if command is not None and not hold_reason else None
        )
        if command is None and not hold_reason:
            hold_reason = "not_ready"
        projection = None
        if not hold_reason:
            try:
                check_finite(command)
                projection = project(ctx, self.constraints, self.objective(command, ctx))
            except InvalidInput:
                hold_reason = "invalid_command"
        blended = False
        if projection is None:
            velocity, active, correction = (
                brake(ctx.state.v, ctx.limits.acceleration, self.dt),
                (),
                0.0,
            )
        else:
            velocity, active, correction = (
                projection.velocity,
                projection.active,
                projection.correction_norm,
            )
            hold_reason, blended = "infeasible" if projection.failure else "", projection.blended
        self._previous = None if hold_reason else command
        if hold_reason:
            self.counters[f"hold_{hold_reason}"] += 1
        for name in active:
            self.counters[name] += 1
        jerk = self._count_jerk(
            ctx, velocity, "holding" if hold_reason else "blending" if blended else "tracking"
        )
        self.state = ctx.state.advanced(velocity, self.dt)
        return SafeCommand(
            self.joints,
            self.state.q.copy(),
            velocity.copy(),
            hold_reason,
            active,
            correction,
            jerk,
            blended,
        )

    def _count_jerk(self, ctx: StepContext, velocity: np.ndarray, doing: str) -> float:
        worst = float(jerk_ratios(ctx.state, velocity, ctx.limits.jerk, self.dt).max(initial=0.0))
        if exceeding(worst):
            self.counters["joint_jerk_exceeded"] += 1
            self.counters[f"joint_jerk_exceeded_{doing}"] += 1
        self.worst_jerk_ratio = max(self.worst_jerk_ratio, worst)
        return worst

    def _context(self, action_space: CommandSpace | None = None) -> StepContext:
        if self.state is None:
            raise InvalidInput(
                "safety projector has no measured joint state yet; call start() first"
            )
        return StepContext(
            self.state,
            self.dt,
            self.robot.limits,
            self.config,
            self.margin,
            self.reduced_speed,
            self.model,
            action_space,
        )
