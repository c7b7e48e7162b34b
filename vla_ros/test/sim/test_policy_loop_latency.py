"""The plain loop's inference delay (`run_episode(latency=...)`, `vla-ros evaluate --latency-ms`):
the robot goes on with the previous chunk while the policy infers, as in the graph."""

import pytest

from vla_ros.backends.scripted import ScriptedExpert
from vla_ros.core.types import InvalidInput
from vla_ros.sim.policy_loop import run_episode

INSTRUCTION = "put the red cube in the bowl"


def test_each_chunk_reaches_the_robot_latency_after_its_observation(world_of_robot, monkeypatch):
    world = world_of_robot("panda")
    expert = ScriptedExpert.from_options(world.robot, {})
    stamps, arrivals = [], []
    infer, receive = expert.infer, world.receive_trajectory

    def timed_infer(observation):
        stamps.append(observation.stamp)
        return infer(observation)

    def timed_receive(controller, trajectory):
        arrivals.append((world.time, trajectory.start_time))
        receive(controller, trajectory)

    monkeypatch.setattr(expert, "infer", timed_infer)
    monkeypatch.setattr(world, "receive_trajectory", timed_receive)
    run_episode(world, expert, INSTRUCTION, seed=0, time_limit=2.0, latency=0.2)
    timestep = world.model.opt.timestep
    controllers = len(world.robot.controllers)
    assert len(arrivals) == controllers * len(stamps) > 0
    for index, stamp in enumerate(stamps):
        for arrived, start in arrivals[index * controllers : (index + 1) * controllers]:
            assert start == stamp, "still stamped at its observation"
            assert arrived == pytest.approx(stamp + 0.2, abs=timestep / 2)


def test_the_expert_still_solves_its_task_with_a_200_ms_delay(world_of_robot):
    world = world_of_robot("panda")
    expert = ScriptedExpert.from_options(world.robot, {})
    assert run_episode(world, expert, INSTRUCTION, seed=0, latency=0.2).success


@pytest.mark.parametrize("latency", [-0.1, 0.5, 0.7])
def test_a_latency_outside_the_replan_period_is_refused(world_of_robot, latency):
    world = world_of_robot("panda")
    expert = ScriptedExpert.from_options(world.robot, {})
    with pytest.raises(InvalidInput, match="must be >= 0 and below the replan period 0.5 s"):
        run_episode(world, expert, INSTRUCTION, seed=0, replan_period=0.5, latency=latency)
