"""Success checks of the table-top tasks, judged from the simulated physical state.

The same TaskSpec (core/tasks/spec.py) drives the scripted expert; here it is judged:
- pick_place: the cube lies inside the bowl (within its rim, below its top) and nothing of the
  robot touches it;
- stack: the cube rests on the target cube (centred over it, one cube height above) and nothing of
  the robot touches it;
- handover: the first arm's gripper held the cube lifted off the table at some point, and at the
  end the second arm's gripper holds it, still and off the table, while no part of the first arm
  touches it. "Held" = lifted, touched by at least two bodies of that hand (a pinch: a cube falling
  past one finger is not held) and by nothing but the robot.
"""

from __future__ import annotations

from dataclasses import dataclass

import mujoco
import numpy as np

from vla_ros.core.tasks.spec import TaskSpec
from vla_ros.core.types import InvalidInput

AT_REST_SPEED = 0.05  # m/s
LIFT_HEIGHT = 1.5  # cube sizes above the table (a resting cube's centre: 0.5): a cube held up


@dataclass(frozen=True)
class TaskStatus:
    success: bool
    progress: float  # 0..1
    detail: str


class TaskMonitor:
    """Judges one episode of one task; call update() as the episode runs (handover has history)."""

    def __init__(self, task: TaskSpec, world) -> None:  # world: vla_ros.sim.world.SimWorld
        self.task = task
        self.world = world
        if task.obj not in world.scene.cube_names:
            raise InvalidInput(
                f"task '{task.instruction}': no '{task.obj}' in the scene (cubes: {list(world.scene.cube_names)})"
            )
        if task.kind == "stack" and task.target not in world.scene.cube_names:
            raise InvalidInput(f"task '{task.instruction}': no '{task.target}' in the scene")
        if task.kind == "handover" and len(world.robot.arms) < 2:
            raise InvalidInput(
                f"task '{task.instruction}' needs two arms; robot '{world.robot.name}' has {len(world.robot.arms)}"
            )
        model = world.model
        # Per arm, the bodies its joints move (from its first joint's body down).
        self.arm_bodies = [
            _subtree(model, _first_body(model, arm.joints[0])) for arm in world.robot.arms
        ]
        self._hand_bodies = [
            _subtree(model, _first_body(model, arm.joints[-1])) for arm in world.robot.arms
        ]
        self._robot_bodies = set().union(*self.arm_bodies)
        self._cube_body = model.body(task.obj).id
        self.picked_by_first_arm = False
        # The first cube lifted off the table (did the robot go for the instructed object?).
        self.first_lifted: str | None = None

    def update(self) -> TaskStatus:
        if self.first_lifted is None:
            self.first_lifted = self._lifted_cube()
        status = {
            "pick_place": self._pick_place,
            "stack": self._stack,
            "handover": self._handover,
        }[self.task.kind]()
        # Plain Python types: ROS message fields reject numpy scalars (bool_ fails a C assertion).
        return TaskStatus(bool(status.success), float(status.progress), status.detail)

    # -- per task ------------------------------------------------------------------------------------
    def _pick_place(self) -> TaskStatus:
        config = self.world.scene.config
        cube, bowl = self.world.data.body(self.task.obj).xpos, self.world.data.body("bowl").xpos
        distance = float(np.hypot(*(cube[:2] - bowl[:2])))
        inside = (
            distance < config.bowl_radius - 0.25 * config.cube_size
            and cube[2] < bowl[2] + config.bowl_height + config.cube_size / 2
        )
        released = not self._touching(self._robot_bodies)
        success = inside and released and self._at_rest()
        return TaskStatus(
            success,
            _progress(distance, 0.3) if not success else 1.0,
            f"cube {distance:.3f} m from bowl centre, released={released}",
        )

    def _stack(self) -> TaskStatus:
        size = self.world.scene.config.cube_size
        cube, base = (
            self.world.data.body(self.task.obj).xpos,
            self.world.data.body(self.task.target).xpos,
        )
        offset = float(np.hypot(*(cube[:2] - base[:2])))
        height = float(cube[2] - base[2])
        on_top = offset < 0.5 * size and abs(height - size) < 0.2 * size
        released = not self._touching(self._robot_bodies)
        success = on_top and released and self._at_rest()
        return TaskStatus(
            success,
            1.0 if success else _progress(offset, 0.3),
            f"offset {offset:.3f} m, height {height:.3f} m, released={released}",
        )

    def _handover(self) -> TaskStatus:
        first, second = self._hand_bodies[0], self._hand_bodies[1]
        config = self.world.scene.config
        lifted = (
            self.world.data.body(self.task.obj).xpos[2] > config.table_height + config.cube_size
        )
        contacts = self._cube_contacts()
        held_by_robot_only = lifted and contacts <= self._robot_bodies
        self.picked_by_first_arm |= held_by_robot_only and len(contacts & first) >= 2
        held_by_second = held_by_robot_only and len(contacts & second) >= 2
        free_of_first = not contacts & self.arm_bodies[0]
        success = self.picked_by_first_arm and held_by_second and free_of_first and self._at_rest()
        progress = (
            0.4 * self.picked_by_first_arm
            + 0.3 * held_by_second
            + 0.3 * (held_by_second and free_of_first)
        )
        return TaskStatus(
            success,
            progress,
            f"picked_by_{self.world.robot.arms[0].name}={self.picked_by_first_arm}, "
            f"held_by_{self.world.robot.arms[1].name}={held_by_second}",
        )

    # -- physics queries -----------------------------------------------------------------------------
    def _lifted_cube(self) -> str | None:
        config = self.world.scene.config
        height = config.table_height + LIFT_HEIGHT * config.cube_size
        lifted = (
            n for n in self.world.scene.cube_names if self.world.data.body(n).xpos[2] > height
        )
        return next(lifted, None)

    def _touching(self, bodies: set[int]) -> bool:
        return bool(self._cube_contacts() & bodies)

    def _cube_contacts(self) -> set[int]:
        """Bodies in contact with the task's cube (the world body: the table)."""
        model, data = self.world.model, self.world.data
        touching: set[int] = set()
        for contact in data.contact[: data.ncon]:
            pair = {int(model.geom_bodyid[contact.geom1]), int(model.geom_bodyid[contact.geom2])}
            if self._cube_body in pair:
                touching |= pair - {self._cube_body}
        return touching

    def _at_rest(self) -> bool:
        velocity = np.zeros(6)
        mujoco.mj_objectVelocity(
            self.world.model,
            self.world.data,
            mujoco.mjtObj.mjOBJ_BODY,
            self._cube_body,
            velocity,
            0,
        )
        return bool(np.linalg.norm(velocity[3:]) < AT_REST_SPEED)


def _progress(distance: float, scale: float) -> float:
    return float(np.clip(1.0 - distance / scale, 0.0, 0.95))


def _first_body(model: mujoco.MjModel, joint: str) -> int:
    return int(model.jnt_bodyid[model.joint(joint).id])


def _subtree(model: mujoco.MjModel, root: int) -> set[int]:
    bodies = {root}
    for body in range(root + 1, model.nbody):
        if model.body_parentid[body] in bodies:
            bodies.add(body)
    return bodies
