"""Compile a MuJoCo model of any RobotConfig standing at a table with coloured cubes and a bowl.

MuJoCo compiles the robot's URDF; MjSpec adds the world around it. The robot's bodies get gravity
compensation (as a real arm's controller provides) and every command joint a position servo
(fingers: the gripper joint and its URDF mimics, each driven to its mimic position) whose force
is limited, so grasps hold by contact friction alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import mujoco
import numpy as np

from vla_ros.core.robot.config import CameraConfig, RobotConfig
from vla_ros.core.robot.scene import SceneConfig
from vla_ros.core.robot.urdf import Mimic
from vla_ros.core.types import InvalidInput

RGBA = {
    "red": (0.85, 0.1, 0.1, 1.0),
    "green": (0.1, 0.7, 0.15, 1.0),
    "blue": (0.1, 0.25, 0.85, 1.0),
    "yellow": (0.9, 0.8, 0.1, 1.0),
}
BOWL_WALLS = 16
ARM_ARMATURE = (
    0.1  # reflected rotor inertia [kg m^2]; also keeps the stiff servos stable at 2 ms steps
)
FINGER_ARMATURE = 0.05
TIMESTEP = 0.002
# A light cube squeezed by a gripper sinks millimetres into MuJoCo's default-soft contacts (time
# constant 0.02 s); cube contacts get the stiffest stable one (two physics steps), and a high solmix
# makes the cube's contact parameters win over those of whatever it touches.
CUBE_SOLREF = (2 * TIMESTEP, 1.0)
CUBE_SOLMIX = 100.0


@dataclass(frozen=True)
class ServoTarget:
    """Actuator `actuator` tracks command joint `command_index` as multiplier * q + offset."""

    actuator: int
    command_index: int
    multiplier: float = 1.0
    offset: float = 0.0


@dataclass(frozen=True)
class Scene:
    model: mujoco.MjModel
    servos: tuple[ServoTarget, ...]
    robot_joints: tuple[str, ...]  # every actuated or mimic joint, as /joint_states names them
    cube_names: tuple[str, ...]  # "red_cube", ...
    config: SceneConfig


def build_scene(robot: RobotConfig, config: SceneConfig | None = None) -> Scene:
    config = config or robot.sim
    spec = mujoco.MjSpec.from_string(_keep_frames_and_visuals(robot.urdf_xml()))
    spec.option.timestep = TIMESTEP
    spec.option.cone = mujoco.mjtCone.mjCONE_ELLIPTIC
    spec.option.impratio = 10.0
    spec.option.integrator = mujoco.mjtIntegrator.mjINT_IMPLICITFAST
    for body in spec.bodies[1:]:
        body.gravcomp = 1.0
    fingers = {
        j
        for arm in robot.arms
        if arm.gripper
        for j in (arm.gripper.joint, *arm.gripper.mimic_joints)
    }
    for joint in spec.joints:
        joint.armature = FINGER_ARMATURE if joint.name in fingers else ARM_ARMATURE
    for geom in spec.geoms:
        if geom.contype:
            geom.condim = 4
            geom.friction = [1.0, 0.01, 0.0001]
    servos = _add_servos(spec, robot, robot.mimics)
    _add_world(spec, config)
    for camera in robot.cameras:
        _add_camera(spec, camera)
    model = spec.compile()
    _tune_servo_gains(model, robot, servos, config)
    robot_joints = tuple(
        model.joint(i).name
        for i in range(model.njnt)
        if model.jnt_type[i] != mujoco.mjtJoint.mjJNT_FREE
    )
    return Scene(model, servos, robot_joints, tuple(f"{c}_cube" for c in config.cubes), config)


def _keep_frames_and_visuals(urdf_xml: str) -> str:
    """MuJoCo fuses fixed links (end-effector frames!) and drops visuals unless told otherwise."""
    directive = '<mujoco><compiler discardvisual="false" fusestatic="false" balanceinertia="true"/></mujoco>'
    urdf_xml = re.sub(r"<mujoco>.*?</mujoco>", "", urdf_xml, flags=re.S)
    return re.sub(r"(<robot\b[^>]*>)", r"\1" + directive, urdf_xml, count=1)


def _add_servos(
    spec: mujoco.MjSpec, robot: RobotConfig, mimics: dict[str, Mimic]
) -> tuple[ServoTarget, ...]:
    """A servo per command joint and per joint that mimics one (RobotConfig.mimics)."""
    joints = {j.name for j in spec.joints}
    servos = []
    for index, name in enumerate(robot.command_joints):
        driven = [(name, 1.0, 0.0)] + [
            (m, mimic.multiplier, mimic.offset)
            for m, mimic in mimics.items()
            if mimic.joint == name
        ]
        for joint, multiplier, offset in driven:
            if joint not in joints:
                raise InvalidInput(
                    f"robot '{robot.name}': command joint '{joint}' is not a joint of the compiled URDF"
                )
            actuator = spec.add_actuator()
            actuator.name = f"servo_{joint}"
            actuator.target = joint
            actuator.trntype = mujoco.mjtTrn.mjTRN_JOINT
            actuator.set_to_position(kp=1.0, kv=0.0)  # gains are set once inertias are known
            servos.append(ServoTarget(len(servos), index, multiplier, offset))
    return tuple(servos)


def _tune_servo_gains(
    model: mujoco.MjModel, robot: RobotConfig, servos: tuple[ServoTarget, ...], config: SceneConfig
) -> None:
    """kp = M w^2, kv = 2 M w (critically damped at bandwidth w) from the inertia at the home pose.

    Fingers instead get a stiff spring whose force saturates at the configured grip force, so a
    closed gripper squeezes a cube with that force rather than crushing through it.
    """
    data = mujoco.MjData(model)
    for servo in servos:
        joint = model.actuator_trnid[servo.actuator, 0]
        data.qpos[model.jnt_qposadr[joint]] = (
            servo.multiplier * robot.home[servo.command_index] + servo.offset
        )
    mujoco.mj_forward(model, data)
    inertia = np.zeros((model.nv, model.nv))
    mujoco.mj_fullM(model, data, inertia)
    fingers = {a.gripper.joint for a in robot.arms if a.gripper}
    w = config.servo_bandwidth
    for servo in servos:
        joint = model.actuator_trnid[servo.actuator, 0]
        m = inertia[model.jnt_dofadr[joint], model.jnt_dofadr[joint]]
        kp, kv = m * w**2, 2.0 * m * w
        if robot.command_joints[servo.command_index] in fingers:
            kp = max(
                kp, config.gripper_force / 0.004
            )  # full force at 4 mm squeeze (prismatic fingers)
            model.actuator_forcelimited[servo.actuator] = 1
            model.actuator_forcerange[servo.actuator] = (
                -config.gripper_force,
                config.gripper_force,
            )
        model.actuator_gainprm[servo.actuator, 0] = kp
        model.actuator_biasprm[servo.actuator, 1:3] = (-kp, -kv)


def _add_world(spec: mujoco.MjSpec, config: SceneConfig) -> None:
    world = spec.worldbody
    spec.visual.headlight.ambient = [0.35, 0.35, 0.35]
    spec.visual.headlight.diffuse = [0.4, 0.4, 0.4]
    light = world.add_light()
    light.pos = [0.3, 0.0, config.table_height + 2.0]
    light.dir = [0.0, 0.0, -1.0]
    light.diffuse = [0.6, 0.6, 0.6]
    light.castshadow = False
    floor_z = config.table_height - 0.75
    world.add_geom(
        type=mujoco.mjtGeom.mjGEOM_PLANE,
        size=[3, 3, 0.1],
        pos=[0, 0, floor_z],
        rgba=[0.35, 0.35, 0.38, 1],
        group=2,
    )
    cx, cy = config.table_center
    sx, sy = config.table_size
    world.add_geom(
        name="table",
        type=mujoco.mjtGeom.mjGEOM_BOX,
        size=[sx / 2, sy / 2, 0.02],
        pos=[cx, cy, config.table_height - 0.02],
        rgba=[0.72, 0.6, 0.45, 1],
        group=2,
        condim=3,
    )
    _add_bowl(world, config)
    half = config.cube_size / 2
    for colour in config.cubes:
        body = world.add_body(name=f"{colour}_cube", pos=[0, 0, config.table_height + half])
        body.add_freejoint(name=f"{colour}_cube")
        body.add_geom(
            name=f"{colour}_cube",
            type=mujoco.mjtGeom.mjGEOM_BOX,
            size=[half] * 3,
            rgba=list(RGBA[colour]),
            mass=config.cube_mass,
            friction=[config.cube_friction, 0.01, 0.0001],
            condim=4,
            group=2,
            solref=list(CUBE_SOLREF),
            solmix=CUBE_SOLMIX,
        )


def _add_bowl(world: mujoco.MjsBody, config: SceneConfig) -> None:
    """A static bowl (disc + ring of wall segments), moved by reset() through model.body_pos."""
    bowl = world.add_body(name="bowl", pos=[0.5, 0.0, config.table_height])
    colour = [0.92, 0.92, 0.95, 1]
    r, h, wall = config.bowl_radius, config.bowl_height, 0.006
    bowl.add_geom(
        name="bowl_bottom",
        type=mujoco.mjtGeom.mjGEOM_CYLINDER,
        size=[r, 0.004, 0],
        pos=[0, 0, 0.004],
        rgba=colour,
        group=2,
    )
    segment = 2 * np.pi * r / BOWL_WALLS
    for k in range(BOWL_WALLS):
        angle = 2 * np.pi * k / BOWL_WALLS
        quat = np.zeros(4)
        mujoco.mju_axisAngle2Quat(quat, [0, 0, 1], angle)
        bowl.add_geom(
            name=f"bowl_wall_{k}",
            type=mujoco.mjtGeom.mjGEOM_BOX,
            size=[wall / 2, segment / 2 + 0.002, h / 2],
            pos=[r * np.cos(angle), r * np.sin(angle), h / 2],
            quat=quat,
            rgba=colour,
            group=2,
        )


def _add_camera(spec: mujoco.MjSpec, camera: CameraConfig) -> None:
    """A camera at `position` looking at `look_at` (both in its parent's frame, world by default)."""
    parent = spec.worldbody
    if camera.parent_body:
        parent = spec.body(camera.parent_body)
        if parent is None:
            raise InvalidInput(
                f"camera '{camera.name}': parent_body '{camera.parent_body}' is not a body of the robot"
            )
    position = np.asarray(camera.position, float)
    forward = np.asarray(camera.look_at, float) - position
    forward /= np.linalg.norm(forward)
    up_hint = np.array([0.0, 0.0, 1.0]) if abs(forward[2]) < 0.99 else np.array([1.0, 0.0, 0.0])
    right = np.cross(forward, up_hint)
    right /= np.linalg.norm(right)
    up = np.cross(right, forward)
    cam = parent.add_camera(name=camera.name, pos=list(position), fovy=camera.fovy_deg)
    cam.alt.type = mujoco.mjtOrientation.mjORIENTATION_XYAXES
    cam.alt.xyaxes = [*right, *up]
