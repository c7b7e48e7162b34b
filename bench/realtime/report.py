"""bench/realtime's verdict and lines: the issue's targets, one block per configuration, the table."""

from __future__ import annotations

from dataclasses import dataclass, field

# Issue #12, on 2 cores with the sim off: control period p99 and max gap at 100 Hz, and the share of
# a 10 Hz policy's ticks that find a fresh camera set.
TARGET_P99_MS = 15.0
TARGET_MAX_MS = 30.0
TARGET_FRESH_PCT = 90.0


@dataclass
class Configuration:
    layout: str
    profile: str
    robot: dict = field(default_factory=dict)  # fake_robot.py's JSON
    probe: dict = field(default_factory=dict)
    baseline: dict = field(default_factory=dict)  # baseline.py cameras' JSON
    sets_published_per_s: float = 0.0
    cpu_pct: dict[str, float] = field(default_factory=dict)
    load: tuple[float, float] = (0.0, 0.0)  # 1-min load average at the window's start and end

    def missed(self) -> list[str]:
        command, probe = self.robot.get("safe_command", {}), self.probe
        missed = []
        if not command.get("p99_ms", float("nan")) <= TARGET_P99_MS:
            missed.append(f"safe-command p99 {_ms(command.get('p99_ms'))} ms > {TARGET_P99_MS:g}")
        if not command.get("max_ms", float("nan")) <= TARGET_MAX_MS:
            missed.append(f"max gap {_ms(command.get('max_ms'))} ms > {TARGET_MAX_MS:g}")
        if not probe.get("fresh_slots_pct", 0.0) >= TARGET_FRESH_PCT:
            missed.append(
                f"fresh camera sets in {probe.get('fresh_slots_pct', 0.0):.0f} % of 10 Hz "
                f"ticks < {TARGET_FRESH_PCT:g} %"
            )
        return missed

    def lines(self, duration_s: float) -> list[str]:
        command, timer = self.robot.get("safe_command", {}), self.robot.get("baseline_timer", {})
        tick, probe, base = self.probe.get("tick"), self.probe, self.baseline
        frames = base.get("frames_per_s", {})
        return [
            f"== processes {self.layout}, dds {self.profile} "
            f"(load {self.load[0]:.1f} -> {self.load[1]:.1f})",
            f"  safe commands at the robot: {_period(command, duration_s)} (its joint states "
            f"{self.robot.get('joint_states_per_s', 0.0):.0f}/s)",
            f"  baseline 100 Hz rclpy timer: {_period(timer, duration_s)}",
            "  projector tick (its diagnostics): "
            + (
                f"p50 {tick['p50_ms']:.1f} / p99 {tick['p99_ms']:.1f} / max {tick['max_ms']:.1f} ms,"
                f" overruns {tick['overruns']}"
                if tick
                else "no tick_* keys on /diagnostics (projector without tick diagnostics)"
            ),
            f"  observations {probe.get('observations_per_s', 0.0):.1f}/s, fresh in "
            f"{probe.get('fresh_slots_pct', 0.0):.0f} % of 10 Hz ticks, image -> observation "
            f"p50 {_ms(probe.get('latency_p50_ms'))} / p99 {_ms(probe.get('latency_p99_ms'))} ms",
            f"  camera sets published {self.sets_published_per_s:.1f}/s; baseline subscriber got "
            + ", ".join(f"{c} {hz:.1f}" for c, hz in sorted(frames.items()))
            + f" frames/s, {base.get('sets_per_s', 0.0):.1f} complete sets/s",
            "  CPU (% of one core): "
            + ", ".join(f"{name} {pct:.0f}" for name, pct in self.cpu_pct.items()),
            "  targets: "
            + ("met" if not self.missed() else "MISSED: " + "; ".join(self.missed())),
        ]

    def row(self) -> str:
        """One line of the README table."""
        command, base = self.robot.get("safe_command", {}), self.baseline
        return (
            f"| {self.layout} | {self.profile} | {_ms(command.get('p50_ms'))} / "
            f"{_ms(command.get('p99_ms'))} / {_ms(command.get('max_ms'))} | "
            f"{command.get('gaps', '-')} | {self.probe.get('observations_per_s', 0.0):.1f} | "
            f"{self.probe.get('fresh_slots_pct', 0.0):.0f} % | "
            f"{_ms(self.probe.get('latency_p50_ms'))} | {self.sets_published_per_s:.1f} | "
            f"{base.get('sets_per_s', 0.0):.1f} | {self.load[0]:.1f}-{self.load[1]:.1f} |"
        )


TABLE_HEADER = (
    "| processes | dds | safe-command period p50 / p99 / max [ms] | gaps > 20 ms | "
    "observations/s | fresh at 10 Hz | image -> observation p50 [ms] | camera sets published/s | "
    "baseline sets/s | load |\n"
    "|---|---|---|---|---|---|---|---|---|---|"
)


def _period(stats: dict, duration_s: float) -> str:
    if not stats.get("count"):
        return "none arrived"
    return (
        f"{stats['count'] / duration_s:.1f}/s, period p50 {_ms(stats['p50_ms'])} / p99 "
        f"{_ms(stats['p99_ms'])} / max {_ms(stats['max_ms'])} ms, gaps > 2x period "
        f"{stats['gaps']} ({60.0 * stats['gaps'] / duration_s:.0f}/min)"
    )


def _ms(value: float | None) -> str:
    return "-" if value is None or value != value else f"{value:.1f}"
