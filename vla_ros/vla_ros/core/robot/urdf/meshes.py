"""Collision meshes of a URDF: where a mesh URI points, and its vertices in metres.

`package://<pkg>/<path>` resolves as ROS does: `<prefix>/share/<pkg>` for each prefix of
AMENT_PREFIX_PATH (what ament_index_python reads), then ROS_PACKAGE_PATH (a directory that is the
package or holds it); `file://<path>` and absolute paths as written; relative paths against the
URDF's own directory. trimesh loads the file (STL, OBJ, PLY; DAE through pycollada). A mesh that
cannot be found, read or trusted (bounds.py) refuses the whole description, naming link and URI.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from vla_ros.core.robot.urdf import bounds
from vla_ros.core.robot.urdf.document import Geometry
from vla_ros.core.types import InvalidInput


def resolve_mesh(uri: str, base_dir: Path | None) -> Path | None:
    """The file a mesh URI names, or None when nothing on this machine matches it."""
    if uri.startswith("package://"):
        package, _, rest = uri[len("package://") :].partition("/")
        for directory in _package_dirs(package):
            if (directory / rest).is_file():
                return directory / rest
        return None
    path = Path(uri[len("file://") :] if uri.startswith("file://") else uri)
    if not path.is_absolute():
        if base_dir is None:
            return None
        path = base_dir / path
    return path if path.is_file() else None


def _package_dirs(package: str) -> list[Path]:
    dirs = [
        Path(prefix) / "share" / package
        for prefix in os.environ.get("AMENT_PREFIX_PATH", "").split(os.pathsep)
        if prefix
    ]
    for entry in filter(None, os.environ.get("ROS_PACKAGE_PATH", "").split(os.pathsep)):
        entry = Path(entry)
        dirs.append(entry if entry.name == package else entry / package)
    return [d for d in dirs if d.is_dir()]


def mesh_vertices(geometry: Geometry, base_dir: Path | None, where: str) -> np.ndarray:
    """(k, 3) vertices of a <mesh> in its own frame, scaled, in metres."""
    where = f"{where} mesh '{geometry.uri}'"
    path = resolve_mesh(geometry.uri, base_dir)
    if path is None:
        search = (
            "AMENT_PREFIX_PATH/share, ROS_PACKAGE_PATH"
            if geometry.uri.startswith("package://")
            else f"base {base_dir}"
        )
        raise InvalidInput(f"{where}: no such file (searched {search})")
    size = path.stat().st_size
    if size > bounds.MAX_MESH_BYTES:
        raise InvalidInput(
            f"{where}: {size} bytes, more than the {bounds.MAX_MESH_BYTES} accepted for a collision mesh"
        )
    import trimesh  # only descriptions with meshes pay for the import

    try:
        mesh = trimesh.load(str(path), force="mesh", process=False)
        vertices = np.asarray(mesh.vertices, dtype=float).reshape(-1, 3) * np.asarray(
            geometry.scale
        )
    except Exception as error:  # noqa: BLE001 - any reader failure means this mesh cannot be used
        raise InvalidInput(
            f"{where}: cannot be loaded ({type(error).__name__}: {error})"
        ) from None
    if not 0 < len(vertices) <= bounds.MAX_MESH_VERTICES:
        raise InvalidInput(
            f"{where}: {len(vertices)} vertices; a collision mesh needs 1 to {bounds.MAX_MESH_VERTICES}"
        )
    if not np.all(np.isfinite(vertices)):
        raise InvalidInput(f"{where}: has non-finite vertex coordinates")
    for axis, extent in zip("xyz", np.ptp(vertices, axis=0)):
        if extent > bounds.MAX_SIZE:
            raise InvalidInput(
                f"{where}: extends {extent:.3g} m along {axis}, more than the plausible {bounds.MAX_SIZE:g} m"
            )
    if np.abs(vertices).max() > bounds.MAX_OFFSET:
        raise InvalidInput(
            f"{where}: has vertices more than {bounds.MAX_OFFSET:g} m from its origin"
        )
    return vertices
