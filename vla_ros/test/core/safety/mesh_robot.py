"""A shipped robot whose collision geometry is meshes, as vendor URDFs (franka_description) have it.

Each link's primitive collision shapes are sampled at random points, and the convex hull of those
points becomes the link's one collision mesh, written to a file in several formats and addressed
in several ways (file://, package:// through AMENT_PREFIX_PATH, a path relative to the URDF with a
collision origin and a millimetre scale), so the safety model meets what real descriptions carry.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pinocchio as pin
import trimesh

PACKAGE = "mesh_robot_description"


def _origin(element: ET.Element | None) -> pin.SE3:
    if element is None:
        return pin.SE3.Identity()
    xyz = [float(v) for v in element.get("xyz", "0 0 0").split()]
    rpy = [float(v) for v in element.get("rpy", "0 0 0").split()]
    return pin.SE3(pin.rpy.rpyToMatrix(*rpy), np.array(xyz))


def _samples(shape: ET.Element, rng: np.random.Generator, count: int) -> np.ndarray:
    """Random points inside one primitive shape, in its own frame (surface points included)."""
    if shape.tag == "box":
        size = np.array([float(v) for v in shape.get("size").split()])
        points = rng.uniform(-0.5, 0.5, (count, 3)) * size
        points[:8] = (
            np.array([[x, y, z] for x in (-1, 1) for y in (-1, 1) for z in (-1, 1)]) * size / 2
        )
        return points
    radius = float(shape.get("radius"))
    direction = rng.normal(size=(count, 3))
    direction /= np.linalg.norm(direction, axis=1, keepdims=True)
    if shape.tag == "sphere":
        return direction * radius * rng.uniform(0.5, 1.0, (count, 1))
    length = float(shape.get("length"))
    angle = rng.uniform(0, 2 * np.pi, count)
    rim = rng.uniform(0.6, 1.0, count) * radius
    return np.column_stack(
        [rim * np.cos(angle), rim * np.sin(angle), rng.uniform(-length / 2, length / 2, count)]
    )


def mesh_urdf(
    shipped_xml: str, directory: Path, urdf_dir: Path, rng: np.random.Generator
) -> tuple[str, dict[str, trimesh.Trimesh]]:
    """The URDF with each link's collisions replaced by one convex mesh; and the meshes, in link frames.

    Returns the text and link -> mesh (metres, link frame) for exact distances. Mesh files go to
    `directory`/share/PACKAGE/meshes (point AMENT_PREFIX_PATH at `directory` for package:// URIs);
    relative paths are written relative to `urdf_dir`, where the robot config resolves them.
    """
    root = ET.fromstring(shipped_xml)
    folder = directory / "share" / PACKAGE / "meshes"
    folder.mkdir(parents=True, exist_ok=True)
    meshes = {}
    for k, link in enumerate(root.findall("link")):
        collisions = link.findall("collision")
        if not collisions:
            continue
        points = []
        for collision in collisions:
            placement = _origin(collision.find("origin"))
            local = _samples(collision.find("geometry")[0], rng, 80)
            points.append(local @ placement.rotation.T + placement.translation)
        hull = trimesh.Trimesh(np.vstack(points)).convex_hull
        name = link.get("name")
        for collision in collisions:
            link.remove(collision)
        collision = ET.SubElement(link, "collision")
        geometry = ET.SubElement(collision, "geometry")
        placement, scale = pin.SE3.Identity(), 1.0
        variant = k % 4
        if variant == 0:  # STL, absolute file:// URI
            path = folder / f"{name}.stl"
            ET.SubElement(geometry, "mesh", filename=f"file://{path}")
        elif variant == 1:  # OBJ through package://
            path = folder / f"{name}.obj"
            ET.SubElement(geometry, "mesh", filename=f"package://{PACKAGE}/meshes/{name}.obj")
        elif (
            variant == 2
        ):  # millimetres, under a collision origin, relative to the URDF's directory
            placement, scale = (
                pin.SE3(pin.rpy.rpyToMatrix(0.3, -0.2, 1.1), np.array([0.01, -0.02, 0.03])),
                0.001,
            )
            hull = trimesh.Trimesh(
                (hull.vertices - placement.translation) @ placement.rotation / scale, hull.faces
            )
            path = folder / f"{name}_mm.stl"
            ET.SubElement(collision, "origin", xyz="0.01 -0.02 0.03", rpy="0.3 -0.2 1.1")
            ET.SubElement(
                geometry,
                "mesh",
                filename=os.path.relpath(path, urdf_dir),
                scale=f"{scale} {scale} {scale}",
            )
        else:  # COLLADA (pycollada)
            path = folder / f"{name}.dae"
            ET.SubElement(geometry, "mesh", filename=f"file://{path}")
        hull.export(path)
        # The mesh as the file holds it (STL stores float32), placed in the link frame.
        stored = trimesh.load(path, force="mesh", process=False)
        meshes[name] = trimesh.Trimesh(
            stored.vertices * scale @ placement.rotation.T + placement.translation, stored.faces
        )
    return ET.tostring(root, encoding="unicode"), meshes
