"""`vla-ros train` and `vla-ros evaluate`: the command lines of trainer.py and evaluation.py."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from vla_ros.bringup.graph import parse_override
from vla_ros.core.types import InvalidInput


def register(commands: argparse._SubParsersAction) -> None:
    train = commands.add_parser(
        "train",
        help="train a flow_film policy from LeRobot datasets (e.g. `vla-ros demos`) into a "
        "checkpoint the `lerobot` backend serves",
    )
    train.add_argument("--data", nargs="+", required=True, type=Path, help="LeRobot dataset dirs")
    train.add_argument("--out", required=True, type=Path, help="checkpoint dir to create")
    train.add_argument(
        "--card", default="flow_film_panda", help="model card shipped with the checkpoint"
    )
    train.add_argument("--minutes", type=float, default=60.0, help="time budget (default 60)")
    train.add_argument("--max-steps", type=int, help="stop after this many steps")
    train.add_argument("--batch-size", type=int, default=64)
    train.add_argument("--lr", type=float, default=3e-4, help="peak learning rate (cosine decay)")
    train.add_argument(
        "--snapshot-minutes",
        type=float,
        default=10.0,
        help="save a snapshot every N minutes into OUT/snapshots (0: none; default 10)",
    )
    train.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    train.add_argument("--device", default="cpu", help="cpu or cuda")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument(
        "--ema-decay",
        type=float,
        default=0.0,
        help="save a moving average of the weights with this decay per step, e.g. 0.9995 "
        "(default 0: the last step's weights, the shipped checkpoint's recipe)",
    )
    train.add_argument(
        "--policy",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="FlowFilmConfig field, e.g. hidden_dim=384 or conv_channels=[32,64,64]",
    )
    train.add_argument(
        "--init",
        type=Path,
        metavar="CKPT",
        help="continue from this flow_film checkpoint (its config and normalization are kept; "
        "--policy may still set random_shift and state_dropout)",
    )
    train.set_defaults(handler=run_train)

    evaluate = commands.add_parser(
        "evaluate",
        help="closed-loop success of a LeRobot checkpoint in the embedded sim (no ROS graph)",
    )
    evaluate.add_argument("--checkpoint", required=True, type=Path)
    evaluate.add_argument("--robot", default="panda")
    evaluate.add_argument(
        "--episodes", type=int, default=20, help="closed-loop episodes (0: none, only --open-loop)"
    )
    evaluate.add_argument(
        "--open-loop",
        type=Path,
        metavar="DATASET",
        help="also: chunk error per step on this held-out dataset, next to holding the state",
    )
    evaluate.add_argument("--seed", type=int, default=0, help="first seed (held out: default 0)")
    evaluate.add_argument("--instructions", nargs="+", help="default: the robot's demo tasks")
    evaluate.add_argument(
        "--replan-period", type=float, default=0.5, help="seconds of a chunk played (default 0.5)"
    )
    evaluate.add_argument("--time-limit", type=float, default=30.0, help="sim seconds per episode")
    evaluate.add_argument(
        "--latency-ms",
        type=float,
        default=0.0,
        help="inference delay: the robot goes on with the previous chunk this long (default 0)",
    )
    evaluate.add_argument(
        "--threads",
        type=int,
        help="torch CPU threads (default: torch's own, all cores; 1 when evaluations run side by side)",
    )
    evaluate.set_defaults(handler=run_evaluate)


def run_train(args: argparse.Namespace) -> int:
    from vla_ros.training.trainer import TrainOptions, train

    try:
        options = TrainOptions(
            data=tuple(args.data),
            out=args.out,
            card=args.card,
            minutes=args.minutes,
            max_steps=args.max_steps,
            batch_size=args.batch_size,
            lr=args.lr,
            snapshot_minutes=args.snapshot_minutes,
            threads=args.threads,
            seed=args.seed,
            device=args.device,
            ema_decay=args.ema_decay,
            policy=dict(parse_override(o) for o in args.policy),
            init=args.init,
        )
        train(options, progress=lambda line: print(line, flush=True))
    except InvalidInput as error:
        print(f"vla-ros train: error: {error}", file=sys.stderr)
        return 1
    return 0


def run_evaluate(args: argparse.Namespace) -> int:
    from vla_ros.training.evaluation import EvalOptions, chunk_error, evaluate

    try:
        # Options first: a bad value is refused before a model loads or a dataset is read.
        if args.threads is not None:
            if args.threads < 1:
                raise InvalidInput(f"--threads must be >= 1, got {args.threads}")
            import torch

            torch.set_num_threads(args.threads)
        options = None
        if args.episodes != 0:
            options = EvalOptions(
                checkpoint=args.checkpoint,
                robot=args.robot,
                episodes=args.episodes,
                seed=args.seed,
                instructions=tuple(args.instructions) if args.instructions else None,
                replan_period=args.replan_period,
                time_limit=args.time_limit,
                latency=args.latency_ms / 1000.0,
            )
        if args.open_loop is not None:
            error = chunk_error(args.checkpoint, args.open_loop, args.robot)
            print(f"[vla-ros] {args.checkpoint}: {error.line()}", flush=True)
        if options is None:
            return 0
        summary = evaluate(options, progress=lambda line: print(line, flush=True))
    except InvalidInput as error:
        print(f"vla-ros evaluate: error: {error}", file=sys.stderr)
        return 1
    print(f"[vla-ros] {args.checkpoint}: {summary.line()}")
    return 0
