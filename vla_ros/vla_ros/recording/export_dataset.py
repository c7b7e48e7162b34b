"""A LeRobotDataset written through LeRobot's own API, all or nothing.

The dataset is built in a hidden directory next to the target and renamed onto it only when every
episode is saved and the parquet files are finalized; any failure, Ctrl-C included, removes the
partial directory, so the target either does not exist or is a complete dataset.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from contextlib import suppress
from pathlib import Path

from vla_ros.core.config_fields import require_choice
from vla_ros.core.types import InvalidInput
from vla_ros.recording.export_source import EpisodeReading

# How camera frames are stored: LeRobot's AV1 videos (lossy: at 64x64, yuv420p halves the colour
# resolution and blurs the cubes' edges, while a policy sees raw frames live), or lossless PNG.
IMAGE_FORMATS = ("video", "png")


def stores_videos(image_format: str) -> bool:
    """True for `video`, False for `png`; InvalidInput names the flag for anything else."""
    require_choice("image_format", image_format, IMAGE_FORMATS)
    return image_format == "video"


class AtomicDataset:
    """`with AtomicDataset(...) as dataset: dataset.add_episode(frames)`; renamed onto `out` at exit."""

    def __init__(self, out: Path, repo_id: str, fps: int, features: dict, robot_type: str) -> None:
        """Image features of dtype `video` are LeRobot videos (AV1, lossy); of dtype `image`, PNG
        images in the parquet files (lossless, several times larger)."""
        videos = any(feature["dtype"] == "video" for feature in features.values())
        self.out = Path(out)
        if self.out.exists():
            raise InvalidInput(f"--out {self.out} exists; export writes a new dataset directory")
        self.partial = self.out.parent / f".{self.out.name}.partial-{os.getpid()}"
        # streaming_encoding: frames go straight into the video encoder instead of PNG files that
        # are encoded at save_episode: 6x faster in bench/export (and no image files to clean up).
        # encoder_queue_maxsize=0 (unbounded): LeRobot drops a frame, with only a warning, when the
        # encoder's queue stays full for 0.1 s, as it should live; a writer that is not live must
        # wait instead, or the video ends short of the parquet rows (CI, two sim demos under load:
        # "dropped 1 frame(s)", then IndexError reading the last frame). The queue holds at most one
        # episode's frames, and only while the encoder lags.
        self._create = dict(
            repo_id=repo_id,
            fps=fps,
            features=features,
            robot_type=robot_type,
            use_videos=videos,
            streaming_encoding=videos,
            encoder_queue_maxsize=0,
        )
        self.episodes = 0
        self.frames = 0

    @classmethod
    def for_reading(
        cls, out: Path, repo_id: str | None, reading: EpisodeReading, image_format: str = "video"
    ) -> AtomicDataset:
        """The dataset of `reading`'s layout and frame clock, its frames stored as `image_format`
        (IMAGE_FORMATS); repo id default local/<out name>."""
        return cls(
            out,
            repo_id or f"local/{Path(out).name}",
            reading.fps,
            reading.layout.features(stores_videos(image_format)),
            reading.robot.name,
        )

    def __enter__(self) -> AtomicDataset:
        from vla_ros.backends.torch_runtime import ensure_torchvision_importable

        ensure_torchvision_importable()
        os.environ.setdefault("SVT_LOG", "1")  # the AV1 encoder's banner per video: errors only
        import datasets
        from lerobot.datasets.lerobot_dataset import LeRobotDataset

        # Embedding an episode's PNGs is a `datasets` map with a progress bar of its own per
        # episode; the writers print one line per episode already.
        datasets.disable_progress_bars()

        self.out.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(self.partial, ignore_errors=True)
        try:
            self._dataset = LeRobotDataset.create(root=self.partial, **self._create)
        except BaseException:
            shutil.rmtree(self.partial, ignore_errors=True)
            raise
        return self

    def add_episode(self, frames: Iterable[dict]) -> int:
        """Add every frame and save the episode; returns its frame count (0: nothing saved)."""
        count = 0
        for frame in frames:
            self._dataset.add_frame(frame)
            count += 1
        if count:
            self._dataset.save_episode()
            self.episodes += 1
            self.frames += count
        return count

    def __exit__(self, kind, error, traceback) -> None:
        try:
            if kind is not None:
                with suppress(
                    Exception
                ):  # close LeRobot's writers; the failure that got here is the news
                    self._dataset.finalize()
                return
            self._dataset.finalize()
            if self.episodes == 0:
                raise InvalidInput(f"no episode to export: nothing written to {self.out}")
            if self.out.exists():
                raise InvalidInput(f"--out {self.out} appeared during the export; left untouched")
            os.rename(self.partial, self.out)
        finally:
            shutil.rmtree(self.partial, ignore_errors=True)
