"""Loading a written dataset back with LeRobot's own LeRobotDataset (what users train from)."""

from __future__ import annotations

from pathlib import Path


def load(root: Path):
    from vla_ros.backends.torch_runtime import ensure_torchvision_importable

    ensure_torchvision_importable()
    from lerobot.datasets.lerobot_dataset import LeRobotDataset

    return LeRobotDataset(f"local/{root.name}", root=root)
