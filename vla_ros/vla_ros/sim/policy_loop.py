"""Run a policy against the sim core in a plain Python loop (no ROS): for tests and benchmarks.

The loop does what the node graph does, minus transport: observe, infer, hand the chunk to the
robot's trajectory controllers (a chunk stamped at observation time, action i at stamp + i*dt),
and step physics until the next observation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from vla_ros.core.inference.policy import Policy
from vla_ros.core.tasks.spec import parse_instruction
from vla_ros.core.types import ActionChunk, InvalidInput, Observation
from vla_ros.sim.tasks import TaskMonitor
from vla_ros.sim.trajectory_follower import JointTrajectory, TrajectoryPoint
from vla_ros.sim.world import SimWorld


@dataclass(frozen=True)
class LoopOutcome:
    success: bool
    duration: float  # simulated seconds until success (or the time limit)
    detail: str
    first_lifted: str | None = None  # the first cube lifted off the table (TaskMonitor)


def run_episode(
    world: SimWorld,
    policy: Policy,
    instruction: str,
    seed: int,
    time_limit: float = 30.0,
    replan_period: float = 0.5,
    render: tuple[tuple[str, int, int], ...] = (),
    observe: Callable[[Observation], None] | None = None,
    latency: float = 0.0,
) -> LoopOutcome:
    """One seeded episode; `render` = (camera, width, height) per camera adds images to the
    observations, `observe` sees each observation before the policy does (recording). `latency`
    (seconds, below `replan_period`): the robot goes on with the previous chunk for this long before
    the new one arrives, still stamped at its observation, as in the graph (its first actions are
    then in the past and dropped)."""
    task = parse_instruction(instruction)
    world.reset(seed, placed_first=(task.obj,))
    policy.reset()
    monitor = TaskMonitor(task, world)
    steps_per_plan = max(1, int(round(replan_period / world.model.opt.timestep)))
    steps_late = int(round(latency / world.model.opt.timestep))
    if not 0 <= steps_late < steps_per_plan:
        raise InvalidInput(
            f"latency {latency:g} s must be >= 0 and below the replan period {replan_period:g} s"
        )
    sequence, start = 0, world.time
    while world.time - start < time_limit:
        images = {camera[0]: world.render(*camera) for camera in render}
        observation = Observation(
            stamp=world.time,
            images=images,
            joint_state=world.joint_state(),
            instruction=instruction,
            sequence=sequence,
            extras={"object_poses": world.object_poses()},
        )
        if observe is not None:
            observe(observation)
        chunk = policy.infer(observation)
        world.step(steps_late)
        send_chunk(world, chunk)
        sequence += 1
        world.step(steps_per_plan - steps_late)
        status = monitor.update()
        if status.success:
            return LoopOutcome(True, world.time - start, status.detail, monitor.first_lifted)
    return LoopOutcome(
        False,
        world.time - start,
        f"{monitor.update().detail}; phase={getattr(policy, 'phase', '?')}",
        monitor.first_lifted,
    )


def send_chunk(world: SimWorld, chunk: ActionChunk) -> None:
    """The chunk as one JointTrajectory per controller (positions only: linear between actions)."""
    columns = {name: i for i, name in enumerate(chunk.dim_names)}
    for controller in world.robot.controllers:
        index = [columns[j] for j in controller.joints]
        points = tuple(
            TrajectoryPoint(i * chunk.dt, np.asarray(chunk.actions[i, index]))
            for i in range(1, chunk.horizon)
        )
        world.receive_trajectory(
            controller.name, JointTrajectory(controller.joints, points, chunk.stamp)
        )
