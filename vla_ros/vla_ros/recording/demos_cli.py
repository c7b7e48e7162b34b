"""`vla-ros demos --robot ROBOT --episodes N --out DIR`: the command line of recording/demonstrations.py."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from vla_ros.bringup.graph import parse_override
from vla_ros.core.types import InvalidInput
from vla_ros.recording.demonstrations import DemoOptions, generate


def register(commands: argparse._SubParsersAction) -> None:
    sub = commands.add_parser(
        "demos",
        help="scripted-expert demonstrations in the embedded sim (no ROS graph) -> a "
        "LeRobotDataset v3.0, laid out as `vla-ros export` writes it",
    )
    sub.add_argument("--robot", required=True, help="robot config (sim scene and cameras)")
    sub.add_argument("--out", required=True, type=Path, help="dataset directory to create")
    sub.add_argument("--episodes", type=int, default=10, help="seeds to try (default 10)")
    sub.add_argument("--seed", type=int, default=0, help="first seed (default 0)")
    sub.add_argument(
        "--instructions", nargs="+", help="cycled over episodes (default: the robot's demo tasks)"
    )
    sub.add_argument("--card", help="model card naming features, sizes, state and action")
    sub.add_argument("--cameras", nargs="+", help="robot cameras to record (without --card)")
    sub.add_argument(
        "--fps", type=float, help="frame clock [Hz] (default: the card's control rate, else 10)"
    )
    sub.add_argument(
        "--time-limit", type=float, default=30.0, help="sim seconds per episode (default 30)"
    )
    sub.add_argument("--repo-id", help="LeRobot repo id (default local/<out name>)")
    sub.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="camera_ingest.PARAM=VALUE",
        help="camera_ingest parameter, as `vla-ros run --set` (crop, image_size)",
    )
    sub.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        options = DemoOptions(
            robot=args.robot,
            out=args.out,
            episodes=args.episodes,
            seed=args.seed,
            instructions=tuple(args.instructions) if args.instructions else None,
            card=args.card,
            cameras=tuple(args.cameras) if args.cameras else None,
            fps=args.fps,
            time_limit=args.time_limit,
            repo_id=args.repo_id,
            overrides=dict(parse_override(o) for o in args.set),
        )
        summary = generate(options, progress=lambda line: print(line, flush=True))
    except InvalidInput as error:
        print(f"vla-ros demos: error: {error} (nothing written to {args.out})", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"vla-ros demos: interrupted; nothing written to {args.out}", file=sys.stderr)
        return 130
    print(
        f"[vla-ros] wrote {summary.episodes} demonstrations ({summary.frames} frames, "
        f"{summary.data_s:.1f} s of data, {summary.failed} failed and left out) to {args.out} "
        f"in {summary.wall_s:.1f} s"
    )
    return 0
