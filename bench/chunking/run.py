"""Chunk executor benchmark: strategies vs deployed baselines, measured in the same run.

Replays synthetic chunk streams with known ground truth (bench/chunking/streams.py) under inference
latencies of 0-500 ms (+-20% jitter, first call 3x slower) through each executor on a simulated
100 Hz clock, and prints max/RMS jerk, max boundary jump, tracking error to ground truth and
starvation, then the ratios the targets are stated in:
  zero starvation once warm whenever latency < chunk duration - one step;
  max boundary jump <= 0.2x the naive switch-on-arrival baseline;
  tracking error within 5% of the best baseline.
Run: source scripts/env.sh && python bench/chunking/run.py [--quick]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from baselines import LeRobotAsync, NaiveSwitch, SyncBroker
from metrics import measure
from streams import NAMES, PROFILES, ground_truth, latency_model

from vla_ros.core.chunking import ChunkExecutor, ExecutorConfig
from vla_ros.core.chunking.closed_loop import replay
from vla_ros.core.chunking.config import STRATEGIES
from vla_ros.core.robot.config import JointLimits

RATE_HZ = 100.0
PERIOD = 1.0 / RATE_HZ
DELAYS_MS = (0, 100, 200, 300, 500)
# Panda-like limits for the jerk-limited variant (velocity/acceleration/jerk of joints 1-4).
LIMITS = JointLimits(
    np.full(7, -3.0), np.full(7, 3.0), np.full(7, 2.175), np.full(7, 12.5), np.full(7, 6250.0)
)
DEFAULT = ExecutorConfig().strategy
BASELINES = {"naive_switch": NaiveSwitch, "sync_broker": SyncBroker, "lerobot_async": LeRobotAsync}


def executors():
    for strategy in STRATEGIES:
        yield (
            strategy,
            lambda s=strategy: ChunkExecutor(ExecutorConfig(RATE_HZ, strategy=s), NAMES),
        )
    yield (
        "ensemble+ruckig",
        lambda: ChunkExecutor(
            ExecutorConfig(RATE_HZ, interpolation="jerk_limited"), NAMES, limits=LIMITS
        ),
    )
    yield from BASELINES.items()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=12.0, help="simulated seconds per run")
    parser.add_argument("--quick", action="store_true", help="4 s runs (smoke test)")
    args = parser.parse_args()
    duration = 4.0 if args.quick else args.duration
    started = time.perf_counter()
    data_dir = Path(__file__).resolve().parent / "data"
    if not any(data_dir.glob("*")):
        print(f"(no recorded sim chunk streams under {data_dir}: synthetic streams only)")
    verdicts = []
    for profile in PROFILES:
        print(
            f"\n== stream {profile.name}: dt {profile.dt * 1e3:.0f} ms, horizon {profile.horizon} "
            f"(chunk {profile.horizon * profile.dt:.2f} s), {duration:.0f} s at {RATE_HZ:.0f} Hz"
        )
        print(
            f"{'delay':>6} {'method':<18} {'max jerk':>10} {'rms jerk':>9} {'max jump':>9} "
            f"{'track rms':>10} {'starve':>7} {'warm':>6}"
        )
        for delay_ms in DELAYS_MS:
            rows = {}
            for name, make in executors():
                result = replay(
                    make(), profile.chunk_at, latency_model(delay_ms / 1000.0), duration, PERIOD
                )
                rows[name] = m = measure(result, ground_truth, PERIOD, profile.dt)
                print(
                    f"{delay_ms:>4}ms {name:<18} {m.max_jerk:>10.3g} {m.rms_jerk:>9.3g} {m.max_boundary_jump:>9.4f} "
                    f"{m.tracking_rms:>10.4f} {m.starvation:>7.2f} {m.warm_starvation:>6.2f}"
                )
            verdicts.append(verdict(profile, delay_ms, rows))
    print(f"\n== ratios for the default strategy ({DEFAULT}) against baselines of the same run")
    print(
        f"{'stream':<14} {'delay':>6} {'jump/naive':>10} {'track/best':>10} {'best baseline':<14} "
        f"{'rmsjerk/naive':>13} {'warm starve':>11}  targets"
    )
    ok = True
    for v in verdicts:
        ok &= v["pass"]
        print(
            f"{v['stream']:<14} {v['delay']:>4}ms {v['jump_ratio']:>10.3f} {v['track_ratio']:>10.3f} {v['best']:<14} "
            f"{v['jerk_ratio']:>13.3f} {v['warm']:>11.2f}  {'PASS' if v['pass'] else 'FAIL: ' + v['why']}"
        )
    print(
        f"\nbenchmark wall time {time.perf_counter() - started:.1f} s; all targets {'met' if ok else 'NOT met'}"
    )
    return 0


def verdict(profile, delay_ms, rows) -> dict:
    ours, naive = rows[DEFAULT], rows["naive_switch"]
    best = min(BASELINES, key=lambda n: rows[n].tracking_rms)
    jump_ratio = ours.max_boundary_jump / naive.max_boundary_jump
    track_ratio = ours.tracking_rms / rows[best].tracking_rms
    must_not_starve = delay_ms / 1000.0 * 1.2 < profile.horizon * profile.dt - profile.dt
    why = []
    if jump_ratio > 0.2:
        why.append("jump > 0.2x naive")
    if track_ratio > 1.05:
        why.append("tracking > 1.05x best baseline")
    if must_not_starve and ours.warm_starvation > 0.0:
        why.append("starved")
    return dict(
        stream=profile.name,
        delay=delay_ms,
        jump_ratio=jump_ratio,
        track_ratio=track_ratio,
        best=best,
        jerk_ratio=ours.rms_jerk / naive.rms_jerk,
        warm=ours.warm_starvation,
        why="; ".join(why),
    ) | {"pass": not why}


if __name__ == "__main__":
    sys.exit(main())
