"""Attribute values of an untrusted URDF: numbers as URDF writes them, origins, and the error they raise."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import numpy as np
import pinocchio as pin

from vla_ros.core.robot.urdf import bounds
from vla_ros.core.robot.urdf.bounds import check_magnitude
from vla_ros.core.types import InvalidInput

# Plain decimal numbers only: no nan/inf, no hex, no Python-only forms such as 1_000.
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\Z")


def invalid(detail: str) -> InvalidInput:
    return InvalidInput(f"not a valid URDF: {detail}")


def _shown(raw: str) -> str:
    return repr(raw if len(raw) <= 40 else raw[:40] + "...")


def numbers(
    element: ET.Element,
    attribute: str,
    count: int,
    where: str,
    default: tuple[float, ...] | None = None,
) -> tuple[float, ...]:
    """`count` finite decimal numbers from `attribute` (`default` when absent; required when None)."""
    raw = element.get(attribute)
    if raw is None:
        if default is None:
            raise invalid(f"{where} lacks the attribute '{attribute}'")
        return default
    parts = raw.split()
    if len(parts) != count or not all(_NUMBER.match(p) for p in parts):
        raise invalid(f"{where} {attribute}={_shown(raw)} must be {count} decimal number(s)")
    values = tuple(float(p) for p in parts)
    if not all(math.isfinite(v) for v in values):
        raise invalid(f"{where} {attribute}={_shown(raw)} must be finite")
    return values


def number(element: ET.Element, attribute: str, where: str) -> float | None:
    return numbers(element, attribute, 1, where)[0] if element.get(attribute) is not None else None


def origin(element: ET.Element | None, where: str) -> pin.SE3:
    if element is None:
        return pin.SE3.Identity()
    xyz = numbers(element, "xyz", 3, f"{where} <origin>", (0.0, 0.0, 0.0))
    rpy = numbers(element, "rpy", 3, f"{where} <origin>", (0.0, 0.0, 0.0))
    for axis, value in zip("xyz", xyz):
        check_magnitude(f"{where} <origin> {axis}", value, bounds.MAX_OFFSET, "m")
    for axis, value in zip(("roll", "pitch", "yaw"), rpy):
        check_magnitude(f"{where} <origin> {axis}", value, bounds.MAX_ANGLE, "rad")
    return pin.SE3(pin.rpy.rpyToMatrix(*rpy), np.array(xyz))
