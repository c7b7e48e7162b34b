"""The replay report: summary.json, summary.md and PNG plots, written all at once or not at all.

Everything is written into a fresh directory beside `out` and moved into place at the end, so a
failure (or Ctrl-C) while writing leaves the previous report, if any, as it was.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vla_ros.core.recording.episodes import EpisodeMetadata
from vla_ros.core.recording.fail_over import METRICS, Threshold, Violation
from vla_ros.core.recording.open_loop import ErrorStats
from vla_ros.core.recording.replay_metrics import EpisodeEvaluation
from vla_ros.core.types import InvalidInput
from vla_ros.recording.replay.plots import plot_episode


@dataclass(frozen=True)
class EpisodeReport:
    bag: Path
    index: int  # episode within the bag
    metadata: EpisodeMetadata
    begin_s: float
    end_s: float
    evaluation: EpisodeEvaluation


@dataclass(frozen=True)
class ReplayReport:
    robot: str
    backend: str
    mode: str
    episodes: list[EpisodeReport]
    thresholds: list[Threshold] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    problems: dict[str, str] = field(default_factory=dict)  # reporter -> "count x last message"

    @property
    def overall(self) -> EpisodeEvaluation:
        evaluations = [e.evaluation for e in self.episodes]
        return sum(evaluations[1:], evaluations[0])


def _stats(stats: ErrorStats) -> dict[str, Any]:
    return {"mae": stats.mae, "rmse": stats.rmse, "samples": stats.samples}


def evaluation_json(evaluation: EpisodeEvaluation) -> dict[str, Any]:
    loop = evaluation.open_loop
    return {
        "duration_s": evaluation.duration_s,
        "chunks": evaluation.chunks,
        "chunks_per_s": evaluation.chunks_per_s,
        "open_loop": {
            **_stats(loop.overall),
            "compared_chunks": loop.compared_chunks,
            "skipped_chunks": loop.skipped_chunks,
            "by_dimension": {name: _stats(s) for name, s in loop.by_dimension.items()},
            "by_step": [_stats(s) for s in loop.by_step],
        },
        "interventions": evaluation.interventions,
        "holds_s": evaluation.holds_s,
        "latency_ms": {
            "p50": evaluation.latency_ms(50),
            "p95": evaluation.latency_ms(95),
            "max": evaluation.latency_ms(100),
        },
        "starvation_s": evaluation.starvation_s,
        "unanswered": evaluation.unanswered,
        "gate_values": {key: value(evaluation) for key, (_, value) in METRICS.items()},
    }


def summary_json(report: ReplayReport) -> dict[str, Any]:
    return {
        "robot": report.robot,
        "backend": report.backend,
        "mode": report.mode,
        "overall": evaluation_json(report.overall),
        "episodes": [
            {
                "bag": str(e.bag),
                "index": e.index,
                "instruction": e.metadata.instruction,
                "seed": e.metadata.seed,
                "recorded_success": e.metadata.success,
                "begin_s": e.begin_s,
                "end_s": e.end_s,
                **evaluation_json(e.evaluation),
            }
            for e in report.episodes
        ],
        "fail_over": {
            "thresholds": {t.key: t.limit for t in report.thresholds},
            "violations": [str(v) for v in report.violations],
            "passed": not report.violations,
        },
        "problems": report.problems,
    }


def _number(value: float | None, digits: int = 4) -> str:
    return "n/a" if value is None else f"{value:.{digits}g}"


def _table(evaluation: EpisodeEvaluation) -> list[str]:
    loop = evaluation.open_loop
    holds = ", ".join(f"{r} {s:.2f} s" for r, s in sorted(evaluation.holds_s.items())) or "none"
    interventions = (
        ", ".join(f"{c} {n}" for c, n in sorted(evaluation.interventions.items())) or "none"
    )
    rows = [
        ("chunks", f"{evaluation.chunks} ({evaluation.chunks_per_s:.2f}/s of bag time)"),
        ("open-loop MAE / RMSE", f"{_number(loop.overall.mae)} / {_number(loop.overall.rmse)}"),
        ("chunks compared / skipped", f"{loop.compared_chunks} / {loop.skipped_chunks}"),
        (
            "latency p50 / p95 / max [ms]",
            " / ".join(_number(evaluation.latency_ms(p), 3) for p in (50, 95, 100)),
        ),
        ("safety interventions (ticks)", interventions),
        ("holds", holds),
        ("starvation", f"{evaluation.starvation_s:.2f} s"),
        ("unanswered observations (step mode)", str(evaluation.unanswered)),
    ]
    return ["| metric | value |", "|---|---|", *(f"| {k} | {v} |" for k, v in rows)]


def summary_markdown(report: ReplayReport, plots: dict[int, list[Path]]) -> str:
    lines = [
        f"# Replay report: {report.robot}, backend {report.backend}, mode {report.mode}",
        "",
        f"{len(report.episodes)} episode(s) from "
        f"{len({e.bag for e in report.episodes})} bag(s). Open-loop error compares each chunk "
        "action with the recorded safe command at the time it is meant for (rad, m for fingers).",
        "",
        "## Overall",
        "",
        *_table(report.overall),
        "",
    ]
    if report.thresholds:
        verdict = "FAILED" if report.violations else "passed"
        lines += [f"Gate ({', '.join(f'{t.key}<={t.limit:g}' for t in report.thresholds)}): "]
        lines[-1] += verdict + "".join(f"\n- {v}" for v in report.violations)
        lines.append("")
    if report.problems:
        lines += ["Warnings and errors the nodes reported:", ""]
        lines += [f"- {name}: {text}" for name, text in sorted(report.problems.items())] + [""]
    for number, episode in enumerate(report.episodes):
        meta = episode.metadata
        lines += [
            f"## Episode {number + 1}: {episode.bag.name} #{episode.index} '{meta.instruction}'",
            "",
            f"seed {meta.seed}, recorded success {meta.success}, bag time "
            f"{episode.begin_s:.2f}-{episode.end_s:.2f} s",
            "",
            *_table(episode.evaluation),
            "",
            *(f"![{p.stem}]({p.name})" for p in plots.get(number, [])),
            "",
        ]
    return "\n".join(lines)


def check_out(out: Path) -> None:
    """`out` may be new, empty or a previous replay report (which the new one replaces)."""
    if out.exists() and (
        not out.is_dir() or (any(out.iterdir()) and not (out / "summary.json").is_file())
    ):
        raise InvalidInput(
            f"--out {out}: exists and is not a replay report (no summary.json); it would be "
            "replaced: choose a new or empty directory"
        )


def write_report(report: ReplayReport, out: Path) -> list[Path]:
    """Write the report into `out` (replacing a previous report there); returns the files."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        plots = {
            number: plot_episode(
                episode.evaluation, staging / f"episode_{number + 1:03d}", f"episode {number + 1}"
            )
            for number, episode in enumerate(report.episodes)
        }
        (staging / "summary.json").write_text(json.dumps(summary_json(report), indent=2))
        (staging / "summary.md").write_text(summary_markdown(report, plots))
        previous = out.with_name(f".{out.name}.previous")
        if out.exists():
            out.rename(previous)
        staging.rename(out)
        shutil.rmtree(previous, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return sorted(out.iterdir())
