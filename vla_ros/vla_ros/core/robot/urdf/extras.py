"""Elements of a URDF that nothing here uses but Pinocchio's URDF reader (urdfdom) parses too.

Checked the way urdfdom would refuse them, so that such a description is refused naming the
element instead of with urdfdom's bare "The XML stream does not contain a valid URDF model".
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from vla_ros.core.robot.urdf.values import invalid, number, numbers, origin

_INERTIA = ("ixx", "ixy", "ixz", "iyy", "iyz", "izz")


def check_material(element: ET.Element, where: str) -> None:
    color = element.find("color")
    if color is not None:
        numbers(color, "rgba", 4, f"{where} <material> <color>")


def check_link_extras(element: ET.Element, where: str) -> None:
    """<inertial> (origin, mass, the six inertia terms) and the visuals' <material> colours."""
    inertial = element.find("inertial")
    if inertial is not None:
        where_inertial = f"{where} <inertial>"
        origin(inertial.find("origin"), where_inertial)
        mass, inertia = inertial.find("mass"), inertial.find("inertia")
        if mass is None or inertia is None:
            raise invalid(f"{where_inertial} needs both <mass> and <inertia>")
        numbers(mass, "value", 1, f"{where_inertial} <mass>")
        for term in _INERTIA:
            numbers(inertia, term, 1, f"{where_inertial} <inertia>")
    for k, visual in enumerate(element.findall("visual")):
        material = visual.find("material")
        if material is not None:
            check_material(material, f"{where} <visual> {k}")


def check_joint_extras(element: ET.Element, kind: str, where: str) -> None:
    """<limit> effort and velocity (urdfdom requires both, and a <limit> on revolute and prismatic
    joints), <dynamics>, <safety_controller> and <calibration> numbers."""
    limit = element.find("limit")
    if limit is None and kind in ("revolute", "prismatic"):
        raise invalid(f"{where} is {kind} and needs a <limit>")
    if limit is not None:
        (effort,) = numbers(limit, "effort", 1, f"{where} <limit>")
        if effort < 0.0:
            raise invalid(f"{where} <limit> effort = {effort} must be >= 0")
        numbers(limit, "velocity", 1, f"{where} <limit>")
    dynamics = element.find("dynamics")
    if dynamics is not None:
        if dynamics.get("damping") is None and dynamics.get("friction") is None:
            raise invalid(f"{where} <dynamics> names neither damping nor friction")
        for attribute in ("damping", "friction"):
            number(dynamics, attribute, f"{where} <dynamics>")
    safety = element.find("safety_controller")
    if safety is not None:
        numbers(safety, "k_velocity", 1, f"{where} <safety_controller>")
        for attribute in ("soft_lower_limit", "soft_upper_limit", "k_position"):
            number(safety, attribute, f"{where} <safety_controller>")
    calibration = element.find("calibration")
    if calibration is not None:
        for attribute in ("rising", "falling"):
            number(calibration, attribute, f"{where} <calibration>")
