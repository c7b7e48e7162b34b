"""Capsules (segment + radius) bounding each link, from the URDF's collision geometry.

Cylinders become the capsule along their axis (it contains the cylinder), spheres a zero-length
capsule, boxes the capsule along their longest axis through the whole box with the cross-section's
half-diagonal as radius (it contains the box); links
with meshes get a segment from the link origin to each child joint with `link_radius`.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

import numpy as np
import pinocchio as pin


@dataclass(frozen=True)
class Capsule:
    link: str
    a: np.ndarray  # segment end points in the link frame
    b: np.ndarray
    radius: float
    # The shape's own extreme points where they are few (a box's 8 corners, link frame): the table
    # check uses them instead of the capsule, whose end caps reach past a box's faces.
    corners: np.ndarray | None = None

    def support(self) -> tuple[np.ndarray, float]:
        """(8, 3) points and a radius whose sphere-swept hull contains the shape (lowest point = min z - r)."""
        if self.corners is not None:
            return self.corners, 0.0
        return np.array([self.a, self.b] * 4), self.radius


def _origin(element: ET.Element | None) -> pin.SE3:
    if element is None:
        return pin.SE3.Identity()
    xyz = np.array([float(x) for x in element.get("xyz", "0 0 0").split()])
    rpy = np.array([float(x) for x in element.get("rpy", "0 0 0").split()])
    return pin.SE3(pin.rpy.rpyToMatrix(*rpy), xyz)


def joint_children(urdf_xml: str) -> dict[str, str]:
    """Child link of every joint of a URDF."""
    return {j.get("name"): j.find("child").get("link") for j in ET.fromstring(urdf_xml).iter("joint")}


def _segment(geometry: ET.Element, default_radius: float) -> tuple[np.ndarray, np.ndarray, float, np.ndarray | None] | None:
    shape = geometry[0] if len(geometry) else None
    if shape is None:
        return None
    if shape.tag == "cylinder" or shape.tag == "capsule":
        half = float(shape.get("length")) / 2
        return np.array([0, 0, -half]), np.array([0, 0, half]), float(shape.get("radius")), None
    if shape.tag == "sphere":
        return np.zeros(3), np.zeros(3), float(shape.get("radius")), None
    if shape.tag == "box":
        size = np.array([float(x) for x in shape.get("size").split()])
        axis = int(np.argmax(size))
        others = np.delete(size, axis) / 2
        half = np.zeros(3)
        half[axis] = size[axis] / 2
        corners = np.array([[x, y, z] for x in (-1, 1) for y in (-1, 1) for z in (-1, 1)]) * size / 2
        return -half, half, float(np.linalg.norm(others)), corners
    return None


def link_capsules(urdf_xml: str, default_radius: float) -> list[Capsule]:
    """One capsule per collision element (mesh links: one per child joint, `default_radius`)."""
    root = ET.fromstring(urdf_xml)
    children: dict[str, list[np.ndarray]] = {}
    for joint in root.iter("joint"):
        parent = joint.find("parent").get("link")
        children.setdefault(parent, []).append(_origin(joint.find("origin")).translation)
    capsules = []
    for link in root.iter("link"):
        name = link.get("name")
        found = False
        for collision in link.findall("collision"):
            geometry = collision.find("geometry")
            segment = None if geometry is None else _segment(geometry, default_radius)
            if segment is None:
                continue
            placement = _origin(collision.find("origin"))
            a, b, radius, corners = segment
            if corners is not None:
                corners = np.array([placement.act(c) for c in corners])
            capsules.append(Capsule(name, placement.act(a), placement.act(b), radius, corners))
            found = True
        if not found and link.findall("collision"):
            for child in children.get(name, []):
                capsules.append(Capsule(name, np.zeros(3), np.asarray(child, float), default_radius))
    return capsules


def _unit(x: np.ndarray) -> np.ndarray:
    """x clipped to [0, 1] (np.clip's dispatch costs more than the two ufuncs on small arrays)."""
    return np.minimum(np.maximum(x, 0.0), 1.0)


def segment_distance(p1: np.ndarray, q1: np.ndarray, p2: np.ndarray, q2: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Closest points between segments [p1,q1] and [p2,q2], vectorized over the leading axis.

    Ericson, Real-Time Collision Detection 5.1.9, with its degenerate cases (either segment a
    point, parallel segments). Returns (distance, point on first, point on second).
    """
    d1, d2, r = q1 - p1, q2 - p2, p1 - p2
    a = np.einsum("ij,ij->i", d1, d1)
    e = np.einsum("ij,ij->i", d2, d2)
    f = np.einsum("ij,ij->i", d2, r)
    c = np.einsum("ij,ij->i", d1, r)
    b = np.einsum("ij,ij->i", d1, d2)
    tiny = 1e-12
    point1, point2 = a <= tiny, e <= tiny
    safe_a, safe_e = np.where(point1, 1.0, a), np.where(point2, 1.0, e)
    denom = a * e - b * b
    # General case: s on the infinite lines (0 for parallel lines), then t for that s.
    s = np.where(denom > tiny, _unit((b * f - c * e) / np.where(denom > tiny, denom, 1.0)), 0.0)
    t = (b * s + f) / safe_e
    # t outside [0, 1]: clamp it and recompute s for the clamped t.
    s = np.where(t < 0.0, _unit(-c / safe_a), np.where(t > 1.0, _unit((b - c) / safe_a), s))
    t = _unit(t)
    # Degenerate segments: the second a point (t = 0), the first a point (s = 0), both points.
    s = np.where(point2, _unit(-c / safe_a), s)
    t = np.where(point2, 0.0, t)
    s = np.where(point1, 0.0, s)
    t = np.where(point1, _unit(f / safe_e), t)
    t = np.where(point1 & point2, 0.0, t)
    c1 = p1 + s[:, None] * d1
    c2 = p2 + t[:, None] * d2
    return np.linalg.norm(c1 - c2, axis=1), c1, c2
