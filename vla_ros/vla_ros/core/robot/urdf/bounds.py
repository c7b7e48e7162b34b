"""Plausibility bounds for a URDF that comes from outside (a robot's /robot_description).

A description is untrusted input: a velocity of 1e9 rad/s, a joint range of +-1e6 rad or a
negative radius is a typo or an attack, never a robot. Every value outside these bounds refuses
the whole description, naming the joint or link, the value and the bound. They are generous for
real arms (Panda: 2.9 rad, 2.6 rad/s; grippers: 0.04 m, 0.2 m/s) and apply to every joint and link
of the description, commanded or not.
"""

from __future__ import annotations

import math

from vla_ros.core.types import InvalidInput

MAX_URDF_BYTES = 10 * 2**20  # the whole description, UTF-8
MAX_LINKS = 256  # links, and joints, of one description
MAX_SHAPES_PER_LINK = 32  # collision and visual elements of one link
MAX_REVOLUTE_POSITION = 4 * math.pi  # |lower|, |upper| of a revolute joint [rad]
MAX_PRISMATIC_POSITION = 5.0  # |lower|, |upper| of a prismatic joint [m]
MAX_REVOLUTE_VELOCITY = 20.0  # velocity limit of a revolute/continuous joint [rad/s]
MAX_PRISMATIC_VELOCITY = 5.0  # velocity limit of a prismatic joint [m/s]
MAX_OFFSET = 10.0  # |x|, |y|, |z| of any origin [m]
MAX_ANGLE = 4 * math.pi  # |roll|, |pitch|, |yaw| of any origin [rad]
MAX_SIZE = 3.0  # radius, length, box edge, mesh extent after scale [m]; each also > 0
MAX_MIMIC_MULTIPLIER = 10.0  # |multiplier| of a <mimic>; its |offset| obeys the position bound
MAX_MESH_BYTES = 50 * 2**20  # one collision mesh file
MAX_MESH_VERTICES = 2_000_000  # one collision mesh


def position_bound(joint_type: str) -> tuple[float, str]:
    """The bound on |position| of a joint type and its unit."""
    return (
        (MAX_PRISMATIC_POSITION, "m")
        if joint_type == "prismatic"
        else (MAX_REVOLUTE_POSITION, "rad")
    )


def velocity_bound(joint_type: str) -> tuple[float, str]:
    return (
        (MAX_PRISMATIC_VELOCITY, "m/s")
        if joint_type == "prismatic"
        else (MAX_REVOLUTE_VELOCITY, "rad/s")
    )


def check_magnitude(where: str, value: float, bound: float, unit: str) -> None:
    if not abs(value) <= bound:
        raise InvalidInput(
            f"not a valid URDF: {where} = {value} is outside the plausible +-{bound:g} {unit}".rstrip()
        )


def check_size(where: str, value: float) -> None:
    """Radii, lengths, box edges and mesh extents: finite, > 0 and at most MAX_SIZE metres."""
    if not 0.0 < value <= MAX_SIZE:
        raise InvalidInput(
            f"not a valid URDF: {where} = {value} must be > 0 and <= {MAX_SIZE:g} m"
        )
