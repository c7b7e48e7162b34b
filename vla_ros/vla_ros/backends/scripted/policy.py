"""The scripted expert as a Policy: observed state + privileged object poses -> a chunk through ModelIO.

Its outputs are what a joint-position model would emit (arm joints in rad, grippers as a closure 0
open .. 1 closed) and ModelIO converts them with the expert's model card, on the path every
checkpoint's actions take.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from vla_ros.backends.scripted.config import ScriptedExpertConfig
from vla_ros.backends.scripted.geometry import arm_geometry
from vla_ros.backends.scripted.motion import HandTargets, plan_chunk
from vla_ros.backends.scripted.phases import TaskPlanner
from vla_ros.core.inference.policy import Policy
from vla_ros.core.model.card import ModelCard, load_model_card
from vla_ros.core.model.io import ModelIO
from vla_ros.core.robot.config import RobotConfig
from vla_ros.core.robot.kinematics import Kinematics
from vla_ros.core.tasks.spec import TaskSpec, parse_instruction
from vla_ros.core.types import ActionChunk, ActionSpace, InvalidInput, NotReady, Observation


class ScriptedExpert(Policy):
    """A SCRIPTED EXPERT, not a learned model: solves the sim's table-top tasks from object poses."""

    needs_object_poses = True

    def __init__(self, robot: RobotConfig, config: ScriptedExpertConfig | None = None) -> None:
        self.robot = robot
        self.config = config or ScriptedExpertConfig()
        self.io = ModelIO(_card(robot, self.config), robot)
        self._columns = _model_columns(self.io, robot)
        self.kinematics = Kinematics.from_robot(robot)
        self.arms = [
            arm_geometry(robot, arm, self.kinematics) for arm in robot.arms if arm.gripper
        ]
        if not self.arms:
            raise InvalidInput(
                f"robot '{robot.name}' has no arm with a gripper; the scripted expert needs one"
            )
        self._velocity_limits = robot.limits.velocity * self.config.velocity_fraction
        scene = robot.sim
        self.planner = TaskPlanner(self.config, self.kinematics, self.arms, robot.home, scene)
        # Across episodes: once the sim has published poses, losing them is a fault.
        self._poses_seen = False
        self.reset()

    @classmethod
    def from_options(cls, robot: RobotConfig, options: dict[str, Any]) -> ScriptedExpert:
        return cls(robot, ScriptedExpertConfig.from_options(options))

    def reset(self) -> None:
        self._task: TaskSpec | None = None
        self.planner.start()

    @property
    def phase(self) -> str:
        return self.planner.phase.name

    def infer(self, observation: Observation) -> ActionChunk:
        task = parse_instruction(observation.instruction)
        if task != self._task:
            self._task = task
            self.planner.start()
        poses = observation.extras.get("object_poses")
        if not poses:
            if not self._poses_seen:  # the sim has just started: its first poses are on their way
                raise NotReady(
                    "the scripted expert waits for the first object poses (/sim/object_poses)"
                )
            raise InvalidInput(
                "the scripted expert needs observation.extras['object_poses'] (from /sim/object_poses)"
            )
        self._poses_seen = True
        for name in (task.obj, task.target):
            if name != "right_gripper" and name not in poses:
                raise InvalidInput(f"object_poses lacks '{name}' (has {sorted(poses)})")
        q = observation.joint_state.subset(self.robot.command_joints)
        # A joint state without velocities (a hand-made test state) reads as at rest.
        qd = observation.joint_state.velocities_of(self.robot.command_joints)
        objects = {name: np.asarray(pose, dtype=float) for name, pose in poses.items()}
        if task.kind == "handover" and len(self.arms) < 2:
            raise InvalidInput(
                f"'{task.instruction}' needs two arms with grippers; robot '{self.robot.name}' has {len(self.arms)}"
            )
        targets = self.planner.targets(q, qd, objects, task)
        return self.io.chunk(self._model_actions(q, targets), observation)

    def _model_actions(self, q: np.ndarray, targets: HandTargets) -> np.ndarray:
        """Joint positions along each hand's line, grippers as closures, in the card's action order."""
        card = self.io.card
        joints = plan_chunk(
            self.kinematics,
            self.arms,
            q,
            targets,
            card.chunk_size,
            card.dt,
            self.config.speed,
            self.config.turn_rate,
            self._velocity_limits,
        )
        # A hand without a target keeps its observed closure.
        closures = {geo.gripper: geo.closure(q) for geo in self.arms}
        closures.update(
            {self.arms[i].gripper: float(closed) for i, (_, closed) in targets.items()}
        )
        actions = joints[:, self._columns]
        for model_column, command_column in enumerate(self._columns):
            if command_column in closures:
                actions[:, model_column] = closures[command_column]
        return actions


def _card(robot: RobotConfig, config: ScriptedExpertConfig) -> ModelCard:
    """The expert's card (option card, else scripted_<robot>), with the chunk options applied."""
    card = load_model_card(config.card or f"scripted_{robot.name}")
    horizon = config.chunk_size or card.chunk_size
    rate = 1.0 / config.dt if config.dt else card.control_rate
    return replace(card, control_rate=rate, chunk_size=horizon, execute=horizon)


def _model_columns(io: ModelIO, robot: RobotConfig) -> list[int]:
    """Command-joint column of each of the card's action dims (joint-position cards of joints and grippers only)."""
    targets = io.actions.targets
    if io.card.action.space != ActionSpace.JOINT_POSITION or any(not t.joint for t in targets):
        raise InvalidInput(
            f"the scripted expert emits joint positions and gripper closures; model card '{io.card.name}' "
            f"declares {io.card.action.space.value} targets {[t.label for t in targets]}"
        )
    return [robot.command_joints.index(t.joint) for t in targets]
