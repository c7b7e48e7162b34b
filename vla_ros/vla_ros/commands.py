"""`vla-ros` commands: bring the graph up without launch_ros (pip-only machines, tests) and run the demo.

vla-ros run  --robot panda --backend scripted --sim mujoco [--processes split] [--set node.param=value]
             [--dds-profile shm|udp|default]
vla-ros demo --robot panda --episodes 10 --out demo_out [--processes one|split|each] [--latency-ms 300]
vla-ros record --robot panda --out recordings [--split episode|none]
vla-ros export BAG... --robot panda --out DIR [--card CARD] [--only-success] [--fps 10]
vla-ros demos --robot panda --episodes 20 --out DIR [--card CARD] [--instructions ...]
vla-ros replay BAG... --backend scripted --mode step --out replay_out [--fail-over KEY=VALUE]
vla-ros train --data DIR... --out CKPT [--minutes 60]; vla-ros evaluate --checkpoint CKPT [--episodes 20]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from vla_ros.bringup.dds import DDS_PROFILES, DEFAULT_DDS_PROFILE, apply_dds_profile, dds_warning
from vla_ros.bringup.graph import LAUNCH_ARGUMENTS, SIM_MODES, BringupArgs, parse_override
from vla_ros.core.robot.config import available_robots, load_robot_config
from vla_ros.core.types import InvalidInput
from vla_ros.nodes.composition import DEFAULT_PROCESSES, add_processes_arguments, running_graph
from vla_ros.nodes.shutdown import StopRequest
from vla_ros.recording import demos_cli, export_cli, record_command
from vla_ros.recording.replay import command as replay_command
from vla_ros.training import train_cli

DEFAULTS = BringupArgs()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="vla-ros", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for name, helptext in (
        ("run", "bring up the graph and spin until Ctrl-C"),
        ("demo", "seeded sim episodes + report"),
    ):
        sub = commands.add_parser(name, help=helptext)
        for name in ("robot", "backend", "backend_options", "latency_ms", "seed"):
            _bringup_flag(sub, name)
        add_processes_arguments(sub, DEFAULT_PROCESSES)
        sub.add_argument(
            "--no-respawn",
            dest="respawn",
            action="store_false",
            help="leave a child process that dies dead (default: restart it)",
        )
        sub.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="NODE.PARAM=VALUE",
            help="parameter override",
        )
        sub.add_argument(
            "--dds-profile",
            choices=tuple(DDS_PROFILES),
            default=DEFAULT_DDS_PROFILE,
            help="Fast DDS profile (shm: config/dds/fastdds_shm.xml, large frames over shared "
            "memory; udp: config/dds/fastdds_udp.xml, no shared memory, for nodes that are killed "
            "and respawned; default: Fast DDS's own); a FASTDDS_DEFAULT_PROFILES_FILE already set wins",
        )
    export_cli.register(commands)
    demos_cli.register(commands)
    train_cli.register(commands)
    run = commands.choices["run"]
    _bringup_flag(run, "sim", choices=SIM_MODES)
    _bringup_flag(run, "instruction")
    demo = commands.choices["demo"]
    demo.add_argument("--episodes", type=int, default=10)
    demo.add_argument(
        "--instructions", nargs="+", help="cycled over episodes (default: the robot's demo tasks)"
    )
    demo.add_argument(
        "--timeout", type=float, default=60.0, help="seconds of sim time per episode"
    )
    demo.add_argument(
        "--record-episodes", type=int, default=2, help="episodes recorded into the video"
    )
    demo.add_argument("--out", type=Path, default=Path("demo_out"))
    demo.add_argument(
        "--record",
        type=Path,
        metavar="DIR",
        help="record a bag per episode into DIR (own process)",
    )
    record_command.register(commands)
    replay_command.register(commands)
    args = parser.parse_args(argv)
    if hasattr(args, "handler"):  # a command of its own module (record, export, replay)
        return args.handler(args)
    # Until the graph is up nothing has been commanded: one process may just end; a parent of
    # child processes must stay to stop the processes it started.
    stop = StopRequest.install_once(exit_during_startup=args.processes == "one")
    try:
        robot = load_robot_config(args.robot)
        instructions = tuple(getattr(args, "instructions", None) or robot.demo.instructions)
        bringup = BringupArgs(
            robot=args.robot,
            backend=args.backend,
            sim=getattr(args, "sim", DEFAULTS.sim),
            instruction=getattr(args, "instruction", instructions[0]),
            seed=args.seed,
            backend_options=args.backend_options,
            latency_ms=args.latency_ms,
            respawn=args.respawn,
            overrides=dict(parse_override(o) for o in args.set),
        )
        if bringup.sim == "gazebo":
            raise InvalidInput(
                "sim=gazebo needs ros_gz: use `ros2 launch vla_ros bringup.launch.py sim:=gazebo`"
            )
    except InvalidInput as error:
        print(f"vla-ros: error: {error}", file=sys.stderr)
        return 2
    # Before rclpy.init (Fast DDS reads it once per process); node processes inherit it.
    apply_dds_profile(args.dds_profile, os.environ)
    if warning := dds_warning(args.dds_profile, os.environ):
        print(f"vla-ros: warning: {warning}", file=sys.stderr)
    try:
        if args.command == "run":
            with running_graph(bringup, args.processes, log_dir=None, stop=stop):
                stop.spinning = True
                stop.wait()
            return 0
        return _demo(args, robot, bringup, instructions, stop)
    except InvalidInput as error:
        print(f"vla-ros: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(
            f"[vla-ros] stopped by {stop.received[-1] if stop.received else 'SIGINT'}",
            file=sys.stderr,
        )
        return 0 if args.command == "run" else 130
    finally:
        stop.ignore_from_now_on()


def _bringup_flag(parser: argparse.ArgumentParser, name: str, **kwargs) -> None:
    """--name for a BringupArgs field: its default and help are BringupArgs' (LAUNCH_ARGUMENTS)."""
    default = getattr(DEFAULTS, name)
    helptext = LAUNCH_ARGUMENTS[name][1]
    if name == "robot":
        helptext = f"one of {available_robots()} or a YAML path"
    parser.add_argument(
        f"--{name.replace('_', '-')}", type=type(default), default=default, help=helptext, **kwargs
    )


