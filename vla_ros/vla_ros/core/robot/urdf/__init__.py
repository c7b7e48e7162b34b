"""URDFs as untrusted input: one parser (document.py), its stated bounds (bounds.py), collision meshes (meshes.py)."""

from vla_ros.core.robot.urdf.document import (
    Collision,
    Geometry,
    Joint,
    Limit,
    Link,
    Mimic,
    Urdf,
    parse_urdf,
)

__all__ = ["Collision", "Geometry", "Joint", "Limit", "Link", "Mimic", "Urdf", "parse_urdf"]
