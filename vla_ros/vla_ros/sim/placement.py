"""Seeded, non-overlapping placement of the bowl and cubes on the table."""

from __future__ import annotations

import numpy as np

from vla_ros.core.robot.scene import SceneConfig

ATTEMPTS = 2000


def sample_layout(
    config: SceneConfig,
    cubes: tuple[str, ...],
    rng: np.random.Generator,
    placed_first: tuple[str, ...] = (),
) -> dict[str, tuple[float, float, float]]:
    """name -> (x, y, yaw). The bowl is placed first, then the task's `placed_first` cubes (inside
    `task_region` when the scene has one), then the rest.

    Cubes keep `min_spacing` between centres and clear the bowl's rim, so no reset starts with
    objects inside each other or a cube already in the bowl.
    """
    (bx0, by0), (bx1, by1) = config.bowl_region
    layout = {"bowl": (float(rng.uniform(bx0, bx1)), float(rng.uniform(by0, by1)), 0.0)}
    clear_of_bowl = config.bowl_radius + config.cube_size
    order = [c for c in placed_first if c in cubes] + [c for c in cubes if c not in placed_first]
    for name in order:
        region = (
            config.task_region
            if name in placed_first and config.task_region
            else config.object_region
        )
        (x0, y0), (x1, y1) = region
        for _ in range(ATTEMPTS):
            x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
            far_from_bowl = np.hypot(x - layout["bowl"][0], y - layout["bowl"][1]) >= clear_of_bowl
            spaced = all(
                np.hypot(x - px, y - py) >= config.min_spacing
                for n, (px, py, _) in layout.items()
                if n != "bowl"
            )
            if far_from_bowl and spaced:
                layout[name] = (float(x), float(y), float(rng.uniform(-np.pi / 4, np.pi / 4)))
                break
        else:
            raise ValueError(f"cannot place '{name}' in region {region} clear of the others")
    return layout
