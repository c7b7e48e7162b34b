"""The sim core without ROS: building, seeded resets, rendering, trajectory control, success checks."""

import mujoco
import numpy as np
import pytest

from vla_ros.core.tasks.spec import parse_instruction
from vla_ros.core.types import InvalidInput
from vla_ros.sim.tasks import TaskMonitor
from vla_ros.sim.trajectory_follower import JointTrajectory, TrajectoryPoint

ROBOTS = ["panda", "widowx", "aloha"]


@pytest.mark.parametrize("robot", ROBOTS)
def test_world_builds_with_servos_for_every_command_joint_and_holds_home(robot, world_of_robot):
    world = world_of_robot(robot)
    world.reset(seed=0)
    commanded = {world.robot.command_joints[s.command_index] for s in world.scene.servos}
    assert commanded == set(world.robot.command_joints)
    world.step(500)  # 1 s: gravity compensation + servos keep the arm at home
    np.testing.assert_allclose(world.command_positions(), world.robot.home, atol=2e-3)
    assert set(world.joint_state().names) >= set(world.robot.command_joints)


@pytest.mark.parametrize("robot", ROBOTS)
def test_seeded_reset_is_reproducible_and_objects_do_not_overlap(robot, world_of_robot):
    world = world_of_robot(robot)
    world.reset(seed=7)
    first = world.object_poses()
    world.reset(seed=8)
    other = world.object_poses()
    world.reset(seed=7)
    again = world.object_poses()
    for name in first:
        np.testing.assert_array_equal(first[name], again[name])
    assert any(not np.allclose(first[n], other[n]) for n in first)
    cubes = [p[:2] for n, p in first.items() if n != "bowl"]
    spacing = min(np.linalg.norm(a - b) for i, a in enumerate(cubes) for b in cubes[i + 1 :])
    assert spacing >= world.scene.config.min_spacing - 1e-9


def test_the_task_cube_spawns_in_the_task_region(world_of_robot):
    """ALOHA: the cube to transfer lands on the first (left) arm's side; the other cubes anywhere."""
    world = world_of_robot("aloha")
    config = world.scene.config
    (tx0, ty0), (tx1, ty1) = config.task_region
    (ox0, oy0), (ox1, oy1) = config.object_region
    assert tx1 < 0.0  # the left arm's half of the table
    for seed in range(20):
        world.reset(seed, placed_first=("red_cube",))
        for name, pose in world.object_poses().items():
            x, y = pose[:2]
            if name == "red_cube":
                assert tx0 <= x <= tx1 and ty0 <= y <= ty1, (seed, x, y)
            elif name != "bowl":
                assert ox0 <= x <= ox1 and oy0 <= y <= oy1, (seed, name, x, y)


def test_render_shows_the_red_cube(world_of_robot):
    world = world_of_robot("panda")
    world.reset(seed=0)
    camera = world.robot.cameras[0]
    image = world.render(camera.name, camera.width, camera.height)
    assert image.shape == (camera.height, camera.width, 3) and image.dtype == np.uint8
    assert image.std() > 10  # not blank
    r, g, b = (image[..., k].astype(int) for k in range(3))
    red = (r > 150) & (g < 60) & (b < 60)
    assert red.sum() >= 10, "no red cube pixels in the exterior camera view"
    with pytest.raises(InvalidInput, match="unknown camera"):
        world.render("nope", 64, 64)


def test_trajectory_moves_the_arm_and_bad_controllers_are_rejected(world_of_robot):
    world = world_of_robot("panda")
    world.reset(seed=0)
    arm = world.robot.arms[0]
    target = world.robot.home[: len(arm.joints)] + 0.2
    world.receive_trajectory(
        arm.controller.name, JointTrajectory(arm.joints, (TrajectoryPoint(1.0, target),), 0.0)
    )
    world.step(750)
    np.testing.assert_allclose(world.command_positions()[: len(arm.joints)], target, atol=5e-3)
    with pytest.raises(InvalidInput, match="unknown controller"):
        world.receive_trajectory(
            "nope", JointTrajectory(arm.joints, (TrajectoryPoint(1.0, target),), 0.0)
        )


def _place_cube(world, name, xyz):
    adr = world.model.jnt_qposadr[world.model.joint(name).id]
    world.data.qpos[adr : adr + 7] = [*xyz, 1, 0, 0, 0]
    world.data.qvel[
        world.model.jnt_dofadr[world.model.joint(name).id] : world.model.jnt_dofadr[
            world.model.joint(name).id
        ]
        + 6
    ] = 0
    world.step(100)


def test_pick_place_success_check_on_constructed_states(world_of_robot):
    world = world_of_robot("panda")
    world.reset(seed=3)
    monitor = TaskMonitor(parse_instruction("put the red cube in the bowl"), world)
    assert not monitor.update().success
    bowl = world.data.body("bowl").xpos.copy()
    half = world.scene.config.cube_size / 2
    _place_cube(world, "red_cube", (bowl[0], bowl[1], bowl[2] + 0.01 + half))
    assert monitor.update().success
    _place_cube(world, "red_cube", (bowl[0] + 0.2, bowl[1], half))
    assert not monitor.update().success


def test_stack_success_check_on_constructed_states(world_of_robot):
    world = world_of_robot("panda")
    world.reset(seed=3)
    monitor = TaskMonitor(parse_instruction("stack the green cube on the blue cube"), world)
    assert not monitor.update().success
    blue = world.data.body("blue_cube").xpos.copy()
    size = world.scene.config.cube_size
    _place_cube(world, "green_cube", (blue[0] + 0.005, blue[1], blue[2] + size + 0.001))
    assert monitor.update().success
    _place_cube(world, "green_cube", (blue[0] + size * 1.5, blue[1], size / 2))  # beside it
    assert not monitor.update().success


def test_the_monitor_remembers_the_first_cube_lifted(world_of_robot):
    """Did the robot go for the instructed object: the first cube held a cube height up is kept,
    whatever is lifted after it."""
    world = world_of_robot("panda")
    world.reset(seed=3)
    monitor = TaskMonitor(parse_instruction("put the red cube in the bowl"), world)
    table, size = world.scene.config.table_height, world.scene.config.cube_size

    def hold_up(name: str, height: float) -> None:  # held there, as in a gripper (no physics step)
        xyz = world.data.body(name).xpos.copy()
        adr = world.model.jnt_qposadr[world.model.joint(name).id]
        world.data.qpos[adr : adr + 3] = [xyz[0], xyz[1], table + height]
        mujoco.mj_forward(world.model, world.data)
        monitor.update()

    monitor.update()
    assert monitor.first_lifted is None
    hold_up("green_cube", 1.4 * size)  # less than a cube height up
    assert monitor.first_lifted is None
    hold_up("green_cube", 2.5 * size)
    hold_up("red_cube", 3.0 * size)
    assert monitor.first_lifted == "green_cube"


def test_handover_needs_two_arms(world_of_robot):
    with pytest.raises(InvalidInput, match="needs two arms"):
        TaskMonitor(parse_instruction("transfer the red cube"), world_of_robot("panda"))
