"""A SCRIPTED EXPERT, not a learned model: solves the sim's table-top tasks from privileged object poses.

It reads the simulated object poses (observation.extras["object_poses"]), plans top-down grasps
with the robot's own kinematics and replans from the observed state at every chunk (closed loop):
phases approach -> descend -> grasp -> lift -> carry -> place -> release -> retreat, and back to
approach whenever the observed state says a grasp failed or the cube fell. Motion is a straight
Cartesian line toward each phase's target at a bounded speed, converted to joints with IK and
clipped to the joints' velocity limits.

Handover (two arms with grippers, e.g. ALOHA): the first arm picks the cube top-down and presents
it at the scene's handover point, its fingers on the two faces that point along the second arm's
reach; the second arm comes in horizontally along that reach and closes on the two free side
faces, the first opens and retreats upward. Phases approach -> descend -> grasp -> lift -> carry ->
reach -> receive -> release -> retreat -> done, back to approach if the cube is lost on the way.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
import pinocchio as pin

from vla_ros.core.robot.config import ArmConfig, RobotConfig
from vla_ros.core.robot.kinematics import Kinematics
from vla_ros.core.tasks.spec import TaskSpec, parse_instruction
from vla_ros.core.types import ActionChunk, ActionSpace, InvalidInput, NotReady, Observation

DOWN = np.array([0.0, 0.0, -1.0])
UP = -DOWN
PICK_PHASES = ("approach", "descend", "grasp", "lift")


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
    # Handover: the receiving hand waits `receive_standoff` back from the cube along its reach, then
    # moves in until its TCP is `receive_offset` short of the cube centre, so its palm stays clear
    # of the giving hand's fingers when they open.
    receive_standoff: float = 0.08  # m
    receive_offset: float = 0.012  # m
    # The giving hand lets go by opening to this closure (1 closed, 0 open), not fully: its finger
    # on the receiving side would swing into the receiving palm, where the safety projector's
    # self-distance check stops it and the handover stalls.
    release_closure: float = 0.35
    finger_clearance: float = (
        0.015  # m, wanted between open fingers and other objects when grasping
    )

    def __post_init__(self) -> None:
        if int(self.chunk_size) != self.chunk_size or self.chunk_size < 1:
            raise InvalidInput(
                f"scripted option chunk_size must be a positive integer, got {self.chunk_size!r}"
            )
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, (int, float)) or not np.isfinite(value) or value <= 0:
                raise InvalidInput(
                    f"scripted option {f.name} must be a positive number, got {value!r}"
                )
        for name in ("velocity_fraction", "release_closure"):
            if getattr(self, name) > 1.0:
                raise InvalidInput(
                    f"scripted option {name} must be in (0, 1], got {getattr(self, name)}"
                )


@dataclass
class ArmGeometry:
    """What the expert needs to know about one arm, derived from its URDF."""

    arm: ArmConfig
    joints: np.ndarray  # indices of the arm's joints in command_joints
    gripper: int  # index of the gripper joint in command_joints
    approach: np.ndarray  # ee-frame axis pointing from the wrist out through the fingers
    closing: np.ndarray  # ee-frame axis along which the fingers close
    finger_reach: (
        float  # m, how far an open finger's frame sits from the TCP across the closing axis
    )


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
            raise InvalidInput(
                f"robot '{robot.name}' has no arm with a gripper; the scripted expert needs one"
            )
        self._velocity_limits = robot.limits.velocity * self.config.velocity_fraction
        scene = robot.sim
        self._cube_size = scene.cube_size
        self._bowl_radius = scene.bowl_radius
        self._handover_point = np.asarray(scene.handover_point, dtype=float)
        self._home_poses = [
            self.kinematics.frame_pose(robot.home, geo.arm.ee_frame) for geo in self.arms
        ]
        self._poses_seen = (
            False  # across episodes: once the sim has published poses, losing them is a fault
        )
        self.reset()

    @classmethod
    def from_options(cls, robot: RobotConfig, options: dict[str, Any]) -> ScriptedExpert:
        known = {f.name for f in fields(ScriptedExpertConfig)}
        unknown = sorted(set(options) - known)
        if unknown:
            raise InvalidInput(
                f"unknown scripted expert options {unknown}; valid options: {sorted(known)}"
            )
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
        objects = {name: np.asarray(pose, dtype=float) for name, pose in poses.items()}
        if task.kind == "handover":
            if len(self.arms) < 2:
                raise InvalidInput(
                    f"'{task.instruction}' needs two arms with grippers; robot '{self.robot.name}' has {len(self.arms)}"
                )
            targets = self._handover(q, objects, observation.stamp, task)
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

    def _pick(
        self,
        geo: ArmGeometry,
        q: np.ndarray,
        ee: np.ndarray,
        objects: dict,
        name: str,
        now: float,
        then: str,
    ) -> tuple:
        """Phases approach -> descend -> grasp -> lift of a top-down grasp of cube `name`, then phase `then`."""
        c = self.config
        cube = objects[name]
        phase, elapsed = self._phase.name, now - self._phase.since
        if phase == "approach":
            yaw = self._grasp_yaw(geo, ee, objects, name)
            self._phase.memory["grasp_yaw"] = yaw
            target = _pose(cube[:3] + [0, 0, c.hover], self._grasp_rotation(geo, yaw))
            if self._reached(ee, target):
                self._enter("descend", now)
            return target, False
        rotation = self._grasp_rotation(geo, self._phase.memory["grasp_yaw"])
        if phase == "descend":
            target = _pose(cube[:3], rotation)
            if self._reached(ee, target):
                self._enter("grasp", now, lift_from=ee[:3, 3].copy())
            return target, False
        if phase == "grasp":
            target = _pose(self._phase.memory["lift_from"], rotation)
            if elapsed >= c.grasp_time:
                self._enter("approach" if self._closed_on_nothing(geo, q) else "lift", now)
            return target, True
        target = _pose(self._phase.memory["lift_from"] + [0, 0, c.lift], rotation)
        if self._reached(ee, target, 2.5):
            self._enter(then, now)
        return target, True

    def _pick_and_place(
        self, geo: ArmGeometry, q: np.ndarray, objects: dict, now: float, task: TaskSpec
    ) -> tuple:
        """(ee target pose, gripper closed?) for this chunk; advances the phase from the observed state."""
        c = self.config
        ee = self.kinematics.frame_pose(q, geo.arm.ee_frame)
        cube = objects[task.obj]
        size = self._cube_size
        phase, elapsed = self._phase.name, now - self._phase.since
        if phase in ("lift", "carry", "place") and not self._holding(ee, cube):
            self._enter("approach", now)  # the cube slipped or fell: start over, gripper open
            return ee, False
        if phase in PICK_PHASES:
            return self._pick(geo, q, ee, objects, task.obj, now, then="carry")
        yaw = self._phase.memory["grasp_yaw"]
        place_xy, place_z, place_yaw = self._place_point(task, objects, size, yaw)
        carry_z = max(place_z, self._phase.memory["lift_from"][2]) + c.lift
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
        target = self._phase.memory["release_at"].copy()
        target[2, 3] += c.hover
        if phase == "retreat":
            if self._reached(ee, target, 2.0):
                done = self._placed(task, objects, size)
                self._enter("done" if done else "approach", now)
            return target, False
        # done: hold above, replanning if the world changes under us.
        if not self._placed(task, objects, size):
            self._enter("approach", now)
        return target, False

    def _handover(
        self, q: np.ndarray, objects: dict, now: float, task: TaskSpec
    ) -> dict[int, tuple]:
        """Targets of the giving (first) and receiving (second) arm; advances the phase from the observed state."""
        c = self.config
        giver, receiver = self.arms[0], self.arms[1]
        giver_ee = self.kinematics.frame_pose(q, giver.arm.ee_frame)
        receiver_ee = self.kinematics.frame_pose(q, receiver.arm.ee_frame)
        cube = objects[task.obj]
        idle = (self._home_poses[1], False)
        phase, elapsed = self._phase.name, now - self._phase.since
        lost = (
            phase in ("lift", "carry", "reach", "receive") and not self._holding(giver_ee, cube)
        ) or (
            phase in ("release", "retreat", "done")
            and not self._holding(receiver_ee, cube, c.receive_offset)
        )
        if lost:
            self._enter(
                "approach", now
            )  # the cube slipped or fell: start over, both grippers open
            return {0: (giver_ee, False), 1: idle}
        if phase in PICK_PHASES:
            return {
                0: self._pick(giver, q, giver_ee, objects, task.obj, now, then="carry"),
                1: idle,
            }
        reach = self._reach_direction(receiver)
        # The giver turns its closing axis along the reach: its fingers leave the two side faces free.
        present_yaw = _nearest_yaw(
            float(np.arctan2(reach[1], reach[0])), self._phase.memory["grasp_yaw"], np.pi
        )
        present = _pose(self._handover_point, self._grasp_rotation(giver, present_yaw))
        closing = self._phase.memory.setdefault(
            "receive_closing", self._receive_closing(receiver, receiver_ee, reach)
        )
        receive_rotation = self._hand_rotation(receiver, reach, closing)
        if phase == "carry":
            wait = _pose(
                self._handover_point - reach * (c.receive_offset + c.receive_standoff),
                receive_rotation,
            )
            if self._reached(giver_ee, present, 1.5) and self._reached(receiver_ee, wait, 1.5):
                self._enter("reach", now)
            return {0: (present, True), 1: (wait, False)}
        if phase == "reach":
            target = _pose(cube[:3] - reach * c.receive_offset, receive_rotation)
            if self._reached(receiver_ee, target):
                self._enter("receive", now, receive_at=target)
            return {0: (present, True), 1: (target, False)}
        hold = (self._phase.memory["receive_at"], True)
        if phase == "receive":
            if elapsed >= c.grasp_time:
                if self._closed_on_nothing(receiver, q):
                    self._enter("carry", now)  # missed: back off to the standoff and come in again
                else:
                    self._enter("release", now, release_at=giver_ee.copy())
            return {0: (present, True), 1: hold}
        if phase == "release":
            if elapsed >= c.release_time:
                self._enter("retreat", now)
            return {0: (self._phase.memory["release_at"], c.release_closure), 1: hold}
        retreat = self._phase.memory["release_at"].copy()
        retreat[2, 3] += c.hover
        if phase == "retreat" and self._reached(giver_ee, retreat, 2.0):
            self._enter("done", now)
        return {0: (retreat, False), 1: hold}

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
        return self._hand_rotation(geo, DOWN, np.array([np.cos(yaw), np.sin(yaw), 0.0]))

    @staticmethod
    def _hand_rotation(geo: ArmGeometry, approach: np.ndarray, closing: np.ndarray) -> np.ndarray:
        """The ee orientation whose approach and closing axes point along the given world axes."""
        ee_axes = np.column_stack([geo.approach, geo.closing, np.cross(geo.approach, geo.closing)])
        world_axes = np.column_stack([approach, closing, np.cross(approach, closing)])
        return world_axes @ ee_axes.T

    def _reach_direction(self, geo: ArmGeometry) -> np.ndarray:
        """Horizontal unit vector from the arm's base (its first joint) toward the handover point."""
        reach = (
            self._handover_point
            - self.kinematics.frame_pose(self.robot.home, geo.arm.joints[0])[:3, 3]
        )
        reach[2] = 0.0
        return reach / np.linalg.norm(reach)

    def _receive_closing(self, geo: ArmGeometry, ee: np.ndarray, reach: np.ndarray) -> np.ndarray:
        """Horizontal closing axis across the reach, the sign nearest the hand's current one (less wrist turn)."""
        closing = np.cross(UP, reach)
        return closing if closing @ (ee[:3, :3] @ geo.closing) >= 0 else -closing

    def _grasp_yaw(self, geo: ArmGeometry, ee: np.ndarray, objects: dict, name: str) -> float:
        """Of the cube's two pairs of side faces, the one nearest the hand's current yaw, unless the
        open fingers would come down on or against another object there and less so at the other."""
        current = self._closing_yaw(geo, ee)
        near = _nearest_yaw(_yaw_of(objects[name]), current)
        other = _nearest_yaw(near + np.pi / 2, current, np.pi)
        clearance = {yaw: self._finger_clearance(geo, objects, name, yaw) for yaw in (near, other)}
        if clearance[near] >= self.config.finger_clearance or clearance[near] >= clearance[other]:
            return near
        return other

    def _finger_clearance(self, geo: ArmGeometry, objects: dict, name: str, yaw: float) -> float:
        """Smallest horizontal gap between the open fingers around cube `name` and any other object."""
        fingers = objects[name][:2] + np.outer(
            [1, -1], geo.finger_reach * np.array([np.cos(yaw), np.sin(yaw)])
        )
        gaps = [np.inf]
        for other, pose in objects.items():
            if other != name:
                radius = (
                    self._bowl_radius if other == "bowl" else 0.71 * self._cube_size
                )  # bowl: out to its rim
                gaps += list(np.linalg.norm(fingers - pose[:2], axis=1) - radius)
        return float(min(gaps))

    def _closing_yaw(self, geo: ArmGeometry, ee: np.ndarray) -> float:
        axis = ee[:3, :3] @ geo.closing
        return float(np.arctan2(axis[1], axis[0]))

    def _holding(self, ee: np.ndarray, cube: np.ndarray, offset: float = 0.0) -> bool:
        """The cube is where a closed hand holds it: `offset` + about half a cube from the TCP."""
        return bool(np.linalg.norm(ee[:3, 3] - cube[:3]) < 0.6 * self._cube_size + 0.01 + offset)

    @staticmethod
    def _closed_on_nothing(geo: ArmGeometry, q: np.ndarray) -> bool:
        """The gripper closed (almost) fully: nothing between the fingers."""
        gripper = geo.arm.gripper
        return bool(
            q[geo.gripper]
            <= gripper.closed_position + 0.1 * abs(gripper.open_position - gripper.closed_position)
        )

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
            # closure: True / 1 closed, False / 0 open, in between partly open.
            gripper = geo.arm.gripper
            grip = gripper.open_position + float(closed) * (
                gripper.closed_position - gripper.open_position
            )
            pose = self.kinematics.frame_pose(q, geo.arm.ee_frame)
            q_i = q.copy()
            for i in range(1, c.chunk_size):
                pose = _step_toward(pose, target, c.speed * c.dt, c.turn_rate * c.dt)
                result = self.kinematics.solve_ik(
                    geo.arm.ee_frame, pose, q_i, tolerance=1e-3, max_iterations=50
                )
                step = np.clip(
                    result.q - q_i, -self._velocity_limits * c.dt, self._velocity_limits * c.dt
                )
                q_i = q_i.copy()
                q_i[geo.joints] += step[geo.joints]
                actions[i, geo.joints] = q_i[geo.joints]
            actions[:, geo.gripper] = grip
        return actions


