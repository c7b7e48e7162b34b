"""A capsule and an oriented box that contain every vertex of a collision mesh (hence the mesh).

Axis: the vertices' principal direction (PCA), through their centroid; radius: the largest distance
of a vertex from that axis; end points: pulled in from the extreme projections exactly as far as
the hemispherical caps still hold every vertex (a vertex at axial position t and distance rho from
the axis lies in the cap around an end at e when |t - e| <= sqrt(r^2 - rho^2)). The box spans the
vertices along the same principal axes; its corners bound the mesh's lowest point for the table.
"""

from __future__ import annotations

import numpy as np


def fit_capsule(vertices: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, np.ndarray]:
    """(a, b, radius, corners (8, 3)) of a capsule and a box, each containing all (k, 3) vertices."""
    center = vertices.mean(axis=0)
    centered = vertices - center
    _, basis = np.linalg.eigh(centered.T @ centered)  # columns: principal axes, the longest last
    axis = basis[:, -1]
    along = centered @ axis
    radial = np.linalg.norm(centered - np.outer(along, axis), axis=1)
    radius = float(radial.max())
    slack = np.sqrt(np.maximum(radius**2 - radial**2, 0.0))
    # Every vertex is within `radius` of any segment covering [max(t - slack), min(t + slack)],
    # in whichever order those two come (a short, round mesh: they cross).
    ends = sorted(((along - slack).max(), (along + slack).min()))
    a, b = center + ends[0] * axis, center + ends[1] * axis
    local = centered @ basis
    low, high = local.min(axis=0), local.max(axis=0)
    box = np.array(
        [
            [x, y, z]
            for x in (low[0], high[0])
            for y in (low[1], high[1])
            for z in (low[2], high[2])
        ]
    )
    return a, b, radius, center + box @ basis.T
