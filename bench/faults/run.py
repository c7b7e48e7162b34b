"""Fault suite benchmark: every fault of the hardening issue injected into the running graph.

The whole graph runs one process per node (respawning), as `vla-ros run --processes each` does,
with real DDS and the embedded MuJoCo sim; each fault hits a task, a fresh task follows it
(vla_ros/testing/fault_scenarios.py). The baseline row is a task with no fault, in the same run.
Columns: unasked node exits, limits violated in what reached the robot (an independent judge of
/vla/safe_joint_command), holds by reason (and holds without one), fault detected as it should be,
recovered (the next task done). Then every node is stopped with SIGINT: exit codes and seconds to
exit (target: 0 and <= 2 s). Exits non-zero when any row fails.

Run: source scripts/env.sh && python bench/faults/run.py [--robot panda] [--flood-s 60]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from vla_ros.testing import fault_scenarios as scenarios
from vla_ros.testing.fault_harness import FaultHarness
from vla_ros.testing.fault_scenarios import FaultOutcome

KILLED = ("camera_ingest", "vla_policy", "chunk_executor", "safety_projector")
STOP_TARGET_S = 2.0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--robot", default="panda")
    parser.add_argument("--flood-s", type=float, default=60.0, help="seconds of malformed traffic")
    parser.add_argument(
        "--logs", type=Path, default=None, help="node logs (default: a temporary directory)"
    )
    args = parser.parse_args()
    os.environ.setdefault("ROS_AUTOMATIC_DISCOVERY_RANGE", "LOCALHOST")
    logs = args.logs or Path(tempfile.mkdtemp(prefix="vla_ros_faults_"))
    started = time.monotonic()
    rows: list[FaultOutcome] = []
    with FaultHarness(args.robot, logs) as harness:
        baseline = harness.run_task(seed=1)
        rows.append(
            FaultOutcome("none (baseline task)", True, baseline.success, during=baseline.message)
        )
        steps = [
            *(lambda node=node: scenarios.kill_node(harness, node) for node in KILLED),
            lambda: scenarios.flood(harness, args.flood_s),
            lambda: scenarios.bad_robot_descriptions(harness),
            lambda: scenarios.clock_jump(harness),
            lambda: scenarios.estop(harness),
        ]
        for step in steps:
            rows.append(step())
            print(_line(rows[-1]), flush=True)
        judged = harness.observer.judge.report
    stopped = harness.supervisor.stopped
    print(f"\nrobot {args.robot}, {time.monotonic() - started:.0f} s, node logs in {logs}")
    print(
        f"judged {judged.commands} safe commands: {judged.violation_count} violations, "
        f"{judged.jerk_exceedances} ticks with jerk above its limit (counted by the projector too), "
        f"{judged.reanchors} re-anchorings, {judged.interruptions} interruptions, "
        f"{judged.skipped_ticks} lost messages\n"
    )
    print(
        "| fault | exits | violations | holds (ticks by reason) | unnamed | detected | recovered "
        "| task under the fault |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for row in rows:
        holds = ", ".join(f"{reason} {ticks}" for reason, ticks in row.holds.most_common()) or "-"
        print(
            f"| {row.fault} | {len(row.node_exits)} | {row.violations} | {holds} | {row.unnamed_holds} | "
            f"{'yes' if row.detected else 'NO'} | {'yes' if row.recovered else 'NO'} | {row.during[:90]} |"
        )
    slowest = max(seconds for _, seconds in stopped.values())
    codes = sorted({code for code, _ in stopped.values()})
    print(
        f"\nSIGINT to every node: exit codes {codes}, slowest exit {slowest:.2f} s (target <= {STOP_TARGET_S:g} s): "
        + ", ".join(
            f"{name} {seconds:.2f} s"
            for name, (_, seconds) in sorted(stopped.items(), key=lambda i: i[1][1])
        )
    )
    failed = [row.fault for row in rows if not row.passed] + (
        ["shutdown"] if codes != [0] or slowest > STOP_TARGET_S else []
    )
    print("all faults handled" if not failed else f"FAILED: {failed}")
    for row in rows:
        if row.detail:
            print(f"  {row.fault}: {row.detail}")
    return 1 if failed else 0


def _line(row: FaultOutcome) -> str:
    return f"[{'ok' if row.passed else 'FAIL'}] {row.fault}: {row.during[:100]}"


if __name__ == "__main__":
    sys.exit(main())
