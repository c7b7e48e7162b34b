"""Chunk executor benchmark: ChunkExecutor against LeRobot's and openpi's own client code, same run.

Streams: (1, primary) chunks the scripted expert emitted in the sim (bench/chunking/data, made by
record_streams.py: Panda pick-place and stack, two chunkings, clean and with per-chunk model-like
noise), scored against the expert's own commanded path, each episode replayed from 4 start offsets
(--phases) judged together; (2) synthetic streams with a known ground truth (streams.py). Each
stream is replayed at 0/100/300/500 ms inference delay (+-20% jitter, the
first call 3x slower, capped at +0.5 s) on a simulated 100 Hz clock (vla_ros.core.chunking.closed_loop)
through: the default ExecutorConfig, the strategy x request-policy candidates the default was chosen
from (full run only), LeRobot 0.4.4's async client (weighted_average, latest_only) and openpi-client's
ActionChunkBroker (all H, and N = H/2 of H as in openpi's ALOHA example); see baselines.py for what
of theirs runs imported and what is re-implemented (printed below too).

Metrics: tracking RMS against the reference path, max boundary jump (the command's largest lurch once
chunks arrive: the change of its per-tick move, so a position step counts in full and a velocity step
v as v * period), RMS/max jerk, starvation once warm (after the first chunk requested after the
second arrival landed: the first call is the 3x warm-up), inference requests per second. "old jump"
is the bench's first jump figure (per-tick move the reference does not explain, within one action
step of an arrival), printed but not judged:
it also scores a command that holds while the reference moves, which is lag (in tracking), not a
jump, and its window ends before a step-wise client such as LeRobot's applies the new chunk.
Targets for the default on the recorded streams, against LeRobot weighted_average of the same run,
at every delay: tracking <= 0.8x, max jump <= 0.2x, zero warm starvation, requests/s <= 1.2x.
The bench exits 1 when one is missed. Synthetic ratios are printed, not judged.
Run: source scripts/env.sh && python bench/chunking/run.py [--quick]
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from baselines import RE_IMPLEMENTED, LeRobotAsync, OpenpiBroker
from metrics import StreamMetrics, measure
from recorded import load_streams
from streams import PROFILES, latency_model

from vla_ros.core.chunking import ChunkExecutor, ExecutorConfig
from vla_ros.core.chunking.closed_loop import replay

RATE_HZ = 100.0
PERIOD = 1.0 / RATE_HZ
DELAYS_MS = (0, 100, 300, 500)
DATA_DIR = Path(__file__).resolve().parent / "data"
REFERENCE = "lerobot_weighted_average"
DEFAULT = "default"
REFRESH_CANDIDATES = (0.5, 0.55, 0.57, 0.58, 0.6, 0.65, 0.8)
# Start offsets of the recorded replays: 0.03 s steps against the expert's 0.1 s observation grid and
# about a third of a request interval apart, so where requests fall against the expert's few
# decisive moments (which dominate a tracking RMS, and moved single-start ratios by up to 0.2) is
# averaged over instead of drawn once.
PHASE_STEP_S = 0.13
# strategy label -> ExecutorConfig fields
BLENDS = {
    "latest_only": {"strategy": "latest_only"},
    "temporal_ensemble": {"strategy": "temporal_ensemble"},
    "crossfade": {"strategy": "crossfade", "crossfade_max_s": 0.0},  # over the whole overlap
    "crossfade<=0.15s": {"strategy": "crossfade", "crossfade_max_s": 0.15},
    "crossfade<=0.19s": {"strategy": "crossfade", "crossfade_max_s": 0.19},
    "crossfade<=0.25s": {"strategy": "crossfade", "crossfade_max_s": 0.25},
}
TARGETS = "tracking <= 0.8x, max jump <= 0.2x, warm starvation 0 s, requests/s <= 1.2x"


def methods(stream, candidates: bool) -> dict:
    """name -> factory of a fresh executor for this stream."""
    names = stream.dim_names
    ours = {DEFAULT: lambda: ChunkExecutor(ExecutorConfig(RATE_HZ), names)}
    if candidates:
        for (label, blend), refresh in itertools.product(BLENDS.items(), REFRESH_CANDIDATES):
            config = ExecutorConfig(RATE_HZ, refresh_fraction=refresh, **blend)
            ours[f"{label}/refresh{refresh}"] = lambda c=config: ChunkExecutor(c, names)
    dt, horizon = stream.dt, stream.horizon
    return ours | {
        REFERENCE: lambda: LeRobotAsync(names, dt, horizon, "weighted_average"),
        "lerobot_latest_only": lambda: LeRobotAsync(names, dt, horizon, "latest_only"),
        "openpi_broker": lambda: OpenpiBroker(dt, horizon),
        f"openpi_broker_{horizon // 2}of{horizon}": lambda: OpenpiBroker(
            dt, horizon, horizon // 2
        ),
    }


def run_one(stream, delay_ms: int, make) -> StreamMetrics:
    executor = make()
    policy = (
        executor.policy(stream.chunk_at) if isinstance(executor, LeRobotAsync) else stream.chunk_at
    )
    result = replay(executor, policy, latency_model(delay_ms / 1e3), stream.duration, PERIOD)
    return measure(result, stream.truth, PERIOD, stream.dt, stream.duration, stream.scored)


def combine(rows: list[StreamMetrics]) -> StreamMetrics:
    """Over the episodes of a group: mean of RMS values and rates, max of maxima, sum of starvation."""
    return StreamMetrics(
        max_jerk=max(r.max_jerk for r in rows),
        rms_jerk=float(np.mean([r.rms_jerk for r in rows])),
        max_boundary_jump=max(r.max_boundary_jump for r in rows),
        max_unexplained_move=max(r.max_unexplained_move for r in rows),
        tracking_rms=float(np.mean([r.tracking_rms for r in rows])),
        starvation=sum(r.starvation for r in rows),
        warm_starvation=sum(r.warm_starvation for r in rows),
        requests_per_s=float(np.mean([r.requests_per_s for r in rows])),
    )


def ratios(ours: StreamMetrics, ref: StreamMetrics) -> dict:
    r = {
        "track": ours.tracking_rms / ref.tracking_rms,
        "jump": ours.max_boundary_jump / ref.max_boundary_jump,
        "old jump": ours.max_unexplained_move / ref.max_unexplained_move,
        "jerk": ours.rms_jerk / ref.rms_jerk,
        "req": ours.requests_per_s / ref.requests_per_s,
        "warm": ours.warm_starvation,
    }
    missed = [
        text
        for text, bad in (
            ("tracking", r["track"] > 0.8),
            ("jump", r["jump"] > 0.2),
            ("starved", r["warm"] > 0.0),
            ("requests", r["req"] > 1.2),
        )
        if bad
    ]
    return r | {"missed": missed}


def run_table(title: str, groups: dict[str, list], candidates: bool) -> dict:
    """Prints per group and delay the metrics of every method; returns {(group, delay): {name: metrics}}."""
    print(f"\n######## {title}")
    results = {}
    for group, streams in groups.items():
        s = streams[0]
        print(
            f"\n== {group}: {len(streams)} stream(s), dt {s.dt * 1e3:.0f} ms, horizon {s.horizon} "
            f"(chunk {s.horizon * s.dt:.2f} s), {sum(x.duration for x in streams):.0f} s in all"
        )
        print(
            f"{'delay':>6} {'method':<40} {'track rms':>9} {'max jump':>9} {'old jump':>9} {'rms jerk':>9} "
            f"{'max jerk':>9} {'warm starve':>11} {'req/s':>6}"
        )
        for delay in DELAYS_MS:
            per_method = defaultdict(list)
            for stream in streams:
                for name, make in methods(stream, candidates).items():
                    per_method[name].append(run_one(stream, delay, make))
            results[group, delay] = {n: combine(rows) for n, rows in per_method.items()}
            for name, m in results[group, delay].items():
                print(
                    f"{delay:>4}ms {name:<40} {m.tracking_rms:>9.4f} {m.max_boundary_jump:>9.4f} "
                    f"{m.max_unexplained_move:>9.4f} "
                    f"{m.rms_jerk:>9.3g} {m.max_jerk:>9.3g} {m.warm_starvation:>11.2f} {m.requests_per_s:>6.2f}"
                )
    return results


def fewest_requests_per_s(span_s: float, delay_ms: int) -> float:
    """Requests/s below which some warm starvation is certain. A chunk requested at r is executable
    from its landing r + latency to r + span, so to cover time without gaps these windows, of
    span - latency each, must tile it: on average one request per (span - mean latency). An executor
    that cannot tell which call will be slow needs more (one per span - largest latency)."""
    latency = latency_model(delay_ms / 1e3)
    mean = float(np.mean([latency(k) for k in range(1, 1001)]))  # request 0 is the cold one
    return 1.0 / (span_s - mean) if span_s > mean else np.inf


def print_ratios(title: str, results: dict, spans: dict[str, float] | None = None) -> bool:
    """Ratios of the default to the reference; with `spans` (group -> chunk span s) judged against
    the targets, naming where the requests target cannot be met without starving."""
    print(f"\n== {title}: default ({describe_default()}) / {REFERENCE}, same run")
    print(
        f"{'group':<28} {'delay':>6} {'track':>6} {'jump':>6} {'(old)':>6} {'jerk':>6} {'req/s':>6} "
        f"{'warm':>5}  " + ("targets" if spans else "")
    )
    ok, notes = True, []
    for (group, delay), rows in results.items():
        r = ratios(rows[DEFAULT], rows[REFERENCE])
        ok &= not r["missed"]
        verdict = ("MISSED: " + ", ".join(r["missed"]) if r["missed"] else "met") if spans else ""
        print(
            f"{group:<28} {delay:>4}ms {r['track']:>6.2f} {r['jump']:>6.3f} {r['old jump']:>6.3f} "
            f"{r['jerk']:>6.2f} {r['req']:>6.2f} {r['warm']:>5.2f}  {verdict}"
        )
        if spans:
            needed = fewest_requests_per_s(spans[group], delay)
            allowed = 1.2 * rows[REFERENCE].requests_per_s
            if needed > allowed:
                notes.append(
                    f"{group} {delay}ms: targets 'requests' and 'warm starvation' exclude each other: "
                    f"no starvation needs >= {needed:.2f} requests/s (chunk span {spans[group]:.2f} s "
                    f"- mean latency), 1.2x LeRobot allows {allowed:.2f} (LeRobot starves "
                    f"{rows[REFERENCE].warm_starvation:.2f} s there)"
                )
    for note in notes:
        print(f"INFEASIBLE: {note}")
    return ok


def print_candidates(results: dict) -> None:
    """How each candidate configuration fares on the recorded targets (the default is chosen here)."""
    names = [n for n in next(iter(results.values())) if "/" in n]
    print(
        f"\n== candidates on the recorded streams ({TARGETS}); worst case over groups and delays"
    )
    print(
        f"{'candidate':<40} {'met':>7} {'track':>6} {'jump':>6} {'(old)':>6} {'req/s':>6} {'warm s':>7} "
        f"{'mean track':>10}"
    )
    for name in names:
        rs = [ratios(rows[name], rows[REFERENCE]) for rows in results.values()]
        print(
            f"{name:<40} {sum(not r['missed'] for r in rs):>3}/{len(rs):<3} "
            f"{max(r['track'] for r in rs):>6.2f} {max(r['jump'] for r in rs):>6.3f} "
            f"{max(r['old jump'] for r in rs):>6.3f} "
            f"{max(r['req'] for r in rs):>6.2f} {sum(r['warm'] for r in rs):>7.2f} "
            f"{np.mean([r['track'] for r in rs]):>10.2f}"
        )


def describe_default() -> str:
    c = ExecutorConfig()
    return f"{c.strategy}, refresh_fraction {c.refresh_fraction}, catch_up_s {c.catch_up_s}"


def recorded_groups(pattern: str, phases: int = 1) -> dict[str, list]:
    """Chunking -> its episodes, each replayed from `phases` start offsets k * PHASE_STEP_S."""
    groups = defaultdict(list)
    for stream in load_streams(DATA_DIR, pattern):
        chunking = stream.name.split("_seed")[1].split("_", 1)[1]
        groups[chunking] += [stream.shifted(k * PHASE_STEP_S) for k in range(phases)]
    return dict(groups)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--duration", type=float, default=12.0, help="simulated s per synthetic run"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke test: one recorded episode per chunking, 4 s synthetic runs, no candidates",
    )
    parser.add_argument(
        "--streams", default="*.npz", help="glob of the recorded streams (default: all)"
    )
    parser.add_argument(
        "--no-candidates", action="store_true", help="skip the strategy x request-policy sweep"
    )
    parser.add_argument(
        "--phases",
        type=int,
        default=4,
        help=f"replay each recorded episode from this many start offsets, {PHASE_STEP_S} s apart, "
        "judged together (--quick: 1)",
    )
    args = parser.parse_args()
    started = time.perf_counter()
    print(f"machine load (1/5/15 min): {os.getloadavg()}, {os.cpu_count()} cpus")
    print(f"baselines:\n{RE_IMPLEMENTED}")
    if args.phases < 1:
        parser.error(f"--phases must be >= 1, got {args.phases}")
    groups = recorded_groups(
        "*pick_place_seed0*.npz" if args.quick else args.streams, 1 if args.quick else args.phases
    )
    if not groups:
        print(f"no recorded streams under {DATA_DIR}: run bench/chunking/record_streams.py")
        return 1
    recorded = run_table(
        "recorded sim streams (primary)", groups, candidates=not (args.quick or args.no_candidates)
    )
    duration = 4.0 if args.quick else args.duration
    synthetic_groups = {
        p.name: [type(p)(**{**p.__dict__, "duration": duration})] for p in PROFILES
    }
    synthetic = run_table("synthetic streams (second)", synthetic_groups, candidates=False)
    if not (args.quick or args.no_candidates):
        print_candidates(recorded)
    print_ratios("synthetic streams (not judged)", synthetic)
    spans = {group: (s[0].horizon - 1) * s[0].dt for group, s in groups.items()}
    ok = print_ratios("recorded streams", recorded, spans)
    print(
        f"\nbenchmark wall time {time.perf_counter() - started:.1f} s; targets ({TARGETS}) "
        f"{'all met' if ok else 'NOT all met'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