def _demo(
    args, robot, bringup: BringupArgs, instructions: tuple[str, ...], stop: StopRequest
) -> int:
    from vla_ros.core.recording.topics import robot_topics
    from vla_ros.demo.episode_metrics import EpisodeResult
    from vla_ros.demo.episode_runner import EpisodeRunner, GraphNotReady
    from vla_ros.demo.recording import write_video
    from vla_ros.recording.recorder_process import recording_alongside

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    camera = robot.demo.camera or (robot.cameras[0].name if robot.cameras else None)
    mode = f"processes {args.processes}"
    print(
        f"[vla-ros] demo: robot={robot.name} backend={bringup.backend} episodes={args.episodes} ({mode})"
    )
    with (
        recording_alongside(args.record, robot.name, bringup.backend, out / "logs") as recorder,
        running_graph(
            bringup, args.processes, out / "logs", [lambda: EpisodeRunner(robot, camera)], stop
        ) as up,
    ):
        runner = up.clients[0]
        stop.interruptible = True
        stop.raise_if_requested()
        try:
            runner.wait_for_graph()
        except GraphNotReady as error:
            print(
                f"vla-ros: error: graph not ready: {error} (node logs: {out / 'logs'})",
                file=sys.stderr,
            )
            return 1
        if recorder is not None:
            recorder.wait_until_recording(runner, robot_topics(robot))
        plotted = False
        for episode in range(args.episodes):
            seed, instruction = args.seed + episode, instructions[episode % len(instructions)]
            record = episode < args.record_episodes
            started = time.monotonic()
            result: EpisodeResult = runner.run_episode(seed, instruction, args.timeout, record)
            runner.metrics.episodes.append(result)
            done = runner.metrics.episodes
            print(
                f"[episode {episode + 1}/{args.episodes}] seed={seed} '{instruction}' "
                f"{'SUCCESS' if result.success else 'FAIL'} in {result.duration_s:.1f} s sim "
                f"({time.monotonic() - started:.1f} s wall, arm starved {result.starvation_s:.2f} s, "
                f"first lifted: {result.first_lifted or 'none'}) "
                f"{result.message if not result.success else ''}"
                f"| success so far {sum(e.success for e in done)}/{len(done)}",
                flush=True,
            )
            if record and not plotted and runner.commanded and runner.measured:
                _plot(
                    runner,
                    robot,
                    out / "tracking.png",
                    f"{robot.name}: '{instruction}' (seed {seed})",
                )
                plotted = True
        if runner.frames:
            write_video(runner.frames, out / "demo.mp4", fps=robot.demo.video_fps)
    metrics = runner.metrics
    (out / "summary.json").write_text(
        json.dumps(
            {
                "robot": robot.name,
                "backend": bringup.backend,
                "mode": mode,
                "success_rate": metrics.success_rate,
                "control_rate_hz": metrics.control_rate_hz,
                "e2e_latency_ms_p50": metrics.latency_p50_ms,
                "starvation_s": metrics.starvation_s,
                "instructed_first_rate": metrics.instructed_first_rate,
                "seam_gap_rad_p95": metrics.seam_gap_p95_rad,
                "episodes": [vars(e) for e in metrics.episodes],
            },
            indent=2,
        )
    )
    print(f"[vla-ros] wrote {out / 'demo.mp4'}, {out / 'tracking.png'}, {out / 'summary.json'}")
    print(metrics.summary_line())
    return 0


def _plot(runner, robot, path: Path, title: str) -> None:
    from vla_ros.demo.recording import plot_tracking

    commanded_t = np.array([t for t, _ in runner.commanded])
    measured_t = np.array([t for t, _ in runner.measured])
    origin = min(commanded_t[0], measured_t[0])
    plot_tracking(
        list(robot.command_joints),
        (commanded_t - origin, np.array([q for _, q in runner.commanded])),
        (measured_t - origin, np.array([q for _, q in runner.measured])),
        path,
        title,
    )
