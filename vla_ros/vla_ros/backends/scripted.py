"""A SCRIPTED EXPERT, not a learned model: solves the sim's table-top tasks from privileged object poses.

It reads the simulated object poses (observation.extras["object_poses"]), plans top-down grasps
with the robot's own kinematics and replans from the observed state at every chunk (closed loop):
phases approach -> descend -> grasp -> lift -> carry -> place -> release -> retreat, and back to
approach whenever the observed state says a grasp failed or the cube fell. Motion is a straight
Cartesian line toward each phase's target at a bounded speed, converted to joints with IK and
clipped to the joints' velocity limits. ALOHA-style handover: the first arm picks the cube and
holds it out at the middle of the table, the second arm grasps it, the first releases and retreats.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
import pinocchio as pin

from vla_ros.core.kinematics import Kinematics
from vla_ros.core.robot_config import ArmConfig, RobotConfig
from vla_ros.core.task_spec import TaskSpec, parse_instruction
from vla_ros.core.types import ActionChunk, ActionSpace, InvalidInput, Observation
from vla_ros.sim.scene_config import SceneConfig

DOWN = np.array([0.0, 0.0, -1.0])


@dataclass(frozen=True)
class ScriptedExpertConfig:
    chunk_size: int = 10
    dt: float = 0.1
    speed: float = 0.25  # m/s, end-effector
    turn_rate: float = 1.5  # rad/s, end-effector
    hover: float = 0.10  # m above a grasp/place point where descents start
    lift: float = 0.12  # m, how high a grasped cube is lifted before carrying
    grasp_time: float = 0.8  # s with the gripper closing before lifting
    release_time: float = 0.5  # s with the gripper opening before retreating
    reach_tolerance: float = 0.008  # m, end-effector position error that ends a move
    velocity_fraction: float = 0.6  # of each joint's velocity limit

    def __post_init__(self) -> None:
        if int(self.chunk_size) != self.chunk_size or self.chunk_size < 1:
            raise InvalidInput(f"scripted option chunk_size must be a positive integer, got {self.chunk_size!r}")
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, (int, float)) or not np.isfinite(value) or value <= 0:
                raise InvalidInput(f"scripted option {f.name} must be a positive number, got {value!r}")
        if self.velocity_fraction > 1.0:
            raise InvalidInput(f"scripted option velocity_fraction must be in (0, 1], got {self.velocity_fraction}")


@dataclass
class ArmGeometry:
    """What the expert needs to know about one arm, derived from its URDF."""

    arm: ArmConfig
    joints: np.ndarray  # indices of the arm's joints in command_joints
    gripper: int  # index of the gripper joint in command_joints
    approach: np.ndarray  # ee-frame axis pointing from the wrist out through the fingers
    closing: np.ndarray  # ee-frame axis along which the fingers close


@dataclass
class Phase:
    name: str
    since: float
    memory: dict[str, Any] = field(default_factory=dict)


class ScriptedExpert:
    """Policy protocol implementation; `needs_object_poses` tells the policy node to fill extras."""

    needs_object_poses = True
    model_id = "scripted_expert"

    def __init__(self, robot: RobotConfig, config: ScriptedExpertConfig | None = None) -> None:
        self.robot = robot
        self.config = config or ScriptedExpertConfig()
        self.kinematics = Kinematics.from_robot(robot)
        self.arms = [_geometry(robot, arm, self.kinematics) for arm in robot.arms if arm.gripper]
        if not self.arms:
            raise InvalidInput(f"robot '{robot.name}' has no arm with a gripper; the scripted expert needs one")
        self._velocity_limits = robot.limits.velocity * self.config.velocity_fraction
        self._cube_size = SceneConfig.from_extra(robot.extra).cube_size
        self.reset()

    @classmethod
    def from_options(cls, robot: RobotConfig, options: dict[str, Any]) -> ScriptedExpert:
        known = {f.name for f in fields(ScriptedExpertConfig)}
        unknown = sorted(set(options) - known)
        if unknown:
            raise InvalidInput(f"unknown scripted expert options {unknown}; valid options: {sorted(known)}")
        return cls(robot, ScriptedExpertConfig(**options))

    def reset(self) -> None:
        self._task: TaskSpec | None = None
        self._phase = Phase("approach", 0.0)

    # -- Policy ------------------------------------------------------------------------------------
    def infer(self, observation: Observation) -> ActionChunk:
        task = parse_instruction(observation.instruction)
        if task != self._task:
            self._task, self._phase = task, Phase("approach", observation.stamp)
        poses = observation.extras.get("object_poses")
        if not poses:
            raise InvalidInput("the scripted expert needs observation.extras['object_poses'] (from /sim/object_poses)")
        for name in (task.obj, task.target):
            if name != "right_gripper" and name not in poses:
                raise InvalidInput(f"object_poses lacks '{name}' (has {sorted(poses)})")
        q = observation.joint_state.subset(self.robot.command_joints)
        objects = {name: np.asarray(pose, dtype=float) for name, pose in poses.items()}
        if task.kind == "handover":
            if len(self.arms) < 2:
                raise InvalidInput(f"'{task.instruction}' needs two arms with grippers; robot '{self.robot.name}' has {len(self.arms)}")
            targets = self._handover(q, objects, observation.stamp)
        else:
            targets = {0: self._pick_and_place(self.arms[0], q, objects, observation.stamp, task)}
        actions = self._chunk(q, targets)
        return ActionChunk(
            stamp=observation.stamp,
            dt=self.config.dt,
            actions=actions,
            dim_names=self.robot.command_joints,
            action_space=ActionSpace.JOINT_POSITION,
            anchor=observation.joint_state,
            model_id=self.model_id,
            observation_sequence=observation.sequence,
        )

    @property
    def phase(self) -> str:
        return self._phase.name

    # -- phase machines ----------------------------------------------------------------------------
    def _enter(self, name: str, now: float, **memory: Any) -> None:
        self._phase = Phase(name, now, {**self._phase.memory, **memory})

    def _pick_and_place(self, geo: ArmGeometry, q: np.ndarray, objects: dict, now: float, task: TaskSpec) -> tuple:
        """(ee target pose, gripper closed?) for this chunk; advances the phase from the observed state."""
        c = self.config
        ee = self.kinematics.frame_pose(q, geo.arm.ee_frame)
        cube = objects[task.obj]
        size = self._cube_size
        held = np.linalg.norm(ee[:3, 3] - cube[:3]) < 0.6 * size + 0.01
        phase, elapsed = self._phase.name, now - self._phase.since
        grasp_at = cube[:3]
        if phase == "approach":
            yaw = _nearest_yaw(_yaw_of(cube), self._closing_yaw(geo, ee))
            self._phase.memory["grasp_yaw"] = yaw
            target = _pose(grasp_at + [0, 0, c.hover], self._grasp_rotation(geo, yaw))
            if self._reached(ee, target):
                self._enter("descend", now)
            return target, False
        yaw = self._phase.memory["grasp_yaw"]
        if phase == "descend":
            target = _pose(grasp_at, self._grasp_rotation(geo, yaw))
            if self._reached(ee, target):
                self._enter("grasp", now, lift_from=ee[:3, 3].copy())
            return target, False
        if phase == "grasp":
            target = _pose(self._phase.memory["lift_from"], self._grasp_rotation(geo, yaw))
            if elapsed >= c.grasp_time:
                missed = q[geo.gripper] <= geo.arm.gripper.closed_position + 0.1 * abs(geo.arm.gripper.open_position - geo.arm.gripper.closed_position)
                self._enter("approach" if missed else "lift", now)
            return target, True
        if phase in ("lift", "carry", "place") and not held:
            self._enter("approach", now)  # the cube slipped or fell: start over, gripper open
            return ee, False
        place_xy, place_z, place_yaw = self._place_point(task, objects, size, yaw)
        carry_z = max(place_z, self._phase.memory["lift_from"][2]) + c.lift
        if phase == "lift":
            target = _pose(self._phase.memory["lift_from"] + [0, 0, c.lift], self._grasp_rotation(geo, yaw))
            if self._reached(ee, target, 2.5):
                self._enter("carry", now)
            return target, True
        if phase == "carry":
            target = _pose(np.array([*place_xy, carry_z]), self._grasp_rotation(geo, place_yaw))
            if self._reached(ee, target, 1.5):
                self._enter("place", now)
            return target, True
        if phase == "place":
            # The TCP holds the cube at its centre: put that centre at the place height.
            target = _pose(np.array([*place_xy, place_z]), self._grasp_rotation(geo, place_yaw))
            if self._reached(ee, target):
                self._enter("release", now, release_at=ee.copy())
            return target, True
        if phase == "release":
            if elapsed >= c.release_time:
                self._enter("retreat", now)
            return self._phase.memory["release_at"], False
        if phase == "retreat":
            target = self._phase.memory["release_at"].copy()
            target[2, 3] += c.hover
            if self._reached(ee, target, 2.0):
                done = self._placed(task, objects, size)
                self._enter("done" if done else "approach", now)
            return target, False
        # done: hold above, replanning if the world changes under us.
        if not self._placed(task, objects, size):
            self._enter("approach", now)
        target = self._phase.memory["release_at"].copy()
        target[2, 3] += c.hover
        return target, False

    def _handover(self, q: np.ndarray, objects: dict, now: float) -> dict[int, tuple]:
        raise InvalidInput("handover is not supported yet by the scripted expert")

    # -- geometry helpers ----------------------------------------------------------------------------
    def _place_point(self, task: TaskSpec, objects: dict, size: float, grasp_yaw: float) -> tuple:
        target = objects[task.target]
        if task.kind == "stack":
            yaw = _nearest_yaw(_yaw_of(target), grasp_yaw)
            return target[:2], target[2] + size + 0.006, yaw
        return target[:2], target[2] + 0.012 + size / 2 + 0.02, grasp_yaw

    def _placed(self, task: TaskSpec, objects: dict, size: float) -> bool:
        cube, target = objects[task.obj], objects[task.target]
        offset = np.hypot(*(cube[:2] - target[:2]))
        if task.kind == "stack":
            return bool(offset < 0.5 * size and abs(cube[2] - target[2] - size) < 0.2 * size)
        return bool(offset < 0.05 and cube[2] < target[2] + 0.06)

    def _grasp_rotation(self, geo: ArmGeometry, yaw: float) -> np.ndarray:
        """Approach axis pointing down, closing axis along `yaw` (horizontal)."""
        closing_world = np.array([np.cos(yaw), np.sin(yaw), 0.0])
        ee_axes = np.column_stack([geo.approach, geo.closing, np.cross(geo.approach, geo.closing)])
        world_axes = np.column_stack([DOWN, closing_world, np.cross(DOWN, closing_world)])
        return world_axes @ ee_axes.T

    def _closing_yaw(self, geo: ArmGeometry, ee: np.ndarray) -> float:
        axis = ee[:3, :3] @ geo.closing
        return float(np.arctan2(axis[1], axis[0]))

    def _reached(self, ee: np.ndarray, target: np.ndarray, scale: float = 1.0) -> bool:
        position = np.linalg.norm(ee[:3, 3] - target[:3, 3]) < self.config.reach_tolerance * scale
        rotation = np.linalg.norm(pin.log3(target[:3, :3] @ ee[:3, :3].T)) < 0.05 * scale
        return bool(position and rotation)

    # -- motion --------------------------------------------------------------------------------------
    def _chunk(self, q: np.ndarray, targets: dict[int, tuple]) -> np.ndarray:
        """Actions 0..H-1: from the observed q, each arm's TCP moves in a straight line toward its target."""
        c = self.config
        actions = np.tile(q, (c.chunk_size, 1))
        for arm_index, (target, closed) in targets.items():
            geo = self.arms[arm_index]
            grip = geo.arm.gripper.closed_position if closed else geo.arm.gripper.open_position
            pose = self.kinematics.frame_pose(q, geo.arm.ee_frame)
            q_i = q.copy()
            for i in range(1, c.chunk_size):
                pose = _step_toward(pose, target, c.speed * c.dt, c.turn_rate * c.dt)
                result = self.kinematics.solve_ik(geo.arm.ee_frame, pose, q_i, tolerance=1e-3, max_iterations=50)
                step = np.clip(result.q - q_i, -self._velocity_limits * c.dt, self._velocity_limits * c.dt)
                q_i = q_i.copy()
                q_i[geo.joints] += step[geo.joints]
                actions[i, geo.joints] = q_i[geo.joints]
            actions[:, geo.gripper] = grip
        return actions


