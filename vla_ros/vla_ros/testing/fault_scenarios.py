"""Faults injected into the running graph, one function each, and what the graph did about them.

Every scenario runs a task while the fault hits, then a fresh task after it, and reports: node
processes that exited unasked, limits violated in what reached the robot (judged independently),
the projector's holds by reason (and any hold without a reason), whether the fault was detected as
it should be (a named hold, an aborted task naming the cause, an alarm, a rejection), and whether the
graph recovered (the task after the fault succeeded).
"""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass, field

from rosgraph_msgs.msg import Clock
from std_msgs.msg import Bool, String

from vla_ros.nodes.managed import s_to_stamp
from vla_ros.nodes.qos import LATCHED
from vla_ros.testing.fault_harness import FaultHarness

# Nodes whose loss the safety projector holds for (graph.yaml: its `watches`).
PROJECTOR_UPSTREAM = ("camera_ingest", "vla_policy", "chunk_executor")
DETECT_TIMEOUT_S = 10.0
RECOVERY_SEED = 100


@dataclass
class FaultOutcome:
    fault: str
    detected: bool
    recovered: bool
    node_exits: list[str] = field(default_factory=list)  # unasked exits: "node (code)"
    violations: int = 0
    holds: Counter = field(default_factory=Counter)
    unnamed_holds: int = 0
    during: str = ""  # what the task under the fault ended with
    detail: str = ""

    @property
    def passed(self) -> bool:
        return (
            self.detected
            and self.recovered
            and not self.node_exits
            and not self.violations
            and not self.unnamed_holds
        )


class _Watch:
    """What changed in the graph between its creation and finish()."""

    def __init__(self, harness: FaultHarness) -> None:
        self.h = harness
        self.holds, self.unnamed, self.violations, self.error_count = harness.observer.snapshot()
        self.exits = len(harness.supervisor.exits)

    def errors(self) -> list[tuple[str, str]]:
        return self.h.observer.errors_since(self.error_count)

    def finish(
        self, fault: str, detected: bool, during: str, detail: str = "", killed: str = ""
    ) -> FaultOutcome:
        recovery = self.h.run_task(seed=RECOVERY_SEED)
        holds, unnamed, violations, _ = self.h.observer.snapshot()
        exits = [f"{name} ({code})" for name, code, _ in self.h.exits_since(self.exits)]
        if killed and f"{killed} (-9)" in exits:
            exits.remove(f"{killed} (-9)")
        notes = [detail] if detail else []
        notes += [] if recovery.success else [f"recovery task: {recovery.message}"]
        notes += (
            [f"first violation: {self.h.observer.judge.report.first_violation}"]
            if violations > self.violations
            else []
        )
        return FaultOutcome(
            fault,
            detected,
            recovery.success,
            exits,
            violations - self.violations,
            self.h.observer.holds_since(self.holds),
            unnamed - self.unnamed,
            during,
            "; ".join(notes),
        )


def kill_node(h: FaultHarness, node: str, seed: int = 11) -> FaultOutcome:
    """SIGKILL one node mid-task: a named hold (or, for the projector itself, the bridge's alarm), the
    task aborted naming it, the node respawned, the next task done."""
    watch = _Watch(h)
    task = h.start_task(seed)
    time.sleep(2.0)  # the arm under way; a task takes 8-9 s of sim time
    h.kill(node)
    if node in PROJECTOR_UPSTREAM:
        signalled = h.wait_for(
            lambda: any(node in reason for reason in h.observer.holds_since(watch.holds)),
            DETECT_TIMEOUT_S,
        )
    else:
        signalled = h.wait_for(
            lambda: any(node in text and "ALARM" in text for _, text in watch.errors()),
            DETECT_TIMEOUT_S,
        )
    result = task.result()
    aborted = not result.success and node in result.message
    back = h.wait_for(lambda: h.observer.alive(node), 60.0)
    detail = "" if back else f"{node} not back after 60 s"
    return watch.finish(
        f"kill -9 {node} mid-task",
        signalled and aborted and back,
        result.message,
        detail,
        killed=node,
    )


