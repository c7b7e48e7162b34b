"""One RunTask goal: running until the task judge reports success for its instruction, or timeout,
or until the graph can no longer run it (aborted).

The judge is whatever publishes TaskStatus (the sim's success check, or an external evaluator on a
real robot); a status for another instruction (a previous task) never counts. A task is aborted,
with the reason, when a node it needs is lost (core/liveness.py) or when observations or action
chunks stop flowing for `stall_timeout_s` (steady clock: a stalled simulation stops ROS time, and
with it any timeout measured in ROS time).
"""

from __future__ import annotations

from dataclasses import dataclass

from vla_ros.core.liveness import lost_phrase
from vla_ros.core.tasks.spec import normalize_instruction


@dataclass(frozen=True)
class Outcome:
    success: bool
    message: str
    # The graph could not run the task (RunTask aborts) rather than the task failing.
    aborted: bool = False


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

    @staticmethod
    def interruption(
        lost: dict[str, float],
        running_s: float,
        silent_s: dict[str, float],
        stall_timeout_s: float,
        reports: dict[str, str] | None = None,
    ) -> Outcome | None:
        """An aborted outcome when the graph cannot go on, else None.

        `lost`: node -> seconds without its heartbeat, for the nodes lost now; a node already silent
        when the goal began (a respawn under way) gets `stall_timeout_s` to come back. `silent_s`: per
        input (action chunk, ...), seconds since it last arrived or the goal began; `reports`: each
        node's last warning or error, quoted so a stall names its likely cause.
        """
        pressing = {
            node: s for node, s in lost.items() if s < running_s or running_s > stall_timeout_s
        }
        if pressing:
            names = "; ".join(lost_phrase(node, s) for node, s in pressing.items())
            return Outcome(False, f"aborted: {names}", aborted=True)
        for what, silent in silent_s.items():
            if silent > stall_timeout_s:
                causes = "; ".join(f"{node}: {text}" for node, text in (reports or {}).items())
                message = (
                    f"aborted: no {what} for {silent:.1f} s (stall_timeout_s {stall_timeout_s:g})"
                )
                return Outcome(
                    False, message + (f"; last reports: {causes}" if causes else ""), aborted=True
                )
        return None
