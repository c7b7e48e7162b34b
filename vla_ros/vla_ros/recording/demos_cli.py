"""`vla-ros demos --robot ROBOT --episodes N --out DIR`: the command line of recording/demonstrations.py."""

from __future__ import annotations

import argparse

from vla_ros.recording.demonstrations import DemoOptions, generate
from vla_ros.recording.export_cli import add_dataset_arguments, dataset_flags, write_dataset
from vla_ros.recording.pushes import PushOptions


def register(commands: argparse._SubParsersAction) -> None:
    sub = commands.add_parser(
        "demos",
        help="scripted-expert demonstrations in the embedded sim (no ROS graph) -> a "
        "LeRobotDataset v3.0, laid out as `vla-ros export` writes it",
    )
    sub.add_argument("--robot", required=True, help="robot config (sim scene and cameras)")
    sub.add_argument("--episodes", type=int, default=10, help="seeds to try (default 10)")
    sub.add_argument("--seed", type=int, default=0, help="first seed (default 0)")
    sub.add_argument(
        "--instructions", nargs="+", help="cycled over episodes (default: the robot's demo tasks)"
    )
    sub.add_argument(
        "--vary-objects",
        action="store_true",
        help="each episode: its instruction's kind of task on cubes drawn by its seed",
    )
    sub.add_argument(
        "--time-limit", type=float, default=30.0, help="sim seconds per episode (default 30)"
    )
    pushes = PushOptions()
    sub.add_argument(
        "--push-rate",
        type=float,
        default=pushes.rate,
        help="pushes off the expert's path per second of sim time; each episode is written as the "
        "segments between them, the recoveries included (default 0: none)",
    )
    sub.add_argument(
        "--push-size",
        type=float,
        default=pushes.size,
        help=f"rad, std of each arm joint's displacement over one push (default {pushes.size})",
    )
    sub.add_argument(
        "--push-duration",
        type=float,
        default=pushes.duration,
        help=f"s, how long one push drives the arm (default {pushes.duration})",
    )
    add_dataset_arguments(sub)
    sub.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    def write() -> str:
        options = DemoOptions(
            robot=args.robot,
            episodes=args.episodes,
            seed=args.seed,
            instructions=tuple(args.instructions) if args.instructions else None,
            vary_objects=args.vary_objects,
            time_limit=args.time_limit,
            pushes=PushOptions(args.push_rate, args.push_size, args.push_duration),
            **dataset_flags(args),
        )
        summary = generate(options, progress=lambda line: print(line, flush=True))
        cut = (
            f", {summary.pushed_out} pushed frames left out, {summary.segments} segments"
            if summary.pushed_out
            else ""
        )
        return (
            f"[vla-ros] wrote {summary.episodes} demonstrations ({summary.frames} frames{cut}, "
            f"{summary.data_s:.1f} s of data, {summary.failed} failed and left out) to "
            f"{args.out} in {summary.wall_s:.1f} s"
        )

    return write_dataset("demos", args.out, write)