def _step_toward(pose: np.ndarray, target: np.ndarray, max_move: float, max_turn: float) -> np.ndarray:
    """One step of a straight line toward target, slowing down over the last few centimetres."""
    delta = target[:3, 3] - pose[:3, 3]
    distance = np.linalg.norm(delta)
    move = min(max_move, 0.5 * distance + 0.2 * max_move) if distance > 1e-9 else 0.0
    rotation = pin.log3(target[:3, :3] @ pose[:3, :3].T)
    angle = np.linalg.norm(rotation)
    turn = min(max_turn, 0.5 * angle + 0.2 * max_turn)
    out = np.eye(4)
    out[:3, 3] = pose[:3, 3] + (delta * min(1.0, move / distance) if distance > 1e-9 else 0.0)
    out[:3, :3] = (pin.exp3(rotation * min(1.0, turn / angle)) if angle > 1e-9 else np.eye(3)) @ pose[:3, :3]
    return out


def _pose(position: np.ndarray, rotation: np.ndarray) -> np.ndarray:
    pose = np.eye(4)
    pose[:3, :3], pose[:3, 3] = rotation, position
    return pose


def _yaw_of(pose: np.ndarray) -> float:
    w, x, y, z = pose[3:7]
    return float(np.arctan2(2 * (w * z + x * y), 1 - 2 * (y * y + z * z)))


