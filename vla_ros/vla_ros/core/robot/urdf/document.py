"""A URDF from untrusted text, parsed once, checked against bounds.py and typed.

Everything that reads a URDF reads it through `parse_urdf`: the robot config (limits, mimics),
the safety model (collision geometry), the kinematics (Pinocchio gets the text only after this
check) and the simulation (mimics). Hostile XML cannot expand: any DTD is refused (so no
entities, internal or external) and the text is at most MAX_URDF_BYTES. Everything malformed is
an InvalidInput naming the element, the value and what would be valid (line and column for XML
syntax errors). Only direct children of <robot> are the URDF's links and joints: <ros2_control>
and <transmission> blocks carry <joint> elements of their own.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import defusedxml
import defusedxml.ElementTree as SafeET
import numpy as np
import pinocchio as pin

from vla_ros.core.robot.urdf import bounds
from vla_ros.core.robot.urdf.bounds import check_magnitude, check_size
from vla_ros.core.robot.urdf.extras import check_joint_extras, check_link_extras, check_material
from vla_ros.core.robot.urdf.values import invalid, number, numbers, origin

JOINT_TYPES = ("revolute", "continuous", "prismatic", "fixed", "floating", "planar")
SHAPES = ("box", "cylinder", "capsule", "sphere", "mesh")
_FOLLOWING = ("revolute", "continuous", "prismatic")  # joint types a <mimic> may tie together


@dataclass(frozen=True)
class Limit:
    """A joint's <limit>; None where the attribute is absent."""

    lower: float | None
    upper: float | None
    velocity: float | None


@dataclass(frozen=True)
class Mimic:
    """This joint's position = multiplier * position of `joint` + offset."""

    joint: str
    multiplier: float = 1.0
    offset: float = 0.0


@dataclass(frozen=True)
class Joint:
    name: str
    type: str
    parent: str
    child: str
    origin: pin.SE3
    limit: Limit | None
    mimic: Mimic | None


@dataclass(frozen=True)
class Geometry:
    shape: str  # one of SHAPES
    radius: float = 0.0  # cylinder, capsule, sphere
    length: float = 0.0  # cylinder, capsule (along z)
    box: tuple[float, float, float] = (0.0, 0.0, 0.0)  # edge lengths
    uri: str = ""  # mesh filename as written (package://, file://, absolute or relative)
    scale: tuple[float, float, float] = (1.0, 1.0, 1.0)  # mesh


@dataclass(frozen=True)
class Collision:
    origin: pin.SE3  # in the link frame
    geometry: Geometry


@dataclass(frozen=True)
class Link:
    name: str
    collisions: tuple[Collision, ...]


@dataclass(frozen=True)
class Urdf:
    name: str
    links: dict[str, Link]
    joints: dict[str, Joint]
    text: str  # the checked text (what Pinocchio parses)
    base_dir: Path | None = None  # where relative mesh paths resolve

    @property
    def mimics(self) -> dict[str, Mimic]:
        """Joint -> the <mimic> it follows."""
        return {
            name: joint.mimic for name, joint in self.joints.items() if joint.mimic is not None
        }


def parse_urdf(text: str, base_dir: Path | None = None) -> Urdf:
    """The checked, typed URDF of `text`; InvalidInput naming the first thing that is wrong."""
    root = _xml_root(text)
    if root.tag != "robot":
        raise invalid(f"the root element is <{root.tag}>, expected <robot>")
    link_elements, joint_elements = root.findall("link"), root.findall("joint")
    for kind, elements in (("links", link_elements), ("joints", joint_elements)):
        if len(elements) > bounds.MAX_LINKS:
            raise invalid(f"{len(elements)} {kind}, more than the plausible {bounds.MAX_LINKS}")
    for k, material in enumerate(root.findall("material")):
        check_material(material, f"<material> {k}")
    links = _unique((_link(e) for e in link_elements), "link")
    joints = _unique((_joint(e, links) for e in joint_elements), "joint")
    _check_mimics(joints)
    _check_tree(links, joints)
    return Urdf(root.get("name", ""), links, joints, text, base_dir)


