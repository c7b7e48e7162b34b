"""The episode metadata a bag carries (rosbag2 metadata.yaml custom_data), read without opening it."""

from __future__ import annotations

from pathlib import Path

import yaml

from vla_ros.core.recording.episodes import EpisodeMetadata
from vla_ros.core.types import InvalidInput


def read_episode_metadata(bag: Path) -> EpisodeMetadata | None:
    """None for a bag without vla_ros metadata (recorded by `ros2 bag record`, or --split none)."""
    path = bag / "metadata.yaml"
    try:
        info = yaml.safe_load(path.read_text())["rosbag2_bagfile_information"]
    except (OSError, yaml.YAMLError, KeyError, TypeError) as error:
        raise InvalidInput(f"{bag}: no readable rosbag2 metadata.yaml ({error})") from error
    return EpisodeMetadata.from_custom_data(info.get("custom_data") or {}, str(path))