def _nearest_yaw(cube_yaw: float, current: float) -> float:
    """The yaw among cube_yaw + k*90deg (a cube's faces) closest to `current`."""
    candidates = cube_yaw + np.arange(4) * np.pi / 2
    differences = np.angle(np.exp(1j * (candidates - current)))
    return float(current + differences[np.argmin(np.abs(differences))])


def _geometry(robot: RobotConfig, arm: ArmConfig, kinematics: Kinematics) -> ArmGeometry:
    """Approach and closing axes of the hand, in its ee frame, from the URDF at the home pose."""
    names = robot.command_joints
    q = robot.home.copy()
    ee = kinematics.frame_pose(q, arm.ee_frame)
    wrist = kinematics.frame_pose(q, arm.joints[-1])
    approach = _snap(ee[:3, :3].T @ (ee[:3, 3] - wrist[:3, 3]))
    gripper = names.index(arm.gripper.joint)
    finger = _child_link(robot.urdf_xml(), arm.gripper.joint)
    q_open, q_closed = q.copy(), q.copy()
    q_open[gripper], q_closed[gripper] = arm.gripper.open_position, arm.gripper.closed_position
    motion = kinematics.frame_pose(q_closed, finger)[:3, 3] - kinematics.frame_pose(q_open, finger)[:3, 3]
    closing = _snap(ee[:3, :3].T @ motion)
    if abs(approach @ closing) > 0.5:
        raise InvalidInput(f"arm '{arm.name}': fingers close along the approach axis; cannot plan top-down grasps")
    return ArmGeometry(arm, np.array([names.index(j) for j in arm.joints]), gripper, approach, closing)


def _snap(vector: np.ndarray) -> np.ndarray:
    """The signed unit axis nearest to `vector`."""
    axis = np.zeros(3)
    k = int(np.argmax(np.abs(vector)))
    axis[k] = np.sign(vector[k])
    return axis


def _child_link(urdf_xml: str, joint: str) -> str:
    for element in ET.fromstring(urdf_xml).iter("joint"):
        if element.get("name") == joint:
            return element.find("child").get("link")
    raise InvalidInput(f"gripper joint '{joint}' is not in the URDF")