def _xml_root(text: str) -> ET.Element:
    if not isinstance(text, str):
        raise invalid(f"expected XML text, got {type(text).__name__}")
    if not text.strip():
        raise invalid("the description is empty")
    if (
        len(text) > bounds.MAX_URDF_BYTES
        or len(text.encode("utf-8", "surrogatepass")) > bounds.MAX_URDF_BYTES
    ):
        raise invalid(
            f"{len(text.encode('utf-8', 'surrogatepass'))} bytes, more than the {bounds.MAX_URDF_BYTES} accepted"
        )
    try:
        return SafeET.fromstring(text, forbid_dtd=True)
    except ET.ParseError as error:
        raise invalid(f"XML syntax error, {error}") from None
    except defusedxml.DefusedXmlException as error:
        raise invalid(
            f"it declares a DTD or entities ({error}); they are refused, a URDF needs none"
        ) from None
    except ValueError as error:  # e.g. unencodable characters
        raise invalid(f"unreadable XML: {error}") from None


def _name(element: ET.Element, kind: str) -> str:
    name = element.get("name")
    if not name:
        raise invalid(f"a <{kind}> has no name")
    return name


def _unique(items, kind: str) -> dict:
    out = {}
    for item in items:
        if item.name in out:
            raise invalid(f"two {kind}s are named '{item.name}'")
        out[item.name] = item
    return out


def _geometry(element: ET.Element | None, where: str) -> Geometry:
    shapes = [] if element is None else list(element)
    if len(shapes) != 1 or shapes[0].tag not in SHAPES:
        found = [s.tag for s in shapes]
        raise invalid(f"{where} <geometry> must hold exactly one of {list(SHAPES)}, found {found}")
    shape = shapes[0]
    where = f"{where} <{shape.tag}>"
    size = lambda attribute: _checked_size(shape, attribute, where)  # noqa: E731
    if shape.tag == "box":
        edges = numbers(shape, "size", 3, where)
        for axis, edge in zip("xyz", edges):
            check_size(f"{where} size {axis}", edge)
        return Geometry("box", box=edges)
    if shape.tag == "sphere":
        return Geometry("sphere", radius=size("radius"))
    if shape.tag in ("cylinder", "capsule"):
        return Geometry(shape.tag, radius=size("radius"), length=size("length"))
    uri = shape.get("filename", "").strip()
    if not uri:
        raise invalid(f"{where} has no filename")
    scale = numbers(shape, "scale", 3, where, (1.0, 1.0, 1.0))
    if not all(s > 0.0 for s in scale):
        raise invalid(f"{where} scale={scale} must be > 0 on every axis")
    return Geometry("mesh", uri=uri, scale=scale)


def _checked_size(shape: ET.Element, attribute: str, where: str) -> float:
    value = numbers(shape, attribute, 1, where)[0]
    check_size(f"{where} {attribute}", value)
    return value


def _link(element: ET.Element) -> Link:
    name = _name(element, "link")
    collisions, visuals = element.findall("collision"), element.findall("visual")
    if len(collisions) + len(visuals) > bounds.MAX_SHAPES_PER_LINK:
        raise invalid(
            f"link '{name}' has {len(collisions) + len(visuals)} shapes, more than {bounds.MAX_SHAPES_PER_LINK}"
        )
    check_link_extras(element, f"link '{name}'")
    # Visuals are checked too (Pinocchio reads them) but not used.
    for k, visual in enumerate(visuals):
        where = f"link '{name}' <visual> {k}"
        origin(visual.find("origin"), where)
        _geometry(visual.find("geometry"), where)
    shapes = []
    for k, collision in enumerate(collisions):
        where = f"link '{name}' <collision> {k}"
        shapes.append(
            Collision(
                origin(collision.find("origin"), where),
                _geometry(collision.find("geometry"), where),
            )
        )
    return Link(name, tuple(shapes))


def _link_reference(element: ET.Element, tag: str, where: str, links: dict[str, Link]) -> str:
    reference = element.find(tag)
    link = None if reference is None else reference.get("link")
    if link not in links:
        raise invalid(f"{where} <{tag} link=...> must name one of the URDF's links, got {link!r}")
    return link


