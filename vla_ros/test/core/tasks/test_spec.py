import pytest

from vla_ros.core.tasks.spec import normalize_instruction, parse_instruction
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
