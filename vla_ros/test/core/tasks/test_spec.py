import numpy as np
import pytest

from vla_ros.core.tasks.spec import (
    instruction_for,
    normalize_instruction,
    parse_instruction,
    recoloured,
)
from vla_ros.core.types import InvalidInput


@pytest.mark.parametrize(
    "text, kind, obj, target",
    [
        ("Put the red cube in the bowl.", "pick_place", "red_cube", "bowl"),
        ("place the yellow block into the bowl", "pick_place", "yellow_cube", "bowl"),
        ("stack the green cube on the blue cube", "stack", "green_cube", "blue_cube"),
        ("put the red block on top of the green block", "stack", "red_cube", "green_cube"),
        ("transfer the red cube", "handover", "red_cube", "right_gripper"),
    ],
)
def test_known_instructions(text, kind, obj, target):
    spec = parse_instruction(text)
    assert (spec.kind, spec.obj, spec.target) == (kind, obj, target)


def test_unknown_instructions_and_colours_say_what_is_known():
    with pytest.raises(InvalidInput, match="not a known sim task; try"):
        parse_instruction("make me a sandwich")
    with pytest.raises(InvalidInput, match=r"unknown colour\(s\) \['purple'\]"):
        parse_instruction("put the purple cube in the bowl")
    with pytest.raises(InvalidInput, match="on itself"):
        parse_instruction("stack the red cube on the red cube")


def test_normalisation():
    assert (
        normalize_instruction("  Put  the RED cube in the bowl! ")
        == "put the red cube in the bowl"
    )


def test_recoloured_tasks_keep_their_kind_and_cover_every_cube():
    cubes = ("red_cube", "green_cube", "blue_cube", "yellow_cube")
    rng = np.random.default_rng(0)
    seen = {}
    for text in ["put the red cube in the bowl", "stack the green cube on the blue cube"] * 40:
        task = parse_instruction(text)
        new = parse_instruction(recoloured(task, cubes, rng))
        assert new.kind == task.kind and new.obj != new.target
        seen.setdefault(new.kind, set()).add(new.obj)
    assert seen == {"pick_place": set(cubes), "stack": set(cubes)}
    for spec in map(
        parse_instruction, ["transfer the blue cube", "stack the red cube on the green cube"]
    ):
        assert parse_instruction(instruction_for(spec.kind, spec.obj, spec.target)) == spec
    with pytest.raises(InvalidInput, match="at least two cubes"):
        recoloured(task, ("red_cube",), rng)
    with pytest.raises(InvalidInput, match="unknown task kind 'juggle'"):
        instruction_for("juggle", "red_cube")
