"""Real-time benchmark (issue #12): does the 100 Hz control loop hold, and does the policy get fresh
frames, with real sensor rates on this machine?

Per configuration (process layout x Fast DDS profile), on a ROS domain of its own, with the sim off:
fake_robot.py (joint states at 1 kHz following the commands it receives from moveit_bridge, fixed
object poses), fake_cameras.py (the robot's 3 cameras at 30 Hz, 1280x720 bgra8 by default), the
graph (`vla-ros run --sim false --backend scripted`: the scripted expert acts on those poses),
probe.py (/vla/observation, the projector's tick diagnostics) and the bare rclpy baseline in the same
run (baseline.py: a plain camera subscriber, a plain 100 Hz timer publisher). After --warmup s, all
measure the same --duration s window. Prints: safe-command period p50/p99/max and gaps > 2x period
at the robot (steady clock), the projector's own tick_* diagnostics, observations/s, share of 10 Hz
policy ticks with a fresh observation, image -> observation latency, camera sets published and
received by the baseline, CPU per process (/proc; 100 % = one core), load average; then a table.
Exits 1 when a configuration with the shm profile misses a target (p99 <= 15 ms, max gap <= 30 ms,
>= 90 % fresh at 10 Hz), naming which.

Run: source scripts/env.sh && python bench/realtime/run.py [--duration 20] [--warmup 40]
     [--processes one split each] [--dds default shm] [--camera 1280x720:bgra8]
     [--image-size 224x224]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from report import TABLE_HEADER, Configuration

from vla_ros.bringup.dds import DDS_PROFILES, PROFILE_FILE_VARIABLES, dds_environment

HERE = Path(__file__).resolve().parent
LAYOUTS = ("one", "split", "each")
TICKS = os.sysconf("SC_CLK_TCK")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--robot", default="panda")
    parser.add_argument("--duration", type=float, default=20.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=40.0, help="seconds to bring up")
    parser.add_argument("--processes", nargs="+", choices=LAYOUTS, default=list(LAYOUTS))
    parser.add_argument(
        "--dds", nargs="+", choices=tuple(DDS_PROFILES), default=["default", "shm"]
    )
    parser.add_argument("--camera", default="1280x720:bgra8", help="WIDTHxHEIGHT:ENCODING")
    parser.add_argument(
        "--image-size",
        default="224x224",
        help="camera_ingest's early downscale, WIDTHxHEIGHT (0x0 keeps the camera's size)",
    )
    parser.add_argument("--logs", type=Path, help="graph logs (default: a temporary directory)")
    args = parser.parse_args()
    args.logs = args.logs or Path(tempfile.mkdtemp(prefix="bench_realtime_"))
    args.logs.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "ROS_AUTOMATIC_DISCOVERY_RANGE": "LOCALHOST"}
    overridden = [name for name in PROFILE_FILE_VARIABLES if env.pop(name, None)]
    if overridden:
        print(f"[bench] ignoring {overridden}: each configuration sets its own profile")
    print(
        f"realtime bench: {args.robot}, cameras {args.camera} @30 Hz downscaled to {args.image_size},"
        " joint states @1 kHz, sim off,"
        f" scripted backend, {args.duration:g} s per configuration, {os.cpu_count()} cores, graph"
        f" logs in {args.logs}"
    )
    done: list[Configuration] = []
    for layout in args.processes:
        for profile in args.dds:
            config = _measure(args, env, layout, ["--processes", layout], profile)
            done.append(config)
            print("\n".join(config.lines(args.duration)), flush=True)
    print(TABLE_HEADER + "\n" + "\n".join(c.row() for c in done))
    missed = [c for c in done if c.profile == "shm" and c.missed()]
    return 1 if missed or not done else 0


def _measure(args, env: dict[str, str], layout: str, flags: list[str], profile: str):
    env = {**env, "ROS_DOMAIN_ID": str(random.SystemRandom().randint(150, 230))}
    env.update(dds_environment(profile, env))
    size, encoding = args.camera.split(":")
    width, height = size.split("x")
    image_width, image_height = args.image_size.split("x")
    window_start = time.time() + args.warmup
    common = ["--robot", args.robot, "--window-start", f"{window_start:.3f}"]
    common += ["--duration", str(args.duration)]
    python = sys.executable
    log_path = args.logs / f"graph_{layout}_{profile}.log"
    log = log_path.open("w")
    graph = subprocess.Popen(
        [python, "-m", "vla_ros.cli", "run", "--robot", args.robot, "--sim", "false"]
        + ["--backend", "scripted", "--dds-profile", profile, *flags]
        + ["--set", f"camera_ingest.image_size=[{image_height},{image_width}]"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    helpers = {
        "fake robot": [HERE / "fake_robot.py"],
        "fake cameras": [HERE / "fake_cameras.py", "--width", width, "--height", height]
        + ["--encoding", encoding],
        "probe": [HERE / "probe.py"],
        "baseline cameras": [HERE / "baseline.py", "cameras"],
        "baseline timer": [HERE / "baseline.py", "timer"],
    }
    running = {
        name: subprocess.Popen(
            [python, *map(str, command), *common], env=env, stdout=subprocess.PIPE, text=True
        )
        for name, command in helpers.items()
    }
    time.sleep(max(window_start - time.time(), 0.0))
    pids = {**{name: p.pid for name, p in running.items()}, **_graph_processes(graph.pid)}
    load_start, cpu_start = os.getloadavg()[0], {n: _cpu_s(pid) for n, pid in pids.items()}
    time.sleep(max(window_start + args.duration - time.time(), 0.0))
    cpu = {n: 100.0 * (_cpu_s(pid) - cpu_start[n]) / args.duration for n, pid in pids.items()}
    config = Configuration(layout, profile, cpu_pct=cpu, load=(load_start, os.getloadavg()[0]))
    results = {name: _last_json(p) for name, p in running.items()}
    config.robot, config.probe = results["fake robot"], results["probe"]
    config.baseline = results["baseline cameras"]
    config.sets_published_per_s = results["fake cameras"].get("sets_published", 0) / args.duration
    if graph.poll() is not None:
        print(f"[bench] the graph exited early ({graph.returncode}): see {log_path}")
    graph.send_signal(signal.SIGINT)
    try:
        graph.wait(timeout=30)
    except subprocess.TimeoutExpired:
        graph.kill()
    log.close()
    return config


def _graph_processes(root: int) -> dict[str, int]:
    """label -> pid of the graph's process and its descendants."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (FileNotFoundError, ProcessLookupError):
            continue  # ended while we looked
    found, pending = {"graph (vla-ros run)": root}, [root]
    while pending:
        parent = pending.pop()
        for child in (pid for pid, ppid in parents.items() if ppid == parent):
            arguments = Path(f"/proc/{child}/cmdline").read_bytes().decode().split("\0")
            found[_child_label(arguments, child)] = child
            pending.append(child)
    return found


def _child_label(arguments: list[str], pid: int) -> str:
    """A node process by its executable, a group process (nodes/group.py) by its group name."""
    for module, label in (("vla_ros.nodes.entry", "{}"), ("vla_ros.nodes.group", "{} group")):
        if module in arguments:
            return label.format(arguments[arguments.index(module) + 1])
    return str(pid)


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process (all its threads); 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def _last_json(process: subprocess.Popen) -> dict:
    try:
        output = process.communicate(timeout=60)[0]
    except subprocess.TimeoutExpired:
        process.kill()
        return {}
    lines = output.strip().splitlines()
    return json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {}


if __name__ == "__main__":
    sys.exit(main())
