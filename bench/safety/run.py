"""Per-step projection time of the safety projector, beside a bare pink FrameTask solve.

For Panda (7 + gripper) and ALOHA (2 x 6 + 2): joint mode (a smooth joint stream with a jump every
second), pose mode (each EE circling in the workspace, a jump every second) and reach mode (each EE
pushed 0.6 m outward and back every 6 s: the arm stretches into the singularity stop, where the
exact singularity check works hardest), each step timed around SafetyProjector.step(); in the same
run, pink.solve_ik with one FrameTask per arm (daqp, its default configuration limits) on the same
Pinocchio model and the same pose targets. Prints p50 / p99 / max in microseconds (wall clock and
this thread's CPU time: the machine is shared) and the ratio to pink. Each case runs --repeats
times, interleaved with the others, and the percentiles are over all their steps: on a shared
machine a noisy spell then lands on every case alike instead of on one.

Run: python bench/safety/run.py [--steps 2000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import time
from collections import defaultdict

import numpy as np
import pinocchio as pin
from pink import Configuration, solve_ik
from pink.tasks import FrameTask

from vla_ros.core.actions import EE_RPY_DIMS, ee_command_dims
from vla_ros.core.robot.config import load_robot_config
from vla_ros.core.safety import SafetyProjector
from vla_ros.core.types import Command, CommandSpace

DT = 0.01
MODES = ("joint", "pose", "reach")


def pose_targets(projector: SafetyProjector, steps: int) -> list[list[pin.SE3]]:
    """Per step, per arm: the home EE pose moved on a 5 cm circle, displaced 10 cm every second."""
    home = projector.model.placements(projector.robot.home)
    targets = []
    for k in range(steps):
        t = k * DT
        jump = 0.1 * ((k // 100) % 2)
        arms = []
        for arm in range(len(projector.robot.arms)):
            offset = np.array([0.05 * np.cos(2 * t) - 0.05 + jump, 0.05 * np.sin(2 * t), 0.0])
            arms.append(pin.SE3(home.ee_rotation[arm], home.ee_position[arm] + offset))
        targets.append(arms)
    return targets


def reach_targets(projector: SafetyProjector, steps: int) -> list[list[pin.SE3]]:
    """Per step, per arm: the home EE pose pushed horizontally away from the base origin, 0 -> 0.6 m
    and back every 6 s (clipped into the workspace by the projector: the arm stretches out)."""
    home = projector.model.placements(projector.robot.home)
    targets = []
    for k in range(steps):
        reach = 0.3 * (1 - np.cos(2 * np.pi * k * DT / 6.0))
        arms = []
        for arm in range(len(projector.robot.arms)):
            outward = np.r_[
                home.ee_position[arm][:2] / np.linalg.norm(home.ee_position[arm][:2]), 0.0
            ]
            arms.append(pin.SE3(home.ee_rotation[arm], home.ee_position[arm] + reach * outward))
        targets.append(arms)
    return targets


def pose_command(robot, poses: list[pin.SE3], t: float) -> Command:
    values = []
    for arm, pose in zip(robot.arms, poses):
        values += list(pose.translation) + list(pin.rpy.matrixToRpy(pose.rotation))
        if arm.gripper:
            values.append(robot.home[robot.command_joints.index(arm.gripper.joint)])
    return Command(t, CommandSpace.EE_POSE, ee_command_dims(robot, EE_RPY_DIMS), np.array(values))


def joint_command(robot, k: int) -> Command:
    t = k * DT
    span = np.minimum(robot.limits.upper - robot.limits.lower, 1.0)
    inward = np.where(robot.home > (robot.limits.lower + robot.limits.upper) / 2, -1.0, 1.0)
    target = robot.home + inward * span * (0.05 * (1 - np.cos(t)) + 0.1 * ((k // 100) % 2))
    return Command(t, CommandSpace.JOINT_POSITION, robot.command_joints, target)


def timed(fn, steps: int) -> tuple[np.ndarray, np.ndarray]:
    wall, cpu = np.empty(steps), np.empty(steps)
    for k in range(steps):
        w, c = time.perf_counter(), time.thread_time()
        fn(k)
        cpu[k], wall[k] = time.thread_time() - c, time.perf_counter() - w
    return wall * 1e6, cpu * 1e6


def projector_times(
    robot_name: str, mode: str, steps: int
) -> tuple[np.ndarray, np.ndarray, SafetyProjector]:
    robot = load_robot_config(robot_name)
    projector = SafetyProjector(robot, DT)
    projector.start(robot.home)
    # The command is built outside the timing: time only what the projector does.
    if mode == "joint":
        commands = [joint_command(robot, k) for k in range(steps)]
    else:
        targets = (pose_targets if mode == "pose" else reach_targets)(projector, steps)
        commands = [pose_command(robot, targets[k], k * DT) for k in range(steps)]
    wall, cpu = timed(lambda k: projector.step(commands[k]), steps)
    return wall, cpu, projector


def pink_times(robot_name: str, steps: int) -> tuple[np.ndarray, np.ndarray]:
    robot = load_robot_config(robot_name)
    projector = SafetyProjector(robot, DT)
    model = projector.model.model
    # The model holds the mimicking fingers too: placed where <mimic> puts them.
    configuration = Configuration(
        model, model.createData(), projector.model.kinematics.configuration(robot.home)
    )
    tasks = [
        FrameTask(arm.ee_frame, position_cost=1.0, orientation_cost=0.1) for arm in robot.arms
    ]
    targets = pose_targets(projector, steps)

    def step(k: int) -> None:
        for task, target in zip(tasks, targets[k]):
            task.set_target(target)
        velocity = solve_ik(configuration, tasks, DT, solver="daqp")
        configuration.integrate_inplace(velocity, DT)

    return timed(step, steps)


def row(name: str, wall: np.ndarray, cpu: np.ndarray, baseline: np.ndarray | None = None) -> str:
    def p(x):
        return np.percentile(x, [50, 99]).tolist() + [x.max()]

    w, c = p(wall), p(cpu)
    ratio = (
        f"  x{np.median(cpu) / np.median(baseline):.2f} pink (cpu p50)"
        if baseline is not None
        else ""
    )
    return (
        f"{name:<28} wall p50 {w[0]:7.0f} p99 {w[1]:7.0f} max {w[2]:7.0f} | cpu p50 "
        f"{c[0]:7.0f} p99 {c[1]:7.0f} max {c[2]:7.0f}{ratio}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument(
        "--repeats",
        type=int,
        default=3,
        help="runs of each case, interleaved; percentiles over all their steps",
    )
    args = parser.parse_args()
    print(
        f"per-step time [us], {args.steps} steps at {1 / DT:.0f} Hz x {args.repeats} interleaved runs; "
        f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"
    )
    for robot_name in ("panda", "aloha"):
        wall, cpu, interventions = defaultdict(list), defaultdict(list), {}
        for _ in range(args.repeats):
            w, c = pink_times(robot_name, args.steps)
            wall["pink"].append(w)
            cpu["pink"].append(c)
            for mode in MODES:
                w, c, projector = projector_times(robot_name, mode, args.steps)
                wall[mode].append(w)
                cpu[mode].append(c)
                interventions[mode] = dict(
                    projector.counters
                )  # the same every run: it is deterministic
        pink_cpu = np.concatenate(cpu["pink"])
        print(row(f"{robot_name} pink FrameTask", np.concatenate(wall["pink"]), pink_cpu))
        for mode in MODES:
            print(
                row(
                    f"{robot_name} projector {mode}",
                    np.concatenate(wall[mode]),
                    np.concatenate(cpu[mode]),
                    pink_cpu,
                )
            )
            print(f"{'':28} interventions: {interventions[mode]}")


if __name__ == "__main__":
    main()
