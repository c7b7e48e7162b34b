"""Table-top scene of the embedded sim: the robot YAML's `sim:` section (RobotConfig.sim), with defaults.

Every key is optional; the defaults fit a single arm whose base sits on the table at the world
origin, facing +x. Regions are (min, max) corners of xy boxes in the world frame.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from vla_ros.core.config_sections import mapping, reject_unknown_keys
from vla_ros.core.tasks.spec import COLOURS
from vla_ros.core.types import InvalidInput


@dataclass(frozen=True)
class SceneConfig:
    table_height: float = 0.0  # z of the table top
    table_center: tuple[float, float] = (0.45, 0.0)
    table_size: tuple[float, float] = (1.2, 1.4)
    cube_size: float = 0.04
    cube_mass: float = 0.05
    cube_friction: float = 1.2
    bowl_radius: float = 0.075
    bowl_height: float = 0.04
    # Where cubes and the bowl may be placed at reset. The task's own cube goes in `task_region`
    # (None: object_region), e.g. where the arm that must pick it first can reach it.
    object_region: tuple[tuple[float, float], tuple[float, float]] = ((0.35, -0.25), (0.6, 0.25))
    bowl_region: tuple[tuple[float, float], tuple[float, float]] = ((0.35, -0.25), (0.6, 0.25))
    task_region: tuple[tuple[float, float], tuple[float, float]] | None = None
    # Squeeze force of each finger when the gripper closes on something [N].
    gripper_force: float = 20.0
    # Closed-loop bandwidth of the simulated joint position controllers [rad/s].
    servo_bandwidth: float = 40.0
    cubes: tuple[str, ...] = COLOURS
    min_spacing: float = 0.08  # between object centres at reset
    # Bimanual robots: where (world frame) the cube changes hands in a handover.
    handover_point: tuple[float, float, float] = (0.0, 0.0, 0.25)

    @staticmethod
    def from_yaml(raw: Any) -> SceneConfig:
        """Read the robot YAML's `sim:` block.

        Layout keys: `table: {center, size, top_z}`, `objects: {cube_size, spawn_min, spawn_max,
        min_separation, bowl_spawn_min, bowl_spawn_max, task_spawn_min, task_spawn_max}`; any other
        field of this class may be given flat under `sim:` (e.g. `gripper_force: 30`). Unknown keys
        are errors that name the closest known key.
        """
        raw = mapping(raw, "sim")
        flat = {f.name for f in fields(SceneConfig)}
        reject_unknown_keys(raw, [*flat, "table", "objects"], "robot config sim")
        table = mapping(raw.pop("table", None), "sim.table")
        objects = mapping(raw.pop("objects", None), "sim.objects")
        values: dict[str, Any] = {}
        _take(
            values,
            table,
            {"center": "table_center", "size": "table_size", "top_z": "table_height"},
            "sim.table",
        )
        spawn = _take_region(objects, "spawn_min", "spawn_max", "sim.objects")
        bowl_spawn = _take_region(objects, "bowl_spawn_min", "bowl_spawn_max", "sim.objects")
        task_spawn = _take_region(objects, "task_spawn_min", "task_spawn_max", "sim.objects")
        if task_spawn:
            values["task_region"] = task_spawn
        if spawn:
            values["object_region"] = spawn
        if bowl_spawn or spawn:
            values["bowl_region"] = bowl_spawn or spawn
        _take(
            values,
            objects,
            {"cube_size": "cube_size", "min_separation": "min_spacing", "cubes": "cubes"},
            "sim.objects",
        )
        _take(values, raw, {k: k for k in flat}, "sim")
        for key in ("table_center", "table_size", "handover_point"):
            if key in values:
                values[key] = tuple(float(v) for v in values[key])
        for key in ("object_region", "bowl_region", "task_region"):
            if key in values:
                values[key] = _region(key, values[key])
        if "cubes" in values:
            values["cubes"] = tuple(values["cubes"])
            bad = [c for c in values["cubes"] if c not in COLOURS]
            if bad:
                raise InvalidInput(
                    f"robot config sim.objects.cubes: unknown colours {bad}; known: {list(COLOURS)}"
                )
        for key, value in values.items():
            if not isinstance(value, tuple):
                values[key] = float(value)
        return SceneConfig(**values)


def _take(values: dict[str, Any], raw: dict[str, Any], names: dict[str, str], where: str) -> None:
    reject_unknown_keys(raw, names, f"robot config {where}")
    values.update({names[k]: v for k, v in raw.items()})


def _take_region(raw: dict[str, Any], lo_key: str, hi_key: str, where: str) -> Any:
    if lo_key not in raw and hi_key not in raw:
        return None
    if lo_key not in raw or hi_key not in raw:
        raise InvalidInput(f"robot config {where}: give both {lo_key} and {hi_key}")
    return (raw.pop(lo_key), raw.pop(hi_key))


def _region(key: str, value: Any) -> tuple[tuple[float, float], tuple[float, float]]:
    lo, hi = (np.asarray(v, float)[:2] for v in value)
    if np.any(hi < lo):
        raise InvalidInput(f"robot config sim: {key} max {list(hi)} is below min {list(lo)}")
    return (float(lo[0]), float(lo[1])), (float(hi[0]), float(hi[1]))
