"""`vla-ros replay BAG...`: play recorded bags into the graph (no robot, no sim) and evaluate the policy.

Every bag is checked whole before the graph comes up; then one graph (sim=replay: use_sim_time,
/clock from the player) serves all bags in turn, and the report is written once all have played.
Exit status: 0, 1 when a --fail-over threshold is exceeded (the report is written), 2 for bad
input, 3 when the graph did not come up, 130 when interrupted (nothing is written in these three).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

from vla_ros.bringup.graph import LAUNCH_ARGUMENTS, BringupArgs, parse_override
from vla_ros.core.recording.fail_over import judge, parse_threshold, valid_keys
from vla_ros.core.recording.replay_metrics import evaluate_episode
from vla_ros.core.robot.config import load_robot_config
from vla_ros.core.types import InvalidInput
from vla_ros.nodes.composition import add_processes_arguments, running_graph
from vla_ros.nodes.shutdown import StopRequest
from vla_ros.recording.bag_reader import RecordedBag, find_bags
from vla_ros.recording.replay.bag_plan import ReplayBag, plan_bag
from vla_ros.recording.replay.collector import OutputCollector
from vla_ros.recording.replay.player import MODES, BagPlayer, GraphNotReady, PlayMode
from vla_ros.recording.replay.report import EpisodeReport, ReplayReport, check_out, write_report

DEFAULTS = BringupArgs()
MODE_DEFAULTS = PlayMode()


def register(commands: argparse._SubParsersAction) -> None:
    sub = commands.add_parser(
        "replay",
        help="play recorded bags into the graph (sim off) and write an evaluation report",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub.add_argument(
        "bags",
        nargs="+",
        type=Path,
        metavar="BAG",
        help="rosbag2 directories or directories of bags",
    )
    sub.add_argument(
        "--robot",
        help="robot config name or YAML path (default: the robot the bags' metadata names)",
    )
    sub.add_argument("--backend", default=DEFAULTS.backend, help=LAUNCH_ARGUMENTS["backend"][1])
    sub.add_argument(
        "--backend-options",
        default=DEFAULTS.backend_options,
        help=LAUNCH_ARGUMENTS["backend_options"][1],
    )
    sub.add_argument(
        "--latency-ms",
        type=float,
        default=DEFAULTS.latency_ms,
        help=LAUNCH_ARGUMENTS["latency_ms"][1],
    )
    sub.add_argument(
        "--mode",
        choices=MODES,
        default=MODE_DEFAULTS.name,
        help="step (default: deterministic, every observation answered), realtime, fast",
    )
    sub.add_argument(
        "--speed", type=float, default=4.0, help="fast mode: bag seconds per wall second"
    )
    sub.add_argument(
        "--step-timeout",
        type=float,
        default=MODE_DEFAULTS.step_timeout_s,
        help="step mode: seconds to wait for an observation's chunk (a timeout is counted)",
    )
    sub.add_argument(
        "--actions-topic",
        default="/vla/safe_joint_command",
        help="recorded JointState topic the chunks are compared with",
    )
    sub.add_argument("--out", type=Path, default=Path("replay_out"), help="report directory")
    sub.add_argument(
        "--fail-over",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help=f"exit 1 when the overall KEY exceeds VALUE; keys: {valid_keys()}",
    )
    # One process by default: a replay is an offline evaluation, not a robot's control loop.
    add_processes_arguments(sub, "one")
    sub.add_argument(
        "--set", action="append", default=[], metavar="NODE.PARAM=VALUE", help="parameter override"
    )
    sub.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    stop = StopRequest.install_once(exit_during_startup=False)
    try:
        thresholds = [parse_threshold(text) for text in args.fail_over]
        mode = PlayMode(args.mode, args.speed, args.step_timeout)
        check_out(args.out)
        paths = find_bags(args.bags)
        robot = load_robot_config(args.robot or _recorded_robot(paths[0]))
        plans = []
        for path in paths:
            plans.append(plan_bag(path, robot, args.actions_topic))
            print(f"[replay] checked {path}: {len(plans[-1].episodes)} episode(s)", flush=True)
        bringup = BringupArgs(
            robot=args.robot or robot.name,
            backend=args.backend,
            sim="replay",
            instruction=plans[0].episodes[0].metadata.instruction or DEFAULTS.instruction,
            backend_options=args.backend_options,
            latency_ms=args.latency_ms,
            respawn=False,
            overrides=dict(parse_override(o) for o in args.set),
        )
    except InvalidInput as error:
        print(f"vla-ros replay: error: {error}", file=sys.stderr)
        return 2
    try:
        report = _replay(plans, bringup, mode, args.processes, stop)
    except InvalidInput as error:
        print(f"vla-ros replay: error: {error}", file=sys.stderr)
        return 2
    except GraphNotReady as error:
        print(f"vla-ros replay: error: graph not ready: {error}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        print("[replay] interrupted: no report written", file=sys.stderr)
        return 130
    finally:
        stop.ignore_from_now_on()
    report = replace(report, thresholds=thresholds, violations=judge(report.overall, thresholds))
    files = write_report(report, args.out)
    print(f"[replay] wrote {args.out}: {', '.join(f.name for f in files)}")
    for violation in report.violations:
        print(f"[replay] FAIL {violation}", file=sys.stderr)
    return 1 if report.violations else 0


def _recorded_robot(path: Path) -> str:
    with RecordedBag(path) as bag:
        metadata = bag.metadata
    if metadata is None:
        raise InvalidInput(f"bag {path} names no robot (no vla_ros episode metadata): set --robot")
    return metadata.robot


def _replay(
    plans: list[ReplayBag],
    bringup: BringupArgs,
    mode: PlayMode,
    processes: str,
    stop: StopRequest,
) -> ReplayReport:
    episodes: list[EpisodeReport] = []
    with running_graph(bringup, processes, None, [OutputCollector, BagPlayer], stop) as up:
        collector, player = up.clients
        stop.interruptible = True
        stop.raise_if_requested()
        for number, plan in enumerate(plans):
            print(
                f"[bag {number + 1}/{len(plans)}] {plan.path}: playing ({mode.name})", flush=True
            )
            started = time.monotonic()
            timeouts = player.play(plan, mode, collector)
            print(
                f"[bag {number + 1}/{len(plans)}] played in {time.monotonic() - started:.1f} s wall"
            )
            outputs = collector.take()
            outputs.unanswered = timeouts
            for index, span in enumerate(plan.episodes):
                end = span.end_s if span.end_s is not None else plan.recorded.times[-1]
                evaluation = evaluate_episode(span.begin_s, end, outputs, plan.recorded)
                episodes.append(
                    EpisodeReport(plan.path, index, span.metadata, span.begin_s, end, evaluation)
                )
                _progress(len(episodes), episodes[-1])
        problems = {
            name: f"{count} x, last: {collector.last_problem[name]}"
            for name, count in collector.problems.items()
        }
    return ReplayReport(bringup.robot, bringup.backend, mode.name, episodes, problems=problems)


def _progress(number: int, episode: EpisodeReport) -> None:
    evaluation, loop = episode.evaluation, episode.evaluation.open_loop
    mae = loop.overall.mae
    p95 = evaluation.latency_ms(95)
    print(
        f"[episode {number}] {episode.bag.name} #{episode.index} '{episode.metadata.instruction}': "
        f"{evaluation.chunks} chunks in {evaluation.duration_s:.1f} s, open-loop MAE "
        f"{'n/a' if mae is None else f'{mae:.4f}'}, latency p95 "
        f"{'n/a' if p95 is None else f'{p95:.1f} ms'}, held {sum(evaluation.holds_s.values()):.2f} s, "
        f"starved {evaluation.starvation_s:.2f} s, unanswered {evaluation.unanswered}",
        flush=True,
    )