def _joint(element: ET.Element, links: dict[str, Link]) -> Joint:
    name = _name(element, "joint")
    where = f"joint '{name}'"
    kind = element.get("type")
    if kind not in JOINT_TYPES:
        raise invalid(f"{where} type={kind!r} must be one of {list(JOINT_TYPES)}")
    parent, child = (
        _link_reference(element, "parent", where, links),
        _link_reference(element, "child", where, links),
    )
    axis = element.find("axis")
    if (
        axis is not None
        and not np.linalg.norm(numbers(axis, "xyz", 3, f"{where} <axis>", (1.0, 0.0, 0.0))) >= 1e-6
    ):
        raise invalid(f"{where} <axis xyz=...> must be a nonzero vector")
    check_joint_extras(element, kind, where)
    placement = origin(element.find("origin"), where)
    return Joint(
        name, kind, parent, child, placement, _limit(element, kind, where), _mimic(element, where)
    )


def _limit(element: ET.Element, kind: str, where: str) -> Limit | None:
    limit = element.find("limit")
    if limit is None or kind not in _FOLLOWING:
        return None
    where = f"{where} <limit>"
    lower, upper, velocity = (number(limit, a, where) for a in ("lower", "upper", "velocity"))
    bound, unit = bounds.position_bound(kind)
    for attribute, value in (("lower", lower), ("upper", upper)):
        if value is not None:
            check_magnitude(f"{where} {attribute}", value, bound, unit)
    if lower is not None and upper is not None and lower > upper:
        raise invalid(f"{where} lower={lower} is above upper={upper}")
    if velocity is not None:
        bound, unit = bounds.velocity_bound(kind)
        if not 0.0 <= velocity <= bound:
            raise invalid(
                f"{where} velocity = {velocity} must be >= 0 and <= the plausible {bound:g} {unit}"
            )
    return Limit(lower, upper, velocity)


def _mimic(element: ET.Element, where: str) -> Mimic | None:
    mimic = element.find("mimic")
    if mimic is None:
        return None
    where = f"{where} <mimic>"
    followed = mimic.get("joint")
    if not followed:
        raise invalid(f"{where} names no joint")
    multiplier = numbers(mimic, "multiplier", 1, where, (1.0,))[0]
    offset = numbers(mimic, "offset", 1, where, (0.0,))[0]
    check_magnitude(f"{where} multiplier", multiplier, bounds.MAX_MIMIC_MULTIPLIER, "")
    return Mimic(followed, multiplier, offset)


def _check_mimics(joints: dict[str, Joint]) -> None:
    for joint in joints.values():
        if joint.mimic is None:
            continue
        where = f"joint '{joint.name}' <mimic joint='{joint.mimic.joint}'>"
        followed = joints.get(joint.mimic.joint)
        if followed is None or followed is joint:
            raise invalid(f"{where} must name another joint of the URDF")
        if joint.type not in _FOLLOWING or followed.type not in _FOLLOWING:
            raise invalid(
                f"{where}: only {list(_FOLLOWING)} joints can mimic or be mimicked ({joint.type}, {followed.type})"
            )
        if followed.mimic is not None:
            raise invalid(
                f"{where}: '{followed.name}' itself mimics '{followed.mimic.joint}'; mimic chains are not supported"
            )
        bound, unit = bounds.position_bound(joint.type)
        check_magnitude(f"{where} offset", joint.mimic.offset, bound, unit)


def _check_tree(links: dict[str, Link], joints: dict[str, Joint]) -> None:
    """One root link; every other link the child of exactly one joint and reachable from the root."""
    parent_joint: dict[str, str] = {}
    below: dict[str, list[str]] = {}
    for joint in joints.values():
        if joint.child in parent_joint:
            raise invalid(
                f"link '{joint.child}' is the child of two joints, '{parent_joint[joint.child]}' and '{joint.name}'"
            )
        parent_joint[joint.child] = joint.name
        below.setdefault(joint.parent, []).append(joint.child)
    roots = [name for name in links if name not in parent_joint]
    if len(roots) != 1:
        raise invalid(
            f"a URDF has exactly one root link (a link no joint has as child); this one has {roots[:5]}"
        )
    reached, stack = {roots[0]}, [roots[0]]
    while stack:
        for child in below.get(stack.pop(), []):
            if child not in reached:
                reached.add(child)
                stack.append(child)
    cut_off = sorted(set(links) - reached)
    if cut_off:
        raise invalid(
            f"links {cut_off[:5]} are not connected to the root link '{roots[0]}' (their joints form a loop)"
        )
