"""`vla-ros export BAG... --robot ROBOT --out DIR`: the command line of recording/export.py."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from vla_ros.bringup.graph import parse_override
from vla_ros.core.types import InvalidInput
from vla_ros.recording.export import ExportOptions, export
from vla_ros.recording.export_dataset import IMAGE_FORMATS


def register(commands: argparse._SubParsersAction) -> None:
    sub = commands.add_parser(
        "export",
        help="recorded bags -> a LeRobotDataset v3.0 (videos), resampled like live ingestion",
    )
    sub.add_argument("bags", nargs="+", type=Path, help="bag directories or directories of bags")
    sub.add_argument("--robot", required=True, help="robot the bags were recorded on")
    sub.add_argument(
        "--only-success", action="store_true", help="skip episodes that did not succeed"
    )
    add_dataset_arguments(sub)
    sub.set_defaults(handler=run)


def add_dataset_arguments(sub: argparse.ArgumentParser) -> None:
    """The flags of every dataset writer (export, demos): where, and the layout and clock."""
    sub.add_argument("--out", required=True, type=Path, help="dataset directory to create")
    sub.add_argument("--repo-id", help="LeRobot repo id (default local/<out name>)")
    sub.add_argument(
        "--fps", type=float, help="frame clock [Hz] (default: the card's control rate, else 10)"
    )
    sub.add_argument("--cameras", nargs="+", help="robot cameras to write (without --card)")
    sub.add_argument("--card", help="model card naming features, sizes, state and action")
    sub.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="camera_ingest.PARAM=VALUE",
        help="camera_ingest parameter, as `vla-ros run --set` (crop, image_size, ...)",
    )
    sub.add_argument(
        "--image-format",
        choices=IMAGE_FORMATS,
        default="video",
        help="camera frames as LeRobot's AV1 videos (default; lossy) or PNG images in the parquet "
        "files (lossless: what the policy sees live, several times larger)",
    )


def dataset_flags(args: argparse.Namespace) -> dict:
    """The values of add_dataset_arguments' flags, as ExportOptions and DemoOptions take them."""
    return dict(
        out=args.out,
        repo_id=args.repo_id,
        fps=args.fps,
        cameras=tuple(args.cameras) if args.cameras else None,
        card=args.card,
        overrides=dict(parse_override(o) for o in args.set),
        image_format=args.image_format,
    )


def write_dataset(command: str, out: Path, write: Callable[[], str]) -> int:
    """Exit status of `write` (which returns its closing line): errors and Ctrl-C say that nothing
    was written to `out` (the writer is all or nothing)."""
    try:
        closing = write()
    except InvalidInput as error:
        print(f"vla-ros {command}: error: {error} (nothing written to {out})", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"vla-ros {command}: interrupted; nothing written to {out}", file=sys.stderr)
        return 130
    print(closing)
    return 0


def run(args: argparse.Namespace) -> int:
    def write() -> str:
        options = ExportOptions(
            bags=tuple(args.bags),
            robot=args.robot,
            only_success=args.only_success,
            **dataset_flags(args),
        )
        summary = export(options, progress=lambda line: print(line, flush=True))
        return (
            f"[vla-ros] exported {summary.episodes} episodes ({summary.frames} frames, "
            f"{summary.data_s:.1f} s of data, {summary.skipped} skipped) to {args.out} in "
            f"{summary.wall_s:.1f} s ({summary.data_s / max(summary.wall_s, 1e-9):.1f}x real time)"
        )

    return write_dataset("export", args.out, write)
