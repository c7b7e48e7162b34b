"""What reaches the policy in bench/realtime, seen from outside the graph: /vla/observation (rate,
share of 100 ms slots, a 10 Hz policy's ticks, that got a fresh one, latency from the newest image's
capture stamp to arrival here) and the safety projector's tick diagnostics (tick_* keys on
/diagnostics, the contract of issue #12). Prints them for the window (JSON, last line)."""

from __future__ import annotations

import json
import time

import numpy as np
from diagnostic_msgs.msg import DiagnosticArray
from timing import Window, endpoint, endpoint_parser

from vla_ros.nodes.managed import stamp_to_s
from vla_ros_msgs.msg import Observation

POLICY_PERIOD_S = 0.1
TICK_KEYS = ("tick_period_p50_ms", "tick_period_p99_ms", "tick_period_max_ms", "tick_overruns")


def main() -> None:
    args = endpoint_parser(__doc__).parse_args()
    _, node = endpoint(args, "bench_probe")
    window = Window(args.window_start, args.duration)
    arrivals: list[float] = []  # wall time of each observation's arrival
    latencies_ms: list[float] = []
    ticks: dict[str, list[float]] = {key: [] for key in TICK_KEYS}

    def on_observation(msg: Observation) -> None:
        now = time.time()
        if window.open():
            arrivals.append(now)
            latencies_ms.append(1000.0 * (now - stamp_to_s(msg.header.stamp)))

    def on_diagnostics(msg: DiagnosticArray) -> None:
        if not window.open():
            return
        for status in msg.status:
            if status.name == "vla_ros/safety_projector":
                for pair in status.values:
                    if pair.key in ticks:
                        ticks[pair.key].append(float(pair.value))

    node.create_subscription(Observation, "/vla/observation", on_observation, 2)
    node.create_subscription(DiagnosticArray, "/diagnostics", on_diagnostics, 50)
    window.spin_until_over(node)
    slots = np.floor((np.asarray(arrivals) - args.window_start) / POLICY_PERIOD_S)
    result = {
        "observations_per_s": len(arrivals) / args.duration,
        "fresh_slots_pct": 100.0 * len(set(slots.tolist())) * POLICY_PERIOD_S / args.duration,
        "latency_p50_ms": float(np.percentile(latencies_ms, 50)) if latencies_ms else None,
        "latency_p99_ms": float(np.percentile(latencies_ms, 99)) if latencies_ms else None,
        # Over the diagnostics windows inside ours: typical p50, worst p99 and max, overruns summed.
        "tick": {
            "p50_ms": float(np.median(ticks["tick_period_p50_ms"])),
            "p99_ms": max(ticks["tick_period_p99_ms"]),
            "max_ms": max(ticks["tick_period_max_ms"]),
            "overruns": int(sum(ticks["tick_overruns"])),
        }
        if all(ticks.values())
        else None,
    }
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
