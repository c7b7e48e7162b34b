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

from vla_ros.core.safety.compiled import kernel


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


@kernel("float64(float64[:], float64[:], float64[:], float64[:], float64[:], float64[:])")
def closest_points(p1, q1, p2, q2, c1, c2) -> float:
    """Distance between segments [p1,q1] and [p2,q2]; writes the closest points into c1, c2.

    Ericson, Real-Time Collision Detection 5.1.9, with its degenerate cases (either segment a
    point, parallel segments).
    """
    tiny = 1e-12
    # Scalar arithmetic only: this runs for every capsule pair at every sample of a path.
    a = e = f = c = b = 0.0
    for r in range(3):
        d1, d2, w = q1[r] - p1[r], q2[r] - p2[r], p1[r] - p2[r]
        a += d1 * d1
        e += d2 * d2
        f += d2 * w
        c += d1 * w
        b += d1 * d2
    if a <= tiny and e <= tiny:
        s, t = 0.0, 0.0
    elif a <= tiny:
        s, t = 0.0, min(max(f / e, 0.0), 1.0)
    elif e <= tiny:
        s, t = min(max(-c / a, 0.0), 1.0), 0.0
    else:
        denom = a * e - b * b
        # s on the infinite lines (0 for parallel lines), then t for that s; a t outside [0, 1]
        # is clamped and s recomputed for it.
        s = min(max((b * f - c * e) / denom, 0.0), 1.0) if denom > tiny else 0.0
        t = (b * s + f) / e
        if t < 0.0:
            s, t = min(max(-c / a, 0.0), 1.0), 0.0
        elif t > 1.0:
            s, t = min(max((b - c) / a, 0.0), 1.0), 1.0
    squared = 0.0
    for r in range(3):
        c1[r] = p1[r] + s * (q1[r] - p1[r])
        c2[r] = p2[r] + t * (q2[r] - p2[r])
        squared += (c1[r] - c2[r]) ** 2
    return np.sqrt(squared)
