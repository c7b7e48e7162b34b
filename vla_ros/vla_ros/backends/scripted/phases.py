"""Task planning: which pose each hand heads for and how closed its gripper is, phase by phase.

Pick and place: approach -> descend -> grasp -> lift -> carry -> place -> release -> retreat -> done,
back to approach whenever the observed state says a grasp failed or the cube fell. Stacking puts the
cube on the target cube instead of in the bowl.

Handover (two arms with grippers, e.g. ALOHA): the first arm picks the cube top-down and presents
it at the scene's handover point, its fingers on the two faces that point along the second arm's
reach; the second arm comes in along that reach, pointing a little upward, and closes on the two
free side faces, the first opens and retreats upward. Phases approach -> descend -> grasp -> lift
-> carry -> reach -> receive -> release -> retreat -> done, back to approach if the cube is lost
on the way, back to carry (the standoff) if the receiving hand misses or is pushed off its line in.
The phase advances only on the observed state (closed loop), never on elapsed time: a grasp ends
when the closing gripper has stopped (on the cube, or on nothing: retry), a release when the hand
has opened. A memoryless policy trained on these demonstrations sees every switch in its
observation; a fixed "hold still" wait is invisible to it (the observation does not change).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vla_ros.backends.scripted.config import ScriptedExpertConfig
from vla_ros.backends.scripted.geometry import (
    UP,
    ArmGeometry,
    nearest_yaw,
    pose,
    reached,
    yaw_of,
)
from vla_ros.backends.scripted.motion import HandTargets
from vla_ros.core.robot.kinematics import Kinematics
from vla_ros.core.robot.scene import SceneConfig
from vla_ros.core.tasks.spec import TaskSpec

PICK_PHASES = ("approach", "descend", "grasp", "lift")


@dataclass
class Phase:
    name: str
    memory: dict[str, Any] = field(default_factory=dict)


class TaskPlanner:
    """Hand targets for one task from the observed joints and object poses; keeps the phase."""

    def __init__(
        self,
        config: ScriptedExpertConfig,
        kinematics: Kinematics,
        arms: list[ArmGeometry],
        home: np.ndarray,
        scene: SceneConfig,
    ) -> None:
        self.config, self.kinematics, self.arms, self.home = config, kinematics, arms, home
        self._cube_size = scene.cube_size
        self._bowl_radius = scene.bowl_radius
        self._handover_point = np.asarray(scene.handover_point, dtype=float)
        self._home_poses = [kinematics.frame_pose(home, geo.arm.ee_frame) for geo in arms]
        self.phase = Phase("approach")

    def start(self) -> None:
        """A new task (or episode): begin with the approach."""
        self.phase = Phase("approach")

    def targets(self, q: np.ndarray, qd: np.ndarray, objects: dict, task: TaskSpec) -> HandTargets:
        """Target pose and gripper closure of each hand that moves; advances the phase.

        q, qd: observed positions and velocities of the command joints.
        """
        if task.kind == "handover":
            return self._handover(q, qd, objects, task)
        return {0: self._pick_and_place(self.arms[0], q, qd, objects, task)}

    # -- phase machines ----------------------------------------------------------------------------
    def _enter(self, name: str, **memory: Any) -> None:
        self.phase = Phase(name, {**self.phase.memory, **memory})

    def _reached(self, ee: np.ndarray, target: np.ndarray, scale: float = 1.0) -> bool:
        return reached(ee, target, self.config.reach_tolerance, scale)

    def _pick(
        self,
        geo: ArmGeometry,
        q: np.ndarray,
        qd: np.ndarray,
        ee: np.ndarray,
        objects: dict,
        name: str,
        then: str,
    ) -> tuple:
        """Phases approach -> descend -> grasp -> lift of a top-down grasp of cube `name`, then phase `then`."""
        c = self.config
        cube = objects[name]
        phase = self.phase.name
        if phase == "approach":
            yaw = self._grasp_yaw(geo, objects, name)
            self.phase.memory["grasp_yaw"] = yaw
            target = pose(cube[:3] + [0, 0, c.hover], geo.grasp_rotation(yaw))
            if self._reached(ee, target):
                self._enter("descend")
            return target, False
        rotation = geo.grasp_rotation(self.phase.memory["grasp_yaw"])
        if phase == "descend":
            target = pose(cube[:3], rotation)
            if self._reached(ee, target):
                self._enter("grasp", lift_from=ee[:3, 3].copy())
            return target, False
        if phase == "grasp":
            target = pose(self.phase.memory["lift_from"], rotation)
            if geo.settled(q, qd, c.settle_rate, c.settle_closure):
                self._enter("approach" if geo.closed_on_nothing(q) else "lift")
            return target, True
        target = pose(self.phase.memory["lift_from"] + [0, 0, c.lift], rotation)
        if self._reached(ee, target, 2.5):
            self._enter(then)
        return target, True

    def _pick_and_place(
        self,
        geo: ArmGeometry,
        q: np.ndarray,
        qd: np.ndarray,
        objects: dict,
        task: TaskSpec,
    ) -> tuple:
        """(ee target pose, gripper closed?) for this chunk; advances the phase from the observed state."""
        c = self.config
        ee = self.kinematics.frame_pose(q, geo.arm.ee_frame)
        cube = objects[task.obj]
        size = self._cube_size
        phase = self.phase.name
        if phase in ("lift", "carry", "place") and not self._holding(ee, cube):
            self._enter("approach")  # the cube slipped or fell: start over, gripper open
            return ee, False
        if phase in PICK_PHASES:
            return self._pick(geo, q, qd, ee, objects, task.obj, then="carry")
        yaw = self.phase.memory["grasp_yaw"]
        place_xy, place_z, place_yaw = self._place_point(task, objects, size, yaw)
        carry_z = max(place_z, self.phase.memory["lift_from"][2]) + c.lift
        if phase == "carry":
            target = pose(np.array([*place_xy, carry_z]), geo.grasp_rotation(place_yaw))
            if self._reached(ee, target, 1.5):
                self._enter("place")
            return target, True
        if phase == "place":
            # The TCP holds the cube at its centre: put that centre at the place height.
            target = pose(np.array([*place_xy, place_z]), geo.grasp_rotation(place_yaw))
            if self._reached(ee, target):
                self._enter("release", release_at=ee.copy())
            return target, True
        if phase == "release":
            if geo.closure(q) <= c.open_margin:
                self._enter("retreat")
            return self.phase.memory["release_at"], False
        target = self.phase.memory["release_at"].copy()
        target[2, 3] += c.hover
        if phase == "retreat":
            if self._reached(ee, target, 2.0):
                done = self._placed(task, objects, size)
                self._enter("done" if done else "approach")
            return target, False
        # done: hold above, replanning if the world changes under us.
        if not self._placed(task, objects, size):
            self._enter("approach")
        return target, False

    def _handover(
        self, q: np.ndarray, qd: np.ndarray, objects: dict, task: TaskSpec
    ) -> HandTargets:
        """Targets of the giving (first) and receiving (second) arm; advances the phase from the observed state."""
        c = self.config
        giver, receiver = self.arms[0], self.arms[1]
        giver_ee = self.kinematics.frame_pose(q, giver.arm.ee_frame)
        receiver_ee = self.kinematics.frame_pose(q, receiver.arm.ee_frame)
        cube = objects[task.obj]
        idle = (self._home_poses[1], False)
        phase = self.phase.name
        lost = (
            phase in ("lift", "carry", "reach", "receive") and not self._holding(giver_ee, cube)
        ) or (
            phase in ("release", "retreat", "done")
            and not self._holding(receiver_ee, cube, c.receive_offset)
        )
        if lost:
            self._enter("approach")  # the cube slipped or fell: start over, both grippers open
            return {0: (giver_ee, False), 1: idle}
        if phase in PICK_PHASES:
            return {
                0: self._pick(giver, q, qd, giver_ee, objects, task.obj, then="carry"),
                1: idle,
            }
        reach = self._reach_direction(receiver)
        # The giver turns its closing axis along the reach: its fingers leave the two side faces free.
        present_yaw = nearest_yaw(
            float(np.arctan2(reach[1], reach[0])), self.phase.memory["grasp_yaw"], np.pi
        )
        present = pose(self._handover_point, giver.grasp_rotation(present_yaw))
        closing = self.phase.memory.setdefault(
            "receive_closing", self._receive_closing(receiver, receiver_ee, reach)
        )
        # The receiving hand points up a little along its reach, away from its wrist singularity.
        approach = np.cos(c.receive_pitch) * reach + np.sin(c.receive_pitch) * UP
        receive_rotation = receiver.hand_rotation(approach, closing)
        if phase == "carry":
            wait = pose(
                self._handover_point - approach * (c.receive_offset + c.receive_standoff),
                receive_rotation,
            )
            if self._reached(giver_ee, present, 1.5) and self._reached(receiver_ee, wait, 1.5):
                self._enter("reach")
            return {0: (present, True), 1: (wait, False)}
        if phase == "reach":
            target = pose(cube[:3] - approach * c.receive_offset, receive_rotation)
            if _off_line(receiver_ee[:3, 3], target[:3, 3], approach) > c.receive_corridor:
                # Pushed off the line in (the safety projector keeps the hands apart): coming at
                # the cube from there would wedge the hand against the giving one: back off and
                # come in again.
                self._enter("carry")
            elif self._reached(receiver_ee, target):
                self._enter("receive", receive_at=target)
            return {0: (present, True), 1: (target, False)}
        hold = (self.phase.memory["receive_at"], True)
        if phase == "receive":
            if receiver.settled(q, qd, c.settle_rate, c.settle_closure):
                if receiver.closed_on_nothing(q):
                    self._enter("carry")  # missed: back off to the standoff and come in again
                else:
                    self._enter("release", release_at=giver_ee.copy())
            return {0: (present, True), 1: hold}
        if phase == "release":
            if giver.closure(q) <= c.release_closure + c.open_margin:
                self._enter("retreat")
            return {0: (self.phase.memory["release_at"], c.release_closure), 1: hold}
        retreat = self.phase.memory["release_at"].copy()
        retreat[2, 3] += c.hover
        if phase == "retreat" and self._reached(giver_ee, retreat, 2.0):
            self._enter("done")
        return {0: (retreat, False), 1: hold}

    # -- what the observed state says --------------------------------------------------------------
    def _place_point(self, task: TaskSpec, objects: dict, size: float, grasp_yaw: float) -> tuple:
        target = objects[task.target]
        if task.kind == "stack":
            yaw = nearest_yaw(yaw_of(target), grasp_yaw)
            return target[:2], target[2] + size + 0.006, yaw
        return target[:2], target[2] + 0.012 + size / 2 + 0.02, grasp_yaw

    def _placed(self, task: TaskSpec, objects: dict, size: float) -> bool:
        cube, target = objects[task.obj], objects[task.target]
        offset = np.hypot(*(cube[:2] - target[:2]))
        if task.kind == "stack":
            return bool(offset < 0.5 * size and abs(cube[2] - target[2] - size) < 0.2 * size)
        return bool(offset < 0.05 and cube[2] < target[2] + 0.06)

    def _reach_direction(self, geo: ArmGeometry) -> np.ndarray:
        """Horizontal unit vector from the arm's base (its first joint) toward the handover point."""
        reach = (
            self._handover_point - self.kinematics.frame_pose(self.home, geo.arm.joints[0])[:3, 3]
        )
        reach[2] = 0.0
        return reach / np.linalg.norm(reach)

    @staticmethod
    def _receive_closing(geo: ArmGeometry, ee: np.ndarray, reach: np.ndarray) -> np.ndarray:
        """Horizontal closing axis across the reach, the sign nearest the hand's current one (less wrist turn)."""
        closing = np.cross(UP, reach)
        return closing if closing @ (ee[:3, :3] @ geo.closing) >= 0 else -closing

    def _grasp_yaw(self, geo: ArmGeometry, objects: dict, name: str) -> float:
        """Of the cube's two pairs of side faces, the one nearest the hand's yaw at home, unless the
        open fingers would come down on or against another object there and less so at the other.

        Measured from home, not from the hand's current yaw: the choice depends on the scene alone,
        so every approach to the same layout (a retry too) turns the same way, which is what a
        policy learning from these demonstrations can reproduce from an image."""
        home = geo.closing_yaw(self._home_poses[self.arms.index(geo)])
        near = nearest_yaw(yaw_of(objects[name]), home)
        other = nearest_yaw(near + np.pi / 2, home, np.pi)
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
        for other, object_pose in objects.items():
            if other != name:
                # bowl: out to its rim
                radius = self._bowl_radius if other == "bowl" else 0.71 * self._cube_size
                gaps += list(np.linalg.norm(fingers - object_pose[:2], axis=1) - radius)
        return float(min(gaps))

    def _holding(self, ee: np.ndarray, cube: np.ndarray, offset: float = 0.0) -> bool:
        """The cube is where a closed hand holds it: `offset` + about half a cube from the TCP."""
        return bool(np.linalg.norm(ee[:3, 3] - cube[:3]) < 0.6 * self._cube_size + 0.01 + offset)


def _off_line(point: np.ndarray, target: np.ndarray, direction: np.ndarray) -> float:
    """Distance of `point` from the line through `target` along the unit vector `direction`."""
    offset = point - target
    return float(np.linalg.norm(offset - (offset @ direction) * direction))
