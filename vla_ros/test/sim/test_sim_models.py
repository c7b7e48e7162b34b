"""The URDFs as MuJoCo compiles them: physical bodies, a collision-free home, fingers that fit a cube."""

import mujoco
import numpy as np
import pytest

from vla_ros.core.robot.config import load_robot_config

ROBOTS = ["aloha", "panda", "widowx"]


def _compiled(name):
    robot = load_robot_config(name)
    model = mujoco.MjModel.from_xml_string(robot.urdf_xml())
    return robot, model, mujoco.MjData(model)


def _set(robot, model, data, q):
    """Command joints to q, mimic fingers to their leader (multiplier 1 in these URDFs)."""
    for joint, value in zip(robot.command_joints, q):
        data.qpos[model.jnt_qposadr[model.joint(joint).id]] = value
    for arm in robot.arms:
        for mimic in arm.gripper.mimic_joints:
            data.qpos[model.jnt_qposadr[model.joint(mimic).id]] = data.qpos[
                model.jnt_qposadr[model.joint(arm.gripper.joint).id]
            ]
    mujoco.mj_forward(model, data)


@pytest.mark.parametrize("name", ROBOTS)
def test_every_moving_body_has_mass_inertia_and_collision_geometry(name):
    robot, model, _ = _compiled(name)
    for body in range(1, model.nbody):
        if model.body_dofnum[body] == 0:
            continue
        label = model.body(body).name
        assert model.body_mass[body] > 0.0, label
        assert np.all(model.body_inertia[body] > 0.0), label
        assert any(
            model.geom_contype[g] for g in range(model.ngeom) if model.geom_bodyid[g] == body
        ), label
    # Every mimic finger is tied to its leader by an equality constraint.
    assert model.neq == sum(len(arm.gripper.mimic_joints) for arm in robot.arms)


@pytest.mark.parametrize("name", ROBOTS)
def test_home_pose_is_collision_free(name):
    robot, model, data = _compiled(name)
    _set(robot, model, data, robot.home)
    touching = {
        (model.body(model.geom_bodyid[c.geom1]).name, model.body(model.geom_bodyid[c.geom2]).name)
        for c in data.contact[: data.ncon]
    }
    assert not touching


@pytest.mark.parametrize("name", ROBOTS)
def test_fingers_open_wider_than_a_cube_and_close_on_it(name):
    robot, model, data = _compiled(name)
    cube = robot.sim.cube_size
    for arm in robot.arms:
        pads = [
            g
            for g in range(model.ngeom)
            if model.geom_contype[g]
            and model.body(model.geom_bodyid[g]).name in _finger_bodies(model, arm)
        ]
        assert len(pads) == 2
        gaps = {}
        for label, opening in (
            ("open", arm.gripper.open_position),
            ("closed", arm.gripper.closed_position),
        ):
            q = robot.home.copy()
            q[robot.command_joints.index(arm.gripper.joint)] = opening
            _set(robot, model, data, q)
            gaps[label] = mujoco.mj_geomDistance(model, data, pads[0], pads[1], 1.0, None)
        assert gaps["open"] > cube + 0.01, (name, arm.name, gaps)
        assert gaps["closed"] < min(0.005, cube / 2), (name, arm.name, gaps)


def _finger_bodies(model, arm):
    names = {arm.gripper.joint, *arm.gripper.mimic_joints}
    return {model.body(model.jnt_bodyid[model.joint(j).id]).name for j in names}
