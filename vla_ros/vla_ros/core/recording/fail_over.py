"""`--fail-over KEY=VALUE`: turn a replay report into a CI regression gate.

Every key is an upper bound on a number of the overall evaluation (all episodes together); a value
above it fails the gate. A number that could not be measured (no chunk came, so no latency and no
open-loop error) fails any bound on it: a gate must not pass because the policy said nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from vla_ros.core.recording.replay_metrics import EpisodeEvaluation
from vla_ros.core.types import InvalidInput

METRICS: dict[str, tuple[str, Callable[[EpisodeEvaluation], float | None]]] = {
    "open_loop_mae": ("mean absolute open-loop error [rad]", lambda e: e.open_loop.overall.mae),
    "open_loop_rmse": ("RMS open-loop error [rad]", lambda e: e.open_loop.overall.rmse),
    "holds_s": (
        "seconds the safety projector held, all reasons",
        lambda e: sum(e.holds_s.values()),
    ),
    "interventions": (
        "control ticks on which a safety constraint changed the command",
        lambda e: sum(e.interventions.values()),
    ),
    "latency_p50_ms": ("median chunk latency [ms]", lambda e: e.latency_ms(50)),
    "latency_p95_ms": ("95th percentile chunk latency [ms]", lambda e: e.latency_ms(95)),
    "latency_max_ms": ("largest chunk latency [ms]", lambda e: e.latency_ms(100)),
    "starvation_s": ("seconds the executor had nothing to execute", lambda e: e.starvation_s),
    "unanswered": (
        "step mode: observations that got no chunk (timeout or policy error)",
        lambda e: e.unanswered,
    ),
}


@dataclass(frozen=True)
class Threshold:
    key: str
    limit: float


@dataclass(frozen=True)
class Violation:
    key: str
    limit: float
    value: float | None

    def __str__(self) -> str:
        measured = "not measured" if self.value is None else f"{self.value:.6g}"
        return f"{self.key}: {measured} > {self.limit:g} ({METRICS[self.key][0]})"


def valid_keys() -> str:
    return "; ".join(f"{key} ({meaning})" for key, (meaning, _) in METRICS.items())


def parse_threshold(text: str) -> Threshold:
    """'KEY=VALUE' -> Threshold; InvalidInput naming the key or value and what is valid."""
    key, sep, value = (part.strip() for part in text.partition("="))
    if not sep or key not in METRICS:
        raise InvalidInput(
            f"--fail-over '{text}': expected KEY=VALUE with KEY one of: {valid_keys()}"
        )
    try:
        limit = float(value)
    except ValueError:
        raise InvalidInput(f"--fail-over {key}: '{value}' is not a number") from None
    if not limit >= 0.0:
        raise InvalidInput(f"--fail-over {key}: limit must be a number >= 0, got {value}")
    return Threshold(key, limit)


def judge(evaluation: EpisodeEvaluation, thresholds: list[Threshold]) -> list[Violation]:
    """The thresholds `evaluation` exceeds (empty: the gate passes)."""
    violations = []
    for threshold in thresholds:
        value = METRICS[threshold.key][1](evaluation)
        if value is None or value > threshold.limit:
            violations.append(Violation(threshold.key, threshold.limit, value))
    return violations