def _step_toward(
    pose: np.ndarray, target: np.ndarray, max_move: float, max_turn: float
) -> np.ndarray:
    """One step of a straight line toward target, slowing down over the last few centimetres."""
    delta = target[:3, 3] - pose[:3, 3]
    distance = np.linalg.norm(delta)
    move = min(max_move, 0.5 * distance + 0.2 * max_move) if distance > 1e-9 else 0.0
    rotation = pin.log3(target[:3, :3] @ pose[:3, :3].T)
    angle = np.linalg.norm(rotation)
    turn = min(max_turn, 0.5 * angle + 0.2 * max_turn)
    out = np.eye(4)
    out[:3, 3] = pose[:3, 3] + (delta * min(1.0, move / distance) if distance > 1e-9 else 0.0)
    out[:3, :3] = (
        pin.exp3(rotation * min(1.0, turn / angle)) if angle > 1e-9 else np.eye(3)
    ) @ pose[:3, :3]
    return out


def _pose(position: np.ndarray, rotation: np.ndarray) -> np.ndarray:
    pose = np.eye(4)
    pose[:3, :3], pose[:3, 3] = rotation, position
    return pose


def _yaw_of(pose: np.ndarray) -> float:
    w, x, y, z = pose[3:7]
    return float(np.arctan2(2 * (w * z + x * y), 1 - 2 * (y * y + z * z)))