def flood(h: FaultHarness, seconds: float, seed: int = 12) -> FaultOutcome:
    """Malformed images, joint states, chunks and commands for `seconds` during tasks: every kind
    rejected and reported by the node that reads it, nothing else changes."""
    watch = _Watch(h)
    h.traffic.start()
    started, results = time.monotonic(), []
    while time.monotonic() - started < seconds:
        task = h.start_task(seed + len(results))
        while not task.done() and time.monotonic() - started < seconds:
            time.sleep(0.2)
        if task.done():
            results.append(task.result())
    h.traffic.stop()
    if not task.done():
        results.append(task.result())
    reporters = {node for node, text in watch.errors() if "rejected" in text}
    expected = {"camera_ingest", "chunk_executor", "safety_projector"}
    sent = ", ".join(f"{n} {k}" for k, n in sorted(h.traffic.sent.items()))
    return watch.finish(
        f"{seconds:g} s flood of malformed inputs",
        expected <= reporters,
        f"{sum(r.success for r in results)}/{len(results)} tasks done during the flood",
        f"sent {sent}; rejections reported by {sorted(reporters)}"
        + "".join(f"; seed {r.seed} failed: {r.message}" for r in results if not r.success),
    )


def bad_robot_descriptions(h: FaultHarness, seed: int = 13) -> FaultOutcome:
    """Malformed and implausible /robot_description texts mid-task: each refused by the projector,
    which goes on with its model; the task is done."""
    watch = _Watch(h)
    task = h.start_task(seed)
    publisher = _matched_publisher(h, String, "/robot_description", LATCHED)
    descriptions = _bad_descriptions(h.robot.urdf_xml(), h.robot.arms[0].ee_frame)
    for text in descriptions.values():
        publisher.publish(String(data=text))
        time.sleep(1.0)
    result = task.result()
    h.observer.destroy_publisher(
        publisher
    )  # its latched text must not greet a respawned projector
    refused = [
        text
        for node, text in watch.errors()
        if node == "safety_projector" and "robot_description" in text
    ]
    return watch.finish(
        f"{len(descriptions)} bad robot_descriptions mid-task",
        len(refused) >= len(descriptions) and result.success,
        result.message,
        f"refused: {len(refused)} of {list(descriptions)}",
    )


def clock_jump(h: FaultHarness, back_s: float = 5.0, seed: int = 14) -> FaultOutcome:
    """ROS time jumps back mid-task (a /clock from a restarted simulator or a looping bag), then
    forward again with the sim's next /clock: the task still gets done."""
    watch = _Watch(h)
    task = h.start_task(seed)
    time.sleep(3.0)
    clock = _matched_publisher(h, Clock, "/clock", 10)
    now = h.observer.get_clock().now().nanoseconds * 1e-9
    clock.publish(Clock(clock=s_to_stamp(max(now - back_s, 0.0))))
    result = task.result()
    h.observer.destroy_publisher(clock)
    return watch.finish(f"/clock {back_s:g} s back mid-task", result.success, result.message)


def estop(h: FaultHarness, seconds: float = 2.0, seed: int = 15) -> FaultOutcome:
    """E-stop engaged mid-task for `seconds`, then released: held with reason estop, task done."""
    watch = _Watch(h)
    task = h.start_task(seed)
    time.sleep(3.0)
    publisher = _matched_publisher(h, Bool, "/vla/estop", 10)
    publisher.publish(Bool(data=True))
    time.sleep(seconds)
    publisher.publish(Bool(data=False))
    result = task.result()
    h.observer.destroy_publisher(publisher)
    held = h.observer.holds_since(watch.holds).get("estop", 0)
    return watch.finish(
        f"e-stop for {seconds:g} s mid-task",
        held > 0 and result.success,
        result.message,
        f"{held} ticks held for estop",
    )


def _matched_publisher(h: FaultHarness, msg_type, topic: str, qos):
    """A publisher of the observer's, once DDS has matched it with the graph's subscribers (a
    message published before that is lost)."""
    publisher = h.observer.create_publisher(msg_type, topic, qos)
    if not h.wait_for(lambda: publisher.get_subscription_count() > 0, DETECT_TIMEOUT_S):
        raise RuntimeError(f"nothing subscribes to {topic}")
    return publisher


def _bad_descriptions(urdf: str, ee_frame: str) -> dict[str, str]:
    """Broken variants of the robot's own URDF, each of a kind a projector must refuse."""
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><robot name="&b;"/>'
    )
    return {
        "empty": "",
        "truncated XML": urdf[: len(urdf) // 2],
        "entity expansion": laughs,
        "no EE frame": urdf.replace(f'"{ee_frame}"', '"renamed_tcp"'),
        "cylinder without length": re.sub(
            r'(<cylinder[^>]*?)\s+length="[^"]*"', r"\1", urdf, count=1
        ),
        "velocity 1e9": re.sub(r'velocity="[^"]*"', 'velocity="1e9"', urdf, count=1),
    }
