"""A LeRobot v3 dataset's frames, decoded once into memory.

LeRobot's own loader decodes a short video clip per sample, which halves training speed on a small
CPU; the demonstrations are small (two 64x64 cameras, ~50 frames per episode), so every video is
decoded once, in order, and training draws batches from arrays. Image features (PNG in the parquet
files, `--image-format png`) are decoded the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vla_ros.core.types import InvalidInput


@dataclass
class DemoFrames:
    """Every frame of one or more datasets; row i of each array is the same frame.

    images: feature key -> (N, 3, H, W) uint8; state, action: (N, dim) float32;
    episode: (N,) global episode number; episode_end: (N,) one past the episode's last row;
    task: (N,) index into `tasks`.
    """

    images: dict[str, np.ndarray]
    state: np.ndarray
    action: np.ndarray
    episode: np.ndarray
    episode_end: np.ndarray
    task: np.ndarray
    tasks: list[str]
    fps: float

    def __len__(self) -> int:
        return len(self.state)

    @property
    def episodes(self) -> int:
        return int(self.episode.max()) + 1 if len(self) else 0


def load_frames(roots: Sequence[Path], progress: Callable[[str], None] = print) -> DemoFrames:
    """Decode the datasets at `roots` (same features and fps) into one DemoFrames."""
    if not roots:
        raise InvalidInput("no dataset given")
    parts = [_load_one(Path(root), progress) for root in roots]
    first = parts[0]
    for root, part in zip(roots[1:], parts[1:]):
        if _layout(part) != _layout(first):
            raise InvalidInput(
                f"dataset {root} has cameras, state/action dims and fps {_layout(part)}; "
                f"{roots[0]} has {_layout(first)}"
            )
    tasks = sorted({t for part in parts for t in part.tasks})
    offset, episodes = 0, []
    for part in parts:
        episodes.append(part.episode + offset)
        offset += part.episodes
    ends, start = [], 0
    for part in parts:
        ends.append(part.episode_end + start)
        start += len(part)
    return DemoFrames(
        images={k: np.concatenate([p.images[k] for p in parts]) for k in first.images},
        state=np.concatenate([p.state for p in parts]),
        action=np.concatenate([p.action for p in parts]),
        episode=np.concatenate(episodes),
        episode_end=np.concatenate(ends),
        task=np.concatenate([np.searchsorted(tasks, np.asarray(p.tasks)[p.task]) for p in parts]),
        tasks=tasks,
        fps=first.fps,
    )


def _layout(frames: DemoFrames) -> tuple:
    shapes = {key: images.shape[1:] for key, images in frames.images.items()}
    return shapes, frames.state.shape[1], frames.action.shape[1], frames.fps


def _load_one(root: Path, progress: Callable[[str], None]) -> DemoFrames:
    import pandas as pd

    from vla_ros.backends.torch_runtime import ensure_torchvision_importable

    ensure_torchvision_importable()
    from lerobot.datasets.lerobot_dataset import LeRobotDatasetMetadata

    if not (root / "meta" / "info.json").is_file():
        raise InvalidInput(f"{root} is not a LeRobot dataset (no meta/info.json)")
    meta = LeRobotDatasetMetadata(f"local/{root.name}", root=root)
    data = pd.concat(
        [pd.read_parquet(path) for path in sorted((root / "data").glob("*/*.parquet"))]
    ).sort_values("index")
    episodes = {int(e["episode_index"]): e for e in meta.episodes}
    rows = np.arange(len(data))
    episode = data["episode_index"].to_numpy()
    end = np.zeros(len(data), dtype=np.int64)
    for number, info in episodes.items():
        end[episode == number] = int(info["dataset_to_index"])
    images = {}
    for key in meta.camera_keys:
        if key in meta.video_keys:
            images[key] = _decode(root, meta, key, data, episodes)
        else:
            images[key] = _png_images(data[key])
        progress(f"[frames] {root.name}: {key} decoded, {len(rows)} frames")
    task_names = meta.tasks.index.tolist()
    return DemoFrames(
        images=images,
        state=np.stack(data["observation.state"].to_numpy()).astype(np.float32),
        action=np.stack(data["action"].to_numpy()).astype(np.float32),
        episode=episode,
        episode_end=end,
        task=data["task_index"].to_numpy(),
        tasks=task_names,
        fps=float(meta.fps),
    )


def _png_images(column) -> np.ndarray:
    """An image feature's frames (PNG bytes in the parquet rows, `--image-format png`), (N, 3, H, W)."""
    import io

    from PIL import Image

    return np.stack(
        [np.asarray(Image.open(io.BytesIO(cell["bytes"])).convert("RGB")) for cell in column]
    ).transpose(0, 3, 1, 2)


def _decode(root: Path, meta, key: str, data, episodes: dict) -> np.ndarray:
    """Every frame of camera `key`, in dataset order: each video file decoded once, front to back,
    and each row's frame found by its episode's offset in the file plus its timestamp."""
    import av

    by_file: dict[Path, dict[int, np.ndarray]] = {}
    out = None
    fps = meta.fps
    for row, (number, timestamp) in enumerate(
        zip(data["episode_index"].to_numpy(), data["timestamp"].to_numpy())
    ):
        path = root / meta.get_video_file_path(int(number), key)
        if path not in by_file:
            with av.open(str(path)) as container:
                by_file[path] = {
                    int(round(frame.time * fps)): frame.to_ndarray(format="rgb24")
                    for frame in container.decode(video=0)
                }
        position = int(
            round((episodes[int(number)][f"videos/{key}/from_timestamp"] + timestamp) * fps)
        )
        frame = by_file[path].get(position)
        if frame is None:
            raise InvalidInput(f"{path}: no frame at {position / fps:.2f} s (row {row})")
        if out is None:
            out = np.empty((len(data), 3, *frame.shape[:2]), dtype=np.uint8)
        out[row] = frame.transpose(2, 0, 1)
    return out