def _nearest_yaw(base: float, current: float, period: float = np.pi / 2) -> float:
    """The yaw among base + k*period (k*90deg: a cube's faces) closest to `current`."""
    candidates = base + np.arange(round(2 * np.pi / period)) * period
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
    joint = robot.urdf.joints.get(arm.gripper.joint)
    if joint is None:
        raise InvalidInput(f"gripper joint '{arm.gripper.joint}' is not in the URDF")
    finger = joint.child
    q_open, q_closed = q.copy(), q.copy()
    q_open[gripper], q_closed[gripper] = arm.gripper.open_position, arm.gripper.closed_position
    finger_open = kinematics.frame_pose(q_open, finger)[:3, 3]
    closing = _snap(ee[:3, :3].T @ (kinematics.frame_pose(q_closed, finger)[:3, 3] - finger_open))
    if abs(approach @ closing) > 0.5:
        raise InvalidInput(
            f"arm '{arm.name}': fingers close along the approach axis; cannot plan top-down grasps"
        )
    reach = abs(closing @ ee[:3, :3].T @ (finger_open - ee[:3, 3]))
    return ArmGeometry(
        arm,
        np.array([names.index(j) for j in arm.joints]),
        gripper,
        approach,
        closing,
        float(reach),
    )


def _snap(vector: np.ndarray) -> np.ndarray:
    """The signed unit axis nearest to `vector`."""
    axis = np.zeros(3)
    k = int(np.argmax(np.abs(vector)))
    axis[k] = np.sign(vector[k])
    return axis
