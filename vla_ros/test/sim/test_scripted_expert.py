"""THE key test: the scripted expert solves the sim tasks in a plain Python loop (no ROS), over seeds."""

import numpy as np
import pytest

from vla_ros.backends.scripted import ScriptedExpert
from vla_ros.core.types import ActionSpace, InvalidInput, JointState, Observation
from vla_ros.sim.episode import run_episode

SEEDS = range(10)
TASKS = ["put the red cube in the bowl", "stack the green cube on the blue cube"]


@pytest.mark.parametrize("robot", ["panda", "widowx"])
@pytest.mark.parametrize("instruction", TASKS)
def test_expert_solves_the_task_on_ten_seeds(robot, instruction, world_of_robot):
    world = world_of_robot(robot)
    expert = ScriptedExpert.from_options(world.robot, {})
    results = [run_episode(world, expert, instruction, seed) for seed in SEEDS]
    rate = sum(r.success for r in results) / len(results)
    print(f"\n{robot} '{instruction}': success_rate={rate:.2f} mean_time_s={np.mean([r.duration for r in results]):.1f}")
    assert rate >= 0.9, [r.detail for r in results if not r.success]


def test_chunk_contract_and_option_errors(world_of_robot):
    world = world_of_robot("panda")
    world.reset(seed=1)
    expert = ScriptedExpert.from_options(world.robot, {"chunk_size": 5, "dt": 0.2})
    observation = Observation(12.5, {}, world.joint_state(), "put the red cube in the bowl", extras={"object_poses": world.object_poses()})
    chunk = expert.infer(observation)
    chunk.validate(world.robot.command_joints)
    assert (chunk.stamp, chunk.dt, chunk.horizon, chunk.action_space) == (12.5, 0.2, 5, ActionSpace.JOINT_POSITION)
    np.testing.assert_allclose(chunk.actions[0], world.command_positions(), atol=1e-9)  # starts where the robot is
    step = np.abs(np.diff(chunk.actions, axis=0)) / chunk.dt
    assert np.all(step <= world.robot.limits.velocity + 1e-9)
    assert ScriptedExpert.needs_object_poses
    with pytest.raises(InvalidInput, match=r"unknown scripted expert options \['chunks'\]"):
        ScriptedExpert.from_options(world.robot, {"chunks": 3})
    with pytest.raises(InvalidInput, match="chunk_size"):
        ScriptedExpert.from_options(world.robot, {"chunk_size": 0})
    with pytest.raises(InvalidInput, match="object_poses"):
        expert.infer(Observation(0.0, {}, world.joint_state(), "put the red cube in the bowl"))
    with pytest.raises(InvalidInput, match="lacks joints"):
        expert.infer(Observation(0.0, {}, JointState(("x",), np.zeros(1)), "put the red cube in the bowl",
                                 extras={"object_poses": world.object_poses()}))
