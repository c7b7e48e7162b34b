"""Capsules (segment + radius) bounding each link, from the URDF's collision geometry.

Every shape lies inside its capsule, so a capsule distance never exceeds the shapes' true distance:
cylinders become the capsule along their axis, spheres a zero-length capsule, boxes the capsule
along their longest axis through the whole box with the cross-section's half-diagonal as radius,
meshes the capsule fitted to their vertices (mesh_capsule.py). Boxes and meshes also keep 8
corners (the box's; the mesh's oriented bounding box) for the table check, where a capsule's end
caps would reach below the shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vla_ros.core.robot.urdf import Geometry, Urdf
from vla_ros.core.robot.urdf.meshes import mesh_vertices
from vla_ros.core.safety.compiled import kernel
from vla_ros.core.safety.mesh_capsule import fit_capsule


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


def _shape(
    geometry: Geometry, base_dir: Path | None, where: str
) -> tuple[np.ndarray, np.ndarray, float, np.ndarray | None]:
    """(a, b, radius, corners or None) of one collision shape, in its own frame."""
    if geometry.shape in ("cylinder", "capsule"):
        half = geometry.length / 2
        return np.array([0.0, 0.0, -half]), np.array([0.0, 0.0, half]), geometry.radius, None
    if geometry.shape == "sphere":
        return np.zeros(3), np.zeros(3), geometry.radius, None
    if geometry.shape == "box":
        size = np.array(geometry.box)
        axis = int(np.argmax(size))
        half = np.zeros(3)
        half[axis] = size[axis] / 2
        corners = (
            np.array([[x, y, z] for x in (-1, 1) for y in (-1, 1) for z in (-1, 1)]) * size / 2
        )
        return -half, half, float(np.linalg.norm(np.delete(size, axis) / 2)), corners
    return fit_capsule(mesh_vertices(geometry, base_dir, where))


def link_capsules(description: Urdf) -> list[Capsule]:
    """One capsule per collision element, in its link's frame."""
    capsules = []
    for link in description.links.values():
        for k, collision in enumerate(link.collisions):
            a, b, radius, corners = _shape(
                collision.geometry, description.base_dir, f"link '{link.name}' <collision> {k}"
            )
            place = collision.origin
            corners = None if corners is None else np.array([place.act(c) for c in corners])
            capsules.append(Capsule(link.name, place.act(a), place.act(b), radius, corners))
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
