"""Export test helpers: small episode bags with known answers, export options."""

from __future__ import annotations

from pathlib import Path

from bag_files import sim_episode_messages, write_bag

from vla_ros.core.recording.episodes import EpisodeMetadata
from vla_ros.recording.export import ExportOptions

CAMERAS = ("exterior_1", "wrist")
# 64x64 of the 80x80 frames: small videos, and the crop proves camera_ingest's parameters apply.
CROP = {"camera_ingest.crop": [8, 8, 64, 64]}


def episode_bag(
    path: Path, robot, success: bool = True, robot_name: str = "panda", **kwargs
) -> Path:
    metadata = EpisodeMetadata(
        robot=robot_name, instruction="put the red cube in the bowl", success=success
    )
    return write_bag(
        path, sim_episode_messages(robot, CAMERAS, **kwargs), metadata.to_custom_data()
    )


def options(bags, out: Path, **kwargs) -> ExportOptions:
    return ExportOptions(
        bags=tuple(bags), robot="panda", out=out, cameras=CAMERAS, overrides=dict(CROP), **kwargs
    )
