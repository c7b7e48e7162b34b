"""Recording benchmark: does `vla-ros record` write every frame a robot publishes, and at what CPU?

Three processes on one ROS domain of their own: fake drivers (3 cameras WxH rgb8 at 30 Hz + joint
states at 1 kHz, stamped at capture), the recorder (`vla-ros record --split none`, MCAP + zstd) and
the baseline, a bare rclpy subscriber that only counts (what it misses, DDS lost; what it has and
the recorder does not, the recorder lost). Per topic: published, baseline received, recorder
received and written (target: written = published); bag size; CPU % per process (/proc, over the
publishing window; 100 % = one core); the machine's load average.

Run: source scripts/env.sh && python bench/record/run.py [--duration 300] [--reliable]
     [--transport LARGE_DATA|SHM|UDPv4] [--width 640 --height 480]
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

HERE = Path(__file__).resolve().parent
START_DELAY_S = 5.0  # discovery and matching before the first message is published
TICKS = os.sysconf("SC_CLK_TCK")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--robot", default="panda", help="its camera and joint state topics")
    parser.add_argument("--duration", type=float, default=300.0, help="seconds of publishing")
    parser.add_argument("--width", type=int, default=640)
    parser.add_argument("--height", type=int, default=480)
    parser.add_argument(
        "--reliable", action="store_true", help="drivers publish reliable (default best effort)"
    )
    parser.add_argument("--depth", type=int, default=10, help="drivers' publisher history depth")
    parser.add_argument(
        "--transport", default="", help="FASTDDS_BUILTIN_TRANSPORTS for all three processes"
    )
    args = parser.parse_args()
    env = dict(os.environ)
    env.setdefault("ROS_DOMAIN_ID", str(random.SystemRandom().randint(150, 230)))
    if args.transport:
        env["FASTDDS_BUILTIN_TRANSPORTS"] = args.transport
    with tempfile.TemporaryDirectory(prefix="bench_record_") as tmp:
        return _run(args, env, Path(tmp))


def _run(args, env: dict[str, str], tmp: Path) -> int:
    python = sys.executable
    qos = ["--reliable"] if args.reliable else []
    total_s = START_DELAY_S + args.duration
    recorder = subprocess.Popen(
        [python, "-m", "vla_ros.cli", "record", "--robot", args.robot, "--split", "none"]
        + ["--out", str(tmp / "bags")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    baseline = subprocess.Popen(
        [python, str(HERE / "counting_subscriber.py"), "--robot", args.robot]
        + ["--duration", str(total_s + 3.0), *qos],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    drivers = subprocess.Popen(
        [python, str(HERE / "fake_drivers.py"), "--robot", args.robot]
        + ["--duration", str(args.duration), "--start-delay", str(START_DELAY_S)]
        + ["--width", str(args.width), "--height", str(args.height), "--depth", str(args.depth)]
        + qos,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    processes = {"fake drivers": drivers, "recorder": recorder, "baseline": baseline}
    load_before = os.getloadavg()
    time.sleep(START_DELAY_S + 1.0)  # the drivers' imports take about as long as the delay
    cpu_start = {name: _cpu_s(p.pid) for name, p in processes.items()}
    window_start = time.monotonic()
    time.sleep(max(args.duration - 2.0, 1.0))
    cpu = {
        name: (_cpu_s(p.pid) - cpu_start[name]) / (time.monotonic() - window_start)
        for name, p in processes.items()
    }
    load_after = os.getloadavg()
    published = json.loads(drivers.communicate(timeout=120)[0].strip().splitlines()[-1])
    received = json.loads(baseline.communicate(timeout=120)[0].strip().splitlines()[-1])
    recorder.send_signal(signal.SIGINT)
    recorder_out = recorder.communicate(timeout=300)[0]
    recorded = _summary_rows(recorder_out)
    size = sum(f.stat().st_size for f in (tmp / "bags").rglob("*") if f.is_file())
    print(
        f"record bench: {args.robot}, 3 cameras {args.width}x{args.height} rgb8 @30 Hz + joint "
        f"states @1 kHz, {args.duration:.0f} s, drivers "
        f"{'reliable' if args.reliable else 'best effort'} depth {args.depth}, transport "
        f"{args.transport or 'default'}, domain {env['ROS_DOMAIN_ID']}"
    )
    print(f"load average (1 min) before {load_before[0]:.1f}, at the end {load_after[0]:.1f}")
    print(f"{'topic':<46} {'published':>9} {'baseline':>14} {'rec.received':>14} {'written':>14}")
    complete = True
    failed = {t: n for t, n in published.items() if t.endswith(" failed")}
    for topic, count in sorted(published.items()):
        if topic in failed:
            continue
        got = received.get(topic, 0)
        rec_received, written = recorded.get(topic, (0, 0))
        complete &= written == count
        print(
            f"{topic:<46} {count:>9} {_pct(got, count):>14} {_pct(rec_received, count):>14} "
            f"{_pct(written, count):>14}"
        )
    if failed:
        print(f"publish failed (reliable history full of unacknowledged messages): {failed}")
    print(f"bag: {size / 1e6:.1f} MB ({size / 1e6 / args.duration:.1f} MB/s)")
    print("CPU (% of one core): " + ", ".join(f"{n} {100 * c:.0f}" for n, c in cpu.items()))
    print("recorder summary:\n" + recorder_out.strip())
    return 0 if complete else 1


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process (all its threads) from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def _summary_rows(output: str) -> dict[str, tuple[int, int]]:
    """topic -> (received, written) from the recorder's final table."""
    rows = {}
    for line in output.splitlines():
        parts = line.split()
        if len(parts) == 5 and parts[0].startswith("/") and parts[1].isdigit():
            rows[parts[0]] = (int(parts[1]), int(parts[2]))
    return rows


def _pct(part: int, whole: int) -> str:
    return f"{part} ({100.0 * part / whole:.1f}%)" if whole else str(part)


if __name__ == "__main__":
    sys.exit(main())
