"""One RunTask goal: running until the task judge reports success for its instruction, or timeout.

The judge is whatever publishes TaskStatus (the sim's success check, or an external evaluator on a
real robot); a status for another instruction (a previous task) never counts.
"""

from __future__ import annotations

from dataclasses import dataclass

from vla_ros.core.task_spec import normalize_instruction


@dataclass(frozen=True)
class Outcome:
    success: bool
    message: str


@dataclass(frozen=True)
class TaskEpisode:
    instruction: str
    timeout_s: float
    started: float

    def concerns(self, judged_instruction: str) -> bool:
        return normalize_instruction(judged_instruction) == normalize_instruction(self.instruction)

    def progress(self, judged_instruction: str, progress: float) -> float:
        return progress if self.concerns(judged_instruction) else 0.0

    def outcome(self, now: float, judged_instruction: str | None, success: bool) -> Outcome | None:
        """None while the episode runs; timeout <= 0 means no timeout."""
        if judged_instruction is not None and success and self.concerns(judged_instruction):
            return Outcome(True, "task judge reported success")
        if self.timeout_s > 0 and now - self.started >= self.timeout_s:
            return Outcome(False, f"timeout after {self.timeout_s:g} s without success")
        return None
