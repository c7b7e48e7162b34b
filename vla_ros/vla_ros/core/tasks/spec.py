"""Table-top task instructions understood by the simulation and its scripted expert.

The sim's success check and the scripted expert read the same TaskSpec, so "what the task is"
is decided in one place. Learned policies see only the instruction text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vla_ros.core.types import InvalidInput

COLOURS = ("red", "green", "blue", "yellow")

_PATTERNS = (
    (
        "pick_place",
        re.compile(r"^(?:put|place|move) the (\w+) (?:cube|block) (?:in|into) the bowl$"),
    ),
    (
        "stack",
        re.compile(
            r"^(?:stack|put|place) the (\w+) (?:cube|block) on(?: top of)? the (\w+) (?:cube|block)$"
        ),
    ),
    (
        "handover",
        re.compile(
            r"^(?:transfer|hand over|pass) the (\w+) (?:cube|block)(?: to the (?:other|right) (?:arm|hand))?$"
        ),
    ),
)


@dataclass(frozen=True)
class TaskSpec:
    """kind: pick_place | stack | handover; `obj` is moved, `target` receives it (bowl or a cube)."""

    kind: str
    obj: str
    target: str
    instruction: str


def normalize_instruction(instruction: str) -> str:
    """Lower-case, single-spaced, without final punctuation: the form instructions are compared in."""
    return " ".join(instruction.lower().strip().rstrip(".!").split())


def parse_instruction(instruction: str) -> TaskSpec:
    text = normalize_instruction(instruction)
    for kind, pattern in _PATTERNS:
        match = pattern.match(text)
        if not match:
            continue
        colours = [c for c in match.groups() if c]
        unknown = [c for c in colours if c not in COLOURS]
        if unknown:
            raise InvalidInput(
                f"instruction '{instruction}': unknown colour(s) {unknown}; known: {list(COLOURS)}"
            )
        obj = f"{colours[0]}_cube"
        target = {
            "pick_place": "bowl",
            "stack": f"{colours[-1]}_cube",
            "handover": "right_gripper",
        }[kind]
        if kind == "stack" and target == obj:
            raise InvalidInput(f"instruction '{instruction}': cannot stack a cube on itself")
        return TaskSpec(kind=kind, obj=obj, target=target, instruction=text)
    raise InvalidInput(
        f"instruction '{instruction}' is not a known sim task; try 'put the red cube in the bowl', "
        "'stack the green cube on the blue cube' or 'transfer the red cube'"
    )


def instruction_for(kind: str, obj: str, target: str = "bowl") -> str:
    """The canonical instruction of a task on cubes named '<colour>_cube' (parse_instruction's inverse)."""
    colour = obj.removesuffix("_cube")
    if kind == "pick_place":
        return f"put the {colour} cube in the bowl"
    if kind == "stack":
        return f"stack the {colour} cube on the {target.removesuffix('_cube')} cube"
    if kind == "handover":
        return f"transfer the {colour} cube"
    raise InvalidInput(f"unknown task kind '{kind}' (pick_place, stack or handover)")


def recoloured(task: TaskSpec, cubes: tuple[str, ...], rng) -> str:
    """The same kind of task on cubes drawn from `cubes` (`rng`: numpy Generator): object and
    stacking target differ, so language, not habit, says which cube moves where."""
    if len(cubes) < 2:
        raise InvalidInput(
            f"recolouring tasks needs at least two cubes, the scene has {list(cubes)}"
        )
    obj, other = (str(c) for c in rng.choice(cubes, size=2, replace=False))
    return instruction_for(task.kind, obj, other if task.kind == "stack" else task.target)
