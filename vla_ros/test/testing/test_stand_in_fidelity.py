"""The stand-in interface definitions (vla_ros/test/stand_ins) against the real packages.

Runs where the real control_msgs / moveit_msgs / franka_msgs / tf2_msgs / interbotix_xs_msgs are
installed (a full ROS 2 + MoveIt machine with the vendor packages): each stand-in message must
have the real one's fields, in order, with the same types, so the wire tests here mean something
there. Skipped where the real package is missing (pip-only machines), with that reason.
"""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path

import pytest

DEFINITIONS = Path(__file__).resolve().parents[1] / "stand_ins"
_PRIMITIVES = {"float64": "double", "float32": "float", "bool": "boolean"}
_SECTIONS = {".msg": [""], ".srv": ["_Request", "_Response"]}
_SECTIONS[".action"] = ["_Goal", "_Result", "_Feedback"]


def _fields(block: str, package: str) -> dict[str, str]:
    """name -> rosidl type string of the field lines of one .msg block (constants skipped)."""
    fields = {}
    for line in block.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or "=" in line:
            continue
        kind, name = line.split()[:2]
        array = kind.endswith("[]")
        kind = kind.removesuffix("[]")
        kind = _PRIMITIVES.get(kind, kind)
        if kind[0].isupper():
            kind = f"{package}/{kind}"
        fields[name] = f"sequence<{kind}>" if array else kind
    return fields


def _cases():
    for path in sorted(DEFINITIONS.rglob("*.*")):
        package, kind = path.relative_to(DEFINITIONS).parts[:2]
        blocks = path.read_text().split("---")
        for suffix, block in zip(_SECTIONS[path.suffix], blocks):
            yield pytest.param(package, kind, path.stem + suffix, block, id=f"{path.stem}{suffix}")


def _real_module(package: str, kind: str):
    spec = importlib.util.find_spec(package)
    if spec is None or "stand_ins" in str(spec.origin):
        pytest.skip(
            f"the real {package} is not installed here (not on PyPI): verified only on a full "
            "ROS 2 install with it"
        )
    return importlib.import_module(f"{package}.{kind}")


@pytest.mark.parametrize(("package", "kind", "name", "block"), _cases())
def test_stand_in_fields_match_the_real_package(package, kind, name, block):
    module = _real_module(package, kind)
    parent, _, section = name.partition("_")
    real = getattr(module, parent)
    if section:
        real = getattr(real, section)
    assert dict(real.get_fields_and_field_types()) == _fields(block, package)
